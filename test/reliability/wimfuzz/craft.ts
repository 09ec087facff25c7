/**
 * Builds WIM files byte by byte for tests: well-formed ones with features
 * the repo's writer does not produce (security descriptors, DOS names,
 * alternate data streams, hard links, XPRESS resources), and hostile ones
 * (cycles, overlaps, bombs, bad names), from parts a test can bend.
 *
 * Layout follows wimlib (docs/wim-container.md §Byte layout): header | blobs | metadata |
 * blob table | XML. Independent of the product's writer and reader.
 */
import { createHash } from 'node:crypto';

import { encodeXpress, greedyTokens } from './xpressEncode';

export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
export const FILE_ATTRIBUTE_ARCHIVE = 0x20;

export function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest();
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

export interface DentrySpec {
  name: string;
  /** Raw UTF-16LE name bytes, overriding `name` (invalid UTF-16, odd lengths). */
  nameBytes?: Buffer;
  attributes?: number;
  securityId?: number;
  subdirOffset?: number;
  hash?: Buffer;
  shortName?: string;
  streams?: { name: string; hash: Buffer }[];
  time?: bigint;
  hardLinkGroupId?: bigint;
  /** Overrides the length field (after it is computed). */
  lengthField?: number;
}

/** One dentry plus its extra stream entries. */
export function dentry(d: DentrySpec): Buffer {
  const name = d.nameBytes ?? Buffer.from(d.name, 'utf16le');
  const short = Buffer.from(d.shortName ?? '', 'utf16le');
  const length = align8(102 + (name.length ? name.length + 2 : 0) + (short.length ? short.length + 2 : 0));
  const streamBufs = (d.streams ?? []).map((s) => {
    const sname = Buffer.from(s.name, 'utf16le');
    const slen = align8(38 + (sname.length ? sname.length + 2 : 0));
    const b = Buffer.alloc(slen);
    b.writeBigUInt64LE(BigInt(slen), 0);
    s.hash.copy(b, 0x10);
    b.writeUInt16LE(sname.length, 0x24);
    sname.copy(b, 0x26);
    return b;
  });
  const b = Buffer.alloc(length);
  b.writeBigUInt64LE(BigInt(d.lengthField ?? length), 0);
  b.writeUInt32LE(d.attributes ?? FILE_ATTRIBUTE_ARCHIVE, 0x08);
  b.writeInt32LE(d.securityId ?? -1, 0x0c);
  b.writeBigUInt64LE(BigInt(d.subdirOffset ?? 0), 0x10);
  const t = d.time ?? 134000000000000000n;
  for (const at of [0x28, 0x30, 0x38]) b.writeBigUInt64LE(t, at);
  (d.hash ?? Buffer.alloc(20)).copy(b, 0x40);
  b.writeBigUInt64LE(d.hardLinkGroupId ?? 0n, 0x58);
  b.writeUInt16LE(streamBufs.length, 0x60);
  b.writeUInt16LE(short.length, 0x62);
  b.writeUInt16LE(name.length, 0x64);
  name.copy(b, 102);
  if (short.length) short.copy(b, 102 + (name.length ? name.length + 2 : 0));
  return Buffer.concat([b, ...streamBufs]);
}

export const END_OF_DIRECTORY = Buffer.alloc(8);

export function securityData(descriptors: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.alloc(8 + 8 * descriptors.length), ...descriptors]);
  const out = Buffer.alloc(align8(body.length));
  body.copy(out);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt32LE(descriptors.length, 4);
  descriptors.forEach((d, i) => out.writeBigUInt64LE(BigInt(d.length), 8 + 8 * i));
  return out;
}

/** A SID from "S-1-5-32-544" notation. */
function sid(text: string): Buffer {
  const [, rev, auth, ...subs] = text.split('-');
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = Number(rev);
  b[1] = subs.length;
  b.writeUIntBE(Number(auth), 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(Number(s), 8 + 4 * i));
  return b;
}

/**
 * A self-relative security descriptor: owner, group, and a DACL of
 * access-allowed ACEs [sid, mask, flags]. Enough for NTFS to accept it.
 */
export function securityDescriptor(owner: string, group: string, aces: [string, number, number][]): Buffer {
  const aceBufs = aces.map(([s, mask, flags]) => {
    const sb = sid(s);
    const a = Buffer.alloc(8 + sb.length);
    a[0] = 0; // ACCESS_ALLOWED_ACE_TYPE
    a[1] = flags;
    a.writeUInt16LE(a.length, 2);
    a.writeUInt32LE(mask, 4);
    sb.copy(a, 8);
    return a;
  });
  const aclSize = 8 + aceBufs.reduce((n, a) => n + a.length, 0);
  const acl = Buffer.alloc(8);
  acl[0] = 2;
  acl.writeUInt16LE(aclSize, 2);
  acl.writeUInt16LE(aceBufs.length, 4);
  const o = sid(owner);
  const g = sid(group);
  const head = Buffer.alloc(20);
  head[0] = 1;
  head.writeUInt16LE(0x8004, 2); // SE_SELF_RELATIVE | SE_DACL_PRESENT
  head.writeUInt32LE(20, 4);
  head.writeUInt32LE(20 + o.length, 8);
  head.writeUInt32LE(0, 12);
  head.writeUInt32LE(20 + o.length + g.length, 16);
  return Buffer.concat([head, o, g, acl, ...aceBufs]);
}

