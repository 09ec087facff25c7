import * as fs from 'node:fs';

export interface FileStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

/**
 * The file rules' only access to the disk, so the language server can cache
 * it and tests can fake it. Every method answers undefined instead of
 * throwing (a missing file, a symlink loop, no permission).
 */
export interface FileProbe {
  stat(path: string): FileStat | undefined;
  /** Canonical path with symlinks resolved. */
  realpath(path: string): string | undefined;
  readdir(path: string): string[] | undefined;
  /**
   * For probes that cache: a number that changes whenever cached answers may
   * have gone stale. Rules may keep their own results while it stays the
   * same (the language server validates a large project on every keystroke).
   * Absent: nothing may be kept.
   */
  epoch?(): number;
}

export const nodeFileProbe: FileProbe = {
  stat(p) {
    try {
      const s = fs.statSync(p);
      return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size };
    } catch {
      return undefined;
    }
  },
  realpath(p) {
    try {
      return fs.realpathSync.native(p);
    } catch {
      return undefined;
    }
  },
  readdir(p) {
    try {
      return fs.readdirSync(p);
    } catch {
      return undefined;
    }
  },
};

/** A probe that remembers answers for `ttlMs`, for validating on every keystroke. */
export function cachedFileProbe(inner: FileProbe, ttlMs: number, now: () => number = Date.now): FileProbe {
  const cache = new Map<string, { at: number; value: unknown }>();
  const memo = <T>(key: string, compute: () => T): T => {
    const hit = cache.get(key);
    const t = now();
    if (hit && t - hit.at < ttlMs) return hit.value as T;
    const value = compute();
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: t, value });
    return value;
  };
  return {
    // Answers are trusted for ttlMs: results derived from them may be kept for one such window.
    epoch: () => (Number.isFinite(ttlMs) ? Math.floor(now() / Math.max(1, ttlMs)) : 0),
    stat: (p) => memo(`s:${p}`, () => inner.stat(p)),
    realpath: (p) => memo(`r:${p}`, () => inner.realpath(p)),
    readdir: (p) => memo(`d:${p}`, () => inner.readdir(p)),
  };
}
