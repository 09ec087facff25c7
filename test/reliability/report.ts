/**
 * Writes test/reliability/README-section.md (the "Reliability" section for
 * the README) from the results the suite leaves in test-results/reliability/:
 * corpus.json, build-import.json, secrets.json, atomic.json, fuzz.json (npm run fuzz).
 * Run: node --import tsx test/reliability/report.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const RES = join(ROOT, 'test-results/reliability');
const read = <T>(f: string): T | undefined => (existsSync(join(RES, f)) ? (JSON.parse(readFileSync(join(RES, f), 'utf8')) as T) : undefined);

const corpus = read<{ cases: number; byTarget: Record<string, number>; childCases: number }>('corpus.json');
const bi = read<{ cases: number; results: { target: string }[] }>('build-import.json');
const secrets = read<{ sentinels: string[]; scans: number; bytesScanned: number }>('secrets.json');
const atomic = read<{ seed: number; kills: number; killedMidBuild: number; vanishingInstaller: number }>('atomic.json');
const fuzz = read<{
  seed: number;
  editsSent: number;
  durationMs: number;
  documents: string[];
  failures: unknown[];
  requests: Record<string, { count: number; p50: number; p99: number; timeouts: number; errors: number }>;
}>(process.argv[2] ?? 'fuzz.json');

const lines: string[] = ['## Reliability', ''];
lines.push('`npm test` runs the reliability suite (`test/reliability/`); `npm run fuzz` runs the long language-server fuzz. Numbers from the last run:', '');
if (corpus || bi) {
  const buildN = bi?.results.filter((r) => r.target === 'build').length ?? 0;
  const importN = bi?.results.filter((r) => r.target === 'import').length ?? 0;
  const total = (corpus?.cases ?? 0) + (bi?.cases ?? 0);
  lines.push(
    `- **Hostile inputs: ${total}** — ${
      corpus
        ? Object.entries(corpus.byTarget)
            .map(([k, v]) => `${v} for \`${k}\``)
            .join(', ')
        : ''
    }${bi ? `, ${buildN} for \`build\`, ${importN} for \`import\`` : ''}: 100,000-level nesting, a 50 MB and a 1 GB file, NUL bytes, invalid UTF-8, BOM/CRLF, duplicate and \`__proto__\`/\`constructor\` keys, 1e400 and 20-digit numbers, XML metacharacters in every free-text field (round-tripped through \`customizations.xml\`), path traversal, absolute and UNC paths, links out of the project and link loops, named pipes, XXE and an entity-expansion bomb. Each ends with its expected exit code and a located finding (\`file:line:col\`) or a refusal naming the file; never a stack trace, never a write outside the output folder, no prototype pollution. ${corpus?.childCases ?? 0}+ of them also run as a child process (\`node bin/ppkg.js\`).`,
  );
}
if (fuzz) {
  const total = Object.values(fuzz.requests).reduce((s, r) => s + r.count, 0);
  lines.push(
    `- **Language-server fuzz: ${fuzz.editsSent.toLocaleString('en-US')} incremental edits** (seed ${fuzz.seed}, ${(fuzz.durationMs / 1000).toFixed(0)} s) over ${fuzz.documents.length} documents, ${total.toLocaleString('en-US')} interleaved requests — ${fuzz.failures.length === 0 ? 'no crash, no unhandled rejection, every request answered' : `**${fuzz.failures.length} failures** (see the fuzz results)`}. Latency (ms, 2-core machine, requests pipelined as an editor sends them):`,
    '',
  );
  lines.push('  | Request | Count | p50 | p99 |', '  |---|---:|---:|---:|');
  for (const [m, s] of Object.entries(fuzz.requests).sort((a, b) => b[1].count - a[1].count)) lines.push(`  | ${m} | ${s.count} | ${s.p50} | ${s.p99} |`);
  lines.push('');
}
if (secrets)
  lines.push(
    `- **Secret scans: ${secrets.scans}** streams, files and LSP answers (${(secrets.bytesScanned / 1024).toFixed(0)} KiB) searched for ${secrets.sentinels.length} sentinel secrets (${secrets.sentinels.join(', ')}) in plain text, UTF-16, Base64, JSON-escaped and as SHA-256/SHA-1/MD5: they appear only in the \`.ppkg\` and \`customizations.xml\`.`,
  );
if (atomic)
  lines.push(
    `- **Atomic builds:** ${atomic.kills} builds killed with SIGKILL at seeded random points (seed ${atomic.seed}; ${atomic.killedMidBuild} mid-build) and ${atomic.vanishingInstaller} with the installer removed mid-build: every output stayed byte-identical to the previous or the new complete build; temporary files only inside the output folder, removed by the next build.`,
  );
lines.push('');
writeFileSync(join(ROOT, 'test/reliability/README-section.md'), lines.join('\n'));
console.log(lines.join('\n'));
