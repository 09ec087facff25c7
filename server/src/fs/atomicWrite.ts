/**
 * The one atomic file writer of ppkg: the build's outputs, the bulk token
 * written by `ppkg token --out`, and the project file the token facts are
 * recorded in. Every file is written to a temporary name in the same folder,
 * flushed to disk, then renamed over the final name. A process killed at any
 * point (even kill -9) leaves the previous file intact and never a partial
 * file at the final path; its temporary file carries the writer's PID, so the
 * next build can remove it once that process is gone.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export const TEMP_PREFIX = '.ppkg-tmp-';
/** Owner read/write only: the outputs hold the bulk token and passwords. */
export const PRIVATE_FILE_MODE = 0o600;

/** A fresh temporary path next to `finalPath`: `.ppkg-tmp-<pid>-<random>-<name>`. */
export function tempPathFor(finalPath: string): string {
  return path.join(path.dirname(finalPath), `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}-${path.basename(finalPath)}`);
}

/** Creates an empty private file (0600 from the first byte on, not chmod afterwards). */
export async function createPrivateFile(p: string): Promise<void> {
  const h = await fs.open(p, 'wx', PRIVATE_FILE_MODE);
  await h.close();
}

async function fsyncPath(p: string): Promise<void> {
  const h = await fs.open(p, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Flushes the directory entry (POSIX); Windows cannot open directories for it, and NTFS renames are journaled. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  }
}

/** Flushes `tempPath`, makes it private and renames it to `finalPath`. */
export async function commitTemp(tempPath: string, finalPath: string): Promise<void> {
  await fs.chmod(tempPath, PRIVATE_FILE_MODE).catch(() => undefined);
  await fsyncPath(tempPath);
  await fs.rename(tempPath, finalPath);
  await fsyncDir(path.dirname(finalPath));
}

export interface AtomicWriteOptions {
  /**
   * Permission bits of the written file. Default 0600 (owner only): outputs and
   * tokens are secrets. A file that is replaced in place (the project) passes
   * its current mode to keep it.
   */
  mode?: number;
}

/** Writes `data` (a string as UTF-8) to `finalPath` atomically, mode 0600 unless told otherwise. */
export async function atomicWriteFile(finalPath: string, data: Buffer | string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? PRIVATE_FILE_MODE;
  const tmp = tempPathFor(finalPath);
  try {
    const h = await fs.open(tmp, 'wx', mode);
    try {
      await h.writeFile(data);
      // The umask applies at open: it may have narrowed the mode, which must be exact.
      await h.chmod(mode);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, finalPath);
    await fsyncDir(path.dirname(finalPath));
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files (and ICD temp folders) left by builds whose process no longer exists. */
export async function cleanStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(/^\.ppkg-tmp-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
    await fs.rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}
