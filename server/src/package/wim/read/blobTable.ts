/**
 * The blob table (wimlib `src/blob_table.c`, docs/wim-container.md §Byte layout): one
 * 50-byte descriptor per stored resource, keyed by the SHA-1 of its
 * uncompressed content. Metadata resources carry the METADATA flag and come
 * in image order.
 */
import { WimReadError } from './errors';
import { parseResourceHeader, RESHDR_FLAG_METADATA, type WimResourceHeader } from './header';

export const BLOB_DESCRIPTOR_SIZE = 50;

export interface BlobDescriptor {
  resource: WimResourceHeader;
  refCount: number;
  /** Lower-case hex. */
  sha1: string;
}

export interface BlobTable {
  /** Metadata resources, in table order (one per image). */
  metadata: BlobDescriptor[];
  /** File data by SHA-1. */
  blobs: Map<string, BlobDescriptor>;
  /** Entries whose hash was already listed; wimlib keeps the first one too. */
  duplicates: number;
}

export function parseBlobTable(buf: Buffer): BlobTable {
  if (buf.length % BLOB_DESCRIPTOR_SIZE !== 0) {
    throw new WimReadError('corrupt', `WIM blob table of ${buf.length} bytes is not a whole number of ${BLOB_DESCRIPTOR_SIZE}-byte entries`);
  }
  const metadata: BlobDescriptor[] = [];
  const blobs = new Map<string, BlobDescriptor>();
  let duplicates = 0;
  for (let at = 0, i = 0; at < buf.length; at += BLOB_DESCRIPTOR_SIZE, i++) {
    const resource = parseResourceHeader(buf, at);
    const partNumber = buf.readUInt16LE(at + 24);
    if (partNumber !== 1) throw new WimReadError('corrupt', `WIM blob table entry ${i} belongs to part ${partNumber} of a one-part WIM`);
    const d: BlobDescriptor = {
      resource,
      refCount: buf.readUInt32LE(at + 26),
      sha1: buf.toString('hex', at + 30, at + 50),
    };
    if (resource.flags & RESHDR_FLAG_METADATA) {
      metadata.push(d);
    } else if (blobs.has(d.sha1)) {
      duplicates++;
    } else {
      blobs.set(d.sha1, d);
    }
  }
  return { metadata, blobs, duplicates };
}
