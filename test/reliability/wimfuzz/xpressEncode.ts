/**
 * A deliberately simple XPRESS (MS-XCA LZ77+Huffman) encoder for tests: it
 * writes exactly the tokens it is given, so a test can produce any stream it
 * wants to decode (long matches, 15-bit codewords, hand-picked code lengths,
 * malformed streams). Not the product's compressor.
 *
 * Bit layout as the decoder expects it: 16-bit little-endian words, MSB
 * first, with the extra match-length bytes written after the two word slots
 * reserved ahead of the current one. A word is flushed once more than 16
 * bits are pending, which puts every length byte exactly where a decoder
 * that keeps 16-32 bits buffered reads it.
 */

export type XpressToken = number | { length: number; offset: number };

const NUM_SYMBOLS = 512;
const MAX_LEN = 15;

export function matchSymbol(length: number, offset: number): number {
  const log2 = 31 - Math.clz32(offset);
  return 256 + ((log2 << 4) | Math.min(length - 3, 15));
}

/** Symbols the tokens use (plus the end-of-data symbol 256 when asked). */
export function symbolFrequencies(tokens: readonly XpressToken[], endOfData: boolean): Uint32Array {
  const freq = new Uint32Array(NUM_SYMBOLS);
  for (const t of tokens) freq[typeof t === 'number' ? t : matchSymbol(t.length, t.offset)]!++;
  if (endOfData) freq[256]!++;
  return freq;
}

/**
 * Complete, length-limited (≤ 15) prefix-code lengths for `freq`: Huffman,
 * then clamped and rebalanced until the Kraft sum is exactly 1.
 */
export function huffmanLengths(freq: Uint32Array): Uint8Array {
  const lens = new Uint8Array(NUM_SYMBOLS);
  const used = [...freq.keys()].filter((s) => freq[s]! > 0);
  // A code needs two codewords to be complete.
  for (let s = 0; used.length < 2; s++) if (!used.includes(s)) used.push(s);
  type Node = { w: number; syms: number[] };
  let nodes: Node[] = used.map((s) => ({ w: Math.max(1, freq[s]!), syms: [s] }));
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.w - b.w);
    const [a, b] = nodes as [Node, Node];
    for (const s of a.syms) lens[s]!++;
    for (const s of b.syms) lens[s]!++;
    nodes = [{ w: a.w + b.w, syms: [...a.syms, ...b.syms] }, ...nodes.slice(2)];
  }
  const full = 1 << MAX_LEN;
  let kraft = 0;
  for (const s of used) {
    if (lens[s]! > MAX_LEN) lens[s] = MAX_LEN;
    kraft += full >> lens[s]!;
  }
  // Over-full after clamping: lengthen the longest codes below the cap.
  while (kraft > full) {
    let pick = -1;
    for (const s of used) if (lens[s]! < MAX_LEN && (pick < 0 || lens[s]! > lens[pick]!)) pick = s;
    kraft -= full >> lens[pick]!;
    lens[pick]!++;
    kraft += full >> lens[pick]!;
  }
  // Under-full: shorten the longest codes while that still fits.
  while (kraft < full) {
    let pick = -1;
    for (const s of used) if (lens[s]! > 1 && kraft + (full >> lens[s]!) <= full && (pick < 0 || lens[s]! > lens[pick]!)) pick = s;
    kraft -= full >> lens[pick]!;
    lens[pick]!--;
    kraft += full >> lens[pick]!;
  }
  return lens;
}

/** Canonical codewords for `lens` (the assignment the decoder reconstructs). */
export function canonicalCodes(lens: Uint8Array): Uint32Array {
  const codes = new Uint32Array(NUM_SYMBOLS);
  let code = 0;
  for (let len = 1; len <= MAX_LEN; len++, code <<= 1) {
    for (let s = 0; s < NUM_SYMBOLS; s++) if (lens[s] === len) codes[s] = code++;
  }
  return codes;
}

export interface EncodeOptions {
  /** Code lengths to use instead of Huffman ones (must give every used symbol a codeword). */
  lens?: Uint8Array;
  /** Append symbol 256 after the data, as Microsoft's compressor does. Default true. */
  endOfData?: boolean;
}