/* ------------------------------------------------------------------ */
/* A tree of files → metadata resource                                  */

export interface CraftFile {
  /** '/'-separated; directories are implied, or listed with `dir: true`. */
  path: string;
  dir?: boolean;
  data?: Buffer;
  shortName?: string;
  securityId?: number;
  attributes?: number;
  streams?: { name: string; data: Buffer }[];
  hardLinkGroupId?: bigint;
  /** Put the unnamed data in an extra stream entry, as WIMGAPI does for files with named streams. */
  dataInStreamEntry?: boolean;
}

interface Node {
  name: string;
  file?: CraftFile;
  children?: Node[];
}

function treeOf(files: CraftFile[]): Node {
  const root: Node = { name: '', children: [] };
  for (const f of files) {
    const parts = f.path.split('/');
    let dir = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      let child = dir.children!.find((c) => c.name === part);
      if (!child) {
        child = { name: part, ...(last && !f.dir ? {} : { children: [] }) };
        dir.children!.push(child);
      }
      if (last) child.file = f;
      dir = child;
    });
  }
  return root;
}

/**
 * Metadata resource for `files` (children in the given order, pre-order
 * listing placement like wimlib's writer), with the blobs they need.
 */
export function metadataFor(files: CraftFile[], descriptors: Buffer[] = [], rootSecurityId = -1): { metadata: Buffer; blobs: Buffer[] } {
  const root = treeOf(files);
  const blobs = new Map<string, Buffer>();
  const hashOf = (data: Buffer | undefined) => {
    if (!data || data.length === 0) return Buffer.alloc(20);
    const h = sha1(data);
    blobs.set(h.toString('hex'), data);
    return h;
  };
  const spec = (n: Node, subdirOffset: number): DentrySpec => {
    const f = n.file;
    const isDir = !!n.children;
    const named = (f?.streams ?? []).map((s) => ({ name: s.name, hash: hashOf(s.data) }));
    const main = isDir ? Buffer.alloc(20) : hashOf(f?.data);
    const inEntry = f?.dataInStreamEntry;
    return {
      name: n.name,
      attributes: f?.attributes ?? (isDir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE),
      securityId: f?.securityId ?? -1,
      subdirOffset,
      hash: inEntry ? Buffer.alloc(20) : main,
      shortName: f?.shortName,
      streams: inEntry ? [{ name: '', hash: main }, ...named] : named,
      hardLinkGroupId: f?.hardLinkGroupId,
    };
  };
  const sd = securityData(descriptors);
  const sizeOf = (n: Node) => dentry(spec(n, 0)).length;
  // Offsets: root, its end marker, then each directory's listing in pre-order.
  const offsets = new Map<Node, number>();
  let cursor = sd.length + sizeOf(root) + 8;
  const place = (dir: Node) => {
    offsets.set(dir, cursor);
    for (const c of dir.children!) cursor += sizeOf(c);
    cursor += 8;
    for (const c of dir.children!) if (c.children) place(c);
  };
  place(root);
  const out = Buffer.alloc(cursor);
  sd.copy(out, 0);
  const rootSpec = spec(root, offsets.get(root)!);
  rootSpec.securityId = rootSecurityId;
  dentry(rootSpec).copy(out, sd.length);
  const write = (dir: Node) => {
    let at = offsets.get(dir)!;
    for (const c of dir.children!) {
      const b = dentry(spec(c, c.children ? offsets.get(c)! : 0));
      b.copy(out, at);
      at += b.length;
    }
    for (const c of dir.children!) if (c.children) write(c);
  };
  write(root);
  return { metadata: out, blobs: [...blobs.values()] };
}

/* ------------------------------------------------------------------ */
/* Resources and the whole file                                         */

export interface ResourceSpec {
  data: Buffer;
  /** Store XPRESS-compressed (chunks that do not shrink are stored raw). */
  compress?: boolean;
  /** Flags beyond METADATA/COMPRESSED. */
  extraFlags?: number;
  /** Bytes to store instead of the encoding of `data` (hostile resources). */
  stored?: Buffer;
  /** Override the declared uncompressed size. */
  uncompressedSize?: number;
  /** Override the hash recorded in the blob table. */
  hash?: Buffer;
  refCount?: number;
}

/** XPRESS resource: chunk table + chunks, each compressed on its own. */
export function compressResource(data: Buffer, chunkSize = 32768): Buffer {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) {
    const raw = data.subarray(at, Math.min(at + chunkSize, data.length));
    const c = encodeXpress(greedyTokens(raw));
    chunks.push(c.length < raw.length ? c : raw);
  }
  const wide = data.length > 0xffffffff;
  const table = Buffer.alloc((chunks.length - 1) * (wide ? 8 : 4));
  let off = 0;
  for (let i = 0; i < chunks.length - 1; i++) {
    off += chunks[i]!.length;
    if (wide) table.writeBigUInt64LE(BigInt(off), i * 8);
    else table.writeUInt32LE(off, i * 4);
  }
  return Buffer.concat([table, ...chunks]);
}

