// Runs the unit, CLI, LSP and reliability suites with Node's test runner.
// Globs are expanded here (Node 20's runner takes file paths only), and a
// suite folder without tests is simply absent rather than an error.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['test/unit', 'test/cli', 'test/lsp', 'test/reliability'];
const files = suites.flatMap((dir) =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f)) : [],
);
if (files.length === 0) {
  console.error('No test files found in', suites.join(', '));
  process.exit(1);
}
const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
