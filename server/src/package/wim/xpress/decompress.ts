/**
 * XPRESS decompression, the "LZ77+Huffman" variant of Microsoft's MS-XCA
 * (§2.1-2.2) that WIM uses for compressed resources: each chunk of a
 * resource (32 KiB in every ICD-built package) is compressed on its own, so
 * one call here decodes one chunk.
 *
 * A chunk starts with 256 bytes holding the 4-bit codeword lengths of the
 * 512-symbol Huffman code (symbol 2i in the low nibble of byte i, 2i+1 in the
 * high nibble). The rest is a bitstream of 16-bit little-endian words read
 * from the most significant bit down, with the extra match-length bytes
 * interleaved between the words. Symbols 0-255 are literals; symbol 256+s
 * is a match whose low nibble of s is the length header and high nibble the
 * number of offset bits (log2 of the offset).
 *
 * Everything from the input is hostile until checked: a code that is not a
 * complete prefix code, a match reaching before the start of the chunk or
 * past its declared size, or a bitstream that ends before the chunk is
 * complete, throws `XpressDecompressError`. Nothing is read or written
 * outside the given ranges, and the work is bounded by the declared output
 * size whatever the input says.
 *
 * Self-contained on purpose (no shared constants file): the decoder is the
 * reference the compressor is tested against.
 */
import { PpkgError } from '../../../errors';

/** Literals 0-255 plus 256 match headers. */
const NUM_SYMBOLS = 512;
/** The code-length table: two 4-bit lengths per byte. */
const LENGTH_TABLE_BYTES = NUM_SYMBOLS / 2;
/** 4-bit lengths cap codewords at 15 bits. */
const MAX_CODEWORD_LEN = 15;
/** The shortest match; the length header counts from here. */
const MIN_MATCH_LEN = 3;
/**
 * Codewords up to this length are decoded with one lookup in the primary
 * table; longer ones (rare by construction of a Huffman code) take a second
 * lookup in a 16-entry subtable, since 11 + 4 = 15 covers the longest.
 */
const TABLE_BITS = 11;
const SUBTABLE_BITS = MAX_CODEWORD_LEN - TABLE_BITS;
const PRIMARY_ENTRIES = 1 << TABLE_BITS;
/** At most one subtable per primary entry. */
const TABLE_CAPACITY = PRIMARY_ENTRIES + PRIMARY_ENTRIES * (1 << SUBTABLE_BITS);

/** A chunk that is not valid XPRESS: a damaged package (the WIM reader reports it as `corrupt`). */
export class XpressDecompressError extends PpkgError {
  override readonly name = 'XpressDecompressError';
  constructor(message: string) {
    super('tool', message);
  }
}

/**
 * A reusable decoder: the decode table lives here so that decoding many
 * chunks allocates nothing. Not re-entrant (decompress() is synchronous, so
 * one instance per thread is enough).
 */
export class XpressDecompressor {
  private readonly lens = new Uint8Array(NUM_SYMBOLS);
  private readonly lenCounts = new Int32Array(MAX_CODEWORD_LEN + 1);
  private readonly offsets = new Int32Array(MAX_CODEWORD_LEN + 2);
  private readonly sorted = new Uint16Array(NUM_SYMBOLS);
  /**
   * Decode table. A positive entry is a leaf: `symbol << 4 | codeword
   * length`. A negative entry in the primary part points at a subtable:
   * `-(index of its first entry)`. Zero never occurs once the code is
   * checked complete.
   */
  private readonly table = new Int32Array(TABLE_CAPACITY);

  /**
   * Decode one chunk: `input` is the whole compressed chunk; exactly
   * `outLength` bytes are written to `output[outStart ..]`. Matches may only
   * reach back to `outStart` (a chunk is its own window).
   */
  decompress(input: Uint8Array, output: Uint8Array, outStart = 0, outLength = output.length - outStart): void {
    if (!Number.isInteger(outStart) || !Number.isInteger(outLength) || outStart < 0 || outLength < 0 || outStart + outLength > output.length) {
      throw new RangeError('XPRESS output range is outside the output buffer');
    }
    if (outLength === 0) return;
    if (input.length < LENGTH_TABLE_BYTES) {
      throw new XpressDecompressError(`XPRESS chunk of ${input.length} bytes is shorter than its ${LENGTH_TABLE_BYTES}-byte code-length table`);
    }
    this.buildTable(input);
    this.decodeSymbols(input, output, outStart, outStart + outLength);
  }

