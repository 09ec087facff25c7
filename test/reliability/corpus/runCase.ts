/**
 * Runs one hostile case (corpus/hostile.ts) and asserts its outcome: exit
 * code, a located finding or a refusal naming the file, no stack trace, no
 * write outside where the command may write.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT, type HostileCase } from './hostile';
import { diffSnapshots, hasStackTrace, runChild, runInProcess, sandbox, snapshot, type Run } from './sandbox';

export const caseResults: { id: string; target: string; exit: number; child: boolean; ms: number }[] = [];

interface JsonDiagnostic {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

/** Token commands point at a closed local port: they must refuse before any network access. */
const NO_NETWORK = [
  '--print',
  '--authority',
  'https://127.0.0.1:9/organizations',
  '--bulk-endpoint',
  'https://127.0.0.1:9/webapp/bulkaadjtoken',
  '--timeout',
  '5',
];

export function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** 1-based line and column of a string index; CRLF, CR and LF end lines. */
function lineColOf(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: index - lineStart + 1 };
}

function expectedPosition(c: HostileCase, dir: string): { line: number; col: number } | undefined {
  if (c.expect.at) return c.expect.at;
  if (c.expect.atText === undefined) return undefined;
  const text = readFileSync(join(dir, PROJECT), 'utf8');
  const index = text.indexOf(c.expect.atText);
  assert.ok(index >= 0, `${c.id}: the corpus text ${c.expect.atText} is not in the file`);
  return lineColOf(text, index);
}

function argsFor(c: HostileCase, setupArgs: string[], format?: 'json'): string[] {
  if (c.target === 'validate') return ['validate', ...setupArgs, ...(format ? ['--format', format] : [])];
  if (c.target === 'token') return ['token', ...setupArgs, ...NO_NETWORK];
  return ['init', ...setupArgs];
}

function assertClean(c: HostileCase, r: Run, how: string) {
  assert.ok(!hasStackTrace(r.stderr), `${c.id} (${how}): stack trace on stderr:\n${r.stderr.slice(0, 2000)}`);
  assert.ok(!hasStackTrace(r.stdout), `${c.id} (${how}): stack trace on stdout`);
  assert.ok(!/internal error/i.test(r.stderr), `${c.id} (${how}): internal error: ${r.stderr.slice(0, 500)}`);
  assert.equal(r.signal ?? null, null, `${c.id} (${how}): killed by ${r.signal} (timeout or crash)`);
  assert.equal(
    r.code,
    c.expect.exit,
    `${c.id} (${how}): exit ${r.code}, expected ${c.expect.exit}\nstdout: ${r.stdout.slice(0, 1500)}\nstderr: ${r.stderr.slice(0, 1500)}`,
  );
  if (c.expect.stderr) assert.match(r.stderr, c.expect.stderr, `${c.id} (${how}): stderr`);
  if (c.expect.stdoutNot) assert.doesNotMatch(r.stdout, c.expect.stdoutNot, `${c.id} (${how}): stdout`);
  if (c.expect.exit === 2) assert.ok(r.stderr.trim().length > 0, `${c.id} (${how}): exit 2 without a message`);
}

/** What a command may change: validate and token nothing at all, init only new files in its folder. */
function assertWrites(c: HostileCase, before: Map<string, string>, after: Map<string, string>, how: string) {
  const diff = diffSnapshots(before, after);
  if (c.target === 'init') {
    const bad = diff.filter((l) => !/^\+ project\/[^/]+\.ppkg\.json \(file\)$/.test(l));
    assert.deepEqual(bad, [], `${c.id} (${how}): init wrote outside its folder or changed a file`);
    assert.ok(diff.length <= 1, `${c.id} (${how}): init wrote ${diff.length} files`);
  } else {
    assert.deepEqual(diff, [], `${c.id} (${how}): the ${c.target} command changed the disk`);
  }
}

