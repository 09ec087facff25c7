/**
 * Structural checks of the written WIM, parsed here byte by byte against
 * docs/wim-container.md (ICD's container, §Byte layout): header fields, the
 * blob table, compressed and raw resources (decoded with the [MS-XCA] test
 * decoder of test/support/wimReader.ts), security descriptors, dentry order
 * and layout, and the image XML. Plus input validation and collation.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';

import { writeWim, type WimFileEntry, type WimImageOptions } from '../../server/src/package/wim';
import { collateNames } from '../../server/src/package/wim/tree';
import { compressChunk } from '../../server/src/package/wim/xpress/compress';
import { pattern } from '../support/bytes';
import { describeSecurityDescriptor, parseReshdr, readResource, RESHDR_COMPRESSED, RESHDR_METADATA, type Reshdr } from '../support/wimReader';

const work = mkdtempSync(join(tmpdir(), 'ppkg-wim-struct-'));
after(() => rmSync(work, { recursive: true, force: true }));

const guid = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
const timestamp = new Date('2025-12-31T23:59:59Z');
const icdProperties: Array<[string, string]> = [
  ['NAME', 'n'],
  ['DESCRIPTION', ''],
  ['NOTES', 'VERSION=10.0.26100.1;Source=Classic;;'],
  ['AUTHOR', ''],
  ['VERSION', '1.0'],
  ['ALTITUDE', '5000'],
  ['RESETCLEAR', '0'],
  ['PACKAGEID', '{11111111-2222-3333-4444-555555555555}'],
];
const image: WimImageOptions = { properties: icdProperties, trailingProperties: [['WIMBOOT', '0']], timestamp, guid };
const FILETIME = (BigInt(timestamp.getTime()) + 11644473600000n) * 10000n;

interface Blob {
  res: Reshdr;
  part: number;
  refcnt: number;
  sha1: string;
}

interface ParsedWim {
  w: Buffer;
  blobTable: Reshdr;
  xml: Reshdr;
  blobs: Blob[];
  metadata: Buffer;
}

function parseWim(path: string): ParsedWim {
  const w = readFileSync(path);
  const blobTable = parseReshdr(w, 0x30);
  const xml = parseReshdr(w, 0x48);
  const blobs: Blob[] = [];
  for (let at = blobTable.offset; at < blobTable.offset + blobTable.size; at += 50) {
    blobs.push({ res: parseReshdr(w, at), part: w.readUInt16LE(at + 24), refcnt: w.readUInt32LE(at + 26), sha1: w.toString('hex', at + 30, at + 50) });
  }
  const metadata = readResource(w, blobs[0]!.res).data;
  return { w, blobTable, xml, blobs, metadata };
}

interface Dentry {
  name: string;
  offset: number;
  length: number;
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
    assert.equal(length, (102 + (nameBytes ? nameBytes + 2 : 0) + 7) & ~7, 'length = fixed part + name + NUL, padded');
    const d: Dentry = {
      name: meta.toString('utf16le', offset + 102, offset + 102 + nameBytes),
      offset,
      length,
      attributes: meta.readUInt32LE(offset + 8),
      securityId: meta.readInt32LE(offset + 12),
      subdirOffset: Number(meta.readBigUInt64LE(offset + 16)),
      times: [meta.readBigUInt64LE(offset + 0x28), meta.readBigUInt64LE(offset + 0x30), meta.readBigUInt64LE(offset + 0x38)],
      hash: meta.toString('hex', offset + 0x40, offset + 0x54),
    };
    if (d.attributes & 0x10) d.children = d.subdirOffset ? readDentries(meta, d.subdirOffset) : [];
    out.push(d);
    offset += length;
  }
}

test('an ICD-shaped image: header, blob table, resources, security, dentry order and XML', async () => {
  const big = Buffer.alloc(70_000, 0x5a); // compresses to almost nothing
  const bigPath = join(work, 'big.bin');
  writeFileSync(bigPath, big);
  const xmlText = Buffer.from(
    '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n' +
      '<Elements Type="CommonSettings">\r\n  <Element Index="1">\r\n  </Element>\r\n</Elements>\r\n'.repeat(20),
  );
  const buf = (s: string | Buffer) => ({ kind: 'buffer' as const, data: Buffer.from(s) });
  const entries: WimFileEntry[] = [
    { path: 'zeta/x.txt', source: buf('zeta') },
    { path: 'copy.xml', source: buf('same') },
    { path: 'empty.xml', source: buf('') },
    { path: 'DataAsset/big.bin', source: { kind: 'file', path: bigPath } },
    { path: 'CommonSettings/CommonSettings.xml', source: buf(xmlText) },
    { path: 'Multivariant/0/Prov/RunTime/2__C.provxml', source: buf('c') },
    { path: 'Multivariant/0/Prov/RunTime/1__B.provxml', source: buf('b') },
    { path: 'Multivariant/0/Prov/RunTime/10__A.provxml', source: buf('a') },
    { path: 'Multivariant/0/Prov/RunTime.xml', source: buf('runtime') },
    { path: 'Multivariant/0/customizations.xml', source: buf('custom') },
    { path: 'Multivariant/Multivariant.xml', source: buf('same') },
  ];
  const out = join(work, 's.wim');
  const { bytes } = await writeWim(out, entries, image);
  const { w, blobTable: bt, xml: xr, blobs, metadata } = parseWim(out);
  assert.equal(w.length, bytes);

  // Header (docs/wim-container.md §What the writer writes, in file order)
  assert.equal(w.toString('latin1', 0, 8), 'MSWIM\0\0\0');
  assert.equal(w.readUInt32LE(0x08), 208);
  assert.equal(w.readUInt32LE(0x0c), 0x10d00);
  assert.equal(w.readUInt32LE(0x10), 0x20082, 'COMPRESSION | XPRESS | RP_FIX, WRITE_IN_PROGRESS clear');
  assert.equal(w.readUInt32LE(0x14), 32768);
  assert.ok(w.subarray(0x18, 0x28).equals(guid));
  assert.equal(w.readUInt16LE(0x28), 1);
  assert.equal(w.readUInt16LE(0x2a), 1);
  assert.equal(w.readUInt32LE(0x2c), 1, 'one image');
  assert.ok(w.subarray(0x60, 0x78).equals(Buffer.alloc(24)), 'no boot metadata');
  assert.equal(w.readUInt32LE(0x78), 0, 'boot index 0');
  assert.ok(w.subarray(0x7c, 0xd0).equals(Buffer.alloc(0xd0 - 0x7c)), 'no integrity table, unused bytes zero');

  // Blob table and XML: raw, METADATA flag only (docs/wim-container.md §What the writer writes, in file order)
  assert.equal(bt.flags, RESHDR_METADATA);
  assert.equal(bt.size, bt.original);
  assert.equal(bt.size % 50, 0);
  assert.equal(xr.flags, RESHDR_METADATA);
  assert.equal(xr.size, xr.original);
  assert.equal(xr.offset, bt.offset + bt.size, 'XML follows the blob table');
  assert.equal(xr.offset + xr.size, w.length, 'XML ends the file');

  // Metadata first, compressed (docs/wim-container.md §Compression); then file blobs in ascending offset,
  // contiguous from the header on, in dentry order: CommonSettings.xml,
  // big.bin, 'same' (copy.xml, stored once), zeta/x.txt are out of order on
  // purpose in the entries. Empty files have no blob.
  const [meta, ...files] = blobs;
  assert.equal(meta!.res.flags, RESHDR_METADATA | RESHDR_COMPRESSED, 'metadata entry first, XPRESS-compressed');
  assert.equal(meta!.refcnt, 1);
  assert.ok(meta!.res.size < meta!.res.original, 'the metadata shrinks');
  let expectedOffset = 208;
  for (const b of files) {
    assert.equal(b.part, 1);
    assert.equal(b.res.offset, expectedOffset, 'file resources are contiguous and unpadded, from the header on');
    expectedOffset += b.res.size;
  }
  assert.equal(meta!.res.offset, expectedOffset, 'metadata follows the last file resource');
  assert.equal(bt.offset, meta!.res.offset + meta!.res.size, 'blob table follows the metadata');
  for (const b of blobs) {
    const data = readResource(w, b.res).data;
    assert.equal(data.length, b.res.original);
    assert.equal(createHash('sha1').update(data).digest('hex'), b.sha1, 'SHA-1 of the uncompressed bytes');
  }
  const label = (data: Buffer) => (data.equals(big) ? 'big' : data.equals(xmlText) ? 'xml' : data.toString());
  assert.deepEqual(
    files.map((b) => label(readResource(w, b.res).data)),
    ['same', 'custom', 'runtime', 'a', 'b', 'c', 'xml', 'big', 'zeta'],
    'data in dentry order (Multivariant.xml first, copy.xml a duplicate of it)',
  );
  const byContent = (s: string) => files.find((b) => b.res.original === Buffer.byteLength(s))!;
  assert.equal(byContent('same').refcnt, 2, 'deduplicated content counts both files');
  assert.equal(byContent('runtime').res.flags, 0, 'tiny files are stored raw, flags 0');
  assert.equal(byContent('runtime').res.size, 7);
  const bigBlob = files.find((b) => b.res.original === big.length)!;
  assert.equal(bigBlob.res.flags, RESHDR_COMPRESSED, 'compressible file compressed');
  assert.ok(bigBlob.res.size < 1000);
  assert.equal(byContent(xmlText.toString()).res.flags, RESHDR_COMPRESSED, 'compressible buffer compressed');

  // Security data (docs/wim-container.md §Security data): two descriptors, padded to 8.
  const total = metadata.readUInt32LE(0);
  assert.equal(total % 8, 0);
  assert.equal(metadata.readUInt32LE(4), 2, 'two descriptors');
  const sizes = [Number(metadata.readBigUInt64LE(8)), Number(metadata.readBigUInt64LE(16))];
  const d0 = metadata.subarray(24, 24 + sizes[0]!);
  const d1 = metadata.subarray(24 + sizes[0]!, 24 + sizes[0]! + sizes[1]!);
  assert.equal(total, (24 + sizes[0]! + sizes[1]! + 7) & ~7);
  assert.deepEqual(describeSecurityDescriptor(d0), { control: 0x8004, text: 'O:BAG:SYD:(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)' });
  assert.deepEqual(describeSecurityDescriptor(d1), { control: 0x8004, text: 'O:BAG:SYD:(A;ID;FA;;;SY)(A;ID;FA;;;BA)' });

  // Dentries
  const [root, ...rest] = readDentries(metadata, total);
  assert.equal(rest.length, 0, 'one root');
  assert.equal(root!.name, '');
  assert.equal(root!.attributes, 0x10);
  assert.equal(root!.securityId, 0, 'the root carries descriptor 0');
  assert.equal(root!.subdirOffset, total + 104 + 8, 'root children follow the root and its terminator');

  const seen: string[] = [];
  const lists: Array<{ dir: string; at: number; bytes: number }> = [{ dir: '', at: root!.subdirOffset, bytes: 0 }];
  const walk = (ds: Dentry[], prefix: string): void => {
    for (const d of ds) {
      const path = prefix + d.name;
      seen.push(path + (d.children ? '/' : ''));
      assert.deepEqual(d.times, [FILETIME, FILETIME, FILETIME], `times of ${path}`);
      if (d.children) {
        assert.equal(d.attributes, 0x10);
        assert.equal(d.securityId, -1, `subdirectory ${path} carries no descriptor`);
        assert.equal(d.hash, '0'.repeat(40));
        lists.push({ dir: path, at: d.subdirOffset, bytes: d.children.reduce((s, c) => s + c.length, 0) });
        walk(d.children, path + '/');
      } else {
        assert.equal(d.attributes, 0x20);
        assert.equal(d.securityId, 1, `file ${path} carries descriptor 1`);
        assert.equal(d.subdirOffset, 0);
      }
    }
  };
  lists[0]!.bytes = root!.children!.reduce((s, c) => s + c.length, 0);
  walk(root!.children!, '');
  // ICD's order: the root's three folders first, then the rest collated;
  // elsewhere files (10__ before 1__), then subdirectories.
  assert.deepEqual(seen, [
    'Multivariant/',
    'Multivariant/Multivariant.xml',
    'Multivariant/0/',
    'Multivariant/0/customizations.xml',
    'Multivariant/0/Prov/',
    'Multivariant/0/Prov/RunTime.xml',
    'Multivariant/0/Prov/RunTime/',
    'Multivariant/0/Prov/RunTime/10__A.provxml',
    'Multivariant/0/Prov/RunTime/1__B.provxml',
    'Multivariant/0/Prov/RunTime/2__C.provxml',
    'CommonSettings/',
    'CommonSettings/CommonSettings.xml',
    'DataAsset/',
    'DataAsset/big.bin',
    'copy.xml',
    'empty.xml',
    'zeta/',
    'zeta/x.txt',
  ]);
  // Child lists laid out depth-first, each right after the previous one's terminator.
  assert.deepEqual(
    lists.map((l) => l.dir),
    ['', 'Multivariant', 'Multivariant/0', 'Multivariant/0/Prov', 'Multivariant/0/Prov/RunTime', 'CommonSettings', 'DataAsset', 'zeta'],
  );
  for (let i = 1; i < lists.length; i++) assert.equal(lists[i]!.at, lists[i - 1]!.at + lists[i - 1]!.bytes + 8, `list of ${lists[i]!.dir}`);
  assert.equal(metadata.length, lists.at(-1)!.at + lists.at(-1)!.bytes + 8, 'the last list ends the resource');
  const find = (name: string): Dentry => {
    const go = (ds: Dentry[], parts: string[]): Dentry => {
      const d = ds.find((x) => x.name === parts[0])!;
      return parts.length === 1 ? d : go(d.children!, parts.slice(1));
    };
    return go(root!.children!, name.split('/'));
  };
  assert.equal(find('empty.xml').hash, '0'.repeat(40), 'empty file: zero hash');
  assert.equal(find('copy.xml').hash, find('Multivariant/Multivariant.xml').hash, 'duplicates share a hash');
  assert.equal(find('DataAsset/big.bin').hash, createHash('sha1').update(big).digest('hex'));

  // XML (docs/wim-container.md §Image XML): one line, UTF-16LE with BOM, ICD's element order; DIRCOUNT without the root.
  const xmlBytes = w.subarray(xr.offset, xr.offset + xr.size);
  assert.deepEqual([...xmlBytes.subarray(0, 2)], [0xff, 0xfe], 'UTF-16LE BOM');
  const hex = (n: bigint) => '0x' + n.toString(16).toUpperCase().padStart(8, '0');
  const time = `<HIGHPART>${hex(FILETIME >> 32n)}</HIGHPART><LOWPART>${hex(FILETIME & 0xffffffffn)}</LOWPART>`;
  const totalBytes = entries.reduce((s, e) => s + (e.source.kind === 'buffer' ? e.source.data.length : big.length), 0);
  assert.equal(
    xmlBytes.toString('utf16le', 2),
    `<WIM><TOTALBYTES>${xr.offset}</TOTALBYTES><IMAGE INDEX="1">` +
      '<NAME>n</NAME><DESCRIPTION></DESCRIPTION><NOTES>VERSION=10.0.26100.1;Source=Classic;;</NOTES><AUTHOR></AUTHOR>' +
      '<VERSION>1.0</VERSION><ALTITUDE>5000</ALTITUDE><RESETCLEAR>0</RESETCLEAR><PACKAGEID>{11111111-2222-3333-4444-555555555555}</PACKAGEID>' +
      `<DIRCOUNT>7</DIRCOUNT><FILECOUNT>11</FILECOUNT><TOTALBYTES>${totalBytes}</TOTALBYTES><HARDLINKBYTES>0</HARDLINKBYTES>` +
      `<CREATIONTIME>${time}</CREATIONTIME><LASTMODIFICATIONTIME>${time}</LASTMODIFICATIONTIME>` +
      '<WIMBOOT>0</WIMBOOT></IMAGE></WIM>',
  );
});

/** Build one file from `data` (as a file or a buffer source) and return its blob. */
async function singleBlob(name: string, data: Buffer, kind: 'file' | 'buffer', extra: Partial<WimImageOptions> = {}) {
  const src = join(work, `${name}.src`);
  writeFileSync(src, data);
  const out = join(work, `${name}.wim`);
  await writeWim(out, [{ path: 'DataAsset/f', source: kind === 'file' ? { kind, path: src } : { kind, data } }], { ...image, ...extra });
  const parsed = parseWim(out);
  assert.equal(parsed.blobs.length, 2);
  const blob = parsed.blobs[1]!;
  const read = readResource(parsed.w, blob.res);
  assert.ok(read.data.equals(data), `${name}: content`);
  assert.equal(createHash('sha1').update(data).digest('hex'), blob.sha1, `${name}: SHA-1`);
  return { blob, read };
}

