/**
 * Random access to the bytes of a package: a file opened once, or a Buffer
 * (tests, the fuzzer, and callers that already hold the package). Every
 * read is checked against the size seen at open, so a structure that
 * points past the end is reported as `truncated`, never read short.
 */
import { open, type FileHandle } from 'node:fs/promises';

import { WimReadError } from './errors';

export interface WimSource {
  /** Size in bytes when opened. */
  readonly size: number;
  /** The open file's descriptor, when the package is a file: worker threads read blobs through it in parallel. */
  readonly fd?: number;
  /** Exactly `length` bytes at `offset`; the range must lie within `size`. */
  read(offset: number, length: number, what: string): Promise<Buffer>;
  close(): Promise<void>;
}

export function checkRange(size: number, offset: number, length: number, what: string): void {
  if (!(offset >= 0 && length >= 0 && offset <= size && length <= size - offset)) {
    throw new WimReadError('truncated', `${what} (${length} bytes at offset ${offset}) extends past the end of the ${size}-byte file`);
  }
}

export function bufferSource(data: Uint8Array): WimSource {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    size: buf.length,
    async read(offset, length, what) {
      checkRange(buf.length, offset, length, what);
      return buf.subarray(offset, offset + length);
    },
    async close() {},
  };
}

export async function fileSource(path: string): Promise<WimSource> {
  const handle: FileHandle = await open(path, 'r');
  let size: number;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new WimReadError('not-a-wim', `${path} is not a regular file`);
    size = st.size;
  } catch (err) {
    await handle.close();
    throw err;
  }
  let closed = false;
  return {
    size,
    fd: handle.fd,
    async read(offset, length, what) {
      checkRange(size, offset, length, what);
      if (closed) throw new Error('WIM archive is closed');
      const buf = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
        // The file shrank after it was opened.
        if (bytesRead === 0) throw new WimReadError('truncated', `${what} ends early: the file was cut while being read`);
        done += bytesRead;
      }
      return buf;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
