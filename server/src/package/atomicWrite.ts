/**
 * Crash-safe output: every file is written to a temporary name in the output
 * folder, flushed to disk, then renamed over the final name. A build killed
 * at any point (even kill -9) leaves the previous file intact and never a
 * partial file at the final path; its temporary file carries the builder's
 * PID, so the next build can remove it once that process is gone.
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

/** Writes `data` to `finalPath` atomically, mode 0600. */
export async function atomicWriteFile(finalPath: string, data: Buffer | string): Promise<void> {
  const tmp = tempPathFor(finalPath);
  try {
    const h = await fs.open(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      await h.writeFile(data);
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
