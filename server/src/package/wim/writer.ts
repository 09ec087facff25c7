/**
 * Orchestration: entries → a single-image WIM, in wimlib's file order
 * (ppkg-format.md §8.2):
 *
 *   header (208 bytes, written last) | file blobs | metadata resource |
 *   blob table | XML data
 *
 * No integrity table (§8.10). Everything is a pure function of the entries'
 * paths and contents and of `image`, so the same inputs give a
 * byte-identical file.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, stat } from 'node:fs/promises';

import { encodeBlobTable, type BlobDescriptor } from './blobTable';
import { abortError, BlobWriter, sourceError, writeFully } from './blobWriter';
import { encodeHeader, RESHDR_FLAG_METADATA, WIM_HEADER_SIZE } from './header';
import { encodeMetadata } from './metadata';
import { toFileTime } from './time';
import { buildTree, countDirs, filesInOrder } from './tree';
import type { WimFileEntry, WimImageOptions } from './types';
import { encodeXmlData, validateProperties } from './xmlData';

export async function writeWim(
  outputPath: string,
  entries: WimFileEntry[],
  image: WimImageOptions,
): Promise<{ bytes: number }> {
  const { signal } = image;
  if (signal?.aborted) throw abortError(signal);

  // Validate everything that can be checked before touching the output.
  if (!Buffer.isBuffer(image.guid) || image.guid.length !== 16) throw new Error('WIM GUID must be a 16-byte Buffer');
  const fileTime = toFileTime(image.timestamp);
  validateProperties(image.properties);
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
    const blobs = new BlobWriter(out, WIM_HEADER_SIZE, bytesTotal, signal, image.onProgress);
    for (const f of files) {
      if (f.source.kind === 'buffer') await blobs.addBuffer(f, f.source.data);
      else await blobs.addFile(f, f.source.path, expected.get(f)!);
    }
    if (signal?.aborted) throw abortError(signal);

    // 2. Metadata resource (security data + dentries), uncompressed.
    const metadata = encodeMetadata(root, fileTime);
    const metadataOffset = blobs.offset;
    await writeAll(out, metadata, metadataOffset);

    // 3. Blob table: metadata entry first, then file blobs in write order.
    const table: BlobDescriptor[] = [
      {
        resource: { sizeInWim: metadata.length, flags: RESHDR_FLAG_METADATA, offset: metadataOffset, uncompressedSize: metadata.length },
        refCount: 1,
        sha1: createHash('sha1').update(metadata).digest(),
      },
      ...blobs.blobs.map((b) => ({
        resource: { sizeInWim: b.size, flags: 0, offset: b.offset, uncompressedSize: b.size },
        refCount: b.refCount,
        sha1: b.sha1,
      })),
    ];
    const blobTable = encodeBlobTable(table);
    const blobTableOffset = metadataOffset + metadata.length;
    await writeAll(out, blobTable, blobTableOffset);

    // 4. XML data; its top-level TOTALBYTES is its own offset.
    const xmlOffset = blobTableOffset + blobTable.length;
    const xml = encodeXmlData({
      xmlOffset,
      fileTime,
      properties: image.properties,
      stats: {
        dirCount: countDirs(root),
        fileCount: files.length,
        totalBytes: files.reduce((sum, f) => sum + f.size, 0),
      },
    });
    await writeAll(out, xml, xmlOffset);

    // 5. The header, now that every offset is known. The METADATA flag on
    // the blob table and XML headers matches wimlib's output (§8.7).
    const header = encodeHeader({
      compression: image.headerCompression ?? 'xpress',
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
