/**
 * `openWim`: a package opened for reading. Opening reads and checks
 * everything except file data: header, blob table, image XML, the metadata
 * resource (verified against its SHA-1) and the whole directory tree. File
 * data is read on demand, decompressed chunk by chunk, and verified against
 * its SHA-1 before (readFile) or as (streamFile) it is handed out, or read
 * whole on worker threads (digestFile).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

import { XpressDecompressor } from '../xpress/decompress';

import type { BlobDigest } from './blobDigest';
import { createBlobPool, type BlobPool } from './blobPool';
import { BLOB_DESCRIPTOR_SIZE, parseBlobTable, type BlobDescriptor } from './blobTable';
import { WimReadError } from './errors';
import { parseHeader, WIM_HEADER_SIZE, type WimHeaderInfo } from './header';
import { limitError, resolveLimits, type WimReadLimits } from './limits';
import { checkResource, readResource, streamResource, type ResourceContext } from './resource';
import { parseSecurityData } from './security';
import { bufferSource, fileSource, type WimSource } from './source';
import { readTree } from './tree';
import type { WimEntry, WimStream } from './types';
import { decodeXmlData } from './xml';

export interface WimArchive {
  header: WimHeaderInfo;
  /** The image XML as text (BOM removed). */
  xml: string;
  /** Text-only children of `<IMAGE INDEX="1">` in document order: NAME, DESCRIPTION, NOTES, …; empty elements give ''. */
  imageProperties: [string, string][];
  /** Self-relative security descriptors; `WimEntry.securityId` indexes this. */
  securityDescriptors: Buffer[];
  /** The image's root directory (its security id and times; path and name ''). */
  root: WimEntry;
  /** Every file and directory below the root, pre-order, children in stored order. */
  entries: WimEntry[];
  /** Blob-table entries no entry references (ICD leaves superseded DataAsset.xml versions). */
  unreferencedBlobs: number;
  /**
   * The whole content of a file (its unnamed stream) or of a named stream,
   * SHA-1 verified. Refuses, with a `limit` error, data larger than
   * `maxBytes` (default: the `maxFileBytes` limit).
   */
  readFile(target: WimEntry | WimStream, opts?: { maxBytes?: number }): Promise<Buffer>;
  /**
   * The content in pieces of about 1 MiB, in bounded memory. The SHA-1 is
   * checked after the last piece: a `hash-mismatch` thrown then means every
   * piece already handed out must be discarded.
   */
  streamFile(target: WimEntry | WimStream): AsyncIterable<Buffer>;
  /**
   * Reads the content whole, checks its SHA-1, and gives its size and
   * SHA-256; with `writeTo`, also creates that file (which must not exist)
   * holding the content. Files of a package opened from disk are read on
   * worker threads, several at once when called together, largest first.
   * Cancelled by `signal` (rejecting with its reason) within about 1 MiB of
   * data, with its files closed.
   *
   * `knownSha256` is a SHA-256 the package records for this content
   * elsewhere (ICD's DataAsset folder name): content that matches it is
   * verified by it, and a worker skips the SHA-1 pass; content that does
   * not is read again and held to its SHA-1 as always.
   */
  digestFile(target: WimEntry | WimStream, opts?: DigestOptions): Promise<BlobDigest>;
  close(): Promise<void>;
}

export interface DigestOptions {
  writeTo?: string;
  signal?: AbortSignal;
  /** Lower-case hex. */
  knownSha256?: string;
}

/** Smaller files are read on the calling thread: a worker's message round trip and start cost more than they save. */
export const WORKER_MIN_BYTES = 1024 * 1024;

/** Open a package file. */
export async function openWim(path: string, limits?: Partial<WimReadLimits>): Promise<WimArchive> {
  const resolved = resolveLimits(limits);
  const src = await fileSource(path);
  try {
    return await load(src, resolved);
  } catch (err) {
    await src.close();
    throw err;
  }
}

/** Open a package already in memory. */
export async function openWimBuffer(data: Uint8Array, limits?: Partial<WimReadLimits>): Promise<WimArchive> {
  return load(bufferSource(data), resolveLimits(limits));
}

async function load(src: WimSource, limits: WimReadLimits): Promise<WimArchive> {
  const header = parseHeader(await src.read(0, Math.min(WIM_HEADER_SIZE, src.size), 'WIM header'), src.size);
  const ctx: ResourceContext = { src, compression: header.compression, chunkSize: header.chunkSize, decompressor: new XpressDecompressor() };

  // Blob table.
  const tableRes = header.blobTable;
  checkResource(ctx, tableRes, 'WIM blob table');
  const tableEntries = Math.floor(tableRes.uncompressedSize / BLOB_DESCRIPTOR_SIZE);
  if (tableEntries > limits.maxBlobs) throw limitError(`WIM blob table of ${tableEntries} entries`, 'maxBlobs', limits.maxBlobs);
  const table = parseBlobTable(await readResource(ctx, tableRes, 'WIM blob table'));
  if (table.metadata.length !== header.imageCount) {
    throw new WimReadError('corrupt', `WIM blob table lists ${table.metadata.length} metadata resources for ${header.imageCount} image(s)`);
  }
  for (const blob of table.blobs.values()) checkResource(ctx, blob.resource, `WIM blob ${blob.sha1}`);

  // Image XML.
  const xmlRes = header.xmlData;
  if (xmlRes.uncompressedSize > limits.maxXmlBytes) {
    throw limitError(`WIM image XML of ${xmlRes.uncompressedSize} bytes`, 'maxXmlBytes', limits.maxXmlBytes);
  }
  const xml = decodeXmlData(await readResource(ctx, xmlRes, 'WIM image XML'));

  // Metadata resource of image 1: security data, then the directory tree.
  const metaBlob = table.metadata[0]!;
  if (metaBlob.resource.uncompressedSize > limits.maxMetadataBytes) {
    throw limitError(`WIM metadata resource of ${metaBlob.resource.uncompressedSize} bytes`, 'maxMetadataBytes', limits.maxMetadataBytes);
  }
  const meta = await readResource(ctx, metaBlob.resource, 'WIM metadata resource');
  if (createHash('sha1').update(meta).digest('hex') !== metaBlob.sha1) {
    throw new WimReadError('hash-mismatch', 'WIM metadata resource does not match its SHA-1 in the blob table');
  }
  const security = parseSecurityData(meta, limits);
  const tree = readTree({
    meta,
    rootOffset: security.end,
    securityDescriptorCount: security.descriptors.length,
    blobs: table.blobs,
    limits,
  });

  return new Archive(ctx, limits, table.blobs, {
    header,
    xml: xml.text,
    imageProperties: xml.properties,
    securityDescriptors: security.descriptors,
    root: tree.root,
    entries: tree.entries,
    unreferencedBlobs: table.blobs.size - tree.referenced.size + table.duplicates,
  });
}

