import { PpkgError } from '../errors';
import { LineIndex, type Position } from './positions';

/** Bytes that are not UTF-8, located for the admin: the file is refused rather than silently "repaired". */
export class InvalidUtf8Error extends PpkgError {
  constructor(
    readonly offset: number,
    readonly byte: number,
    readonly position: Position,
  ) {
    super(
      'project',
      `The file is not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at offset ${offset}, line ${position.line + 1}, column ${position.character + 1}). Save it as UTF-8.`,
    );
  }
}

/**
 * Decodes a project file strictly. Lenient decoding would turn a stray byte
 * into U+FFFD, and the token command would then write that back over the
 * admin's file.
 */
export function decodeProjectBytes(bytes: Uint8Array): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return new TextDecoder('utf-8').decode(bytes);
  const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
  throw new InvalidUtf8Error(bad, bytes[bad], new LineIndex(prefix).positionAt(prefix.length));
}

/**
 * Offset of the first byte of the first sequence that is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF),
 * so the diagnostic points at the start of a broken character rather than
 * the byte after it. -1 when the bytes are valid.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let continuation: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) continuation = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      continuation = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      continuation = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    for (let k = 1; k <= continuation; k++) {
      const next = b[i + k];
      if (next === undefined) return i;
      if (k === 1 ? next < lo || next > hi : (next & 0xc0) !== 0x80) return i;
    }
    i += continuation + 1;
  }
  return -1;
}
