/**
 * Streams file data into the WIM as uncompressed blobs, hashing with SHA-1
 * while writing, and deduplicating identical contents.
 *
 * Dedup without a second read: each content is written at the current end
 * of the blob area while it is hashed; if the finished hash is already
 * known, the end is simply not advanced, so the next blob (or the metadata
 * resource) overwrites the duplicate bytes. The writer truncates the file
 * to its final length at the end. wimlib deduplicates the same way after
 * the fact (ppkg-format.md §8.2: one blob per unique content).
 *
 * Throughput: one 1 MiB buffer pair allocated per build; while one buffer is
 * hashed and written (positional write on the single output handle), the
 * next chunk is read into the other.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';

import type { WimFileNode } from './tree';

export const IO_CHUNK = 1 << 20;

export interface StoredBlob {
  offset: number;
  size: number;
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
  return new Error(
    `${describe(node, sourcePath)} changed size during the build (expected ${expected} bytes, found ${actual}); rebuild once it is stable`,
  );
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
  private readonly buffers: [Buffer, Buffer];
  private bytesDone = 0;

  constructor(
    private readonly out: FileHandle,
    startOffset: number,
    private readonly bytesTotal: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onProgress: ((done: number, total: number) => void) | undefined,
  ) {
    this.offset = startOffset;
    this.buffers = [Buffer.allocUnsafe(IO_CHUNK), Buffer.allocUnsafe(IO_CHUNK)];
  }

  private checkAbort(): void {
    if (this.signal?.aborted) throw abortError(this.signal);
  }

  private progress(n: number): void {
    this.bytesDone += n;
    this.onProgress?.(this.bytesDone, this.bytesTotal);
  }

  /** Record a finished content written at `at`; a new content keeps its bytes, a duplicate gives them back. */
  private commit(node: WimFileNode, sha1: Buffer, size: number, at: number): void {
    node.size = size;
    if (size === 0) {
      // Empty files get no blob and an all-zero hash (§8.5).
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
    const blob: StoredBlob = { offset: at, size, sha1, refCount: 1 };
    this.byHash.set(key, blob);
    this.blobs.push(blob);
    this.offset = at + size;
  }

  async addBuffer(node: WimFileNode, data: Buffer): Promise<void> {
    this.checkAbort();
    const sha1 = createHash('sha1').update(data).digest();
    const isDuplicate = data.length > 0 && this.byHash.has(sha1.toString('hex'));
    const at = this.offset;
    if (data.length > 0 && !isDuplicate) await writeFully(this.out, data, data.length, at);
    this.commit(node, sha1, data.length, at);
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

      const hash = createHash('sha1');
      const start = this.offset;
      const bufs = this.buffers;
      let cur = 0;
      let pos = 0;
      let n = await this.read(fh, node, sourcePath, bufs[0], 0);
      while (n > 0) {
        this.checkAbort();
        pos += n;
        if (pos > expectedSize) throw sizeChangedError(node, sourcePath, expectedSize, pos);
        const buf = bufs[cur]!;
        const writing = writeFully(this.out, buf, n, start + pos - n);
        // A short read that reaches the stat size is end of file; otherwise
        // read ahead into the other buffer (a file that grew shows up there).
        const more = n === IO_CHUNK || pos < expectedSize;
        const reading = more ? this.read(fh, node, sourcePath, bufs[cur ^ 1]!, pos) : Promise.resolve(0);
        // Hash while both I/Os run on the thread pool. `buf` is not touched
        // again until both have settled.
        hash.update(n === IO_CHUNK ? buf : buf.subarray(0, n));
        const [, next] = await Promise.all([writing, reading]);
        this.progress(n);
        n = next;
        cur ^= 1;
      }
      if (pos !== expectedSize) throw sizeChangedError(node, sourcePath, expectedSize, pos);
      this.commit(node, hash.digest(), pos, start);
    } finally {
      await fh.close();
    }
  }

  private async read(fh: FileHandle, node: WimFileNode, sourcePath: string, buf: Buffer, position: number): Promise<number> {
    try {
      const { bytesRead } = await fh.read(buf, 0, IO_CHUNK, position);
      return bytesRead;
    } catch (err) {
      throw sourceError(node, sourcePath, err);
    }
  }
}
