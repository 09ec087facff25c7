/**
 * The long WIM reader fuzz (the short one runs in `npm test`:
 * test/reliability/wim-fuzz.test.ts).
 *
 *   node --import tsx test/reliability/wimfuzz/run.ts --seed 20261201 --iterations 200000
 *
 *   --seed N        replay a run (default: a new seed, printed first)
 *   --iterations N  mutants to try (default 50000)
 *   --from I        start at iteration I (replays one failure: --from I --iterations 1)
 *   --out DIR       where failing mutants are saved (default test-results/wimfuzz)
 *
 * Exit 0 when every mutant read back or gave a WimReadError, 1 otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { runWimFuzz } from './engine';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, iterations: { type: 'string' }, from: { type: 'string' }, out: { type: 'string' } } });
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const iterations = values.iterations !== undefined ? Number(values.iterations) : 50_000;
  const from = values.from !== undefined ? Number(values.from) : 0;
  const out = resolve(values.out ?? join(__dirname, '../../../test-results/wimfuzz'));
  console.log(`WIM reader fuzz: seed ${seed}, iterations ${from}..${from + iterations - 1} (replay: --seed ${seed} --from ${from} --iterations ${iterations})`);
  const r = await runWimFuzz({ seed, iterations, from, log: (s) => console.log(s) });
  console.log(`${iterations} mutants in ${(r.durationMs / 1000).toFixed(1)} s (slowest ${r.slowestMs.toFixed(0)} ms)`);
  console.log(
    'outcomes:  ' +
      Object.entries(r.outcomes)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  console.log(
    'mutations: ' +
      Object.entries(r.mutations)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  );
  if (r.failures.length === 0) {
    console.log('OK: every mutant read back or gave a WimReadError.');
    return 0;
  }
  mkdirSync(out, { recursive: true });
  console.error(`\nFAILED: ${r.failures.length} mutants (seed ${seed})`);
  for (const f of r.failures.slice(0, 20)) {
    const file = join(out, `seed${seed}-iter${f.iteration}.wim`);
    writeFileSync(file, f.mutant);
    console.error(
      `- iteration ${f.iteration} (${f.corpus}; ${f.mutations.join(', ')}): ${f.error.split('\n').slice(0, 8).join('\n    ')}\n  saved: ${file}\n  replay: --seed ${seed} --from ${f.iteration} --iterations 1`,
    );
  }
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
