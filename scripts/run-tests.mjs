// Runs the unit, CLI, LSP and reliability suites with Node's test runner,
// after the build and the static checks: the type check (tsc), ESLint and Prettier,
// which start once the build has generated the validator and the project
// types they read, and run side by side. Any error in one of them fails before
// the suites run.
// Globs are expanded here (Node 20's runner takes file paths only), and a
// suite folder without tests is simply absent rather than an error.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const suites = process.argv.slice(2).length ? process.argv.slice(2) : ['test/unit', 'test/cli', 'test/lsp', 'test/reliability'];
const files = suites.flatMap((dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join(dir, f))
    : [],
);
if (files.length === 0) {
  console.error('No test files found in', suites.join(', '));
  process.exit(1);
}
const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const checks = [
  { name: 'tsc', args: ['node_modules/typescript/bin/tsc', '-p', '.', '--noEmit'] },
  { name: 'eslint', args: ['node_modules/eslint/bin/eslint.js', '.'] },
  // Lines held to the formatter's width (.prettierrc.json); `npm run format` fixes what this reports.
  { name: 'prettier', args: ['node_modules/prettier/bin/prettier.cjs', '--check', '.'] },
];
/** Runs a check, its output kept until it ends so that the two do not interleave. */
function runCheck({ name, args }) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ name, ok: false, output: `${output}${err.message}\n`, seconds: 0 }));
    child.on('close', (code) => resolve({ name, ok: code === 0, output, seconds: (performance.now() - started) / 1000 }));
  });
}
const results = await Promise.all(checks.map(runCheck));
for (const { name, ok, output, seconds } of results) {
  if (output.trim()) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  console.log(`${ok ? 'ok' : 'FAILED'}: ${name} (${seconds.toFixed(1)} s)`);
}
if (results.some((r) => !r.ok)) process.exit(1);

const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
