/**
 * The one Huffman code of an XPRESS chunk: codeword lengths from symbol
 * frequencies, limited to 15 bits, then canonical codewords.
 *
 * Decoders rebuild the code from the lengths alone ([MS-XCA] §2.2.4: shorter
 * codes first, ties broken by symbol value), so only the lengths travel and
 * the codewords here must follow the same canonical order. wimlib and 7-Zip
 * refuse an incomplete code, so the code is always complete, even when only
 * one symbol is used.
 */
import { XPRESS_MAX_CODEWORD_LEN } from './constants';

/** Local copy: loops below must not read an import binding (a getter under CommonJS transforms). */
const MAX_LEN = XPRESS_MAX_CODEWORD_LEN;

export class HuffmanBuilder {
  /** Symbols with a non-zero frequency, sorted by (frequency, symbol). */
  private readonly leaves: Int32Array;
  private readonly leafFreq: Float64Array;
  /** Tree construction: weights and parent links of internal nodes. */
  private readonly nodeWeight: Float64Array;
  private readonly parent: Int32Array;
  private readonly depth: Uint16Array;
  private readonly lengthCount = new Int32Array(MAX_LEN + 2);
  private readonly nextCode = new Int32Array(MAX_LEN + 2);

  constructor(private readonly numSymbols: number) {
    this.leaves = new Int32Array(numSymbols);
    this.leafFreq = new Float64Array(numSymbols);
    this.nodeWeight = new Float64Array(numSymbols);
    this.parent = new Int32Array(2 * numSymbols);
    this.depth = new Uint16Array(2 * numSymbols);
  }

  /**
   * Fill `lens` (0 = unused) and `codewords` for `freqs`. At least one
   * frequency must be non-zero.
   */
  build(freqs: Uint32Array, lens: Uint8Array, codewords: Uint16Array): void {
    const n = this.collectLeaves(freqs);
    lens.fill(0);
    if (n === 0) throw new Error('internal: Huffman code of an empty alphabet');
    if (n === 1) {
      // A lone symbol still needs a complete code: pair it with a dummy one-bit
      // codeword (symbol 0, or 1 if the lone symbol is 0).
      const only = this.leaves[0]!;
      lens[only] = 1;
      lens[only === 0 ? 1 : 0] = 1;
    } else {
      this.computeLengths(n);
      this.limitLengths(n);
      this.assignLengths(n, lens);
    }
    this.assignCodewords(lens, codewords);
  }

  /** Leaves sorted by ascending frequency; equal frequencies by symbol, for determinism. */
  private collectLeaves(freqs: Uint32Array): number {
    const { leaves, leafFreq } = this;
    let n = 0;
    for (let s = 0; s < this.numSymbols; s++) if (freqs[s]! > 0) leaves[n++] = s;
    // Sort key: frequency × 1024 + symbol fits a double exactly (frequencies < 2^40).
    for (let i = 0; i < n; i++) leafFreq[i] = freqs[leaves[i]!]! * 1024 + leaves[i]!;
    const keys = leafFreq.subarray(0, n).sort();
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const sym = k % 1024;
      leaves[i] = sym;
      leafFreq[i] = (k - sym) / 1024;
    }
    return n;
  }

  /**
   * Unlimited Huffman depths by the two-queue method: leaves are already
   * sorted, and internal nodes are created in non-decreasing weight order, so
   * the two smallest are always at the front of one of the two queues.
   * Nodes 0..n-1 are leaves, n..2n-2 internal nodes.
   */
  private computeLengths(n: number): void {
    const { leafFreq, nodeWeight, parent, depth } = this;
    let leaf = 0;
    let inner = 0; // next internal node to consume
    let innerEnd = 0; // internal nodes created so far
    const take = (): number => {
      if (leaf < n && (inner >= innerEnd || leafFreq[leaf]! <= nodeWeight[inner]!)) return leaf++;
      return n + inner++;
    };
    const weightOf = (node: number): number => (node < n ? leafFreq[node]! : nodeWeight[node - n]!);
    for (let k = 0; k < n - 1; k++) {
      const a = take();
      const b = take();
      nodeWeight[innerEnd] = weightOf(a) + weightOf(b);
      parent[a] = n + innerEnd;
      parent[b] = n + innerEnd;
      innerEnd++;
    }
    // The root is the last internal node; depths follow parent links downward
    // in creation order reversed (a parent is always created after its children).
    const root = n + innerEnd - 1;
    depth[root] = 0;
    for (let node = root - 1; node >= 0; node--) depth[node] = depth[parent[node]!]! + 1;
  }

  /**
   * Enforce the 15-bit limit on the length histogram: clamp deeper leaves to 15,
   * then restore Kraft equality (Σ 2^-len = 1) by repeatedly moving one leaf
   * from length 15 into a split of the deepest shorter leaf. Each step lowers
   * the Kraft sum by exactly 2^-15 and keeps the number of leaves.
   */
  private limitLengths(n: number): void {
    const count = this.lengthCount;
    const max = MAX_LEN;
    count.fill(0);
    for (let i = 0; i < n; i++) count[Math.min(this.depth[i]!, max)]!++;
    let kraft = 0; // in units of 2^-max
    for (let len = 1; len <= max; len++) kraft += count[len]! << (max - len);
    while (kraft > 1 << max) {
      count[max]!--;
      for (let len = max - 1; len > 0; len--) {
        if (count[len]! > 0) {
          count[len]!--;
          count[len + 1]! += 2;
          break;
        }
      }
      kraft--;
    }
  }

  /** The rarest leaves get the longest codewords. */
  private assignLengths(n: number, lens: Uint8Array): void {
    let i = 0;
    for (let len = MAX_LEN; len > 0; len--) {
      for (let c = this.lengthCount[len]!; c > 0; c--) lens[this.leaves[i++]!] = len;
    }
  }

  /** Canonical codewords: by length, then by symbol value. */
  private assignCodewords(lens: Uint8Array, codewords: Uint16Array): void {
    const count = this.lengthCount;
    const next = this.nextCode;
    count.fill(0);
    for (let s = 0; s < this.numSymbols; s++) count[lens[s]!]!++;
    count[0] = 0;
    let code = 0;
    for (let len = 1; len <= MAX_LEN; len++) {
      code = (code + count[len - 1]!) << 1;
      next[len] = code;
    }
    for (let s = 0; s < this.numSymbols; s++) {
      const len = lens[s]!;
      codewords[s] = len ? next[len]!++ : 0;
    }
  }
}
