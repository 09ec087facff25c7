/**
 * XPRESS (LZ77+Huffman) compressor for WIM chunks, [MS-XCA] §2.1–§2.2.
 *
 *   const packed = compressChunk(chunk); // Buffer, or undefined if not smaller
 *
 * Each call compresses one independent block (a WIM chunk is 32768 bytes at
 * most); nothing carries over between calls, so the output is a pure
 * function of the input.
 *
 * Parsing is lazy LZ77 over hash chains, as wimlib does at its default level:
 * at each position take the longest match unless the next position has a
 * longer one. The Huffman code is built from that parse's symbol counts, and
 * the exact output size is known before any bit is written, so a chunk that
 * would not shrink costs no encoding work.
 *
 * Bitstream, as the decoder of [MS-XCA] §2.2.4 reads it: 16-bit
 * little-endian words, each filled from its most significant bit, with the
 * extra match-length bytes interleaved between them. A decoder keeps 16–32 bits
 * buffered and loads the next word as soon as fewer than 16 remain, so it has
 * always read two words past the word holding its next bit; the byte it reads
 * for a long match therefore sits after those two words. The encoder mirrors
 * that: it reserves the two word slots ahead and writes bytes after them, and
 * it hands a word to its slot only once more than 16 bits are pending (at
 * exactly 16 the decoder would not have loaded the following word yet).
 */
import * as xpress from './constants';
import { HuffmanBuilder } from './huffman';

// Module-local copies: hot loops must not go through the import bindings,
// which a CommonJS transform (tsx in tests) turns into property getters.
const END_OF_DATA = xpress.XPRESS_END_OF_DATA;
const LEN_HEADER_MAX = xpress.XPRESS_LEN_HEADER_MAX;
const MAX_BLOCK_SIZE = xpress.XPRESS_MAX_BLOCK_SIZE;
const MAX_MATCH_LEN = xpress.XPRESS_MAX_MATCH_LEN;
const MIN_MATCH_LEN = xpress.XPRESS_MIN_MATCH_LEN;
const NUM_CHARS = xpress.XPRESS_NUM_CHARS;
const NUM_SYMBOLS = xpress.XPRESS_NUM_SYMBOLS;
const TABLE_BYTES = xpress.XPRESS_TABLE_BYTES;

const HASH_BITS = 15;
const HASH_SHIFT = 32 - HASH_BITS;
/** Knuth's multiplicative constant (2^32 / φ): spreads 3-byte prefixes over the table. */
const HASH_MULTIPLIER = 0x9e3779b1 | 0;
/** Candidates examined per position; the lazy look-ahead uses half. */
const MAX_SEARCH_DEPTH = 24;
/** A match this long is taken at once, without search or look-ahead. */
const NICE_MATCH_LEN = 64;
/**
 * A length-3 match this far back costs more bits than three literals (its
 * offset alone needs 11+ bits), so it is passed up.
 */
function len3TooFar(inputLength: number): number {
  return inputLength <= 8192 ? 2048 : 4096;
}
/**
 * A compressed block is at least 260 bytes (the table and two words), so
 * nothing shorter can shrink; such inputs are not even parsed.
 */
const MIN_INPUT = TABLE_BYTES + 4 + 1;

/** Literal items keep offset 0; a match's offset is ≥ 1. */
const OFFSET_MASK = 0xffff;

export class XpressCompressor {
  private readonly head = new Int32Array(1 << HASH_BITS);
  private readonly prev = new Int32Array(MAX_BLOCK_SIZE);
  /** Parse result: (length − 3) << 16 | offset for a match, byte << 16 for a literal. */
  private readonly items = new Uint32Array(MAX_BLOCK_SIZE);
  private readonly freqs = new Uint32Array(NUM_SYMBOLS);
  private readonly lens = new Uint8Array(NUM_SYMBOLS);
  private readonly codewords = new Uint16Array(NUM_SYMBOLS);
  private readonly huffman = new HuffmanBuilder(NUM_SYMBOLS);
  /** Offset of the match the last `longestMatch` call returned. */
  private matchOffset = 0;
  /** Items of the block `prepare` accepted. */
  private itemCount = 0;

  /**
   * Compress one block of at most XPRESS_MAX_BLOCK_SIZE bytes. Returns the
   * compressed bytes, or undefined when they would not be smaller than the
   * input (the caller then stores the block raw).
   */
  compress(input: Uint8Array): Buffer | undefined {
    const size = this.prepare(input);
    if (size === 0) return undefined;
    const out = Buffer.allocUnsafe(size);
    this.encode(out, 0, size);
    return out;
  }

