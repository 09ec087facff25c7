/**
 * 5. Server cold start (spawn → initialize → didOpen the example → first
 * publishDiagnostics for it), bundle sizes and the VSIX size.
 *
 * The client speaks LSP over stdio by hand (Content-Length framing), answers
 * the server's workspace/configuration and client/registerCapability
 * requests as VS Code would, and starts the clock just before the spawn.
 * For scale, the same clock times a bare `node -e 0`.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ratioRow, skippedRow, type Row } from '../lib/result';
import { fmtBytes, measure } from '../lib/stats';

/**
 * One cold start. With PPKG_BENCH_PROFILE=<dir> the server runs under
 * --cpu-prof and is shut down cleanly (shutdown, exit) so the profile is
 * written, for finding where start-up time goes.
 */
export function coldStart(serverJs: string, exampleFile: string): Promise<number> {
  const profileDir = process.env.PPKG_BENCH_PROFILE;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const child = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const uri = pathToFileURL(exampleFile).toString();
    const text = fs.readFileSync(exampleFile, 'utf8');
    let buf = Buffer.alloc(0);
    let stderr = '';
    const timer = setTimeout(() => finish(new Error(`no publishDiagnostics within 10 s; stderr: ${stderr.slice(0, 500)}`)), 10_000);
    const send = (msg: object) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    let done = false;
    let elapsed: number | undefined;
    const finish = (err?: Error, ms?: number) => {
      if (done) return;
      if (!err && profileDir && elapsed === undefined) {
        // Let the profile be written: shutdown, then exit, then wait for the process.
        elapsed = ms;
        send({ id: 2, method: 'shutdown' });
        return;
      }
      done = true;
      clearTimeout(timer);
      child.kill();
      if (err) reject(err);
      else resolve(ms ?? elapsed!);
    };
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => finish(e));
    child.on('exit', (code) =>
      elapsed !== undefined ? finish(undefined, elapsed) : finish(new Error(`server exited (${code}) before publishing diagnostics: ${stderr.slice(0, 500)}`)),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) return;
        const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, sep).toString('ascii'));
        if (!m) return finish(new Error('bad LSP header'));
        const len = Number(m[1]);
        if (buf.length < sep + 4 + len) return;
        const msg = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString('utf8')) as {
          id?: number;
          method?: string;
          params?: { uri?: string; items?: unknown[] };
        };
        buf = buf.subarray(sep + 4 + len);
        if (msg.method === 'textDocument/publishDiagnostics' && msg.params?.uri === uri && elapsed === undefined)
          return finish(undefined, performance.now() - t0);
        if (msg.id === 2 && !msg.method) {
          send({ method: 'exit' });
          continue;
        }
        if (msg.id !== undefined && msg.method === 'workspace/configuration') send({ id: msg.id, result: (msg.params?.items ?? []).map(() => ({})) });
        else if (msg.id !== undefined && msg.method) send({ id: msg.id, result: null });
        else if (msg.id === 1) {
          // initialize answered
          send({ method: 'initialized', params: {} });
          send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'ppkg-project', version: 1, text } } });
        }
      }
    });
    send({
      id: 1,
      method: 'initialize',
      params: {
        processId: process.pid,
        rootUri: pathToFileURL(path.dirname(exampleFile)).toString(),
        capabilities: {
          workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
          textDocument: { publishDiagnostics: { relatedInformation: true }, completion: { completionItem: { snippetSupport: true } } },
        },
        initializationOptions: {},
      },
    });
  });
}

