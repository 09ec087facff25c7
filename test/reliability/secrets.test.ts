/**
 * Secret scans: a sentinel for every kind of secret (bulk token, Wi-Fi key,
 * local administrator password, PFX password, an additionalSettings secret)
 * must never appear in stdout, stderr, diagnostics (CLI and LSP), hover text,
 * the project file, the build report, or any file but the .ppkg and
 * customizations.xml — in plain text, UTF-16, Base64 or as a hash.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SENTINELS, buildableProject, secretEnv, writeBuildable } from './corpus/buildable';
import { ROOT, runChild, runInProcess, sandbox, snapshot, diffSnapshots, hasStackTrace } from './corpus/sandbox';
import { RawLspClient } from './fuzz/lsp';
import { startEntraEmulator } from '../support/entraEmulator';

const scans: { where: string; bytes: number }[] = [];
const ALL = Object.values(SENTINELS);

before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});

after(() => {
  mkdirSync(join(ROOT, 'test-results/reliability'), { recursive: true });
  writeFileSync(
    join(ROOT, 'test-results/reliability/secrets.json'),
    JSON.stringify(
      { sentinels: Object.keys(SENTINELS), scans: scans.length, bytesScanned: scans.reduce((s, x) => s + x.bytes, 0), places: scans.map((s) => s.where) },
      null,
      2,
    ) + '\n',
  );
});

/** Every form a leaked value could take in a file or a stream. */
function forms(value: string): { form: string; needle: Buffer }[] {
  const out = [
    { form: 'utf8', needle: Buffer.from(value, 'utf8') },
    { form: 'utf16le', needle: Buffer.from(value, 'utf16le') },
    { form: 'base64', needle: Buffer.from(Buffer.from(value).toString('base64').slice(0, 16)) },
    { form: 'json-escaped', needle: Buffer.from(JSON.stringify(value).slice(1, -1)) },
  ];
  for (const algo of ['sha256', 'sha1', 'md5']) {
    const h = createHash(algo).update(value).digest();
    out.push({ form: `${algo}-hex`, needle: Buffer.from(h.toString('hex')) }, { form: `${algo}-base64`, needle: Buffer.from(h.toString('base64')) });
  }
  return out;
}

function assertNoSecret(where: string, data: string | Buffer, secrets: readonly string[] = ALL) {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  scans.push({ where, bytes: buf.length });
  for (const s of secrets) {
    for (const f of forms(s)) assert.ok(!buf.includes(f.needle), `secret ${s.slice(0, 14)}… (${f.form}) leaked into ${where}`);
  }
}

/** Scans every file below `dir`, except the allowed ones (relative paths). */
function scanTree(dir: string, allowed: Set<string>, secrets: readonly string[] = ALL): number {
  let n = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const rel = relative(dir, p);
        if (allowed.has(rel)) continue;
        assertNoSecret(rel, readFileSync(p), secrets);
        n++;
      }
    }
  };
  walk(dir);
  return n;
}

test('build: the secrets reach customizations.xml and the .ppkg, and nothing else (files, report, streams)', async () => {
  const box = sandbox('ppkg-secrets-');
  try {
    const dir = join(box.root, 'project');
    mkdirSync(dir);
    writeBuildable(dir);
    const projectBefore = readFileSync(join(dir, 'p.ppkg.json'));
    const r = await runChild(['build', 'p.ppkg.json', '--out', 'out'], dir, secretEnv());
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret('build stdout', r.stdout);
    assertNoSecret('build stderr', r.stderr);
    const xml = readFileSync(join(dir, 'out/customizations.xml'), 'utf8');
    for (const s of ALL) assert.ok(xml.includes(s), `customizations.xml lacks ${s}: the scan would prove nothing`);
    const pkgName = readdirSync(join(dir, 'out')).find((f) => f.endsWith('.ppkg'))!;
    const pkg = readFileSync(join(dir, 'out', pkgName));
    assert.ok(
      ALL.some((s) => pkg.includes(Buffer.from(s)) || pkg.includes(Buffer.from(s, 'utf16le'))),
      'the .ppkg holds the secrets',
    );
    const scanned = scanTree(box.root, new Set([`project/out/${pkgName}`, 'project/out/customizations.xml']));
    assert.ok(scanned >= 6, `scanned ${scanned} files`);
    assert.deepEqual(readFileSync(join(dir, 'p.ppkg.json')), projectBefore, 'the project file is unchanged');
    for (const f of readdirSync(join(dir, 'out'))) assert.equal(statSync(join(dir, 'out', f)).mode & 0o077, 0, `${f} is readable by others`);
    assert.match(readFileSync(join(dir, 'out/.gitignore'), 'utf8'), /\*/);
  } finally {
    box.cleanup();
  }
});

