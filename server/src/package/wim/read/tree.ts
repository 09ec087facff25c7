/**
 * The directory tree of image 1, walked from the root dentry into a flat
 * pre-order list. Each directory's children are a run of dentries at its
 * `subdir_offset`, ended by an 8-byte marker.
 *
 * Offsets come from the file, so the walk is guarded:
 *  - every byte of metadata belongs to at most one dentry, marker or the
 *    security data (a bitmap of claimed 8-byte units): a `subdir_offset`
 *    back into an ancestor (a cycle) or into any listing already read (a
 *    shared or overlapping directory, which could multiply entries) fails;
 *  - depth, entry count, name and path length are capped by the limits;
 *  - names that are unsafe to extract, and two names one directory would
 *    hold as the same file, fail with `unsafe-name`;
 *  - every referenced blob must exist.
 * The walk keeps an explicit stack, so depth never touches the JS stack.
 */
import type { BlobDescriptor } from './blobTable';
import { readDentry, END_OF_DIRECTORY_SIZE, ZERO_HASH, type RawDentry } from './dentry';
import { WimReadError } from './errors';
import { limitError, type WimReadLimits } from './limits';
import { caseKey, checkName, describeDir } from './names';
import type { WimEntry, WimStream } from './types';

const FILE_ATTRIBUTE_DIRECTORY = 0x10;
const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
const FILE_ATTRIBUTE_ENCRYPTED = 0x4000;

export interface TreeInput {
  meta: Buffer;
  /** Offset of the root dentry (end of the security data). */
  rootOffset: number;
  securityDescriptorCount: number;
  blobs: Map<string, BlobDescriptor>;
  limits: WimReadLimits;
}

export interface Tree {
  root: WimEntry;
  entries: WimEntry[];
  /** SHA-1s some entry or stream references. */
  referenced: Set<string>;
}

/** Which 8-byte units of the metadata have been read as part of the tree. */
class Claims {
  private readonly bits: Uint8Array;
  constructor(size: number) {
    this.bits = new Uint8Array(Math.ceil(size / 64));
  }
  /** Claim [offset, offset + length); both multiples of 8. Returns false if any unit was already claimed. */
  claim(offset: number, length: number): boolean {
    const end = (offset + length) / 8;
    for (let u = offset / 8; u < end; u++) {
      const mask = 1 << (u & 7);
      if (this.bits[u >>> 3]! & mask) return false;
      this.bits[u >>> 3]! |= mask;
    }
    return true;
  }
}

interface Frame {
  path: string;
  depth: number;
  /** Where this directory's listing starts, and the next dentry to read. */
  listStart: number;
  cursor: number;
  /** Case-folded names seen in this directory. */
  names: Map<string, string>;
}

export function readTree(input: TreeInput): Tree {
  const { meta, rootOffset, limits } = input;
  const claims = new Claims(meta.length);
  claims.claim(0, rootOffset);
  const referenced = new Set<string>();
  let objects = 0;

  const rootRaw = readDentry(meta, rootOffset);
  if (!rootRaw) throw new WimReadError('corrupt', 'WIM image has no root directory (its first dentry is an end-of-directory marker)');
  if (!claims.claim(rootOffset, rootRaw.totalLength)) throw new WimReadError('corrupt', 'WIM root directory overlaps the security data');
  if (!(rootRaw.attributes & FILE_ATTRIBUTE_DIRECTORY)) throw new WimReadError('corrupt', 'WIM image root is not a directory');
  // The root's own name is meaningless (wimlib ignores it too).
  const root = toEntry(rootRaw, '', '', input, referenced);

  const entries: WimEntry[] = [];
  const stack: Frame[] = [];
  const enter = (path: string, depth: number, subdirOffset: number) => {
    if (subdirOffset === 0) return;
    if (depth > limits.maxDepth) throw limitError(`directory ${JSON.stringify(path)} at depth ${depth}`, 'maxDepth', limits.maxDepth);
    if (subdirOffset % 8 !== 0) {
      throw new WimReadError('corrupt', `WIM ${describeDir(path)} lists its children at unaligned metadata offset ${subdirOffset}`);
    }
    const ancestor = stack.find((f) => f.listStart === subdirOffset);
    if (ancestor) {
      throw new WimReadError('corrupt', `WIM directory cycle: the children of ${describeDir(path)} are those of its ancestor ${describeDir(ancestor.path)}`);
    }
    stack.push({ path, depth, listStart: subdirOffset, cursor: subdirOffset, names: new Map() });
  };
  enter('', 1, rootRaw.subdirOffset);

  while (stack.length > 0) {
    const dir = stack[stack.length - 1]!;
    const at = dir.cursor;
    const raw = readDentry(meta, at);
    const length = raw ? raw.totalLength : END_OF_DIRECTORY_SIZE;
    if (!claims.claim(at, length)) {
      throw new WimReadError(
        'corrupt',
        `WIM directory listings overlap: ${describeDir(dir.path)} reaches metadata offset ${at}, which another directory or entry already uses`,
      );
    }
    dir.cursor += length;
    if (!raw) {
      stack.pop();
      continue;
    }

    objects += 1 + raw.streams.length;
    if (objects > limits.maxEntries) throw limitError(`WIM image with more than ${limits.maxEntries} entries`, 'maxEntries', limits.maxEntries);
    const where = describeDir(dir.path);
    checkName(raw.name, 'file', where, limits);
    const path = dir.path === '' ? raw.name : `${dir.path}/${raw.name}`;
    if (path.length > limits.maxPathLength) throw limitError(`path of ${path.length} UTF-16 units in ${where}`, 'maxPathLength', limits.maxPathLength);
    const key = caseKey(raw.name);
    const twin = dir.names.get(key);
    if (twin !== undefined) {
      throw new WimReadError(
        'unsafe-name',
        twin === raw.name
          ? `file name ${JSON.stringify(raw.name)} appears twice in ${where}`
          : `file names ${JSON.stringify(twin)} and ${JSON.stringify(raw.name)} in ${where} differ only in case`,
      );
    }
    dir.names.set(key, raw.name);

    const entry = toEntry(raw, raw.name, path, input, referenced);
    entries.push(entry);
    if (entry.isDirectory) enter(path, dir.depth + 1, raw.subdirOffset);
  }
  return { root, entries, referenced };
}

