/**
 * Reading one resource (a blob, the metadata, the XML): stored as is, or
 * XPRESS-compressed in independent chunks behind a chunk table (wimlib
 * `src/resource.c`, docs/wim-container.md §Byte layout):
 *
 *   chunk table: (chunks − 1) offsets, u32 (u64 when the resource is
 *                ≥ 4 GiB uncompressed), relative to the end of the table;
 *                chunk 0 starts at 0 and is not listed
 *   chunks:      each `chunkSize` bytes once decompressed (the last one the
 *                remainder); a chunk stored in exactly its uncompressed
 *                size is stored raw
 *
 * The declared uncompressed size fixes the number of chunks and the size of
 * every chunk, so no input can make a chunk decode to more than it should;
 * the table is read in windows alongside the data, so memory stays at one
 * batch whatever the resource claims.
 */
import { XpressDecompressError, type XpressDecompressor } from '../xpress/decompress';

import { WimReadError } from './errors';
import { RESHDR_FLAG_COMPRESSED, RESHDR_FLAG_SOLID, WIM_HEADER_SIZE, type WimCompression, type WimResourceHeader } from './header';
import { checkRange, type WimSource } from './source';

/** Uncompressed bytes handed out per step of a streamed read. */
export const BATCH_BYTES = 1024 * 1024;
const U32_MAX = 0xffff_ffff;

export interface ResourceContext {
  src: WimSource;
  compression: WimCompression;
  chunkSize: number;
  decompressor: XpressDecompressor;
}

export interface ChunkLayout {
  chunks: number;
  entrySize: 4 | 8;
  tableBytes: number;
  /** File offset of chunk 0. */
  dataStart: number;
  /** Bytes from chunk 0's start to the end of the resource. */
  dataBytes: number;
}

export function layoutOf(ctx: Pick<ResourceContext, 'chunkSize'>, res: WimResourceHeader): ChunkLayout {
  const chunks = Math.ceil(res.uncompressedSize / ctx.chunkSize);
  const entrySize = res.uncompressedSize > U32_MAX ? 8 : 4;
  const tableBytes = (chunks - 1) * entrySize;
  return { chunks, entrySize, tableBytes, dataStart: res.offset + tableBytes, dataBytes: res.sizeInWim - tableBytes };
}

/**
 * Check a resource header against the file and the WIM's compression
 * without reading it: the bounds, and that its compressed size can hold
 * its chunk table plus at least one byte and at most the uncompressed
 * size of every chunk.
 */
export function checkResource(ctx: ResourceContext, res: WimResourceHeader, what: string): void {
  if (res.flags & RESHDR_FLAG_SOLID) {
    throw new WimReadError('unsupported', `${what} is in a solid resource: provisioning packages have none`);
  }
  checkRange(ctx.src.size, res.offset, res.sizeInWim, what);
  if (res.sizeInWim > 0 && res.offset < WIM_HEADER_SIZE) {
    throw new WimReadError('corrupt', `${what} at offset ${res.offset} overlaps the WIM header`);
  }
  if (!(res.flags & RESHDR_FLAG_COMPRESSED)) {
    if (res.sizeInWim !== res.uncompressedSize) {
      throw new WimReadError('corrupt', `${what} is stored uncompressed in ${res.sizeInWim} bytes but declares ${res.uncompressedSize}`);
    }
    return;
  }
  if (ctx.compression === 'none') throw new WimReadError('corrupt', `${what} is marked compressed in an uncompressed WIM`);
  if (res.uncompressedSize === 0) throw new WimReadError('corrupt', `${what} is marked compressed but is empty`);
  const { chunks, tableBytes } = layoutOf(ctx, res);
  if (res.sizeInWim < tableBytes + chunks) {
    throw new WimReadError(
      'corrupt',
      `${what} declares ${res.uncompressedSize} bytes (${chunks} chunks) but its ${res.sizeInWim} bytes cannot hold their chunk table and data`,
    );
  }
  if (res.sizeInWim - tableBytes > res.uncompressedSize) {
    throw new WimReadError('corrupt', `${what} stores more data (${res.sizeInWim - tableBytes} bytes) than it decompresses to (${res.uncompressedSize})`);
  }
}