export async function runHostileCase(c: HostileCase): Promise<void> {
  {
    for (const how of c.child ? (['in-process', 'child'] as const) : (['in-process'] as const)) {
      const box = sandbox(`ppkg-corpus-${c.id}-`);
      try {
        const dir = join(box.root, 'project');
        mkdirSync(dir);
        writeFileSync(join(box.root, 'outside.txt'), 'must not change');
        const setupArgs = c.setup(dir);
        const snap = snapshot(box.root);
        const t0 = performance.now();
        const jsonMode = c.target === 'validate' && how === 'in-process' && !c.expect.stdoutNot;
        const args = argsFor(c, setupArgs, jsonMode ? 'json' : undefined);
        const r = how === 'child' ? await runChild(args, dir) : await runInProcess(args, dir);
        caseResults.push({ id: c.id, target: c.target, exit: r.code, child: how === 'child', ms: Math.round(performance.now() - t0) });
        const ms = performance.now() - t0;
        assertClean(c, r, how);
        if (c.expect.maxMs !== undefined && how === 'in-process')
          assert.ok(ms <= c.expect.maxMs, `${c.id}: took ${Math.round(ms)} ms, the budget is ${c.expect.maxMs} ms`);
        assertWrites(c, snap, snapshot(box.root), how);

        if (c.target === 'validate' && r.code !== 2) {
          const expected = expectedPosition(c, dir);
          if (jsonMode) {
            const diagnostics = (JSON.parse(r.stdout) as { diagnostics?: JsonDiagnostic[] }[] | JsonDiagnostic[]).flatMap((x) =>
              'diagnostics' in x && x.diagnostics ? x.diagnostics : [x as JsonDiagnostic],
            );
            for (const d of diagnostics) {
              assert.ok(
                d.range && d.range.start.line >= 0 && d.range.start.character >= 0 && d.range.end.line >= d.range.start.line,
                `${c.id}: a diagnostic without a valid range: ${JSON.stringify(d).slice(0, 300)}`,
              );
              assert.match(d.code, /^PPKG\d{3}$/);
            }
            for (const bad of c.expect.forbidCodes ?? ['PPKG999'])
              assert.ok(
                !diagnostics.some((d) => d.code === bad),
                `${c.id}: reported ${bad}: ${diagnostics
                  .filter((d) => d.code === bad)
                  .map((d) => d.message)
                  .join(' | ')}`,
              );
            if (c.expect.code) {
              const hits = diagnostics.filter((d) => d.code === c.expect.code);
              assert.ok(
                hits.length > 0,
                `${c.id}: no ${c.expect.code}; got ${diagnostics
                  .map((d) => `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`)
                  .join(' | ')
                  .slice(0, 1500)}`,
              );
              if (expected) {
                const where = hits.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}`);
                assert.ok(
                  where.includes(`${expected.line}:${expected.col}`),
                  `${c.id}: ${c.expect.code} at ${where.join(', ')}, expected ${expected.line}:${expected.col}`,
                );
              }
            }
            if (c.expect.exit === 0)
              assert.ok(!diagnostics.some((d) => d.severity === 'error'), `${c.id}: unexpected errors ${diagnostics.map((d) => d.code).join(', ')}`);
          } else if (c.expect.code) {
            // The text format, as a terminal or CI log shows it: file:line:col: severity CODE message.
            const re = new RegExp(`^${PROJECT.replace(/\./g, '\\.')}:(\\d+):(\\d+): error ${c.expect.code} `, 'm');
            const m = re.exec(r.stdout);
            assert.ok(m, `${c.id} (child): no located ${c.expect.code} line in:\n${r.stdout.slice(0, 1500)}`);
            if (expected)
              assert.match(r.stdout, new RegExp(`^${PROJECT.replace(/\./g, '\\.')}:${expected.line}:${expected.col}: error ${c.expect.code} `, 'm'));
          }
        }
        if (c.target === 'init' && c.expect.exit === 0) {
          const written = readdirSync(dir).filter((f) => f.endsWith('.ppkg.json'));
          assert.equal(written.length, 1, `${c.id}: init wrote ${written.join(', ')}`);
          assert.match(written[0]!, /^[a-z0-9-]+\.ppkg\.json$/, `${c.id}: unsafe file name ${JSON.stringify(written[0])}`);
          const check = await runInProcess(['validate', written[0]!, '--format', 'json'], dir);
          assert.ok(check.code === 0 || check.code === 1, `${c.id}: the starter does not validate cleanly: ${check.stderr}`);
          assert.ok(!/\u001b|\u0007/.test(r.stdout + r.stderr), `${c.id}: init echoed raw control characters to the terminal`);
        }
        if (c.target === 'token') assert.ok(!existsSync(join(dir, 'bprt.txt')));
      } finally {
        box.cleanup();
      }
    }
  }
}