  /**
   * As `compress`, writing into `out` at `at` (which needs room for
   * input.length − 1 bytes). Returns the compressed size, or 0 when the
   * block is not worth compressing; nothing is written then.
   */
  compressInto(input: Uint8Array, out: Uint8Array, at: number): number {
    const size = this.prepare(input);
    if (size > 0) this.encode(out, at, size);
    return size;
  }

  /** Parse and build the code; returns the exact compressed size, or 0 if it is not smaller than the input. */
  private prepare(input: Uint8Array): number {
    const n = input.length;
    if (n > MAX_BLOCK_SIZE) throw new RangeError(`XPRESS block of ${n} bytes exceeds ${MAX_BLOCK_SIZE}`);
    if (n < MIN_INPUT) return 0;

    const count = this.parse(input);
    const { freqs, lens, codewords, items } = this;
    freqs[END_OF_DATA]!++;
    this.huffman.build(freqs, lens, codewords);

    // Exact size: table, the two reserved word slots, one word per started
    // 16 bits beyond them, and the interleaved length bytes.
    let bits = 0;
    let extraBytes = 0;
    for (let s = 0; s < NUM_SYMBOLS; s++) bits += freqs[s]! * lens[s]!;
    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      const offset = item & OFFSET_MASK;
      if (offset === 0) continue;
      bits += 31 - Math.clz32(offset);
      const adjusted = item >>> 16;
      if (adjusted >= LEN_HEADER_MAX) extraBytes += adjusted - LEN_HEADER_MAX >= 0xff ? 3 : 1;
    }
    const size = TABLE_BYTES + 2 + 2 * Math.ceil(bits / 16) + extraBytes;
    if (size >= n) return 0;
    this.itemCount = count;
    return size;
  }

  /** Lazy LZ77 parse into `items`, counting symbol frequencies. Returns the number of items. */
  private parse(input: Uint8Array): number {
    const n = input.length;
    const { head, prev, items, freqs } = this;
    head.fill(-1);
    freqs.fill(0);
    const tooFar = len3TooFar(n);
    const lastHashable = n - MIN_MATCH_LEN; // last position with 3 bytes ahead
    let count = 0;
    let pos = 0;
    // Hot loop, written out by hand (no closures): literals, then one match.
    while (pos < n) {
      let curLen = 0;
      let curOffset = 0;
      let inserted = pos; // positions below this are in the hash chains
      if (pos <= lastHashable) {
        curLen = this.longestMatch(input, pos, MIN_MATCH_LEN - 1, MAX_SEARCH_DEPTH);
        curOffset = this.matchOffset;
        inserted = pos + 1;
        if (curLen === MIN_MATCH_LEN && curOffset >= tooFar) curLen = 0;
      }
      if (curLen < MIN_MATCH_LEN) {
        const b = input[pos++]!;
        freqs[b]!++;
        items[count++] = b << 16;
        continue;
      }
      // Lazy step: while the next position has a longer match, emit a literal and move on.
      while (curLen < NICE_MATCH_LEN && pos + 1 <= lastHashable) {
        const nextLen = this.longestMatch(input, pos + 1, curLen, MAX_SEARCH_DEPTH >> 1);
        inserted = pos + 2;
        if (nextLen <= curLen) break;
        const b = input[pos++]!;
        freqs[b]!++;
        items[count++] = b << 16;
        curLen = nextLen;
        curOffset = this.matchOffset;
      }
      const adjusted = curLen - MIN_MATCH_LEN;
      const header = adjusted < LEN_HEADER_MAX ? adjusted : LEN_HEADER_MAX;
      freqs[NUM_CHARS + (((31 - Math.clz32(curOffset)) << 4) | header)]!++;
      items[count++] = (adjusted << 16) | curOffset;
      // Enter the positions the match covers into the hash chains, so later data can refer to them.
      pos += curLen;
      const end = pos < lastHashable + 1 ? pos : lastHashable + 1;
      for (let p = inserted; p < end; p++) {
        const h = Math.imul(input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16), HASH_MULTIPLIER) >>> HASH_SHIFT;
        prev[p] = head[h]!;
        head[h] = p;
      }
    }
    return count;
  }

  /**
   * Insert `pos` into its hash chain and search the chain for the longest
   * match longer than `bestLen`. Returns its length (offset in `matchOffset`),
   * or 0 if none is longer.
   */
  private longestMatch(input: Uint8Array, pos: number, bestLen: number, depth: number): number {
    const { head, prev } = this;
    const h = Math.imul(input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16), HASH_MULTIPLIER) >>> HASH_SHIFT;
    let cand = head[h]!;
    prev[pos] = cand;
    head[h] = pos;

    const remaining = input.length - pos;
    const maxLen = remaining < MAX_MATCH_LEN ? remaining : MAX_MATCH_LEN;
    const nice = maxLen < NICE_MATCH_LEN ? maxLen : NICE_MATCH_LEN;
    if (bestLen >= maxLen) return 0;
    let found = 0;
    const first = input[pos]!;
    const second = input[pos + 1]!;
    // Candidates are all earlier in this block, so offsets stay ≤ 65535.
    for (; cand >= 0 && depth > 0; cand = prev[cand]!, depth--) {
      // The byte that would make this candidate beat the best so far, then the prefix.
      if (input[cand + bestLen] !== input[pos + bestLen] || input[cand] !== first || input[cand + 1] !== second) continue;
      let len = 2;
      while (len < maxLen && input[cand + len] === input[pos + len]) len++;
      if (len > bestLen) {
        bestLen = len;
        found = len;
        this.matchOffset = pos - cand;
        if (len >= nice) break;
      }
    }
    return found;
  }

  /** Write the table and the bitstream of the prepared items: exactly `size` bytes at `base`. */
  private encode(out: Uint8Array, base: number, size: number): void {
    const { items, lens, codewords } = this;
    const count = this.itemCount;
    for (let i = 0; i < TABLE_BYTES; i++) out[base + i] = lens[2 * i]! | (lens[2 * i + 1]! << 4);

    let bitbuf = 0;
    let bitcount = 0;
    let wordAt = base + TABLE_BYTES; // slot of the word holding the pending bits
    let nextWordAt = wordAt + 2; // the slot after it
    let byteAt = wordAt + 4; // where interleaved bytes go

    // Appending n (≤ 16) bits: bitbuf = bitbuf << n | value; once more than 16
    // are pending, the oldest 16 go to the reserved word slot, written out by
    // hand at each site below (no closure in this loop).
    for (let i = 0; i <= count; i++) {
      let sym: number;
      let offset = 0;
      let adjusted = 0;
      if (i === count) {
        sym = END_OF_DATA;
      } else {
        const item = items[i]!;
        offset = item & OFFSET_MASK;
        adjusted = item >>> 16;
        sym = offset === 0 ? adjusted : NUM_CHARS + (((31 - Math.clz32(offset)) << 4) | (adjusted < LEN_HEADER_MAX ? adjusted : LEN_HEADER_MAX));
      }
      let n = lens[sym]!;
      bitbuf = (bitbuf << n) | codewords[sym]!;
      bitcount += n;
      if (bitcount > 16) {
        bitcount -= 16;
        const word = bitbuf >>> bitcount;
        out[wordAt] = word;
        out[wordAt + 1] = word >>> 8;
        wordAt = nextWordAt;
        nextWordAt = byteAt;
        byteAt += 2;
      }
      if (offset === 0) continue; // a literal, or the end-of-data symbol
      if (adjusted >= LEN_HEADER_MAX) {
        // One byte for lengths 18–272; 0xFF then the whole (length − 3) as a u16 beyond.
        const extra = adjusted - LEN_HEADER_MAX;
        if (extra < 0xff) {
          out[byteAt++] = extra;
        } else {
          out[byteAt] = 0xff;
          out[byteAt + 1] = adjusted;
          out[byteAt + 2] = adjusted >>> 8;
          byteAt += 3;
        }
      }
      n = 31 - Math.clz32(offset);
      bitbuf = (bitbuf << n) | (offset ^ (1 << n));
      bitcount += n;
      if (bitcount > 16) {
        bitcount -= 16;
        const word = bitbuf >>> bitcount;
        out[wordAt] = word;
        out[wordAt + 1] = word >>> 8;
        wordAt = nextWordAt;
        nextWordAt = byteAt;
        byteAt += 2;
      }
    }

    // The last, partial word (left-aligned), then the zero word a decoder preloads.
    const last = (bitbuf << (16 - bitcount)) & 0xffff;
    out[wordAt] = last & 0xff;
    out[wordAt + 1] = last >>> 8;
    out[nextWordAt] = 0;
    out[nextWordAt + 1] = 0;
    if (byteAt - base !== size) throw new Error(`internal: XPRESS size ${byteAt - base} differs from the computed ${size}`);
  }
}

let shared: XpressCompressor | undefined;

/**
 * Compress one WIM chunk (≤ 32768 bytes; blocks up to 65536 are accepted).
 * Returns undefined when the compressed form would not be smaller, in which
 * case WIM stores the chunk raw.
 */
export function compressChunk(input: Uint8Array): Buffer | undefined {
  shared ??= new XpressCompressor();
  return shared.compress(input);
}