export function encodeXpress(tokens: readonly XpressToken[], opts: EncodeOptions = {}): Buffer {
  const endOfData = opts.endOfData ?? true;
  const lens = opts.lens ?? huffmanLengths(symbolFrequencies(tokens, endOfData));
  const codes = canonicalCodes(lens);
  const out: number[] = [];
  for (let i = 0; i < 256; i++) out.push(lens[2 * i]! | (lens[2 * i + 1]! << 4));
  const base = out.length;
  let nextBits = base;
  let nextBits2 = base + 2;
  let nextByte = base + 4;
  let bitbuf = 0;
  let bitcount = 0;
  const put16 = (at: number, v: number) => {
    out[at] = v & 0xff;
    out[at + 1] = (v >>> 8) & 0xff;
  };
  put16(nextBits, 0);
  put16(nextBits2, 0);
  const writeBits = (bits: number, n: number) => {
    bitbuf = (bitbuf << n) | bits;
    bitcount += n;
    if (bitcount > 16) {
      bitcount -= 16;
      put16(nextBits, bitbuf >>> bitcount);
      bitbuf &= (1 << bitcount) - 1;
      nextBits = nextBits2;
      nextBits2 = nextByte;
      put16(nextByte, 0);
      nextByte += 2;
    }
  };
  const writeSymbol = (sym: number) => {
    if (!lens[sym]) throw new Error(`symbol ${sym} has no codeword`);
    writeBits(codes[sym]!, lens[sym]!);
  };
  const writeByte = (b: number) => {
    out[nextByte++] = b;
  };
  for (const t of tokens) {
    if (typeof t === 'number') {
      writeSymbol(t);
      continue;
    }
    const { length, offset } = t;
    if (length < 3 || offset < 1 || offset > 0xffff) throw new Error(`bad match ${length}@${offset}`);
    writeSymbol(matchSymbol(length, offset));
    if (length - 3 >= 15) {
      if (length - 3 - 15 < 0xff) {
        writeByte(length - 3 - 15);
      } else {
        writeByte(0xff);
        writeByte((length - 3) & 0xff);
        writeByte((length - 3) >>> 8);
      }
    }
    const log2 = 31 - Math.clz32(offset);
    if (log2 > 0) writeBits(offset - (1 << log2), log2);
  }
  if (endOfData) writeSymbol(256);
  put16(nextBits, (bitbuf << (16 - bitcount)) & 0xffff);
  put16(nextBits2, 0);
  return Buffer.from(out.slice(0, nextByte));
}

/** The bytes `tokens` stand for (what a correct decoder must produce). */
export function expandTokens(tokens: readonly XpressToken[]): Buffer {
  const out: number[] = [];
  for (const t of tokens) {
    if (typeof t === 'number') out.push(t);
    else for (let i = 0; i < t.length; i++) out.push(out[out.length - t.offset]!);
  }
  return Buffer.from(out);
}

/**
 * Greedy LZ77 over `data` (hash of 3 bytes, one candidate): tokens that a
 * real compressor might emit, for round trips of realistic data.
 */
export function greedyTokens(data: Uint8Array, maxOffset = 0xffff): XpressToken[] {
  const tokens: XpressToken[] = [];
  const head = new Map<number, number>();
  let i = 0;
  while (i < data.length) {
    if (i + 3 <= data.length) {
      const key = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16);
      const cand = head.get(key);
      head.set(key, i);
      if (cand !== undefined && i - cand <= maxOffset) {
        let len = 0;
        const max = Math.min(data.length - i, 0xffff + 3);
        while (len < max && data[cand + len] === data[i + len]) len++;
        if (len >= 3) {
          tokens.push({ length: len, offset: i - cand });
          for (let k = 1; k < len && i + k + 3 <= data.length; k++) {
            const p = i + k;
            head.set(data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16), p);
          }
          i += len;
          continue;
        }
      }
    }
    tokens.push(data[i]!);
    i++;
  }
  return tokens;
}