export async function runServer(root: string, tmp: string, log: (s: string) => void, options: { packageVsix: boolean }): Promise<Row[]> {
  const rows: Row[] = [];
  const serverJs = path.join(root, 'dist', 'server.js');
  const example = path.join(root, 'examples', 'bulk-enrollment', 'cts-desktops.ppkg.json');

  // Cold start.
  log('  5. server cold start…');
  try {
    await coldStart(serverJs, example);
    const t = await measure(() => coldStart(serverJs, example), { warmup: 1, runs: 9 });
    const bare = await measure(() => new Promise<void>((res) => spawn(process.execPath, ['-e', '0']).on('exit', () => res())), { warmup: 1, runs: 9 });
    rows.push(
      ratioRow({
        group: 5,
        name: 'Server cold start: spawn → initialize → didOpen example → first publishDiagnostics',
        size: `dist/server.js ${fmtBytes(fs.statSync(serverJs).size)}`,
        ours: t,
        target: { kind: 'ms', max: 300 },
        note: `bare \`node -e 0\` takes ${bare.median.toFixed(0)} ms on this machine`,
      }),
    );
  } catch (err) {
    rows.push(skippedRow(5, 'Server cold start', `dist/server.js did not publish diagnostics: ${(err as Error).message}`, { kind: 'ms', max: 300 }));
  }

  // Bundle sizes as built by `npm run bench` (development build: not minified, source maps beside).
  for (const f of fs
    .readdirSync(path.join(root, 'dist'))
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    rows.push({ group: 5, name: `Bundle dist/${f} (development build)`, size: '', oursBytes: fs.statSync(path.join(root, 'dist', f)).size, info: true });
  }

  // The VSIX: `npm run package` in a private copy of the working tree (node_modules linked), so
  // a concurrent `node esbuild.mjs` by someone else cannot swap development bundles into
  // dist/ between the production build and vsce, and the repository's dist/ is left alone.
  const vsixTarget = { kind: 'bytes' as const, max: 1.5 * 1024 * 1024 };
  if (!options.packageVsix) {
    const vsix = path.join(root, 'dist', 'ppkg.vsix');
    if (fs.existsSync(vsix))
      rows.push(
        ratioRow({
          group: 5,
          name: 'VSIX dist/ppkg.vsix',
          size: '',
          oursBytes: fs.statSync(vsix).size,
          target: vsixTarget,
          note: `read from dist/ (not rebuilt; dated ${fs.statSync(vsix).mtime.toISOString()})`,
        }),
      );
    else rows.push(skippedRow(5, 'VSIX size', 'dist/ppkg.vsix not present (run without --no-package to build it)', vsixTarget));
    return rows;
  }
  const copy = fs.mkdtempSync(path.join(tmp, 'package-'));
  try {
    const skip = new Set(['node_modules', '.git', 'dist', 'out', 'test-results', '.e2e', 'bench', 'test']);
    for (const entry of fs.readdirSync(root)) {
      if (skip.has(entry) || entry.startsWith('.scratch')) continue;
      fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    log('  npm run package (in a private copy of the working tree)…');
    const r = spawnSync('npm', ['run', 'package'], { cwd: copy, encoding: 'utf8' });
    const vsix = path.join(copy, 'dist', 'ppkg.vsix');
    if (r.status !== 0 || !fs.existsSync(vsix)) {
      const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ');
      log(`  npm run package failed (exit ${r.status}): ${why}`);
      rows.push(skippedRow(5, 'VSIX size', `npm run package failed: ${why}`, vsixTarget));
      return rows;
    }
    for (const f of fs
      .readdirSync(path.join(copy, 'dist'))
      .filter((f) => f.endsWith('.js'))
      .sort()) {
      rows.push({
        group: 5,
        name: `Bundle dist/${f} (production build, as shipped in the VSIX)`,
        size: '',
        oursBytes: fs.statSync(path.join(copy, 'dist', f)).size,
        info: true,
      });
    }
    const prodServer = path.join(copy, 'dist', 'server.js');
    try {
      const t = await measure(() => coldStart(prodServer, example), { warmup: 1, runs: 9 });
      rows.push(
        ratioRow({
          group: 5,
          name: 'Server cold start, production bundle (as shipped)',
          size: `dist/server.js ${fmtBytes(fs.statSync(prodServer).size)}`,
          ours: t,
          target: { kind: 'ms', max: 300 },
          info: true,
        }),
      );
    } catch (err) {
      rows.push(skippedRow(5, 'Server cold start, production bundle', (err as Error).message));
    }
    rows.push(
      ratioRow({
        group: 5,
        name: 'VSIX (npm run package)',
        size: '',
        oursBytes: fs.statSync(vsix).size,
        target: vsixTarget,
        note: 'built in this run from the working tree',
      }),
    );
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
  return rows;
}