/** Provisioning-XML-like text of exactly `size` bytes, varied by `seed`. */
function xmlish(size: number, seed: number): Buffer {
  const rnd = pattern(Math.ceil(size / 16) + 8, seed);
  let text = '';
  for (let i = 0; text.length < size; i += 2) {
    text += `    <parm name="Setting${rnd[i % rnd.length]}" value="${rnd[(i + 1) % rnd.length]! * 7}" datatype="integer" />\r\n`;
  }
  return Buffer.from(text.slice(0, size));
}

test('file resources: compressed when smaller, raw (flags 0, original size) otherwise, streamed or buffered alike', async () => {
  for (const kind of ['file', 'buffer'] as const) {
    // Random data never shrinks: stored raw.
    for (const size of [1, 100, 5 * 32768 + 7, 3 << 20]) {
      const { blob } = await singleBlob(`rand-${kind}-${size}`, pattern(size, size), kind);
      assert.equal(blob.res.flags, 0, `random ${size} (${kind}) raw`);
      assert.equal(blob.res.size, size);
    }
    // Compressible: compressed, with an exact chunk table.
    for (const size of [1000, 32768, 32769, 2 * 32768, (1 << 20) + 5]) {
      const data = xmlish(size, size);
      const { blob, read } = await singleBlob(`xml-${kind}-${size}`, data, kind);
      assert.equal(blob.res.flags, RESHDR_COMPRESSED, `xml ${size} (${kind}) compressed`);
      assert.equal(read.storedSizes.length, Math.ceil(size / 32768));
      // Every full chunk shrinks; a tail of a few bytes stays raw.
      assert.ok(
        read.storedSizes.slice(0, Math.floor(size / 32768)).every((s) => s < 32768 / 2),
        `chunks of xml ${size}`,
      );
      assert.ok(blob.res.size < size * 0.6, `ratio ${blob.res.size / size}`);
    }
  }
  // The first-chunk rule is the chunk compressor's: a 423-byte file takes whichever form is smaller.
  const small = xmlish(423, 1);
  const { blob } = await singleBlob('xml-423', small, 'buffer');
  assert.equal(blob.res.flags, compressChunk(small) ? RESHDR_COMPRESSED : 0);
});

