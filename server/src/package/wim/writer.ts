/**
 * Orchestration: entries → a single-image WIM, in the file order of ICD's
 * packages and wimlib's (docs/wim-container.md §What the writer writes, in file order):
 *
 *   header (208 bytes, written last) | file blobs | metadata resource |
 *   blob table | XML data
 *
 * ICD also leaves an unreferenced stub (a copy of the root's descriptor and
 * an empty root dentry) between the header and the first blob; readers
 * ignore it and it is not written here. No integrity table (docs/wim-container.md §Byte layout).
 * Everything is a pure function of the entries' paths and contents and of
 * `image`, so the same inputs give a byte-identical file.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';

import { encodeBlobTable, type BlobDescriptor } from './blobTable';
import { abortError, BlobWriter, sourceError, writeFully } from './blobWriter';
import { encodeHeader, RESHDR_FLAG_COMPRESSED, RESHDR_FLAG_METADATA, WIM_HEADER_SIZE } from './header';
import { encodeMetadata } from './metadata';
import { toFileTime } from './time';
import { buildTree, countDirs, filesInOrder } from './tree';
import type { WimFileEntry, WimImageOptions } from './types';
import { encodeXmlData, validateProperties } from './xmlData';

export async function writeWim(outputPath: string, entries: WimFileEntry[], image: WimImageOptions): Promise<{ bytes: number }> {
  const { signal } = image;
  if (signal?.aborted) throw abortError(signal);

  // Validate everything that can be checked before touching the output.
  if (!Buffer.isBuffer(image.guid) || image.guid.length !== 16) throw new Error('WIM GUID must be a 16-byte Buffer');
  const fileTime = toFileTime(image.timestamp);
  validateProperties(image.properties, image.trailingProperties);
  const compression = image.headerCompression ?? 'xpress';
  const root = buildTree(entries);
  const files = filesInOrder(root);

  // Sizes up front: the progress total, and the reference against which a
  // file that changes during the build is detected.
  const expected = new Map<(typeof files)[number], number>();
  let bytesTotal = 0;
  for (const f of files) {
    let size: number;
    if (f.source.kind === 'buffer') {
      size = f.source.data.length;
    } else {
      try {
        size = (await stat(f.source.path)).size;
      } catch (err) {
        throw sourceError(f, f.source.path, err);
      }
    }
    expected.set(f, size);
    bytesTotal += size;
  }
  if (signal?.aborted) throw abortError(signal);

  const out = await open(outputPath, 'w');
  try {
    // 1. File data, right after the header.
    const blobs = new BlobWriter(out, WIM_HEADER_SIZE, bytesTotal, signal, image.onProgress, compression === 'xpress');
    for (const f of files) {
      if (f.source.kind === 'buffer') await blobs.addBuffer(f, f.source.data);
      else await blobs.addFile(f, f.source.path, expected.get(f)!);
    }
    if (signal?.aborted) throw abortError(signal);

    // 2. Metadata resource (security data + dentries), XPRESS-compressed as
    // in every ICD package (docs/wim-container.md §Compression); its SHA-1 is that of the uncompressed bytes.
    const metadata = encodeMetadata(root, fileTime);
    const storedMetadata = compression === 'xpress' ? blobs.compressMetadata(metadata) : metadata;
    const metadataFlags = RESHDR_FLAG_METADATA | (storedMetadata === metadata ? 0 : RESHDR_FLAG_COMPRESSED);
    const metadataOffset = blobs.offset;
    await writeAll(out, storedMetadata, metadataOffset);

    // 3. Blob table: metadata entry first, then file blobs in write order,
    // which is ascending offset.
    const table: BlobDescriptor[] = [
      {
        resource: { sizeInWim: storedMetadata.length, flags: metadataFlags, offset: metadataOffset, uncompressedSize: metadata.length },
        refCount: 1,
        sha1: createHash('sha1').update(metadata).digest(),
      },
      ...blobs.blobs.map((b) => ({
        resource: { sizeInWim: b.sizeInWim, flags: b.compressed ? RESHDR_FLAG_COMPRESSED : 0, offset: b.offset, uncompressedSize: b.size },
        refCount: b.refCount,
        sha1: b.sha1,
      })),
    ];
    const blobTable = encodeBlobTable(table);
    const blobTableOffset = metadataOffset + storedMetadata.length;
    await writeAll(out, blobTable, blobTableOffset);

    // 4. XML data; its top-level TOTALBYTES is its own offset.
    const xmlOffset = blobTableOffset + blobTable.length;
    const xml = encodeXmlData({
      xmlOffset,
      fileTime,
      properties: image.properties,
      trailingProperties: image.trailingProperties,
      stats: {
        dirCount: countDirs(root),
        fileCount: files.length,
        totalBytes: files.reduce((sum, f) => sum + f.size, 0),
      },
    });
    await writeAll(out, xml, xmlOffset);

    // 5. The header, now that every offset is known. The blob table and XML
    // are stored raw with the METADATA flag, as in ICD's and wimlib's output.
    const header = encodeHeader({
      compression,
      guid: image.guid,
      blobTable: { sizeInWim: blobTable.length, flags: RESHDR_FLAG_METADATA, offset: blobTableOffset, uncompressedSize: blobTable.length },
      xmlData: { sizeInWim: xml.length, flags: RESHDR_FLAG_METADATA, offset: xmlOffset, uncompressedSize: xml.length },
    });
    await writeAll(out, header, 0);

    // Drop anything past the end (bytes of a trailing duplicate blob).
    const bytes = xmlOffset + xml.length;
    await out.truncate(bytes);
    return { bytes };
  } finally {
    await out.close();
  }
}

function writeAll(out: FileHandle, buf: Buffer, position: number): Promise<void> {
  return writeFully(out, buf, buf.length, position);
}