const failing: { name: string; env: Record<string, string>; over?: Record<string, unknown>; says: RegExp; exit: number }[] = [
  {
    name: 'one secret missing',
    env: (() => {
      const e = secretEnv();
      delete e.PPKG_SECRET_CLIENT_PFX_PASSWORD;
      return e;
    })(),
    says: /PPKG_SECRET_CLIENT_PFX_PASSWORD/,
    exit: 1,
  },
  { name: 'Wi-Fi key too short', env: secretEnv({ ...SENTINELS, 'wifi-key': 'SNTL-42' }), says: /8 to 63|characters/, exit: 1 },
  { name: 'Wi-Fi key too long', env: secretEnv({ ...SENTINELS, 'wifi-key': 'SENTINEL-LONG-' + 'z'.repeat(60) }), says: /8 to 63|characters/, exit: 1 },
  { name: 'a project error with every secret set', env: secretEnv(), over: { rank: 'high' }, says: /PPKG100/, exit: 1 },
  {
    name: 'an installer that is missing',
    env: secretEnv(),
    over: { applications: [{ name: 'A', installer: 'installers/missing.msi', commandLine: 'x /quiet' }] },
    says: /PPKG030/,
    exit: 1,
  },
  { name: 'secret values with XML metacharacters', env: secretEnv({ ...SENTINELS, 'local-admin-password': 'SENTINEL-<]]>&"\'-PW' }), says: /Built/, exit: 0 },
];
for (const f of failing) {
  test(`build, ${f.name}: no secret value in the streams or on disk outside the package`, async () => {
    const box = sandbox('ppkg-secrets-fail-');
    try {
      const dir = join(box.root, 'project');
      mkdirSync(dir);
      writeBuildable(dir, f.over ?? {});
      const before = snapshot(box.root);
      const r = await runInProcess(['build', 'p.ppkg.json', '--out', 'out'], dir, f.env);
      assert.equal(r.code, f.exit, r.stderr);
      assert.match(f.exit === 0 ? r.stdout : r.stderr, f.says);
      assert.ok(!hasStackTrace(r.stderr));
      const values = Object.values(f.env);
      assertNoSecret(`stdout (${f.name})`, r.stdout, values);
      assertNoSecret(`stderr (${f.name})`, r.stderr, values);
      if (f.exit !== 0) assert.deepEqual(diffSnapshots(before, snapshot(box.root)), [], 'a refused build writes nothing');
      else {
        const pkgName = readdirSync(join(dir, 'out')).find((x) => x.endsWith('.ppkg'))!;
        scanTree(box.root, new Set([`project/out/${pkgName}`, 'project/out/customizations.xml']), values);
      }
    } finally {
      box.cleanup();
    }
  });
}

const PLAIN = {
  wifi: 'SENTINEL-PLAIN-WIFI-55aa',
  token: 'SENTINEL-PLAIN-BPRT-66bb',
  admin: 'SENTINEL-PLAIN-ADMIN-77cc',
  pfx: 'SENTINEL-PLAIN-PFX-88dd',
  addl: 'SENTINEL-PLAIN-ADDL-99ee',
};

