/**
 * `npm run fuzz`: 20,000 random edits against the language server over stdio.
 *   --seed N        replay a run (the seed is printed at the start)
 *   --edits N       number of edits (default 20000)
 *   --trace-from I  print every edit from index I on
 *   --out FILE      results JSON (default test-results/reliability/fuzz.json)
 * Exit 0 when the server survived and answered everything, 1 otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, runFuzz } from './engine';

async function mainFuzz(): Promise<number> {
  const { values } = parseArgs({
    options: { seed: { type: 'string' }, edits: { type: 'string' }, 'trace-from': { type: 'string' }, out: { type: 'string' }, timeout: { type: 'string' } },
  });
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const edits = values.edits !== undefined ? Number(values.edits) : 20_000;
  const out = resolve(values.out ?? join(ROOT, 'test-results/reliability/fuzz.json'));
  console.log(`ppkg LSP fuzz: seed ${seed}, ${edits} edits (replay with: npm run fuzz -- --seed ${seed} --edits ${edits})`);
  const result = await runFuzz({
    seed,
    edits,
    traceFrom: values['trace-from'] !== undefined ? Number(values['trace-from']) : undefined,
    requestTimeoutMs: values.timeout !== undefined ? Number(values.timeout) : 10_000,
    log: (l) => console.log(l),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...result, finishedAt: new Date().toISOString(), node: process.version }, null, 2) + '\n');
  console.log(
    `${result.editsSent} edits in ${result.changeNotifications} didChange notifications, ${result.diagnosticRounds} diagnostic rounds, ${(result.durationMs / 1000).toFixed(1)} s`,
  );
  console.log('request                    count  err  t/o    p50 ms   p99 ms   max ms');
  for (const [m, s] of Object.entries(result.requests)) {
    console.log(
      `${m.padEnd(26)} ${String(s.count).padStart(5)} ${String(s.errors).padStart(4)} ${String(s.timeouts).padStart(4)} ${s.p50.toFixed(1).padStart(9)} ${s.p99.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)}`,
    );
  }
  console.log(`results: ${out}`);
  if (result.failures.length) {
    console.error(`\nFAILED (seed ${seed}):`);
    for (const f of result.failures.slice(0, 10))
      console.error(`- edit #${f.editIndex} ${f.kind}: ${f.detail.split('\n').slice(0, 12).join('\n  ')}\n  replay: ${f.replay}`);
    return 1;
  }
  console.log('OK: no crash, no unhandled rejection, every request answered.');
  return 0;
}

mainFuzz().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
