/**
 * Structural checks of the written WIM, parsed here byte by byte against
 * ppkg-format.md §8.3–§8.7: header fields, blob table offsets and sizes,
 * SHA-1s, the metadata resource's dentry tree, and the XML resource. Plus
 * input validation and the dentry collation order.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';

import { writeWim, type WimFileEntry, type WimImageOptions } from '../../server/src/package/wim';
import { collateNames } from '../../server/src/package/wim/tree';

const work = mkdtempSync(join(tmpdir(), 'ppkg-wim-struct-'));
after(() => rmSync(work, { recursive: true, force: true }));

const guid = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
const timestamp = new Date('2025-12-31T23:59:59Z');
const image: WimImageOptions = { properties: [['NAME', 'n'], ['ALTITUDE', '5000']], timestamp, guid };
const FILETIME = (BigInt(timestamp.getTime()) + 11644473600000n) * 10000n;

interface Reshdr {
  size: number;
  flags: number;
  offset: number;
  original: number;
}
function reshdr(b: Buffer, at: number): Reshdr {
  return {
    size: b.readUIntLE(at, 6) + b[at + 6]! * 2 ** 48,
    flags: b[at + 7]!,
    offset: Number(b.readBigUInt64LE(at + 8)),
    original: Number(b.readBigUInt64LE(at + 16)),
  };
}

interface Dentry {
  name: string;
  attributes: number;
  securityId: number;
  subdirOffset: number;
  times: bigint[];
  hash: string;
  children?: Dentry[];
}
function readDentries(meta: Buffer, offset: number): Dentry[] {
  const out: Dentry[] = [];
  for (;;) {
    const length = Number(meta.readBigUInt64LE(offset));
    if (length <= 8) return out;
    assert.equal(length % 8, 0, 'dentry length is 8-aligned');
    const nameBytes = meta.readUInt16LE(offset + 0x64);
    assert.equal(meta.readUInt16LE(offset + 0x62), 0, 'no short name');
    assert.equal(meta.readUInt16LE(offset + 0x60), 0, 'no extra streams');
    assert.equal(length, (102 + nameBytes + 2 + 7) & ~7, 'length = fixed part + name + NUL, padded');
    assert.equal(meta.readUInt16LE(offset + 102 + nameBytes), 0, 'name is NUL-terminated');
    const d: Dentry = {
      name: meta.toString('utf16le', offset + 102, offset + 102 + nameBytes),
      attributes: meta.readUInt32LE(offset + 8),
      securityId: meta.readInt32LE(offset + 12),
      subdirOffset: Number(meta.readBigUInt64LE(offset + 16)),
      times: [meta.readBigUInt64LE(offset + 0x28), meta.readBigUInt64LE(offset + 0x30), meta.readBigUInt64LE(offset + 0x38)],
      hash: meta.toString('hex', offset + 0x40, offset + 0x54),
    };
    if (d.attributes & 0x10) d.children = readDentries(meta, d.subdirOffset);
    out.push(d);
    offset += length;
  }
}

test('header, blob table, metadata and XML are laid out as the reference says', async () => {
  const big = Buffer.alloc(70_000, 0x5a);
  const bigPath = join(work, 'big.bin');
  writeFileSync(bigPath, big);
  const entries: WimFileEntry[] = [
    { path: 'Multivariant/0/Prov/RunTime.xml', source: { kind: 'buffer', data: Buffer.from('runtime') } },
    { path: 'Multivariant/Multivariant.xml', source: { kind: 'buffer', data: Buffer.from('same') } },
    { path: 'copy.xml', source: { kind: 'buffer', data: Buffer.from('same') } },
    { path: 'empty.xml', source: { kind: 'buffer', data: Buffer.alloc(0) } },
    { path: 'DataAsset/big.bin', source: { kind: 'file', path: bigPath } },
  ];
  const out = join(work, 's.wim');
  const { bytes } = await writeWim(out, entries, image);
  const w = readFileSync(out);
  assert.equal(w.length, bytes);

  // Header (§8.3)
  assert.equal(w.toString('latin1', 0, 8), 'MSWIM\0\0\0');
  assert.equal(w.readUInt32LE(0x08), 208);
  assert.equal(w.readUInt32LE(0x0c), 0x10d00);
  assert.equal(w.readUInt32LE(0x10), 0x02 | 0x20000 | 0x80, 'COMPRESSION | XPRESS | RP_FIX, WRITE_IN_PROGRESS clear');
  assert.equal(w.readUInt32LE(0x14), 32768);
  assert.ok(w.subarray(0x18, 0x28).equals(guid));
  assert.equal(w.readUInt16LE(0x28), 1);
  assert.equal(w.readUInt16LE(0x2a), 1);
  assert.equal(w.readUInt32LE(0x2c), 1, 'one image');
  assert.ok(w.subarray(0x60, 0x78).equals(Buffer.alloc(24)), 'no boot metadata');
  assert.equal(w.readUInt32LE(0x78), 0, 'boot index 0');
  assert.ok(w.subarray(0x7c, 0xd0).equals(Buffer.alloc(0xd0 - 0x7c)), 'no integrity table, unused bytes zero');

  // Blob table (§8.5)
  const bt = reshdr(w, 0x30);
  assert.equal(bt.flags, 0x02);
  assert.equal(bt.size, bt.original, 'stored uncompressed');
  assert.equal(bt.size % 50, 0);
  assert.ok(bt.offset >= 208 && bt.offset + bt.size <= w.length);
  const blobs = [];
  for (let at = bt.offset; at < bt.offset + bt.size; at += 50) {
    blobs.push({ res: reshdr(w, at), part: w.readUInt16LE(at + 24), refcnt: w.readUInt32LE(at + 26), sha1: w.toString('hex', at + 30, at + 50) });
  }
  // metadata first, then in canonical path order: 'same' (copy.xml, stored once, refcount 2),
  // big.bin, RunTime.xml; the empty file has no blob
  assert.equal(blobs.length, 4);
  assert.equal(blobs[0]!.res.flags, 0x02, 'metadata entry first, METADATA flag');
  assert.deepEqual(blobs.slice(1).map((b) => b.res.flags), [0, 0, 0], 'file blobs: no flags, never COMPRESSED');
  assert.deepEqual(blobs.map((b) => b.refcnt), [1, 2, 1, 1]);
  const regions: Array<[number, number]> = [[0, 208]];
  for (const b of blobs) {
    assert.equal(b.part, 1);
    assert.equal(b.res.size, b.res.original);
    assert.ok(b.res.offset >= 208 && b.res.offset + b.res.size <= bt.offset, 'blob lies between header and blob table');
    const data = w.subarray(b.res.offset, b.res.offset + b.res.size);
    assert.equal(createHash('sha1').update(data).digest('hex'), b.sha1, 'SHA-1 matches the stored bytes');
    regions.push([b.res.offset, b.res.offset + b.res.size]);
  }
  const sizes = blobs.slice(1).map((b) => b.res.size);
  assert.deepEqual(sizes, ['same'.length, big.length, 'runtime'.length], 'blobs in canonical path order');

  // XML (§8.7)
  const xr = reshdr(w, 0x48);
  assert.equal(xr.flags, 0x02);
  assert.equal(xr.size, xr.original);
  assert.equal(xr.offset, bt.offset + bt.size, 'XML follows the blob table');
  assert.equal(xr.offset + xr.size, w.length, 'XML ends the file');
  regions.push([bt.offset, bt.offset + bt.size], [xr.offset, xr.offset + xr.size]);
  regions.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < regions.length; i++) assert.ok(regions[i]![0] >= regions[i - 1]![1], 'no overlapping resources');
  assert.equal(regions.at(-1)![1], w.length);

  const xmlBytes = w.subarray(xr.offset, xr.offset + xr.size);
  assert.deepEqual([...xmlBytes.subarray(0, 2)], [0xff, 0xfe], 'UTF-16LE BOM');
  const xml = xmlBytes.toString('utf16le', 2);
  assert.match(xml, new RegExp(`^<WIM><TOTALBYTES>${xr.offset}</TOTALBYTES><IMAGE INDEX="1">`));
  assert.match(xml, /<DIRCOUNT>5<\/DIRCOUNT><FILECOUNT>5<\/FILECOUNT><TOTALBYTES>70015<\/TOTALBYTES><HARDLINKBYTES>0<\/HARDLINKBYTES>/);
  const hi = (FILETIME >> 32n).toString(16).toUpperCase().padStart(8, '0');
  const lo = (FILETIME & 0xffffffffn).toString(16).toUpperCase().padStart(8, '0');
  assert.ok(xml.includes(`<CREATIONTIME><HIGHPART>0x${hi}</HIGHPART><LOWPART>0x${lo}</LOWPART></CREATIONTIME>`));
  assert.ok(xml.includes(`<LASTMODIFICATIONTIME><HIGHPART>0x${hi}</HIGHPART><LOWPART>0x${lo}</LOWPART></LASTMODIFICATIONTIME>`));
  assert.ok(xml.endsWith('<NAME>n</NAME><ALTITUDE>5000</ALTITUDE></IMAGE></WIM>'));

  // Metadata resource (§8.6)
  const m = blobs[0]!.res;
  const meta = w.subarray(m.offset, m.offset + m.size);
  assert.equal(meta.readUInt32LE(0), 8, 'security data total_length');
  assert.equal(meta.readUInt32LE(4), 0, 'no security descriptors');
  const [root, ...rest] = readDentries(meta, 8);
  assert.equal(rest.length, 0, 'one root');
  assert.equal(root!.name, '');
  assert.equal(root!.attributes, 0x10);
  assert.equal(root!.subdirOffset, 8 + 104 + 8, 'root children follow the root and its terminator');

  const seen: string[] = [];
  const walk = (ds: Dentry[], prefix: string): void => {
    for (const d of ds) {
      const path = prefix + d.name;
      seen.push(path + (d.children ? '/' : ''));
      assert.equal(d.securityId, -1);
      assert.deepEqual(d.times, [FILETIME, FILETIME, FILETIME], `times of ${path}`);
      if (d.children) {
        assert.equal(d.attributes, 0x10);
        assert.equal(d.hash, '0'.repeat(40));
        walk(d.children, path + '/');
      } else {
        assert.equal(d.attributes, 0x20);
        assert.equal(d.subdirOffset, 0);
      }
    }
  };
  walk(root!.children!, '');
  // Pre-order with wimlib's collation (case-insensitive first).
  assert.deepEqual(seen, [
    'copy.xml',
    'DataAsset/',
    'DataAsset/big.bin',
    'empty.xml',
    'Multivariant/',
    'Multivariant/0/',
    'Multivariant/0/Prov/',
    'Multivariant/0/Prov/RunTime.xml',
    'Multivariant/Multivariant.xml',
  ]);
  const hashOf = (name: string) => {
    const find = (ds: Dentry[], parts: string[]): Dentry => {
      const d = ds.find((x) => x.name === parts[0])!;
      return parts.length === 1 ? d : find(d.children!, parts.slice(1));
    };
    return find(root!.children!, name.split('/')).hash;
  };
  assert.equal(hashOf('empty.xml'), '0'.repeat(40), 'empty file: zero hash');
  assert.equal(hashOf('copy.xml'), hashOf('Multivariant/Multivariant.xml'), 'duplicates share a hash');
  assert.equal(hashOf('DataAsset/big.bin'), createHash('sha1').update(big).digest('hex'));
});

test('the uncompressed header variant clears the compression flags and chunk size', async () => {
  const out = join(work, 'none.wim');
  await writeWim(out, [{ path: 'a', source: { kind: 'buffer', data: Buffer.from('x') } }], { ...image, headerCompression: 'none' });
  const w = readFileSync(out);
  assert.equal(w.readUInt32LE(0x10), 0x80);
  assert.equal(w.readUInt32LE(0x14), 0);
});

test('dentry collation: case-insensitive, then case-sensitive', () => {
  const names = ['b', 'A', 'a', 'B', '_x', 'Zebra', 'apple', 'ä', 'a.b', 'a0'];
  assert.deepEqual([...names].sort(collateNames), ['A', 'a', 'a.b', 'a0', 'apple', 'B', 'b', 'Zebra', '_x', 'ä']);
});

test('invalid entries and properties are refused before anything is written', async () => {
  const buf = (s: string) => ({ kind: 'buffer' as const, data: Buffer.from(s) });
  const cases: Array<[WimFileEntry[], Partial<WimImageOptions>, RegExp]> = [
    [[{ path: 'a/b', source: buf('1') }, { path: 'a/b', source: buf('2') }], {}, /listed twice/],
    [[{ path: 'a', source: buf('1') }, { path: 'a/b', source: buf('2') }], {}, /is a file/],
    [[{ path: 'a/b', source: buf('1') }, { path: 'a', source: buf('2') }], {}, /also a directory/],
    [[{ path: 'Dir/x', source: buf('1') }, { path: 'dir/y', source: buf('2') }], {}, /differ only in case/],
    [[{ path: '/abs', source: buf('1') }], {}, /must not start with/],
    [[{ path: 'a//b', source: buf('1') }], {}, /empty/],
    [[{ path: 'a/../b', source: buf('1') }], {}, /'\.\.'/],
    [[{ path: 'a\\b', source: buf('1') }], {}, /character/],
    [[], { properties: [['BAD NAME', 'x']] }, /not a valid XML element name/],
    [[], { properties: [['TOTALBYTES', '1']] }, /computed by the writer/],
    [[], { properties: [['NAME', 'a'], ['NAME', 'b']] }, /given twice/],
    [[], { properties: [['NOTES', 'bell\u0007']] }, /character XML cannot represent/],
    [[], { guid: Buffer.alloc(15) }, /16-byte/],
    [[], { timestamp: new Date(NaN) }, /not a valid date/],
  ];
  for (const [entries, extra, message] of cases) {
    const out = join(work, 'invalid.wim');
    rmSync(out, { force: true });
    await assert.rejects(writeWim(out, entries, { ...image, ...extra }), message, String(message));
    assert.throws(() => readFileSync(out), { code: 'ENOENT' }, `no output for ${message}`);
  }
});

test('secret-looking property values never appear in error messages', async () => {
  const sentinel = 'SENTINEL-\u0001-do-not-log';
  await assert.rejects(
    writeWim(join(work, 'x.wim'), [], { ...image, properties: [['NOTES', sentinel]] }),
    (err: Error) => !err.message.includes('SENTINEL') && /NOTES/.test(err.message),
  );
});
