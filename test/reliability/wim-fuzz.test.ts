/**
 * A short, fixed-seed run of the WIM reader fuzzer (the long one:
 * test/reliability/wimfuzz/run.ts). Every mutant of a real package must read
 * back or give a WimReadError; anything else fails with the iteration to
 * replay.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runWimFuzz } from './wimfuzz/engine';

const SEED = 20261201;
const ITERATIONS = 2000;

test(`WIM reader fuzz: ${ITERATIONS} mutants of real packages, seed ${SEED}`, async () => {
  const r = await runWimFuzz({ seed: SEED, iterations: ITERATIONS });
  assert.deepEqual(
    r.failures.map(
      (f) =>
        `iteration ${f.iteration} (${f.corpus}; ${f.mutations.join(', ')}): ${f.error.split('\n')[0]} — replay: node --import tsx test/reliability/wimfuzz/run.ts --seed ${SEED} --from ${f.iteration} --iterations 1`,
    ),
    [],
  );
  // Not vacuous: every kind of mutation ran, some mutants still read back,
  // and the refusals span the reader's error codes.
  for (const kind of ['flip', 'set byte', 'truncate', 'extend', 'header field', 'blob table field', 'chunk table', 'dentry field + fixed hash']) {
    assert.ok((r.mutations[kind] ?? 0) > 20, `mutation '${kind}' ran ${r.mutations[kind] ?? 0} times`);
  }
  assert.ok((r.outcomes.ok ?? 0) > 100, `only ${r.outcomes.ok ?? 0} mutants read back`);
  for (const code of ['corrupt', 'truncated', 'hash-mismatch', 'unsupported', 'unsafe-name', 'limit']) {
    assert.ok((r.outcomes[code] ?? 0) > 0, `no mutant gave '${code}': ${JSON.stringify(r.outcomes)}`);
  }
});