function plainProject(): Record<string, unknown> {
  const p = buildableProject();
  (p.network as { wifi: Record<string, unknown> }).wifi.key = PLAIN.wifi;
  const account = p.account as { entra: Record<string, unknown>; localAdmin: Record<string, unknown> };
  account.entra.token = PLAIN.token;
  account.localAdmin.password = PLAIN.admin;
  (p.certificates as Record<string, unknown>[])[1]!.password = PLAIN.pfx;
  (p.additionalSettings as Record<string, unknown>[])[0]!.value = PLAIN.addl;
  return p;
}

test('validate and build with plain-text secrets (PPKG070): the values are never echoed in any format', async () => {
  const box = sandbox('ppkg-secrets-plain-');
  try {
    const dir = join(box.root, 'project');
    mkdirSync(dir);
    writeBuildable(dir);
    writeFileSync(join(dir, 'p.ppkg.json'), JSON.stringify(plainProject(), null, 2));
    const values = Object.values(PLAIN);
    for (const format of ['text', 'json', 'sarif']) {
      const r = await runInProcess(['validate', 'p.ppkg.json', '--format', format], dir);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      if (format === 'text') assert.match(r.stdout, /PPKG070/);
      assertNoSecret(`validate --format ${format}`, r.stdout + r.stderr, values);
    }
    const r = await runChild(['build', 'p.ppkg.json', '--out', 'out'], dir, {});
    assertNoSecret('build with plain-text secrets (streams)', r.stdout + r.stderr, values);
    assert.ok(!hasStackTrace(r.stderr));
    try {
      assertNoSecret('build report (plain-text secrets)', readFileSync(join(dir, 'out/build-report.json')), values);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  } finally {
    box.cleanup();
  }
});

test('language server: diagnostics, hover, completion, code lenses and code-action titles never show a secret value', { timeout: 60_000 }, async () => {
  const box = sandbox('ppkg-secrets-lsp-');
  const client = RawLspClient.start(join(ROOT, 'dist/server.js'), { PATH: process.env.PATH, PPKG_TEST: '1', PPKG_TEST_NOW: new Date().toISOString() }, 15_000);
  try {
    const dir = join(box.root, 'project');
    mkdirSync(dir);
    writeBuildable(dir);
    const text = JSON.stringify(plainProject(), null, 2) + '\n';
    writeFileSync(join(dir, 'p.ppkg.json'), text);
    const uri = pathToFileURL(join(dir, 'p.ppkg.json')).toString();
    const values = Object.values(PLAIN);
    const published: string[] = [];
    client.onNotification('textDocument/publishDiagnostics', (p) => published.push(JSON.stringify(p)));
    await client.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).toString(),
      capabilities: {},
      initializationOptions: { secretNames: {} },
    });
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ppkg-project', version: 1, text } });
    const lines = text.split('\n');
    const answers: string[] = [];
    const leaks: string[] = [];
    const record = (what: string, answer: unknown) => {
      const j = JSON.stringify(answer);
      answers.push(j);
      if (values.some((v) => j.includes(v))) {
        const v = values.find((x) => j.includes(x))!;
        const i = j.indexOf(v);
        leaks.push(`${what}: …${j.slice(Math.max(0, i - 300), i + 60)}`);
      }
    };
    for (let line = 0; line < lines.length; line++) {
      for (let character = 0; character <= lines[line]!.length; character += 3) {
        record(`hover ${line + 1}:${character + 1}`, await client.request('textDocument/hover', { textDocument: { uri }, position: { line, character } }));
      }
      if (lines[line]!.includes('SENTINEL')) {
        const character = lines[line]!.indexOf('SENTINEL') + 4;
        record(
          `completion ${line + 1}:${character + 1}`,
          await client.request('textDocument/completion', { textDocument: { uri }, position: { line, character } }),
        );
      }
    }
    // documentSymbol is checked in pending/secrets-outline.test.ts (reported bug: the outline shows a plain-text Wi-Fi key).
    for (const m of ['textDocument/codeLens', 'textDocument/documentLink', 'textDocument/foldingRange'])
      record(m, await client.request(m, { textDocument: { uri } }));
    const deadline = Date.now() + 10_000;
    while (!published.some((p) => p.includes('PPKG070')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      published.some((p) => p.includes('PPKG070')),
      'the server reported the plain-text secrets',
    );
    const diagnostics = published.map((p) => JSON.parse(p) as { diagnostics: { range: unknown }[] }).flatMap((p) => p.diagnostics);
    const actions = (await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
      context: { diagnostics },
    })) as { title: string }[] | null;
    assert.ok(Array.isArray(actions) && actions.length > 0, 'quick fixes offered');
    assertNoSecret('LSP code-action titles', JSON.stringify((actions ?? []).map((a) => a.title)), values);
    assertNoSecret('LSP publishDiagnostics', published.join('\n'), values);
    assert.deepEqual(leaks.slice(0, 5), [], `secret values in ${leaks.length} LSP answers`);
    assertNoSecret(`LSP hover/completion/lenses/links (${answers.length} answers)`, answers.join('\n'), values);
    const exit = await client.stop();
    assert.equal(exit.code, 0);
    assertNoSecret('LSP server stderr', client.stderr, values);
  } finally {
    client.kill();
    box.cleanup();
  }
});

