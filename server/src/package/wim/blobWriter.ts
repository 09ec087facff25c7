/**
 * Streams file data into the WIM as blobs, hashing with SHA-1 while
 * writing, compressing when that makes a blob smaller (`resource.ts`), and
 * deduplicating identical contents.
 *
 * Dedup without a second read: each content is written at the current end
 * of the blob area while it is hashed; if the finished hash is already
 * known, the end is simply not advanced, so the next blob (or the metadata
 * resource) overwrites the duplicate bytes. The writer truncates the file
 * to its final length at the end. wimlib deduplicates the same way after
 * the fact (docs/wim-container.md §What the writer writes, in file order: one blob per content).
 *
 * A file on disk is compressed while it streams: the chunk table's room is
 * reserved, chunks follow as they are compressed, and the table is written
 * last. Nothing holds more than two 1 MiB blocks of it. If its first chunks
 * do not shrink (packed installers, images), or the finished resource is not
 * smaller than the file, the file is read again and stored raw in the same
 * place; the second read must hash the same, or the file changed under us.
 *
 * Throughput: the read of the next 1 MiB block runs while the current one is
 * hashed and compressed, and its output written (positional writes on the
 * single output handle).
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

import { ChunkEncoder, chunkCount, chunkTableSize, compressResource, encodeChunkTable, MAX_COMPRESSED_RESOURCE_SIZE } from './resource';
import type { WimFileNode } from './tree';
import { WIM_CHUNK_SIZE } from './header';
import { XpressCompressor } from './xpress/compress';

/** Read size: a whole number of WIM chunks, so chunks never straddle two reads. */
export const IO_CHUNK = 1 << 20;

export interface StoredBlob {
  offset: number;
  /** Uncompressed size. */
  size: number;
  /** Bytes in the WIM: `size` when raw, chunk table plus chunks when compressed. */
  sizeInWim: number;
  compressed: boolean;
  sha1: Buffer;
  refCount: number;
}

export function abortError(signal: AbortSignal): Error {
  const err = new Error('The WIM build was aborted', { cause: signal.reason }) as Error & { code: string };
  err.name = 'AbortError';
  err.code = 'ABORT_ERR';
  return err;
}

function describe(node: WimFileNode, sourcePath: string): string {
  return `WIM source file '${sourcePath}' (image path '${node.path}')`;
}

/** Turn an fs error into one that names the file; a vanished file gets a plain sentence. */
export function sourceError(node: WimFileNode, sourcePath: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new Error(`${describe(node, sourcePath)} no longer exists; it vanished during the build`, { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`Cannot read ${describe(node, sourcePath)}: ${msg}`, { cause: err });
}

export function sizeChangedError(node: WimFileNode, sourcePath: string, expected: number, actual: number): Error {
  return new Error(`${describe(node, sourcePath)} changed size during the build (expected ${expected} bytes, found ${actual}); rebuild once it is stable`);
}

function contentChangedError(node: WimFileNode, sourcePath: string): Error {
  return new Error(`${describe(node, sourcePath)} changed during the build (its content differs between two reads); rebuild once it is stable`);
}

/** Keep a promise's rejection from counting as unhandled while other work runs; awaiting it later still throws. */
function settleLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export async function writeFully(out: FileHandle, buf: Buffer, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await out.write(buf, done, length - done, position + done);
    if (bytesWritten <= 0) throw new Error('WIM output write made no progress');
    done += bytesWritten;
  }
}

export class BlobWriter {
  /** End of the blob area: where the next unique blob (then the metadata) goes. */
  offset: number;
  /** Unique blobs in the order written: the blob-table order. */
  readonly blobs: StoredBlob[] = [];
  private readonly byHash = new Map<string, StoredBlob>();
  /** Two read blocks and two output blocks (a block's chunks never grow: raw is the fallback). */
  private readonly buffers: [Buffer, Buffer];
  private readonly staging: [Buffer, Buffer];
  private readonly compressor = new XpressCompressor();
  private bytesDone = 0;

  constructor(
    private readonly out: FileHandle,
    startOffset: number,
    private readonly bytesTotal: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onProgress: ((done: number, total: number) => void) | undefined,
    /** False under an uncompressed header: every blob raw. */
    private readonly compress: boolean,
  ) {
    this.offset = startOffset;
    this.buffers = [Buffer.allocUnsafe(IO_CHUNK), Buffer.allocUnsafe(IO_CHUNK)];
    this.staging = [Buffer.allocUnsafe(IO_CHUNK), Buffer.allocUnsafe(IO_CHUNK)];
  }