test('a chunk that does not shrink is stored raw inside a compressed resource', async () => {
  // 10 compressible chunks, then 3 random ones, then compressible again.
  const data = Buffer.concat([xmlish(10 * 32768, 3), pattern(3 * 32768, 4), xmlish(32768 + 100, 5)]);
  for (const kind of ['file', 'buffer'] as const) {
    const { blob, read } = await singleBlob(`mixed-${kind}`, data, kind);
    assert.equal(blob.res.flags, RESHDR_COMPRESSED);
    assert.deepEqual(read.storedSizes.slice(10, 13), [32768, 32768, 32768], 'random chunks raw');
    assert.ok(
      read.storedSizes.slice(0, 10).every((s) => s < 20000),
      'compressible chunks compressed',
    );
  }
});

test('installers: a file whose first chunks do not shrink is stored raw, even if it compresses later', async () => {
  // 8 random chunks (the probe), then 2 MiB of text: given up, raw.
  const data = Buffer.concat([pattern(8 * 32768, 6), xmlish(2 << 20, 7)]);
  for (const kind of ['file', 'buffer'] as const) {
    const { blob } = await singleBlob(`giveup-${kind}`, data, kind);
    assert.equal(blob.res.flags, 0, kind);
  }
  // Compressible start, then a long packed payload: compressed, the payload's chunks raw.
  const installer = Buffer.concat([xmlish(9 * 32768, 8), pattern(4 << 20, 9), xmlish(100_000, 10)]);
  const { blob, read } = await singleBlob('installer', installer, 'file');
  assert.equal(blob.res.flags, RESHDR_COMPRESSED);
  assert.ok(read.rawChunks >= 128, `payload chunks raw: ${read.rawChunks}`);
  assert.ok(read.storedSizes.at(-1)! < 32768 / 2, 'text after the payload compressed again');
});

