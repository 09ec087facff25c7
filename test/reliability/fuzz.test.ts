/**
 * The short language-server fuzz run of `npm test`: 1,000 seeded edits with
 * interleaved requests (the 20,000-edit run is `npm run fuzz`). A fixed seed
 * keeps CI deterministic; PPKG_FUZZ_SEED explores others.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runFuzz } from './fuzz/engine';

before(() => {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});

test(
  'language server: 1,000 random edits with completion, hover, code actions, symbols and formatting — no crash, every request answered',
  { timeout: 120_000 },
  async (t) => {
    const seed = process.env.PPKG_FUZZ_SEED ? Number(process.env.PPKG_FUZZ_SEED) >>> 0 : 424242;
    const result = await runFuzz({ seed, edits: 1000 });
    mkdirSync(join(ROOT, 'test-results/reliability'), { recursive: true });
    writeFileSync(join(ROOT, 'test-results/reliability/fuzz-short.json'), JSON.stringify(result, null, 2) + '\n');
    t.diagnostic(
      `seed ${seed}: ${result.editsSent} edits, ${Object.values(result.requests).reduce((s, r) => s + r.count, 0)} answers in ${result.durationMs} ms`,
    );
    assert.deepEqual(result.failures, [], `fuzz failures (replay: ${result.failures[0]?.replay}):\n${JSON.stringify(result.failures.slice(0, 3), null, 2)}`);
    assert.equal(result.editsSent, 1000);
    assert.equal(result.serverExit?.code, 0, 'the server exits cleanly after shutdown');
    for (const m of ['completion', 'hover', 'codeAction', 'documentSymbol', 'formatting'])
      assert.ok((result.requests[m]?.count ?? 0) > 10, `${m} was exercised`);
  },
);
