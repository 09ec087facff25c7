/**
 * One file's data read whole, synchronously, in bounded memory: every chunk
 * decompressed, its SHA-1 checked against the blob table (or its SHA-256
 * against one the package records, see `knownSha256`), its SHA-256
 * computed, and optionally its bytes written to a new file. This is the
 * work a blob worker (`blobWorker.ts`) does for `WimArchive.digestFile`;
 * it is a plain function so that it is tested without a thread.
 *
 * Synchronous on purpose: on a worker thread nothing else waits for the
 * event loop, and `readSync`/`writeSync` into buffers reused for the whole
 * blob skip both the promise per read and the page faults of a fresh
 * buffer per batch (measured: a fresh 200 MB costs as much as hashing it).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

import { XpressDecompressor } from '../xpress/decompress';

import { WimReadError } from './errors';
import { RESHDR_FLAG_COMPRESSED, type WimResourceHeader } from './header';
import { BATCH_BYTES, batchStarts, chunkUsize, decodeBatch, layoutOf, tableWindow } from './resource';
import { checkRange } from './source';

export interface BlobDigestJob {
  /**
   * The archive's own descriptor of the package (descriptors are per
   * process, so a worker thread reads through it too: the file it reads is
   * the one that was opened, whatever happened to its path since), and the
   * size seen at open (reads past it are `truncated`). The archive keeps it
   * open until every job has ended.
   */
  packageFd: number;
  packageSize: number;
  chunkSize: number;
  /** Already checked against the file by `checkResource` when the archive was opened. */
  resource: WimResourceHeader;
  /** The SHA-1 the blob table records, lower-case hex. */
  sha1: string;
  /** For error messages: `WIM file "…"`. */
  label: string;
  /** A file to create (never overwritten: opened with `wx`) and fill with the data. */
  writeTo?: string;
  /**
   * A SHA-256 the package records for this content elsewhere (lower-case
   * hex; ICD's DataAsset folder name). Content whose SHA-256 equals it is
   * verified by it, a stronger hash than the blob table's SHA-1, and the
   * SHA-1 pass is skipped; other content is read again and held to its
   * SHA-1 as without it.
   */
  knownSha256?: string;
}

export interface BlobDigest {
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

/** Reads at absolute offsets, exactly the length asked, into a caller's buffer. */
function readExactly(fd: number, packageSize: number, buf: Buffer, length: number, offset: number, what: string): Buffer {
  checkRange(packageSize, offset, length, what);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw new WimReadError('truncated', `${what} ends early: the file was cut while being read`);
    done += n;
  }
  return buf.subarray(0, length);
}

function writeAll(fd: number, data: Buffer): void {
  for (let at = 0; at < data.length;) at += writeSync(fd, data, at);
}

/** Reuses one buffer per role, grown only when a batch needs more. */
function scratch(): (bytes: number) => Buffer {
  let buf = Buffer.alloc(0);
  return (bytes) => (buf.length >= bytes ? buf : (buf = Buffer.allocUnsafe(bytes)));
}

/** Thrown by `digestBlob` when `cancelled()` turned true; its files are closed by then. */
export class DigestCancelled extends Error {}

/** `cancelled` is asked between batches of about 1 MiB. */
export function digestBlob(job: BlobDigestJob, decompressor = new XpressDecompressor(), cancelled: () => boolean = () => false): BlobDigest {
  const { resource: res, label } = job;
  const sha1 = job.knownSha256 === undefined ? createHash('sha1') : undefined;
  const sha256 = createHash('sha256');
  const input = scratch();
  const output = scratch();
  const table = scratch();
  const fd = job.packageFd;
  const out = job.writeTo === undefined ? undefined : openSync(job.writeTo, 'wx');
  const take = (data: Buffer) => {
    if (cancelled()) throw new DigestCancelled('cancelled');
    sha1?.update(data);
    sha256.update(data);
    if (out !== undefined) writeAll(out, data);
  };
  try {
    if (!(res.flags & RESHDR_FLAG_COMPRESSED)) {
      for (let at = 0; at < res.sizeInWim; at += BATCH_BYTES) {
        const n = Math.min(BATCH_BYTES, res.sizeInWim - at);
        take(readExactly(fd, job.packageSize, input(n), n, res.offset + at, label));
      }
    } else {
      const lay = layoutOf(job, res);
      const perBatch = Math.max(1, Math.floor(BATCH_BYTES / job.chunkSize));
      for (let first = 0; first < lay.chunks; first += perBatch) {
        const count = Math.min(perBatch, lay.chunks - first);
        const { fromEntry, toEntry } = tableWindow(lay, first, count);
        const entries =
          toEntry > fromEntry
            ? readExactly(
                fd,
                job.packageSize,
                table((toEntry - fromEntry) * lay.entrySize),
                (toEntry - fromEntry) * lay.entrySize,
                res.offset + fromEntry * lay.entrySize,
                `${label} chunk table`,
              )
            : undefined;
        const starts = batchStarts(job.chunkSize, res, lay, first, count, entries, label);
        const stored = starts[count]! - starts[0]!;
        const data = readExactly(fd, job.packageSize, input(stored), stored, lay.dataStart + starts[0]!, `${label} data`);
        let bytes = 0;
        for (let c = first; c < first + count; c++) bytes += chunkUsize(job.chunkSize, res, lay, c);
        // No chunk is stored larger than it decodes to, so a batch stored in exactly its decoded size is
        // all raw chunks, back to back: its bytes are the data (an installer that does not compress).
        if (stored === bytes) {
          take(data);
          continue;
        }
        const decoded = output(bytes).subarray(0, bytes);
        decodeBatch({ chunkSize: job.chunkSize, decompressor }, res, lay, { first, count, starts, data }, decoded, 0, label);
        take(decoded);
      }
    }
  } finally {
    if (out !== undefined) closeSync(out);
  }
  const digest = { size: res.uncompressedSize, sha256: sha256.digest('hex') };
  if (sha1) {
    if (sha1.digest('hex') !== job.sha1) throw new WimReadError('hash-mismatch', `${label} does not match its SHA-1 (the package is damaged)`);
  } else if (digest.sha256 !== job.knownSha256) {
    // Not the content the package recorded: damaged (the SHA-1 fails, and this throws) or changed after
    // the package was built (the SHA-1 holds, and the caller compares the SHA-256 it gets).
    digestBlob({ ...job, knownSha256: undefined, writeTo: undefined }, decompressor, cancelled);
  }
  return digest;
}