export interface Batch {
  first: number;
  count: number;
  /** Chunk start offsets relative to `dataStart`, count + 1 of them. */
  starts: number[];
  data: Buffer;
}

/** The chunk-table entries a batch needs: entry k holds the start of chunk k + 1. */
export function tableWindow(lay: ChunkLayout, first: number, count: number): { fromEntry: number; toEntry: number } {
  return { fromEntry: Math.max(first, 1) - 1, toEntry: Math.min(first + count, lay.chunks - 1) };
}

/**
 * Where chunks `first .. first+count` start relative to `dataStart` (count + 1
 * values; the last bounds the batch), from the table entries of
 * `tableWindow`, each chunk checked: at least one byte, at most its
 * uncompressed size, inside the resource.
 */
export function batchStarts(
  chunkSize: number,
  res: WimResourceHeader,
  lay: ChunkLayout,
  first: number,
  count: number,
  table: Buffer | undefined,
  what: string,
): number[] {
  const { fromEntry } = tableWindow(lay, first, count);
  const starts: number[] = [];
  for (let c = first; c <= first + count; c++) {
    let start: number;
    if (c === 0) start = 0;
    else if (c === lay.chunks) start = lay.dataBytes;
    else {
      const at = (c - 1 - fromEntry) * lay.entrySize;
      start = lay.entrySize === 4 ? table!.readUInt32LE(at) : table!.readUInt32LE(at + 4) * 0x1_0000_0000 + table!.readUInt32LE(at);
    }
    starts.push(start);
  }
  for (let i = 0; i < count; i++) {
    const c = first + i;
    const csize = starts[i + 1]! - starts[i]!;
    const usize = chunkUsize(chunkSize, res, lay, c);
    if (!(csize >= 1 && csize <= usize) || starts[i + 1]! > lay.dataBytes) {
      throw new WimReadError(
        'corrupt',
        `${what}: chunk ${c} of ${lay.chunks} has an invalid stored size (chunk table offsets ${starts[i]} → ${starts[i + 1]}, ${usize} bytes uncompressed, ${lay.dataBytes} bytes of chunk data)`,
      );
    }
  }
  return starts;
}

async function fetchBatch(ctx: ResourceContext, res: WimResourceHeader, lay: ChunkLayout, first: number, count: number, what: string): Promise<Batch> {
  // A resource that is one batch (most provisioning XML) is read in one go, table and chunks.
  const whole = first === 0 && first + count === lay.chunks ? await ctx.src.read(res.offset, res.sizeInWim, what) : undefined;
  const { fromEntry, toEntry } = tableWindow(lay, first, count);
  let table: Buffer | undefined;
  if (whole) table = whole.subarray(0, lay.tableBytes);
  else if (toEntry > fromEntry) {
    table = await ctx.src.read(res.offset + fromEntry * lay.entrySize, (toEntry - fromEntry) * lay.entrySize, `${what} chunk table`);
  }
  const starts = batchStarts(ctx.chunkSize, res, lay, first, count, table, what);
  const data = whole ? whole.subarray(lay.tableBytes) : await ctx.src.read(lay.dataStart + starts[0]!, starts[count]! - starts[0]!, `${what} data`);
  return { first, count, starts, data };
}

export function chunkUsize(chunkSize: number, res: WimResourceHeader, lay: ChunkLayout, c: number): number {
  return c < lay.chunks - 1 ? chunkSize : res.uncompressedSize - (lay.chunks - 1) * chunkSize;
}