  /** Compress the metadata resource: always compressed, as in every ICD package. */
  compressMetadata(metadata: Buffer): Buffer {
    return compressResource(metadata, 'always', this.compressor)!;
  }

  private checkAbort(): void {
    if (this.signal?.aborted) throw abortError(this.signal);
  }

  private progress(n: number): void {
    if (n <= 0) return;
    this.bytesDone += n;
    this.onProgress?.(this.bytesDone, this.bytesTotal);
  }

  private worthCompressing(size: number): boolean {
    return this.compress && size > 0 && size <= MAX_COMPRESSED_RESOURCE_SIZE;
  }

  /** Record a finished content written at `at`; a new content keeps its bytes, a duplicate gives them back. */
  private commit(node: WimFileNode, sha1: Buffer, size: number, at: number, sizeInWim: number, compressed: boolean): void {
    node.size = size;
    if (size === 0) {
      // Empty files get no blob and an all-zero hash (docs/wim-container.md §Byte layout).
      node.sha1 = undefined;
      return;
    }
    node.sha1 = sha1;
    const key = sha1.toString('hex');
    const existing = this.byHash.get(key);
    if (existing && existing.size === size) {
      existing.refCount++;
      return; // leave `offset` alone: the duplicate bytes get overwritten
    }
    const blob: StoredBlob = { offset: at, size, sizeInWim, compressed, sha1, refCount: 1 };
    this.byHash.set(key, blob);
    this.blobs.push(blob);
    this.offset = at + sizeInWim;
  }

  async addBuffer(node: WimFileNode, data: Buffer): Promise<void> {
    this.checkAbort();
    const sha1 = createHash('sha1').update(data).digest();
    const isDuplicate = data.length > 0 && this.byHash.has(sha1.toString('hex'));
    const at = this.offset;
    let stored = data;
    if (data.length > 0 && !isDuplicate) {
      const packed = this.worthCompressing(data.length) ? compressResource(data, 'adaptive', this.compressor) : undefined;
      stored = packed ?? data;
      await writeFully(this.out, stored, stored.length, at);
    }
    this.commit(node, sha1, data.length, at, stored.length, stored !== data);
    this.progress(data.length);
  }