  /** Canonical prefix code from the 512 lengths → `this.table`. */
  private buildTable(input: Uint8Array): void {
    const { lens, lenCounts, offsets, sorted, table } = this;
    lenCounts.fill(0);
    for (let i = 0; i < LENGTH_TABLE_BYTES; i++) {
      const b = input[i]!;
      lens[2 * i] = b & 0xf;
      lens[2 * i + 1] = b >> 4;
      lenCounts[b & 0xf]!++;
      lenCounts[b >> 4]!++;
    }

    // Kraft: the codewords must fill the code space exactly. Over-subscribed
    // lengths are not a prefix code; an incomplete code leaves bit patterns
    // that decode to nothing. The all-zero (empty) code is incomplete too:
    // it cannot produce a single symbol, and a chunk is never empty.
    let left = 1;
    for (let len = 1; len <= MAX_CODEWORD_LEN; len++) {
      left = (left << 1) - lenCounts[len]!;
      if (left < 0) throw new XpressDecompressError('XPRESS Huffman code is over-subscribed');
    }
    if (left !== 0) {
      throw new XpressDecompressError(lenCounts[0] === NUM_SYMBOLS ? 'XPRESS Huffman code is empty' : 'XPRESS Huffman code is incomplete');
    }

    // Symbols ordered by (length, symbol): the order canonical codewords are assigned in.
    offsets[1] = 0;
    for (let len = 1; len <= MAX_CODEWORD_LEN; len++) offsets[len + 1] = offsets[len]! + lenCounts[len]!;
    for (let sym = 0; sym < NUM_SYMBOLS; sym++) {
      const len = lens[sym]!;
      if (len !== 0) sorted[offsets[len]!++] = sym;
    }

    // Codewords are read MSB first, so a codeword of length L ≤ TABLE_BITS
    // owns the contiguous primary range [code << (T-L), (code+1) << (T-L)).
    // Canonical codes ascend, so the ranges are filled left to right.
    let code = 0;
    let idx = 0; // into `sorted`
    let pos = 0; // next primary entry
    for (let len = 1; len <= TABLE_BITS; len++, code <<= 1) {
      const span = 1 << (TABLE_BITS - len);
      for (let end = idx + lenCounts[len]!; idx < end; idx++, code++) {
        const entry = (sorted[idx]! << 4) | len;
        // Most codewords are 7-11 bits long: spans of 1-16 entries, cheaper by hand than fill().
        if (span <= 16) for (let k = 0; k < span; k++) table[pos + k] = entry;
        else table.fill(entry, pos, pos + span);
        pos += span;
      }
    }
    // Longer codewords: the first TABLE_BITS bits select a primary entry that
    // points at a subtable indexed by the next SUBTABLE_BITS bits.
    let nextSub = PRIMARY_ENTRIES;
    let prefix = -1;
    let subStart = 0;
    for (let len = TABLE_BITS + 1; len <= MAX_CODEWORD_LEN; len++, code <<= 1) {
      const span = 1 << (MAX_CODEWORD_LEN - len);
      for (let end = idx + lenCounts[len]!; idx < end; idx++, code++) {
        const p = code >>> (len - TABLE_BITS);
        if (p !== prefix) {
          prefix = p;
          subStart = nextSub;
          nextSub += 1 << SUBTABLE_BITS;
          table[p] = -subStart;
        }
        const at = subStart + ((code << (MAX_CODEWORD_LEN - len)) & ((1 << SUBTABLE_BITS) - 1));
        table.fill((sorted[idx]! << 4) | len, at, at + span);
      }
    }
  }

