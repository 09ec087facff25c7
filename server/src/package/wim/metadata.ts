/**
 * The metadata resource of image 1: security data followed by the dentry
 * tree. docs/wim-container.md §Byte layout (wimlib `src/security.c`, `src/dentry.c`,
 * `src/metadata_resource.c`), in the form ICD writes (docs/wim-container.md §Dentries).
 *
 * Layout (offsets inside the uncompressed resource):
 *   0    security data: ICD's two descriptors (`security.ts`)
 *   S    root dentry (unnamed directory, security id 0)
 *   +    8-byte end-of-directory marker after the root, as wimlib writes
 *   ...  each directory's children, contiguous, then an 8-byte zero
 *        terminator, at the `subdir_offset` recorded in that directory.
 * Child lists are placed depth-first: a directory's list, then the list of
 * its first subdirectory and everything below it, then the next subdirectory
 * (wimlib's `calculate_subdir_offsets` and ICD's packages agree). Children
 * keep the tree's order (`tree.ts`).
 *
 * Files carry security id 1, subdirectories none; no DOS short names (ICD's
 * are leftovers of its temp files, docs/wim-container.md §Where we deliberately differ from ICD).
 */
import { encodeSecurityData, FILE_SECURITY_ID, NO_SECURITY_ID, ROOT_SECURITY_ID } from './security';
import type { WimDirNode, WimNode } from './tree';

export const DENTRY_FIXED_SIZE = 102; // WIM_DENTRY_DISK_SIZE
const END_OF_DIR_SIZE = 8;

export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
/**
 * Regular files carry ARCHIVE, as files ICD picks up from NTFS do; the
 * format allows ARCHIVE or NORMAL (docs/wim-container.md §Byte layout) and Windows treats both as plain files.
 */
export const FILE_ATTRIBUTE_ARCHIVE = 0x20;
const ZERO_HASH = Buffer.alloc(20);

function align8(n: number): number {
  return (n + 7) & ~7;
}

function nameBytes(node: WimNode): Buffer {
  return Buffer.from(node.name, 'utf16le');
}

/** On-disk length of a dentry: fixed part, name + NUL (if named), padded to 8. Short names are always empty. */
function dentryLength(nameByteLength: number): number {
  return align8(DENTRY_FIXED_SIZE + (nameByteLength > 0 ? nameByteLength + 2 : 0));
}

interface Placed {
  node: WimNode;
  name: Buffer;
  length: number;
  subdirOffset: number;
}

/**
 * Serialize the metadata resource. Every file node must already have its
 * `size` and (for non-empty files) `sha1` set.
 */
export function encodeMetadata(root: WimDirNode, fileTime: bigint): Buffer {
  const placed = new Map<WimNode, Placed>();
  const place = (node: WimNode): Placed => {
    const name = node === root ? Buffer.alloc(0) : nameBytes(node);
    const p: Placed = { node, name, length: dentryLength(name.length), subdirOffset: 0 };
    placed.set(node, p);
    return p;
  };

  const security = encodeSecurityData();
  const rootPlaced = place(root);
  let cursor = security.length + rootPlaced.length + END_OF_DIR_SIZE;
  // Pre-order: a directory reserves room for all its children and the
  // terminator, then each child directory does the same, recursively.
  const assign = (dir: WimDirNode): void => {
    const self = placed.get(dir)!;
    self.subdirOffset = cursor;
    for (const child of dir.children) cursor += place(child).length;
    cursor += END_OF_DIR_SIZE;
    for (const child of dir.children) if (child.kind === 'dir') assign(child);
  };
  assign(root);

  const buf = Buffer.alloc(cursor); // zero-filled: padding and terminators are already in place
  security.copy(buf, 0);

  writeDentry(buf, security.length, rootPlaced, fileTime, ROOT_SECURITY_ID);
  const writeChildren = (dir: WimDirNode): void => {
    let at = placed.get(dir)!.subdirOffset;
    for (const child of dir.children) {
      const p = placed.get(child)!;
      writeDentry(buf, at, p, fileTime, child.kind === 'file' ? FILE_SECURITY_ID : NO_SECURITY_ID);
      at += p.length;
    }
    for (const child of dir.children) if (child.kind === 'dir') writeChildren(child);
  };
  writeChildren(root);
  return buf;
}

function writeDentry(buf: Buffer, at: number, p: Placed, fileTime: bigint, securityId: number): void {
  const { node } = p;
  const isDir = node.kind === 'dir';
  buf.writeBigUInt64LE(BigInt(p.length), at + 0x00);
  buf.writeUInt32LE(isDir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE, at + 0x08);
  buf.writeUInt32LE(securityId, at + 0x0c);
  buf.writeBigUInt64LE(BigInt(p.subdirOffset), at + 0x10); // 0 for files
  // 0x18 unused_1, 0x20 unused_2: zero
  buf.writeBigUInt64LE(fileTime, at + 0x28); // creation
  buf.writeBigUInt64LE(fileTime, at + 0x30); // last access
  buf.writeBigUInt64LE(fileTime, at + 0x38); // last write
  // Directories and empty files have no data stream: all-zero hash.
  const hash = node.kind === 'file' && node.size > 0 ? node.sha1 : undefined;
  if (node.kind === 'file' && node.size > 0 && !hash) throw new Error(`internal: no hash for '${node.path}'`);
  (hash ?? ZERO_HASH).copy(buf, at + 0x40);
  // 0x54 unknown u32, 0x58 hard_link_group_id u64: zero (no hard links)
  buf.writeUInt16LE(0, at + 0x60); // num_extra_streams
  buf.writeUInt16LE(0, at + 0x62); // short_name_nbytes: no DOS names
  buf.writeUInt16LE(p.name.length, at + 0x64); // name_nbytes, without the NUL
  p.name.copy(buf, at + DENTRY_FIXED_SIZE); // the NUL and padding are already zero
}
