/**
 * Running programs side by side, as the package benches (groups 6 and 7)
 * do: each run a whole process, timed; the runs interleaved in rotating
 * order so that load from other users of a shared machine hits all alike;
 * every output checked against the SHA-256 of the files it should hold.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

/** One process, timed from spawn to exit; a non-zero exit fails the bench. */
export function timedRun(cmd: string, args: string[], stdout: 'pipe' | 'ignore' = 'pipe'): { ms: number; out: string } {
  const start = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdout, 'pipe'], maxBuffer: 256 << 20, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, out: r.stdout ?? '' };
}

export const sha256File = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/** SHA-256 of every file under `dir`, by '/'-separated relative path. */
export function treeHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, ent.name);
      if (ent.isDirectory()) walk(full);
      else out.set(path.relative(dir, full).split(path.sep).join('/'), sha256File(full));
    }
  };
  walk(dir);
  return out;
}

/** The same files with the same bytes, or the run fails. */
export function sameHashes(got: Map<string, string>, want: Map<string, string>, what: string): void {
  if (got.size !== want.size) throw new Error(`${what} gave ${got.size} files, not ${want.size}`);
  for (const [rel, h] of want) if (got.get(rel) !== h) throw new Error(`${what} gave the wrong bytes for ${rel}`);
}

/**
 * Between runs that write hundreds of MB: the previous run's output is
 * removed and the file system's dirty pages are written out (`sync`),
 * outside the timed part. Without it, whichever program runs next pays for
 * the writeback of the one before, which measured up to 0.4 s on this
 * machine's virtual disk and landed on ppkg, wimlib or 7-Zip by turn.
 */
export function cleanAndSettle(...paths: string[]): void {
  for (const p of paths) fs.rmSync(p, { recursive: true, force: true });
  spawnSync('sync', { stdio: 'ignore' });
}

/**
 * `runs` rounds (plus one warm-up, not kept) of every program, the order
 * rotating by one each round, `clean()` before each run. Each program runs
 * and checks itself and returns its time.
 */
export function interleave<K extends string>(programs: [K, () => number][], runs: number, clean: () => void): Record<K, number[]> {
  const samples = Object.fromEntries(programs.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r <= runs; r++) {
    for (let k = 0; k < programs.length; k++) {
      const [name, fn] = programs[(k + r) % programs.length]!;
      clean();
      const ms = fn();
      if (r > 0) samples[name].push(ms);
    }
  }
  clean();
  return samples;
}

/** A package suite run on its own (`node --import tsx bench/suites/<suite>.ts [--runs N] [--mb N] [--json]`): its options, and a header line printed. */
export function standaloneSuite(title: string): { root: string; log: (s: string) => void; opts: { runs?: number; totalMb?: number } } {
  const args = process.argv.slice(2);
  const num = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : undefined;
  };
  const log = (s: string) => console.log(s);
  log(`${title}: ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`);
  return { root: path.resolve(__dirname, '../..'), log, opts: { runs: num('--runs'), totalMb: num('--mb') } };
}
