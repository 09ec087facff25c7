/**
 * The blob table (a.k.a. lookup table): one 50-byte descriptor per stored
 * resource, keyed by SHA-1. docs/wim-container.md §Byte layout (wimlib `src/blob_table.c`,
 * `struct blob_descriptor_disk`). It is always stored uncompressed because
 * Microsoft's readers cannot read a compressed one (docs/wim-container.md §What the writer writes, in file order).
 */
import { RESHDR_SIZE, type ResourceHeader, writeResourceHeader } from './header';

export const BLOB_DESCRIPTOR_SIZE = RESHDR_SIZE + 2 + 4 + 20; // 50

export interface BlobDescriptor {
  resource: ResourceHeader;
  /** Number of dentries that reference the blob (1 for the metadata resource). */
  refCount: number;
  sha1: Buffer;
}

/**
 * Encode the table. The caller passes the metadata resource first, as wimlib
 * does (`write_blob_table`): readers match metadata entries to images in order.
 */
export function encodeBlobTable(entries: readonly BlobDescriptor[]): Buffer {
  const buf = Buffer.alloc(entries.length * BLOB_DESCRIPTOR_SIZE);
  let at = 0;
  for (const e of entries) {
    if (e.sha1.length !== 20) throw new Error('blob SHA-1 must be 20 bytes');
    writeResourceHeader(buf, at, e.resource);
    buf.writeUInt16LE(1, at + RESHDR_SIZE); // part_number: single-part WIM
    buf.writeUInt32LE(e.refCount, at + RESHDR_SIZE + 2);
    e.sha1.copy(buf, at + RESHDR_SIZE + 6);
    at += BLOB_DESCRIPTOR_SIZE;
  }
  return buf;
}
