/** Windows FILETIME: 100 ns ticks since 1601-01-01 UTC, the unit of every WIM timestamp. */

const EPOCH_DIFF_MS = 11644473600000n; // 1601-01-01 → 1970-01-01

export function toFileTime(date: Date): bigint {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new Error('WIM timestamp is not a valid date');
  const ticks = (BigInt(Math.trunc(ms)) + EPOCH_DIFF_MS) * 10000n;
  if (ticks < 0n) throw new Error('WIM timestamp is before 1601-01-01');
  return ticks;
}

/** The two 32-bit halves the XML data spells as `0x%08X` (docs/wim-container.md §Byte layout). */
export function fileTimeParts(ft: bigint): { high: number; low: number } {
  return { high: Number(ft >> 32n), low: Number(ft & 0xffffffffn) };
}
