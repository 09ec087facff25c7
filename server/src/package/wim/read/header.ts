/**
 * The 208-byte WIM header (wimlib `include/wimlib/header.h`,
 * docs/wim-container.md §Byte layout): what the rest of the file is, and where its blob
 * table and XML are. Everything a provisioning package never uses (split
 * WIMs, solid resources, LZX, LZMS, several images) is refused here, before
 * anything else is read, with the feature named.
 */
import { readU64 } from './bytes';
import { WimReadError } from './errors';

export const WIM_HEADER_SIZE = 208;
const WIM_MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');
/** wimlib's pipable WIM format: a WIM, but laid out for streaming. */
const PIPABLE_MAGIC = Buffer.from('WLPWM\0\0\0', 'latin1');

const VERSION_DEFAULT = 0x10d00;
/** The Windows 8 solid ("ESD") format, which is where LZMS lives. */
const VERSION_SOLID = 0xe00;

export const HDR_FLAG_COMPRESSION = 0x2;
const HDR_FLAG_SPANNED = 0x8;
const HDR_FLAG_WRITE_IN_PROGRESS = 0x40;
const HDR_FLAG_COMPRESS_RESERVED = 0x10000;
const HDR_FLAG_COMPRESS_XPRESS = 0x20000;
const HDR_FLAG_COMPRESS_LZX = 0x40000;
const HDR_FLAG_COMPRESS_LZMS = 0x80000;

export const RESHDR_FLAG_METADATA = 0x02;
export const RESHDR_FLAG_COMPRESSED = 0x04;
export const RESHDR_FLAG_SOLID = 0x10;

/** XPRESS chunk sizes wimlib accepts: powers of two whose matches fit 16-bit offsets. */
const XPRESS_MIN_CHUNK = 4096;
const XPRESS_MAX_CHUNK = 65536;
/** Header chunk size of compressed WIMs that leave the field 0 (early WIMGAPI). */
const DEFAULT_CHUNK_SIZE = 32768;

export type WimCompression = 'none' | 'xpress' | 'lzx' | 'lzms';

export interface WimResourceHeader {
  /** File offset of the resource. */
  offset: number;
  /** Bytes it occupies in the file (chunk table included when compressed). */
  sizeInWim: number;
  /** Bytes it holds once decompressed. */
  uncompressedSize: number;
  /** WIM_RESHDR_FLAG_*: 0x02 metadata, 0x04 compressed, 0x10 solid. */
  flags: number;
}

export interface WimHeaderInfo {
  version: number;
  flags: number;
  compression: WimCompression;
  /** Uncompressed bytes per chunk of a compressed resource. */
  chunkSize: number;
  /** The 16-byte GUID, lower-case hex, as `wiminfo --header` prints it. */
  guid: string;
  partNumber: number;
  totalParts: number;
  imageCount: number;
  bootIndex: number;
  blobTable: WimResourceHeader;
  xmlData: WimResourceHeader;
  bootMetadata: WimResourceHeader;
  integrityTable: WimResourceHeader;
}

export function parseResourceHeader(buf: Uint8Array, at: number): WimResourceHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    sizeInWim: b.readUIntLE(at + 4, 3) * 0x1_0000_0000 + b.readUInt32LE(at),
    flags: b[at + 7]!,
    offset: readU64(b, at + 8),
    uncompressedSize: readU64(b, at + 16),
  };
}

const NOT_A_WIM = 'not a WIM file; encrypted or signed packages cannot be read';