/** Decodes a batch's chunks into `out` from `outPos`; returns the position after them. */
export function decodeBatch(
  ctx: Pick<ResourceContext, 'chunkSize' | 'decompressor'>,
  res: WimResourceHeader,
  lay: ChunkLayout,
  b: Batch,
  out: Buffer,
  outPos: number,
  what: string,
): number {
  const base = b.starts[0]!;
  for (let i = 0; i < b.count; i++) {
    const c = b.first + i;
    const usize = chunkUsize(ctx.chunkSize, res, lay, c);
    const chunk = b.data.subarray(b.starts[i]! - base, b.starts[i + 1]! - base);
    if (chunk.length === usize) {
      chunk.copy(out, outPos);
    } else {
      try {
        ctx.decompressor.decompress(chunk, out, outPos, usize);
      } catch (err) {
        if (err instanceof XpressDecompressError) throw new WimReadError('corrupt', `${what}: chunk ${c} of ${lay.chunks}: ${err.message}`);
        throw err;
      }
    }
    outPos += usize;
  }
  return outPos;
}

/**
 * Reads in flight ahead of the consumer. File reads go through libuv's
 * thread pool; on a busy machine one of them can take longer than decoding
 * a batch, and three outstanding reads (a few MiB) hide that.
 */
const READ_AHEAD = 3;

/** A promise whose rejection is observed even if nobody awaits it (an abandoned read-ahead). */
function prefetch<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** `start(0 .. count-1)` in order, up to READ_AHEAD of them started before their result is needed. */
async function* readAhead<T>(count: number, start: (i: number) => Promise<T>): AsyncGenerator<T> {
  const queue: Promise<T>[] = [];
  let next = 0;
  while (next < count && queue.length < READ_AHEAD) queue.push(prefetch(start(next++)));
  while (queue.length > 0) {
    const value = await queue.shift()!;
    if (next < count) queue.push(prefetch(start(next++)));
    yield value;
  }
}

/** Compressed batches, fetched ahead; batch i starts at chunk i × perBatch (planned lazily: a hostile resource may declare millions of chunks). */
function compressedBatches(ctx: ResourceContext, res: WimResourceHeader, lay: ChunkLayout, what: string): AsyncGenerator<Batch> {
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / ctx.chunkSize));
  return readAhead(Math.ceil(lay.chunks / perBatch), (i) => {
    const first = i * perBatch;
    return fetchBatch(ctx, res, lay, first, Math.min(perBatch, lay.chunks - first), what);
  });
}

/** The whole resource in one Buffer. The caller has checked `uncompressedSize` against its limit. */
export async function readResource(ctx: ResourceContext, res: WimResourceHeader, what: string): Promise<Buffer> {
  checkResource(ctx, res, what);
  if (!(res.flags & RESHDR_FLAG_COMPRESSED)) return ctx.src.read(res.offset, res.sizeInWim, what);
  const lay = layoutOf(ctx, res);
  const out = Buffer.allocUnsafe(res.uncompressedSize);
  let pos = 0;
  for await (const batch of compressedBatches(ctx, res, lay, what)) pos = decodeBatch(ctx, res, lay, batch, out, pos, what);
  return out;
}

/** The resource in pieces of about 1 MiB, each a new Buffer, read ahead of the consumer. */
export async function* streamResource(ctx: ResourceContext, res: WimResourceHeader, what: string): AsyncGenerator<Buffer> {
  checkResource(ctx, res, what);
  if (res.uncompressedSize === 0) return;
  if (!(res.flags & RESHDR_FLAG_COMPRESSED)) {
    yield* readAhead(Math.ceil(res.sizeInWim / BATCH_BYTES), (i) =>
      ctx.src.read(res.offset + i * BATCH_BYTES, Math.min(BATCH_BYTES, res.sizeInWim - i * BATCH_BYTES), what),
    );
    return;
  }
  const lay = layoutOf(ctx, res);
  for await (const batch of compressedBatches(ctx, res, lay, what)) {
    let bytes = 0;
    for (let c = batch.first; c < batch.first + batch.count; c++) bytes += chunkUsize(ctx.chunkSize, res, lay, c);
    const out = Buffer.allocUnsafe(bytes);
    decodeBatch(ctx, res, lay, batch, out, 0, what);
    yield out;
  }
}
