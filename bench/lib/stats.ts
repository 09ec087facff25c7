/** Timing helpers: warm-up, then the median of several runs, side by side. */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median in milliseconds. */
  median: number;
  min: number;
  max: number;
  runs: number;
  samples: number[];
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length, samples };
}

export interface PairOptions {
  warmup: number;
  runs: number;
  /** Untimed work before each call (e.g. removing the previous output). */
  before?: () => unknown | Promise<unknown>;
}

/**
 * Measures two synchronous-or-async functions alternately (ours, anchor,
 * ours, anchor, …) so drift on a shared VM hits both sides alike. Each call
 * gets the iteration number so it can work on a fresh document version.
 */
export async function measurePair(
  ours: (i: number) => unknown | Promise<unknown>,
  anchor: (i: number) => unknown | Promise<unknown>,
  opts: PairOptions,
): Promise<{ ours: Timing; anchor: Timing }> {
  const before = opts.before ?? (() => undefined);
  for (let i = 0; i < opts.warmup; i++) {
    await before();
    await ours(i);
    await before();
    await anchor(i);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const k = opts.warmup + i;
    // Alternate who goes first so neither side always runs on a cold cache.
    const runOurs = async () => {
      await before();
      a.push(await time(() => ours(k)));
    };
    const runAnchor = async () => {
      await before();
      b.push(await time(() => anchor(k)));
    };
    if (i % 2 === 0) {
      await runOurs();
      await runAnchor();
    } else {
      await runAnchor();
      await runOurs();
    }
  }
  return { ours: summarize(a), anchor: summarize(b) };
}

export async function measure(fn: (i: number) => unknown | Promise<unknown>, opts: PairOptions): Promise<Timing> {
  const before = opts.before ?? (() => undefined);
  for (let i = 0; i < opts.warmup; i++) {
    await before();
    await fn(i);
  }
  const s: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    await before();
    s.push(await time(() => fn(opts.warmup + i)));
  }
  return summarize(s);
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  const r = fn();
  if (r && typeof (r as Promise<unknown>).then === 'function') await r;
  return performance.now() - t0;
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}