/** `head` is the first min(208, fileSize) bytes. */
export function parseHeader(head: Buffer, fileSize: number): WimHeaderInfo {
  if (head.length < WIM_MAGIC.length) throw new WimReadError('not-a-wim', `${NOT_A_WIM} (only ${fileSize} bytes)`);
  const magic = head.subarray(0, 8);
  if (magic.equals(PIPABLE_MAGIC)) {
    throw new WimReadError('unsupported', 'pipable WIM (wimlib --pipable): not a provisioning package layout');
  }
  if (!magic.equals(WIM_MAGIC)) throw new WimReadError('not-a-wim', NOT_A_WIM);
  if (fileSize < WIM_HEADER_SIZE || head.length < WIM_HEADER_SIZE) {
    throw new WimReadError('truncated', `WIM header is ${WIM_HEADER_SIZE} bytes but the file has only ${fileSize}`);
  }

  const hdrSize = head.readUInt32LE(0x08);
  if (hdrSize !== WIM_HEADER_SIZE) throw new WimReadError('corrupt', `WIM header size field is ${hdrSize}, expected ${WIM_HEADER_SIZE}`);
  const version = head.readUInt32LE(0x0c);
  if (version === VERSION_SOLID) {
    const flags = head.readUInt32LE(0x10);
    const kind = flags & HDR_FLAG_COMPRESS_LZMS ? 'LZMS' : flags & HDR_FLAG_COMPRESS_LZX ? 'LZX' : flags & HDR_FLAG_COMPRESS_XPRESS ? 'XPRESS' : 'no';
    throw new WimReadError('unsupported', `solid WIM (version 0xE00) with ${kind} compression: provisioning packages are never solid`);
  }
  if (version !== VERSION_DEFAULT) {
    throw new WimReadError('unsupported', `WIM version 0x${version.toString(16)} is not supported (expected 0x10d00)`);
  }

  const flags = head.readUInt32LE(0x10);
  if (flags & HDR_FLAG_WRITE_IN_PROGRESS) {
    throw new WimReadError('corrupt', 'WIM is marked as still being written (WRITE_IN_PROGRESS): the package was not finished');
  }
  const partNumber = head.readUInt16LE(0x28);
  const totalParts = head.readUInt16LE(0x2a);
  if (flags & HDR_FLAG_SPANNED || totalParts !== 1) {
    throw new WimReadError('unsupported', `split WIM (part ${partNumber} of ${totalParts}): provisioning packages are a single file`);
  }
  if (partNumber !== 1) throw new WimReadError('corrupt', `WIM part number is ${partNumber} in a one-part WIM`);

  const compression = compressionOf(flags);
  if (compression === 'lzx' || compression === 'lzms') {
    throw new WimReadError('unsupported', `${compression.toUpperCase()}-compressed WIM: only XPRESS and uncompressed packages can be read (ICD writes XPRESS)`);
  }
  let chunkSize = head.readUInt32LE(0x14);
  if (compression === 'xpress') {
    if (chunkSize === 0) chunkSize = DEFAULT_CHUNK_SIZE;
    if ((chunkSize & (chunkSize - 1)) !== 0 || chunkSize < XPRESS_MIN_CHUNK || chunkSize > XPRESS_MAX_CHUNK) {
      throw new WimReadError('corrupt', `WIM chunk size ${chunkSize} is not valid for XPRESS (a power of two from ${XPRESS_MIN_CHUNK} to ${XPRESS_MAX_CHUNK})`);
    }
  }

  const imageCount = head.readUInt32LE(0x2c);
  if (imageCount === 0) throw new WimReadError('unsupported', 'WIM holds no image: a provisioning package has exactly one');
  if (imageCount > 1) throw new WimReadError('unsupported', `WIM holds ${imageCount} images: a provisioning package has exactly one`);
  const bootIndex = head.readUInt32LE(0x78);
  if (bootIndex > imageCount) throw new WimReadError('corrupt', `WIM boot index ${bootIndex} names no image`);

  return {
    version,
    flags,
    compression,
    chunkSize,
    guid: head.subarray(0x18, 0x28).toString('hex'),
    partNumber,
    totalParts,
    imageCount,
    bootIndex,
    blobTable: parseResourceHeader(head, 0x30),
    xmlData: parseResourceHeader(head, 0x48),
    bootMetadata: parseResourceHeader(head, 0x60),
    integrityTable: parseResourceHeader(head, 0x7c),
  };
}

function compressionOf(flags: number): WimCompression {
  if (!(flags & HDR_FLAG_COMPRESSION)) return 'none';
  const kinds = flags & (HDR_FLAG_COMPRESS_RESERVED | HDR_FLAG_COMPRESS_XPRESS | HDR_FLAG_COMPRESS_LZX | HDR_FLAG_COMPRESS_LZMS);
  switch (kinds) {
    case HDR_FLAG_COMPRESS_XPRESS:
      return 'xpress';
    case HDR_FLAG_COMPRESS_LZX:
      return 'lzx';
    case HDR_FLAG_COMPRESS_LZMS:
      return 'lzms';
    default:
      throw new WimReadError('corrupt', `WIM header flags 0x${flags.toString(16)} mark it compressed without naming one known compression type`);
  }
}