type ArchiveData = Omit<WimArchive, 'readFile' | 'streamFile' | 'digestFile' | 'close'>;

class Archive implements WimArchive {
  readonly header: WimHeaderInfo;
  readonly xml: string;
  readonly imageProperties: [string, string][];
  readonly securityDescriptors: Buffer[];
  readonly root: WimEntry;
  readonly entries: WimEntry[];
  readonly unreferencedBlobs: number;
  /** Started on the first large file; undefined until then, null when no worker can run. */
  private pool: BlobPool | null | undefined;

  constructor(
    private readonly ctx: ResourceContext,
    private readonly limits: WimReadLimits,
    private readonly blobs: Map<string, BlobDescriptor>,
    data: ArchiveData,
  ) {
    this.header = data.header;
    this.xml = data.xml;
    this.imageProperties = data.imageProperties;
    this.securityDescriptors = data.securityDescriptors;
    this.root = data.root;
    this.entries = data.entries;
    this.unreferencedBlobs = data.unreferencedBlobs;
  }

  private blobOf(target: WimEntry | WimStream): BlobDescriptor | undefined {
    if ('isDirectory' in target && target.isDirectory) throw new TypeError(`'${target.path}' is a directory`);
    if (target.sha1 === undefined) return undefined;
    const blob = this.blobs.get(target.sha1);
    if (!blob) throw new TypeError(`no data with SHA-1 ${target.sha1} in this package`);
    return blob;
  }

  async readFile(target: WimEntry | WimStream, opts: { maxBytes?: number } = {}): Promise<Buffer> {
    const blob = this.blobOf(target);
    if (!blob) return Buffer.alloc(0);
    const max = opts.maxBytes ?? this.limits.maxFileBytes;
    const size = blob.resource.uncompressedSize;
    if (size > max) {
      throw opts.maxBytes === undefined
        ? limitError(`${label(target)} of ${size} bytes`, 'maxFileBytes', max)
        : new WimReadError('limit', `${label(target)} of ${size} bytes exceeds the ${max}-byte maximum the caller allowed`);
    }
    const data = await readResource(this.ctx, blob.resource, label(target));
    if (createHash('sha1').update(data).digest('hex') !== blob.sha1) throw mismatch(target);
    return data;
  }

  streamFile(target: WimEntry | WimStream): AsyncIterable<Buffer> {
    const blob = this.blobOf(target);
    const ctx = this.ctx;
    return {
      async *[Symbol.asyncIterator]() {
        if (!blob) return;
        const hash = createHash('sha1');
        for await (const piece of streamResource(ctx, blob.resource, label(target))) {
          hash.update(piece);
          yield piece;
        }
        if (hash.digest('hex') !== blob.sha1) throw mismatch(target);
      },
    };
  }

  async digestFile(target: WimEntry | WimStream, opts: DigestOptions = {}): Promise<BlobDigest> {
    const blob = this.blobOf(target);
    const src = this.ctx.src;
    if (blob && src.fd !== undefined && blob.resource.uncompressedSize >= WORKER_MIN_BYTES) {
      if (this.pool === undefined) this.pool = createBlobPool() ?? null;
      if (this.pool) {
        return this.pool.digest(
          {
            packageFd: src.fd,
            packageSize: src.size,
            chunkSize: this.ctx.chunkSize,
            resource: blob.resource,
            sha1: blob.sha1,
            label: label(target),
            writeTo: opts.writeTo,
            knownSha256: opts.knownSha256,
          },
          opts.signal,
        );
      }
    }
    const sha256 = createHash('sha256');
    let size = 0;
    const fd = opts.writeTo === undefined ? undefined : openSync(opts.writeTo, 'wx');
    try {
      for await (const piece of this.streamFile(target)) {
        if (opts.signal?.aborted) throw (opts.signal.reason as Error | undefined) ?? new Error('aborted');
        sha256.update(piece);
        size += piece.length;
        // Synchronous: the page cache takes a piece at once, and the thread does not sit idle between pieces.
        if (fd !== undefined) for (let at = 0; at < piece.length;) at += writeSync(fd, piece, at);
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return { size, sha256: sha256.digest('hex') };
  }

  async close(): Promise<void> {
    await this.pool?.close();
    return this.ctx.src.close();
  }
}

function label(target: WimEntry | WimStream): string {
  return 'path' in target ? `WIM file ${JSON.stringify(target.path)}` : `WIM stream ${JSON.stringify(target.name)}`;
}

function mismatch(target: WimEntry | WimStream): WimReadError {
  return new WimReadError('hash-mismatch', `${label(target)} does not match its SHA-1 (the package is damaged)`);
}
