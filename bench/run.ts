/**
 * `npm run bench`: ppkg side by side with what users would otherwise run, on
 * the paths ppkg really takes (the server over stdio, the CLI and the build
 * as processes), in the same run, as ratios. Every measured run checks
 * ppkg's output. Prints the table and writes, under bench/results/
 * (git-ignored), latest.json and README-section.md; the working tree stays
 * clean. Exits 1 when a target is missed or a group fails.
 *
 *   npm run bench                        everything
 *   npm run bench -- --only=keystroke,cli groups: keystroke, cli, build, server, wimread, inspect
 *   npm run bench -- --no-package        read dist/ppkg.vsix instead of running npm run package
 *   npm run bench -- --readme            also put the table into README.md's "Performance" section
 *                                        (a full run only; the one change to tracked files)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { consoleTable, gitCommit, machine, readmeSection, replaceReadmeSection } from './lib/report';
import { skippedRow, type Row } from './lib/result';
import { runBuild } from './suites/build';
import { runCli } from './suites/cli';
import { runKeystroke } from './suites/keystroke';
import { runInspect } from './suites/inspect';
import { runServer } from './suites/server';

const ROOT = path.resolve(__dirname, '..');
const GROUPS = ['keystroke', 'cli', 'build', 'server', 'wimread', 'inspect'] as const;
type Group = (typeof GROUPS)[number];

/** Gives other work on a shared machine a moment to settle before a group starts (at most `maxMs`). */
async function settle(log: (s: string) => void, maxMs = 20_000): Promise<void> {
  const cores = os.cpus().length;
  const start = Date.now();
  while (os.loadavg()[0] > cores && Date.now() - start < maxMs) await new Promise((r) => setTimeout(r, 1000));
  log(`  (load average ${os.loadavg()[0].toFixed(1)})`);
}

/** The WIM reader suite (bench/suites/wimRead.ts), when it is there. */
async function runWimReadIfPresent(tmp: string, log: (s: string) => void): Promise<Row[]> {
  if (!fs.existsSync(path.join(__dirname, 'suites', 'wimRead.ts'))) return [skippedRow(6, 'WIM reader', 'bench/suites/wimRead.ts is not there yet')];
  const mod = (await import('./suites/wimRead')) as { runWimRead?: (root: string, tmp: string, log: (s: string) => void) => Promise<{ rows: Row[] } | Row[]> };
  if (typeof mod.runWimRead !== 'function') return [skippedRow(6, 'WIM reader', 'bench/suites/wimRead.ts exports no runWimRead')];
  const r = await mod.runWimRead(ROOT, tmp, log);
  return Array.isArray(r) ? r : r.rows;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const unknown = only?.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (unknown?.length) throw new Error(`unknown group(s) ${unknown.join(', ')}; groups: ${GROUPS.join(', ')}`);
  const selected = GROUPS.filter((g) => !only || only.includes(g));
  const writeReadme = args.includes('--readme');
  if (writeReadme && only) throw new Error('--readme needs a full run (no --only)');
  const log = (s: string) => console.log(s);
  const m = machine();
  const started = new Date();
  const commit = gitCommit(ROOT);
  log(`ppkg bench at ${commit}: ${m.cpu}, ${m.cores} cores, Node ${m.node}; groups: ${selected.join(', ')}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-bench-'));
  const rows: Row[] = [];
  const failures: string[] = [];
  const steps: Record<Group, [string, () => Promise<Row[]>]> = {
    keystroke: [
      '[1, 2] keystroke → diagnostics and completion while typing, over stdio, against vscode-json-language-server',
      () => runKeystroke(ROOT, tmp, log),
    ],
    cli: ['[3] ppkg validate vs ajv-cli, process against process', () => runCli(ROOT, tmp, log)],
    build: ['[4] ppkg build vs wimlib-imagex capture --compress=xpress, process against process', () => runBuild(ROOT, tmp, log)],
    server: ['[5] server cold start, bundles, VSIX', () => runServer(ROOT, tmp, log, { packageVsix: !args.includes('--no-package') })],
    wimread: ['[6] WIM reader vs wimlib apply and 7-Zip WASM', () => runWimReadIfPresent(tmp, log)],
    inspect: [
      '[7] ppkg inspect and ppkg import of a 200 MB package vs wimlib-imagex apply and 7-Zip WASM, process against process',
      async () => (await runInspect(ROOT, tmp, log)).rows,
    ],
  };
  try {
    for (const g of selected) {
      const [title, run] = steps[g];
      log(`\n${title}`);
      await settle(log);
      try {
        rows.push(...(await run()));
      } catch (err) {
        // A failed check (wrong output) is a failed run, reported, never a silent gap.
        const message = err instanceof Error ? err.message : String(err);
        failures.push(`${g}: ${message}`);
        log(`  FAILED: ${message}`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  rows.sort((a, b) => a.group - b.group);
  m.loadEnd = os.loadavg()[0];
  const seconds = (Date.now() - started.getTime()) / 1000;

  log('\n' + consoleTable(rows));
  log(`\n${seconds.toFixed(0)} s; load average ${m.loadStart.toFixed(1)} → ${m.loadEnd.toFixed(1)}`);

  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(
    path.join(resultsDir, 'latest.json'),
    JSON.stringify({ date: started.toISOString(), commit, seconds, machine: m, groups: selected, rows, failures }, null, 2) + '\n',
  );
  const section = readmeSection(rows, m, commit, started.toISOString(), failures);
  fs.writeFileSync(path.join(resultsDir, 'README-section.md'), section);
  log('wrote bench/results/latest.json and bench/results/README-section.md');
  if (writeReadme) {
    const readme = path.join(ROOT, 'README.md');
    fs.writeFileSync(readme, replaceReadmeSection(fs.readFileSync(readme, 'utf8'), section));
    log('wrote the Performance section of README.md');
  }

  const missed = rows.filter((r) => r.met === false || (r.skipped && r.target));
  for (const r of missed)
    log(
      `MISSED: #${r.group} ${r.name} (${r.size}): ${r.skipped ? 'not measured' : `${r.ratio !== undefined ? r.ratio.toFixed(2) + '×' : ''}`} against ${r.target?.kind === 'ratio' ? '≤ ' + r.target.max + '×' : r.target?.max}`,
    );
  for (const f of failures) log(`FAILED: ${f}`);
  return missed.length || failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