  /**
   * Stream one file. `expectedSize` is what the up-front stat saw; any
   * difference by the time the data is read means the file is being changed
   * under us, and the build fails naming it.
   */
  async addFile(node: WimFileNode, sourcePath: string, expectedSize: number): Promise<void> {
    this.checkAbort();
    let fh: FileHandle;
    try {
      fh = await open(sourcePath, 'r');
    } catch (err) {
      throw sourceError(node, sourcePath, err);
    }
    try {
      let size: number;
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new Error('it is not a regular file');
        size = st.size;
      } catch (err) {
        throw sourceError(node, sourcePath, err);
      }
      if (size !== expectedSize) throw sizeChangedError(node, sourcePath, expectedSize, size);

      const file: OpenSource = { fh, node, sourcePath, size, reported: 0 };
      let firstPassSha1: Buffer | undefined;
      if (this.worthCompressing(size)) {
        const result = await this.streamCompressed(file);
        if (result === 'stored') return;
        if (result !== 'given-up') firstPassSha1 = result.sha1;
      }
      const sha1 = await this.streamRaw(file);
      if (firstPassSha1 && !firstPassSha1.equals(sha1)) throw contentChangedError(node, sourcePath);
    } finally {
      await fh.close();
    }
  }

  /** Progress for a file counts each byte once, however many passes read it. */
  private advance(file: OpenSource, pos: number): void {
    if (pos > file.reported) {
      this.progress(pos - file.reported);
      file.reported = pos;
    }
  }

  /**
   * First pass: hash and compress chunk by chunk at the end of the blob
   * area. Returns 'stored' when the compressed resource is kept, 'given-up'
   * when the first chunks did not shrink, or the content's hash when the
   * whole resource came out no smaller than the file.
   */
  private async streamCompressed(file: OpenSource): Promise<'stored' | 'given-up' | { sha1: Buffer }> {
    const { node, sourcePath, size } = file;
    const start = this.offset;
    const count = chunkCount(size);
    const tableBytes = chunkTableSize(size);
    const ends = new Uint32Array(count);
    const encoder = new ChunkEncoder(this.compressor, 'adaptive');
    const hash = createHash('sha1');
    const { buffers: bufs, staging } = this;
    let chunkIndex = 0;
    let stored = 0; // chunk bytes written after the table
    let pos = 0;
    let cur = 0;
    let writing: Promise<void> = Promise.resolve();
    let reading: Promise<number> = settleLater(this.readBlock(file, bufs[0], 0));
    try {
      for (let n = await reading; n > 0; cur ^= 1) {
        this.checkAbort();
        pos += n;
        if (pos > size) throw sizeChangedError(node, sourcePath, size, pos);
        const buf = bufs[cur]!;
        // A short block is the end of the file; a file that grew shows up in one more read.
        reading = settleLater(n === IO_CHUNK ? this.readBlock(file, bufs[cur ^ 1]!, pos) : Promise.resolve(0));
        hash.update(n === IO_CHUNK ? buf : buf.subarray(0, n));
        const out = staging[cur]!;
        let outLen = 0;
        for (let o = 0; o < n; o += WIM_CHUNK_SIZE) {
          outLen += encoder.store(buf.subarray(o, Math.min(o + WIM_CHUNK_SIZE, n)), out, outLen);
          if (encoder.givenUp) {
            await writing;
            return 'given-up';
          }
          ends[chunkIndex++] = stored + outLen;
        }
        await writing; // the previous block's output, from the other staging buffer
        writing = settleLater(writeFully(this.out, out, outLen, start + tableBytes + stored));
        stored += outLen;
        n = await reading;
        this.advance(file, pos);
      }
      await writing;
    } finally {
      // Leave nothing in flight on any exit (the raw pass reuses the buffers).
      await Promise.allSettled([writing, reading]);
    }
    if (pos !== size) throw sizeChangedError(node, sourcePath, size, pos);
    const sha1 = hash.digest();
    const sizeInWim = tableBytes + stored;
    if (sizeInWim >= size) return { sha1 };
    await writeFully(this.out, encodeChunkTable(ends, count), tableBytes, start);
    this.commit(node, sha1, size, start, sizeInWim, true);
    return 'stored';
  }

  /** Hash and copy the file as one raw resource at the end of the blob area. Returns its hash. */
  private async streamRaw(file: OpenSource): Promise<Buffer> {
    const { node, sourcePath, size } = file;
    const hash = createHash('sha1');
    const start = this.offset;
    const bufs = this.buffers;
    let pos = 0;
    let cur = 0;
    let n = await this.readBlock(file, bufs[0], 0);
    while (n > 0) {
      this.checkAbort();
      pos += n;
      if (pos > size) throw sizeChangedError(node, sourcePath, size, pos);
      const buf = bufs[cur]!;
      const writing = writeFully(this.out, buf, n, start + pos - n);
      const reading = n === IO_CHUNK ? this.readBlock(file, bufs[cur ^ 1]!, pos) : Promise.resolve(0);
      // Hash while both I/Os run on the thread pool. `buf` is not touched
      // again until both have settled.
      hash.update(n === IO_CHUNK ? buf : buf.subarray(0, n));
      const [, next] = await Promise.all([writing, reading]);
      this.advance(file, pos);
      n = next;
      cur ^= 1;
    }
    if (pos !== size) throw sizeChangedError(node, sourcePath, size, pos);
    const sha1 = hash.digest();
    this.commit(node, sha1, pos, start, pos, false);
    return sha1;
  }

  /** Fill `buf` from `position` up to IO_CHUNK bytes, stopping early only at end of file. */
  private async readBlock(file: OpenSource, buf: Buffer, position: number): Promise<number> {
    let got = 0;
    try {
      while (got < IO_CHUNK) {
        const { bytesRead } = await file.fh.read(buf, got, IO_CHUNK - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (err) {
      throw sourceError(file.node, file.sourcePath, err);
    }
    return got;
  }
}

interface OpenSource {
  fh: FileHandle;
  node: WimFileNode;
  sourcePath: string;
  size: number;
  /** Bytes of this file already counted in progress. */
  reported: number;
}
