/**
 * The entry of a blob worker thread (bundled alone as dist/wimBlobWorker.js,
 * so a thread loads the reader, not the whole CLI): it runs `digestBlob`
 * for each job the pool posts and answers with the digest or the error, in
 * a form that survives the structured clone (`blobPool.ts` rebuilds it).
 */
import { parentPort } from 'node:worker_threads';

import { XpressDecompressor } from '../xpress/decompress';

import { DigestCancelled, digestBlob, type BlobDigestJob } from './blobDigest';
import { WimReadError } from './errors';

export interface BlobWorkerRequest {
  id: number;
  job: BlobDigestJob;
  /** One Int32: the pool stores 1 to cancel the job (read between batches). */
  cancel: SharedArrayBuffer;
}

export type BlobWorkerReply =
  | { id: number; digest: { size: number; sha256: string } }
  | { id: number; cancelled: true }
  | { id: number; error: { wim: boolean; code?: string; message: string; syscall?: string; path?: string } };

const decompressor = new XpressDecompressor();

parentPort?.on('message', ({ id, job, cancel }: BlobWorkerRequest) => {
  const flag = new Int32Array(cancel);
  let reply: BlobWorkerReply;
  try {
    reply = { id, digest: digestBlob(job, decompressor, () => Atomics.load(flag, 0) !== 0) };
  } catch (err) {
    if (err instanceof DigestCancelled) return void parentPort!.postMessage({ id, cancelled: true } satisfies BlobWorkerReply);
    const e = err as NodeJS.ErrnoException;
    reply = { id, error: { wim: err instanceof WimReadError, code: e?.code, message: String(e?.message ?? err), syscall: e?.syscall, path: e?.path } };
  }
  parentPort!.postMessage(reply);
});
