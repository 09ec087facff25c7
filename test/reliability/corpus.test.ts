/**
 * The hostile-input corpus (corpus/hostile.ts) against `ppkg validate`,
 * `ppkg init` and `ppkg token`, in-process and (for a good share) as a child
 * process: every case ends with its stated exit code and a located finding or
 * a refusal naming the file, never a stack trace, never a write outside where
 * the command may write, and never a polluted prototype.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE } from './corpus/hostile';
import { caseResults, countBy, runHostileCase } from './corpus/runCase';
import { ROOT, prototypeState } from './corpus/sandbox';

const protoBefore = prototypeState();

before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});

after(() => {
  const dir = join(ROOT, 'test-results/reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'corpus.json'),
    JSON.stringify(
      {
        cases: HOSTILE.length,
        byTarget: countBy(HOSTILE.map((c) => c.target)),
        childCases: HOSTILE.filter((c) => c.child).length,
        runs: caseResults.length,
        results: caseResults,
      },
      null,
      2,
    ) + '\n',
  );
});

for (const c of HOSTILE) {
  test(`hostile ${c.target}: ${c.id} — ${c.what}`, { timeout: 120_000 }, () => runHostileCase(c));
}

test('no hostile input polluted a prototype', () => {
  assert.equal(prototypeState(), protoBefore, 'a hostile input changed Object/Array/Function.prototype');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
});

test('the corpus has at least 40 hostile inputs, each with an expected outcome', () => {
  assert.ok(HOSTILE.length >= 40, `only ${HOSTILE.length} cases`);
  assert.equal(new Set(HOSTILE.map((c) => c.id)).size, HOSTILE.length, 'case ids are unique');
  for (const c of HOSTILE) assert.ok(c.expect.exit !== 1 || c.expect.code, `${c.id}: a finding needs its code`);
  assert.ok(HOSTILE.filter((c) => c.child).length >= 10, 'a good share runs as a child process');
});
