/**
 * One directory entry of the metadata resource, with the extra stream
 * entries that follow it (wimlib `src/dentry.c`, docs/wim-container.md §Byte layout).
 *
 *   0x00 length u64 (8-aligned; ≤ 8 marks the end of a directory listing)
 *   0x08 attributes u32        0x0C security_id s32 (−1: none)
 *   0x10 subdir_offset u64     0x18, 0x20 unused
 *   0x28 creation, 0x30 last access, 0x38 last write: FILETIME u64
 *   0x40 main hash [20]        0x54 unknown u32
 *   0x58 reparse tag + flags, or hard-link group id u64
 *   0x60 num_extra_streams u16 0x62 short_name_nbytes u16
 *   0x64 name_nbytes u16       0x66 name, NUL, short name, NUL, tagged items
 * then, 8-aligned, num_extra_streams entries of
 *   0x00 length u64  0x08 reserved u64  0x10 hash [20]
 *   0x24 name_nbytes u16  0x26 name (none for the unnamed stream)
 */
import { align8, readU64, readU64Big } from './bytes';
import { WimReadError } from './errors';
import { decodeUtf16 } from './names';

export const DENTRY_FIXED_SIZE = 102;
const STREAM_ENTRY_FIXED_SIZE = 38;
export const END_OF_DIRECTORY_SIZE = 8;

export interface RawStream {
  /** '' for the unnamed stream; undefined when the name is not valid UTF-16. */
  name: string | undefined;
  /** Lower-case hex; all zeros for an empty stream. */
  hash: string;
}

export interface RawDentry {
  /** Bytes from the dentry's offset to the next sibling (extra stream entries included). */
  totalLength: number;
  attributes: number;
  securityId: number;
  subdirOffset: number;
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  mainHash: string;
  hardLinkGroupId: bigint;
  /** undefined when not valid UTF-16. */
  name: string | undefined;
  nameBytes: number;
  shortName: string | undefined;
  shortNameBytes: number;
  streams: RawStream[];
}

export const ZERO_HASH = '0'.repeat(40);

function corrupt(offset: number, what: string): WimReadError {
  return new WimReadError('corrupt', `WIM directory entry at metadata offset ${offset}: ${what}`);
}

/** The dentry at `offset`, or null for an end-of-directory marker. */
export function readDentry(meta: Buffer, offset: number): RawDentry | null {
  if (offset + END_OF_DIRECTORY_SIZE > meta.length) throw corrupt(offset, `lies past the end of the ${meta.length}-byte metadata resource`);
  const length = align8(readU64(meta, offset));
  if (length <= END_OF_DIRECTORY_SIZE) return null;
  if (length < DENTRY_FIXED_SIZE) throw corrupt(offset, `length ${length} is shorter than the ${DENTRY_FIXED_SIZE}-byte fixed part`);
  if (length > meta.length - offset) throw corrupt(offset, `length ${length} runs past the end of the metadata resource`);

  const nameBytes = meta.readUInt16LE(offset + 0x64);
  const shortNameBytes = meta.readUInt16LE(offset + 0x62);
  if ((nameBytes | shortNameBytes) & 1) throw corrupt(offset, 'a UTF-16 name has an odd number of bytes');
  const needed = DENTRY_FIXED_SIZE + (nameBytes ? nameBytes + 2 : 0) + (shortNameBytes ? shortNameBytes + 2 : 0);
  if (needed > length) throw corrupt(offset, `its names need ${needed} bytes but the entry is ${length}`);
  const nameAt = offset + DENTRY_FIXED_SIZE;
  const shortAt = nameAt + (nameBytes ? nameBytes + 2 : 0);

  const streamCount = meta.readUInt16LE(offset + 0x60);
  const streams: RawStream[] = [];
  let p = offset + length;
  for (let i = 0; i < streamCount; i++) {
    if (meta.length - p < STREAM_ENTRY_FIXED_SIZE) throw corrupt(offset, `stream entry ${i} lies past the end of the metadata resource`);
    const slen = align8(readU64(meta, p));
    if (slen < STREAM_ENTRY_FIXED_SIZE || slen > meta.length - p) throw corrupt(offset, `stream entry ${i} has an invalid length ${slen}`);
    const snb = meta.readUInt16LE(p + 0x24);
    if (snb & 1 || STREAM_ENTRY_FIXED_SIZE + snb > slen) throw corrupt(offset, `stream entry ${i} has an invalid name length ${snb}`);
    streams.push({
      name: snb ? decodeUtf16(meta, p + STREAM_ENTRY_FIXED_SIZE, snb) : '',
      hash: meta.toString('hex', p + 0x10, p + 0x24),
    });
    p += slen;
  }

  const securityId = meta.readInt32LE(offset + 0x0c);
  return {
    totalLength: p - offset,
    attributes: meta.readUInt32LE(offset + 0x08),
    securityId,
    subdirOffset: readU64(meta, offset + 0x10),
    creationTime: readU64Big(meta, offset + 0x28),
    lastAccessTime: readU64Big(meta, offset + 0x30),
    lastWriteTime: readU64Big(meta, offset + 0x38),
    mainHash: meta.toString('hex', offset + 0x40, offset + 0x54),
    hardLinkGroupId: readU64Big(meta, offset + 0x58),
    name: nameBytes ? decodeUtf16(meta, nameAt, nameBytes) : '',
    nameBytes,
    shortName: shortNameBytes ? decodeUtf16(meta, shortAt, shortNameBytes) : '',
    shortNameBytes,
    streams,
  };
}
