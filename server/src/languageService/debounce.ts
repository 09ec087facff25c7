/**
 * The wait between a keystroke and validation, per document, following what
 * validating that document costs: a project that validates in a millisecond
 * (small, or a large one where an edit re-checks only what it touched) gets
 * its diagnostics almost at once; one whose validation is expensive waits
 * longer, so a burst of keystrokes costs one validation, not one each:
 * validation starts only after a pause at least as long as it takes, which
 * keeps it under half the CPU while someone types. A validation cheaper than
 * the minimum pause adds nothing to it: the pause already outlasts it.
 *
 *   delay = clamp(max(MIN_DELAY_MS, COST_FACTOR × recent cost), MIN_DELAY_MS, MAX_DELAY_MS)
 *
 * "Recent cost" is a moving average of the last validations of that document
 * (a single slow run, a cold cache or a GC pause, does not stick).
 */
export const MIN_DELAY_MS = 30;
export const MAX_DELAY_MS = 500;
export const COST_FACTOR = 1;
/** Weight of the newest sample in the moving average. */
const ALPHA = 0.35;

export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly cost = new Map<string, number>();

  constructor(
    private readonly minMs = MIN_DELAY_MS,
    private readonly maxMs = MAX_DELAY_MS,
    private readonly factor = COST_FACTOR,
  ) {}

  /** How long validating `key` took just now, in milliseconds. */
  record(key: string, ms: number): void {
    const prev = this.cost.get(key);
    this.cost.set(key, prev === undefined ? ms : prev + ALPHA * (ms - prev));
  }

  /** The current wait for `key`. */
  delay(key: string): number {
    const c = this.cost.get(key) ?? 0;
    return Math.round(Math.min(this.maxMs, Math.max(this.minMs, this.factor * c)));
  }

  /** Runs `fn` after `delayMs` (default: delay(key)), replacing a pending run for the same key. */
  schedule(key: string, delayMs: number | undefined, fn: () => void): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(
        () => {
          this.timers.delete(key);
          fn();
        },
        delayMs ?? this.delay(key),
      ),
    );
  }

  forget(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
    this.cost.delete(key);
  }
}