  private decodeSymbols(input: Uint8Array, out: Uint8Array, outStart: number, outEnd: number): void {
    const table = this.table;
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const inEnd = input.length;
    let ip = LENGTH_TABLE_BYTES;
    let op = outStart;
    // Left-justified bit buffer (bit 31 is the next bit) and its fill level.
    // It is refilled one 16-bit word at a time whenever it holds fewer than
    // 16 bits; that exact rule decides where the interleaved length bytes
    // sit, and matches MS-XCA's decoder (16 to 32 bits buffered).
    let bitbuf = 0;
    let bitsleft = 0;
    // Past the end, zero words are supplied (a compressor may end the stream
    // just after the last symbol while the decoder prefetches ahead), but
    // consuming any of those bits means the chunk was cut short.
    let padWords = 0;

    while (op < outEnd) {
      if (bitsleft < 16) {
        if (ip + 1 < inEnd) {
          bitbuf |= (input[ip]! | (input[ip + 1]! << 8)) << (16 - bitsleft);
          ip += 2;
        } else if (++padWords > 2) {
          throw truncated();
        }
        bitsleft += 16;
      }
      let entry = table[bitbuf >>> (32 - TABLE_BITS)]!;
      if (entry < 0) entry = table[-entry + ((bitbuf >>> (32 - MAX_CODEWORD_LEN)) & ((1 << SUBTABLE_BITS) - 1))]!;
      const codeLen = entry & 0xf;
      bitbuf <<= codeLen;
      bitsleft -= codeLen;
      // Symbols below 256 (entries below 256 << 4) are literals.
      if (entry < 0x1000) {
        out[op++] = entry >>> 4;
        continue;
      }
      const sym = entry >>> 4;

      // A match. Refill first: the length bytes follow the words the
      // decoder has fetched by now.
      if (bitsleft < 16) {
        if (ip + 1 < inEnd) {
          bitbuf |= (input[ip]! | (input[ip + 1]! << 8)) << (16 - bitsleft);
          ip += 2;
        } else if (++padWords > 2) {
          throw truncated();
        }
        bitsleft += 16;
      }
      let length = sym & 0xf;
      if (length === 0xf) {
        if (ip >= inEnd) throw truncated();
        const b = input[ip++]!;
        if (b === 0xff) {
          if (ip + 1 >= inEnd) throw truncated();
          length = input[ip]! | (input[ip + 1]! << 8);
          ip += 2;
          // MS-XCA reads a 32-bit length after a zero here, for matches no
          // WIM chunk (≤ 64 KiB) can hold; below 15 the length is malformed.
          if (length < 0xf) throw new XpressDecompressError(`XPRESS match length field ${length} is invalid`);
        } else {
          length = b + 0xf;
        }
      }
      length += MIN_MATCH_LEN;

      const log2Offset = (sym >>> 4) & 0xf;
      let offset = 1 << log2Offset;
      if (log2Offset !== 0) {
        offset |= bitbuf >>> (32 - log2Offset);
        bitbuf <<= log2Offset;
        bitsleft -= log2Offset;
      }

      if (offset > op - outStart) {
        throw new XpressDecompressError(`XPRESS match at output byte ${op - outStart} reaches ${offset} bytes back, before the start of the chunk`);
      }
      if (length > outEnd - op) {
        throw new XpressDecompressError(`XPRESS match of ${length} bytes at output byte ${op - outStart} runs past the chunk's ${outEnd - outStart} bytes`);
      }
      let src = op - offset;
      const end = op + length;
      if (offset >= 4 && (length < 64 || offset < 16) && end + 3 <= outEnd) {
        // Most matches are short (21 bytes on average in installer-like
        // data): copy 4 bytes at a time, which may write up to 3 bytes past
        // the match, never past the chunk; what follows overwrites them.
        // With offset ≥ 4 every word read was written before, so this is
        // also right for overlapping matches.
        do {
          view.setUint32(op, view.getUint32(src, true), true);
          op += 4;
          src += 4;
        } while (op < end);
        op = end;
      } else if (offset >= length) {
        out.copyWithin(op, src, src + length);
        op = end;
      } else if (offset === 1) {
        // A run of the previous byte.
        out.fill(out[op - 1]!, op, end);
        op = end;
      } else if (offset >= 16) {
        // Overlapping: copy whole periods, each of which is already written.
        while (op < end) {
          const n = Math.min(offset, end - op);
          out.copyWithin(op, src, src + n);
          op += n;
          src += n;
        }
      } else {
        while (op < end) out[op++] = out[src++]!;
      }
    }

    // The zero padding may be buffered, not consumed.
    if (padWords * 16 > bitsleft) throw truncated();
  }
}

function truncated(): XpressDecompressError {
  return new XpressDecompressError('XPRESS chunk ends before its declared size is decoded');
}

let shared: XpressDecompressor | undefined;

/** Decode one chunk of `outputSize` bytes into a new Buffer. */
export function xpressDecompress(input: Uint8Array, outputSize: number): Buffer {
  const out = Buffer.allocUnsafe(outputSize);
  (shared ??= new XpressDecompressor()).decompress(input, out, 0, outputSize);
  return out;
}