function toEntry(raw: RawDentry, name: string, path: string, input: TreeInput, referenced: Set<string>): WimEntry {
  const label = path === '' ? 'the root directory' : JSON.stringify(path);
  if (raw.attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
    throw new WimReadError('unsupported', `WIM entry ${label} is a reparse point (a symbolic link or junction): provisioning packages have none`);
  }
  if (raw.attributes & FILE_ATTRIBUTE_ENCRYPTED) {
    throw new WimReadError('unsupported', `WIM entry ${label} is an EFS-encrypted file: its data cannot be read`);
  }
  if (raw.securityId !== -1 && (raw.securityId < 0 || raw.securityId >= input.securityDescriptorCount)) {
    throw new WimReadError('corrupt', `WIM entry ${label} has security id ${raw.securityId} but the image has ${input.securityDescriptorCount} descriptors`);
  }
  const isDirectory = (raw.attributes & FILE_ATTRIBUTE_DIRECTORY) !== 0;

  // The unnamed data stream is the main hash when it is set, else the first
  // unnamed extra stream entry (WIMGAPI moves it there when a file also has
  // named streams); wimlib `assign_stream_types_unencrypted`.
  let data: string | undefined = raw.mainHash !== ZERO_HASH ? raw.mainHash : undefined;
  let haveData = data !== undefined;
  const streams: WimStream[] = [];
  const streamNames = new Set<string>();
  for (const s of raw.streams) {
    if (s.name === '') {
      if (!haveData) {
        haveData = true;
        data = s.hash !== ZERO_HASH ? s.hash : undefined;
      }
      continue;
    }
    checkName(s.name, 'stream', `entry ${label}`, input.limits);
    const key = caseKey(s.name);
    if (streamNames.has(key)) throw new WimReadError('unsafe-name', `stream name ${JSON.stringify(s.name)} appears twice on entry ${label}`);
    streamNames.add(key);
    const sha1 = s.hash !== ZERO_HASH ? s.hash : undefined;
    streams.push({ name: s.name, sha1, size: sizeOf(sha1, label, input, referenced) });
  }
  // A directory has no unnamed data to extract, whatever is stored.
  const sha1 = isDirectory ? undefined : data;
  const entry: WimEntry = {
    path,
    name,
    isDirectory,
    attributes: raw.attributes,
    securityId: raw.securityId,
    size: sizeOf(sha1, label, input, referenced),
    sha1,
    creationTime: raw.creationTime,
    lastAccessTime: raw.lastAccessTime,
    lastWriteTime: raw.lastWriteTime,
  };
  if (raw.shortNameBytes > 0) {
    if (raw.shortName === undefined) throw new WimReadError('corrupt', `WIM entry ${label} has a short name that is not valid UTF-16`);
    entry.shortName = raw.shortName;
  }
  if (streams.length > 0) entry.streams = streams;
  if (raw.hardLinkGroupId !== 0n) entry.hardLinkGroupId = raw.hardLinkGroupId;
  return entry;
}

function sizeOf(sha1: string | undefined, label: string, input: TreeInput, referenced: Set<string>): number {
  if (sha1 === undefined) return 0;
  const blob = input.blobs.get(sha1);
  if (!blob) throw new WimReadError('corrupt', `WIM entry ${label} references data ${sha1} that is not in the blob table`);
  referenced.add(sha1);
  return blob.resource.uncompressedSize;
}
