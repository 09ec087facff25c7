/**
 * The 208-byte WIM header and the 24-byte resource header it embeds.
 *
 * Layout: docs/wim-container.md §Byte layout (wimlib `include/wimlib/header.h`,
 * `struct wim_header_disk`, `struct wim_reshdr_disk`). Everything is
 * little-endian and packed.
 */

export const WIM_MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
export const WIM_HEADER_SIZE = 208;
/** v1.13, the non-solid version every ICD-built package carries (docs/wim-container.md §Byte layout). */
export const WIM_VERSION = 0x10d00;
export const WIM_CHUNK_SIZE = 32768;

export const HDR_FLAG_COMPRESSION = 0x00000002;
export const HDR_FLAG_WRITE_IN_PROGRESS = 0x00000040;
export const HDR_FLAG_RP_FIX = 0x00000080;
export const HDR_FLAG_COMPRESS_XPRESS = 0x00020000;

export const RESHDR_SIZE = 24;
export const RESHDR_FLAG_METADATA = 0x02;
export const RESHDR_FLAG_COMPRESSED = 0x04;

/** 'xpress' as ICD; 'none' for an all-raw WIM (see `headerFlagsFor`). */
export type WimHeaderCompression = 'xpress' | 'none';

export interface ResourceHeader {
  /** Bytes the resource occupies in the file: the chunk table and chunks when COMPRESSED, else `uncompressedSize`. */
  sizeInWim: number;
  flags: number;
  offset: number;
  uncompressedSize: number;
}

export const EMPTY_RESHDR: ResourceHeader = { sizeInWim: 0, flags: 0, offset: 0, uncompressedSize: 0 };

/** Largest size a 7-byte `size_in_wim` holds; JS numbers are exact far beyond any real package anyway. */
const MAX_RESOURCE_SIZE = 2 ** 53 - 1;

export function writeResourceHeader(buf: Buffer, at: number, r: ResourceHeader): void {
  if (r.sizeInWim > MAX_RESOURCE_SIZE || r.uncompressedSize > MAX_RESOURCE_SIZE) {
    throw new Error(`WIM resource of ${r.uncompressedSize} bytes is too large`);
  }
  // size_in_wim is 7 bytes followed by the 1-byte flags: write the size as a
  // u64 (its top byte is 0 for any size we can represent) and then the flags.
  buf.writeBigUInt64LE(BigInt(r.sizeInWim), at);
  buf.writeUInt8(r.flags, at + 7);
  buf.writeBigUInt64LE(BigInt(r.offset), at + 8);
  buf.writeBigUInt64LE(BigInt(r.uncompressedSize), at + 16);
}

export function readResourceHeader(buf: Buffer, at: number): ResourceHeader {
  const low = buf.readUInt32LE(at);
  const high = buf.readUIntLE(at + 4, 3);
  return {
    sizeInWim: high * 2 ** 32 + low,
    flags: buf.readUInt8(at + 7),
    offset: Number(buf.readBigUInt64LE(at + 8)),
    uncompressedSize: Number(buf.readBigUInt64LE(at + 16)),
  };
}

/**
 * Header flags and chunk size.
 *
 * Default 'xpress': COMPRESSION | XPRESS | RP_FIX (0x20082) with chunk size
 * 32768, exactly as in all 8 ICD packages (docs/wim-container.md §What the writer writes, in file order). The
 * metadata resource is then XPRESS-compressed and each file resource is
 * compressed or raw, whichever is smaller, as ICD writes them (docs/wim-container.md §Compression).
 * 'none' (flags RP_FIX only, chunk size 0, every resource raw) is offered for
 * the Windows acceptance matrix (docs/wim-container.md §Not verified on Windows).
 */
export function headerFlagsFor(compression: WimHeaderCompression): { flags: number; chunkSize: number } {
  if (compression === 'xpress') {
    return { flags: HDR_FLAG_COMPRESSION | HDR_FLAG_COMPRESS_XPRESS | HDR_FLAG_RP_FIX, chunkSize: WIM_CHUNK_SIZE };
  }
  return { flags: HDR_FLAG_RP_FIX, chunkSize: 0 };
}

export interface WimHeaderFields {
  compression: WimHeaderCompression;
  guid: Buffer;
  blobTable: ResourceHeader;
  xmlData: ResourceHeader;
}

export function encodeHeader(h: WimHeaderFields): Buffer {
  if (h.guid.length !== 16) throw new Error(`WIM GUID must be 16 bytes, got ${h.guid.length}`);
  const buf = Buffer.alloc(WIM_HEADER_SIZE); // zero-filled: unused bytes and absent resources stay 0
  const { flags, chunkSize } = headerFlagsFor(h.compression);
  WIM_MAGIC.copy(buf, 0x00);
  buf.writeUInt32LE(WIM_HEADER_SIZE, 0x08);
  buf.writeUInt32LE(WIM_VERSION, 0x0c);
  buf.writeUInt32LE(flags, 0x10); // WRITE_IN_PROGRESS is never set: the header is written last, once
  buf.writeUInt32LE(chunkSize, 0x14);
  h.guid.copy(buf, 0x18);
  buf.writeUInt16LE(1, 0x28); // part_number
  buf.writeUInt16LE(1, 0x2a); // total_parts
  buf.writeUInt32LE(1, 0x2c); // image_count: one image, index 1
  writeResourceHeader(buf, 0x30, h.blobTable);
  writeResourceHeader(buf, 0x48, h.xmlData);
  writeResourceHeader(buf, 0x60, EMPTY_RESHDR); // boot metadata: none
  buf.writeUInt32LE(0, 0x78); // boot_idx 0: not bootable
  writeResourceHeader(buf, 0x7c, EMPTY_RESHDR); // integrity table: omitted (docs/wim-container.md §Byte layout)
  return buf;
}
