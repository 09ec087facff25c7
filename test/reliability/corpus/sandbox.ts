/**
 * Helpers shared by the reliability tests: throwaway sandboxes, a snapshot of
 * a folder tree (to prove nothing was written where it must not be), running
 * the CLI in-process and as a child process, and stack-trace detection.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { main } from '../../../server/src/cli/main';
import type { CliIO } from '../../../server/src/cli/io';

export const ROOT = resolve(__dirname, '../../..');
export const BIN = join(ROOT, 'bin/ppkg.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the child was killed by a signal or timed out. */
  signal?: string | null;
}

export function sandbox(prefix = 'ppkg-rel-'): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Files above this size are fingerprinted by size, inode and mtime instead of their bytes. */
const HASH_LIMIT = 4 * 1024 * 1024;

/**
 * Every entry below `dir` (not following links): type, mode, size, and a
 * content hash or link target. Two equal snapshots mean nothing was created,
 * deleted, changed or re-moded.
 */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, depth: number) => {
    if (depth > 64) return;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(d, name);
      const rel = relative(dir, p);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${st.mode.toString(8)}`);
        walk(p, depth + 1);
      } else if (st.isFile()) {
        const fp = st.size > HASH_LIMIT ? `${st.ino}:${st.mtimeMs}` : createHash('sha256').update(readFileSync(p)).digest('hex');
        out.set(rel, `file ${st.mode.toString(8)} ${st.size} ${fp}`);
      } else out.set(rel, `other ${st.mode.toString(8)}`);
    }
  };
  walk(dir, 0);
  return out;
}

/** The differences between two snapshots, as readable lines. */
export function diffSnapshots(before: Map<string, string>, after: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [k, v] of after) if (!before.has(k)) lines.push(`+ ${k} (${v.split(' ')[0]})`);
  for (const [k, v] of before) {
    if (!after.has(k)) lines.push(`- ${k}`);
    else if (after.get(k) !== v) lines.push(`~ ${k}`);
  }
  return lines;
}

/** Runs `ppkg <args>` in-process with captured streams. */
export async function runInProcess(args: string[], cwd: string, env: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env, signal };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs `node bin/ppkg.js <args>` as a child process (the bundle in dist/). */
export function runChild(args: string[], cwd: string, env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolvePromise) => {
    const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, LANG: 'C.UTF-8' };
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...base, ...env } as NodeJS.ProcessEnv, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string | null; killed?: boolean }) | null;
        const code = e ? (typeof e.code === 'number' ? e.code : -1) : 0;
        resolvePromise({ code, stdout, stderr, signal: e?.signal ?? null });
      },
    );
  });
}

/** True when the text looks like a JavaScript stack trace or a crash report. */
export function hasStackTrace(text: string): boolean {
  return (
    /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m.test(text) ||
    /\b(Uncaught|UnhandledPromiseRejection|FATAL ERROR|Maximum call stack)\b/.test(text) ||
    /^node:internal/m.test(text)
  );
}

/** Every own enumerable-or-not property name that does not belong on a pristine Object/Array prototype. */
export function prototypeState(): string {
  return JSON.stringify([
    Object.getOwnPropertyNames(Object.prototype).sort(),
    Object.getOwnPropertyNames(Array.prototype).sort(),
    Object.getOwnPropertyNames(Function.prototype).sort(),
  ]);
}