export interface WimSpec {
  metadata: ResourceSpec;
  blobs?: ResourceSpec[];
  /** XML text (a BOM is added) or raw bytes. */
  xml?: string | Buffer;
  compression?: 'none' | 'xpress';
  chunkSize?: number;
  /** Bytes right after the header that no resource header references (ICD writes such a stub). */
  stub?: Buffer;
  /** Edit the finished header (208 bytes) in place. */
  patchHeader?: (header: Buffer) => void;
}

export const WIM_HEADER_SIZE = 208;

export function defaultXml(properties: [string, string][] = [['NAME', 'crafted']]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<WIM><TOTALBYTES>0</TOTALBYTES><IMAGE INDEX="1">${properties.map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('')}</IMAGE></WIM>`;
}

function writeReshdr(b: Buffer, at: number, size: number, flags: number, offset: number, usize: number): void {
  b.writeUIntLE(size % 2 ** 48, at, 6);
  b[at + 6] = Math.floor(size / 2 ** 48) & 0xff;
  b[at + 7] = flags;
  b.writeBigUInt64LE(BigInt(offset), at + 8);
  b.writeBigUInt64LE(BigInt(usize), at + 16);
}

export function assembleWim(spec: WimSpec): Buffer {
  const compression = spec.compression ?? 'xpress';
  const chunkSize = spec.chunkSize ?? 32768;
  const parts: Buffer[] = [Buffer.alloc(WIM_HEADER_SIZE)];
  let offset = WIM_HEADER_SIZE;
  if (spec.stub) {
    parts.push(spec.stub);
    offset += spec.stub.length;
  }
  const table: Buffer[] = [];
  const put = (r: ResourceSpec, metadata: boolean) => {
    const stored = r.stored ?? (r.compress ? compressResource(r.data, chunkSize) : r.data);
    const compressed = r.compress || (r.extraFlags ?? 0) & 0x04;
    const e = Buffer.alloc(50);
    writeReshdr(e, 0, stored.length, (metadata ? 0x02 : 0) | (compressed ? 0x04 : 0) | (r.extraFlags ?? 0), offset, r.uncompressedSize ?? r.data.length);
    e.writeUInt16LE(1, 24);
    e.writeUInt32LE(r.refCount ?? 1, 26);
    (r.hash ?? sha1(r.data)).copy(e, 30);
    parts.push(stored);
    offset += stored.length;
    return e;
  };
  const blobEntries = (spec.blobs ?? []).map((b) => put(b, false));
  table.push(put(spec.metadata, true), ...blobEntries);
  const tableBuf = Buffer.concat(table);
  const tableOffset = offset;
  parts.push(tableBuf);
  offset += tableBuf.length;
  const xml = typeof spec.xml === 'string' || spec.xml === undefined ? Buffer.from('\ufeff' + (spec.xml ?? defaultXml()), 'utf16le') : spec.xml;
  const xmlOffset = offset;
  parts.push(xml);

  const h = parts[0]!;
  Buffer.from('MSWIM\0\0\0', 'latin1').copy(h, 0);
  h.writeUInt32LE(WIM_HEADER_SIZE, 0x08);
  h.writeUInt32LE(0x10d00, 0x0c);
  h.writeUInt32LE(compression === 'xpress' ? 0x20082 : 0x80, 0x10);
  h.writeUInt32LE(compression === 'xpress' ? chunkSize : 0, 0x14);
  Buffer.from('0123456789abcdef0123456789abcdef', 'hex').copy(h, 0x18);
  h.writeUInt16LE(1, 0x28);
  h.writeUInt16LE(1, 0x2a);
  h.writeUInt32LE(1, 0x2c);
  writeReshdr(h, 0x30, tableBuf.length, 0x02, tableOffset, tableBuf.length);
  writeReshdr(h, 0x48, xml.length, 0x02, xmlOffset, xml.length);
  spec.patchHeader?.(h);
  return Buffer.concat(parts);
}

/** A whole well-formed WIM for `files`. */
export function buildWim(
  files: CraftFile[],
  opts: {
    descriptors?: Buffer[];
    rootSecurityId?: number;
    properties?: [string, string][];
    compressMetadata?: boolean;
    compressBlobs?: boolean;
    chunkSize?: number;
    compression?: 'none' | 'xpress';
  } = {},
): Buffer {
  const { metadata, blobs } = metadataFor(files, opts.descriptors, opts.rootSecurityId);
  return assembleWim({
    metadata: { data: metadata, compress: opts.compressMetadata },
    blobs: blobs.map((data) => ({ data, compress: opts.compressBlobs })),
    xml: defaultXml(opts.properties),
    chunkSize: opts.chunkSize,
    compression: opts.compression,
  });
}