test('ppkg token (Entra emulator, sentinel BPRT): only the --out file holds the token', { timeout: 60_000 }, async () => {
  const BPRT = 'SENTINEL-TOKEN-CMD-BPRT-0.AAAA-3c4d5e';
  const ACCESS = 'SENTINEL-TOKEN-CMD-ACCESS-6f7a8b';
  const em = await startEntraEmulator({ bulkToken: BPRT, accessToken: ACCESS, bulk: { inProgressPolls: 1 } });
  const box = sandbox('ppkg-secrets-token-');
  try {
    const dir = join(box.root, 'project');
    mkdirSync(dir);
    writeBuildable(dir);
    const args = ['token', 'p.ppkg.json', '--authority', em.authority, '--bulk-endpoint', em.bulkEndpoint, '--poll-interval', '10'];
    const r = await runInProcess([...args, '--out', 'bprt.txt'], dir, { NODE_EXTRA_CA_CERTS: em.caFile });
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret('token stdout', r.stdout, [BPRT, ACCESS]);
    assertNoSecret('token stderr', r.stderr, [BPRT, ACCESS]);
    assert.equal(readFileSync(join(dir, 'bprt.txt'), 'utf8').trim(), BPRT);
    assert.equal(statSync(join(dir, 'bprt.txt')).mode & 0o077, 0);
    scanTree(box.root, new Set(['project/bprt.txt']), [BPRT, ACCESS]);
    // Recorded facts, not the token: the project still refers to the secret by name.
    assert.match(readFileSync(join(dir, 'p.ppkg.json'), 'utf8'), /"token": \{\s*"secret": "bulk-token"\s*\}/);

    // A failed fetch (HTTP 500 at poll, with the token in the body) prints nothing secret either.
    const em2 = await startEntraEmulator({
      bulkToken: BPRT,
      accessToken: ACCESS,
      bulk: { pollRaw: { status: 500, body: `{"error":"server","refresh_token":"${BPRT}"}` } },
    });
    try {
      const r2 = await runInProcess(
        ['token', 'p.ppkg.json', '--authority', em2.authority, '--bulk-endpoint', em2.bulkEndpoint, '--poll-interval', '10', '--print'],
        dir,
        { NODE_EXTRA_CA_CERTS: em2.caFile },
      );
      assert.equal(r2.code, 2);
      assertNoSecret('token failure stdout+stderr', r2.stdout + r2.stderr, [BPRT, ACCESS]);
    } finally {
      await em2.close();
    }
  } finally {
    await em.close();
    box.cleanup();
  }
});
