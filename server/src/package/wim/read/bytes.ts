/** Little-endian field readers for on-disk structures. */

/**
 * A u64 as a number. Values above 2^53 lose precision, which is harmless
 * here: every size and offset is compared against the file size (far below
 * 2^53) before use, and any such value fails that check.
 */
export function readU64(buf: Uint8Array, at: number): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.readUInt32LE(at + 4) * 0x1_0000_0000 + b.readUInt32LE(at);
}

/** A u64 exactly (timestamps, hard-link group ids). */
export function readU64Big(buf: Uint8Array, at: number): bigint {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).readBigUInt64LE(at);
}

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export function isZero(buf: Uint8Array): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
