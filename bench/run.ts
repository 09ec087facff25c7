/**
 * `npm run bench`: ppkg side by side with what users would otherwise run,
 * in the same run, as ratios. Prints the table, writes
 * bench/results/latest.json (git-ignored) and bench/README-section.md.
 *
 *   npm run bench                        everything
 *   npm run bench -- --only=editor,cli   some groups (editor, cli, build, server)
 *   npm run bench -- --no-package        read dist/ppkg.vsix instead of running npm run package
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consoleTable, gitCommit, machine, readmeSection } from './lib/report';
import type { Row } from './lib/result';
import { runBuild } from './suites/build';
import { runCli } from './suites/cli';
import { runEditor } from './suites/editor';
import { runServer } from './suites/server';

const ROOT = path.resolve(__dirname, '..');
const GROUPS = ['editor', 'cli', 'build', 'server'] as const;

/** Gives other work on a shared machine a moment to settle before a group starts (at most `maxMs`). */
async function settle(log: (s: string) => void, maxMs = 20_000): Promise<void> {
  const cores = os.cpus().length;
  const start = Date.now();
  while (os.loadavg()[0] > cores && Date.now() - start < maxMs) await new Promise((r) => setTimeout(r, 1000));
  log(`  (load average ${os.loadavg()[0].toFixed(1)})`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const selected = GROUPS.filter((g) => !only || only.includes(g));
  const log = (s: string) => console.log(s);
  const m = machine();
  const started = new Date();
  log(`ppkg bench: ${m.cpu}, ${m.cores} cores, Node ${m.node}; groups: ${selected.join(', ')}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-bench-'));
  const rows: Row[] = [];
  try {
    if (selected.includes('editor')) {
      log('\n[1, 2] edit → diagnostics and completion');
      await settle(log);
      rows.push(...(await runEditor(tmp, log)));
    }
    if (selected.includes('cli')) {
      log('\n[3] ppkg validate vs ajv-cli');
      await settle(log);
      rows.push(...(await runCli(ROOT, tmp, log)));
    }
    if (selected.includes('build')) {
      log('\n[4] native build vs wimlib-imagex');
      await settle(log);
      rows.push(...(await runBuild(ROOT, tmp, log)));
    }
    if (selected.includes('server')) {
      log('\n[5] server cold start, bundles, VSIX');
      await settle(log);
      rows.push(...(await runServer(ROOT, tmp, log, { packageVsix: !args.includes('--no-package') })));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  rows.sort((a, b) => a.group - b.group);
  m.loadEnd = os.loadavg()[0];
  const seconds = (Date.now() - started.getTime()) / 1000;

  log('\n' + consoleTable(rows));
  log(`\n${seconds.toFixed(0)} s; load average ${m.loadStart.toFixed(1)} → ${m.loadEnd.toFixed(1)}`);

  const commit = gitCommit(ROOT);
  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify({ date: started.toISOString(), commit, seconds, machine: m, groups: selected, rows }, null, 2) + '\n');
  // The README section is written only from a full run, so it always shows all five lines.
  if (!only) fs.writeFileSync(path.join(ROOT, 'bench', 'README-section.md'), readmeSection(rows, m, commit, started.toISOString()));
  log(`wrote bench/results/latest.json${only ? '' : ' and bench/README-section.md'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