test('a file that changes between the compressed and the raw pass fails naming it', async () => {
  // Random and shorter than the probe: compressed in full, found no smaller, read again raw.
  const src = join(work, 'changing.bin');
  writeFileSync(src, pattern(5 * 32768, 11));
  let changed = false;
  await assert.rejects(
    writeWim(join(work, 'changing.wim'), [{ path: 'a.bin', source: { kind: 'file', path: src } }], {
      ...image,
      onProgress: () => {
        if (!changed) {
          writeFileSync(src, pattern(5 * 32768, 12)); // same size, other bytes
          changed = true;
        }
      },
    }),
    (err: Error) => err.message.includes(src) && /changed during the build/.test(err.message),
  );
  assert.ok(changed);
});

test('the metadata resource is compressed even when that does not shrink it', async () => {
  const out = join(work, 'empty.wim');
  await writeWim(out, [], image);
  const { blobs, metadata } = parseWim(out);
  assert.equal(blobs.length, 1);
  assert.equal(blobs[0]!.res.flags, RESHDR_METADATA | RESHDR_COMPRESSED);
  assert.equal(metadata.readUInt32LE(4), 2, 'both descriptors, even with no file');
});

test('the uncompressed header variant writes every resource raw', async () => {
  const out = join(work, 'none.wim');
  const data = xmlish(100_000, 2);
  await writeWim(out, [{ path: 'a', source: { kind: 'buffer', data } }], { ...image, headerCompression: 'none' });
  const { w, blobs } = parseWim(out);
  assert.equal(w.readUInt32LE(0x10), 0x80);
  assert.equal(w.readUInt32LE(0x14), 0);
  assert.deepEqual(
    blobs.map((b) => b.res.flags),
    [RESHDR_METADATA, 0],
  );
  assert.ok(readResource(w, blobs[1]!.res).data.equals(data));
});

