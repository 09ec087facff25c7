/**
 * Compressed resources (docs/wim-container.md §Byte layout; wimlib `src/resource.c`, header
 * comment): a chunk table, then the chunks.
 *
 *   [offset of chunk 1] … [offset of chunk n−1]   u32 each, relative to the table's end
 *   chunk 0 | chunk 1 | … | chunk n−1
 *
 * Each chunk holds 32768 bytes of input (the last one the rest), XPRESS
 * compressed independently, or stored raw when compression does not shrink
 * it; readers tell the two apart by the chunk's stored size.
 *
 * Which form a resource takes follows ICD (docs/wim-container.md §Compression): the
 * metadata resource is always compressed; a file resource is compressed
 * when that makes it smaller, else stored raw with flags 0.
 */
import { WIM_CHUNK_SIZE } from './header';
import type { XpressCompressor } from './xpress/compress';

const CHUNK_ENTRY_SIZE = 4;

/**
 * Largest resource written compressed. From 4 GiB on, chunk-table entries
 * become u64 (wimlib `get_chunk_entry_size`); no package comes near that,
 * nothing could test it, and a raw resource is always valid, so such a file
 * is stored raw.
 */
export const MAX_COMPRESSED_RESOURCE_SIZE = 0xffffffff;

export function chunkCount(size: number): number {
  return Math.ceil(size / WIM_CHUNK_SIZE);
}

export function chunkTableSize(size: number): number {
  return Math.max(0, chunkCount(size) - 1) * CHUNK_ENTRY_SIZE;
}

/**
 * The chunk table from the stored chunks' end offsets (relative to the
 * table's end): each entry is where the next chunk starts.
 */
export function encodeChunkTable(chunkEnds: Uint32Array, count: number): Buffer {
  const table = Buffer.alloc(Math.max(0, count - 1) * CHUNK_ENTRY_SIZE);
  for (let i = 0; i + 1 < count; i++) table.writeUInt32LE(chunkEnds[i]!, i * CHUNK_ENTRY_SIZE);
  return table;
}

/**
 * After this many leading chunks, a resource none of whose chunks shrank is
 * given up and stored raw: installers and other packed data (zip, cab, msi
 * streams, images) show it from their first bytes.
 */
const PROBE_CHUNKS = 8;
/**
 * Within a resource that did compress at first, a run of chunks that do not
 * (an installer's packed payload after its code) is skipped with growing
 * steps: after each failed attempt the next `skip` chunks are stored raw
 * untried, `skip` doubling up to this many; any chunk that shrinks resets it.
 */
const MAX_SKIP_CHUNKS = 64;

export type ChunkPolicy = 'always' | 'adaptive';

/**
 * Decides, chunk by chunk and from the content alone (so builds stay
 * deterministic), whether to try XPRESS, and stores the result.
 */
export class ChunkEncoder {
  private index = 0;
  private anyShrank = false;
  private skipLeft = 0;
  private nextSkip = 1;

  constructor(
    private readonly compressor: XpressCompressor,
    private readonly policy: ChunkPolicy,
  ) {}

  /** True once the probe chunks all failed to shrink: store the whole resource raw. */
  get givenUp(): boolean {
    return this.policy === 'adaptive' && !this.anyShrank && this.index >= PROBE_CHUNKS;
  }

  /** Write the stored form of `chunk` into `out` at `at` (room for chunk.length); returns its length. */
  store(chunk: Uint8Array, out: Uint8Array, at: number): number {
    const i = this.index++;
    const tryIt = this.policy === 'always' || i < PROBE_CHUNKS || this.skipLeft === 0;
    if (!tryIt) this.skipLeft--;
    const packed = tryIt ? this.compressor.compressInto(chunk, out, at) : 0;
    if (packed > 0) {
      this.anyShrank = true;
      this.nextSkip = 1;
      return packed;
    }
    if (tryIt && i >= PROBE_CHUNKS) {
      this.skipLeft = this.nextSkip;
      this.nextSkip = Math.min(this.nextSkip * 2, MAX_SKIP_CHUNKS);
    }
    out.set(chunk, at);
    return chunk.length;
  }
}

/**
 * A whole in-memory resource in compressed form. With 'adaptive', returns
 * undefined when the raw form is at least as small (or the probe gave up);
 * with 'always' (the metadata resource), always returns the compressed form.
 */
export function compressResource(data: Buffer, policy: ChunkPolicy, compressor: XpressCompressor): Buffer | undefined {
  const size = data.length;
  if (size === 0 || size > MAX_COMPRESSED_RESOURCE_SIZE) return undefined;
  const count = chunkCount(size);
  const tableBytes = chunkTableSize(size);
  // Worst case: every chunk raw, plus the table.
  const out = Buffer.allocUnsafe(tableBytes + size);
  const ends = new Uint32Array(count);
  const encoder = new ChunkEncoder(compressor, policy);
  let at = tableBytes;
  for (let i = 0; i < count; i++) {
    const chunk = data.subarray(i * WIM_CHUNK_SIZE, (i + 1) * WIM_CHUNK_SIZE);
    at += encoder.store(chunk, out, at);
    if (encoder.givenUp) return undefined;
    ends[i] = at - tableBytes;
  }
  if (policy === 'adaptive' && at >= size) return undefined;
  encodeChunkTable(ends, count).copy(out, 0);
  return out.subarray(0, at);
}