test('dentry collation: case-insensitive, then case-sensitive', () => {
  const names = ['b', 'A', 'a', 'B', '_x', 'Zebra', 'apple', 'ä', 'a.b', 'a0', '10__x', '1__x'];
  assert.deepEqual([...names].sort(collateNames), ['10__x', '1__x', 'A', 'a', 'a.b', 'a0', 'apple', 'B', 'b', 'Zebra', '_x', 'ä']);
});

test('invalid entries and properties are refused before anything is written', async () => {
  const buf = (s: string) => ({ kind: 'buffer' as const, data: Buffer.from(s) });
  const cases: Array<[WimFileEntry[], Partial<WimImageOptions>, RegExp]> = [
    [
      [
        { path: 'a/b', source: buf('1') },
        { path: 'a/b', source: buf('2') },
      ],
      {},
      /listed twice/,
    ],
    [
      [
        { path: 'a', source: buf('1') },
        { path: 'a/b', source: buf('2') },
      ],
      {},
      /is a file/,
    ],
    [
      [
        { path: 'a/b', source: buf('1') },
        { path: 'a', source: buf('2') },
      ],
      {},
      /also a directory/,
    ],
    [
      [
        { path: 'Dir/x', source: buf('1') },
        { path: 'dir/y', source: buf('2') },
      ],
      {},
      /differ only in case/,
    ],
    [[{ path: '/abs', source: buf('1') }], {}, /must not start with/],
    [[{ path: 'a//b', source: buf('1') }], {}, /empty/],
    [[{ path: 'a/../b', source: buf('1') }], {}, /'\.\.'/],
    [[{ path: 'a\\b', source: buf('1') }], {}, /character/],
    [[], { properties: [['BAD NAME', 'x']] }, /not a valid XML element name/],
    [[], { properties: [['TOTALBYTES', '1']] }, /computed by the writer/],
    [[], { trailingProperties: [['DIRCOUNT', '1']] }, /computed by the writer/],
    [
      [],
      {
        properties: [
          ['NAME', 'a'],
          ['NAME', 'b'],
        ],
      },
      /given twice/,
    ],
    [[], { properties: [['WIMBOOT', '0']], trailingProperties: [['WIMBOOT', '0']] }, /given twice/],
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
