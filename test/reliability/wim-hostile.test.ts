/**
 * Hostile packages against the WIM reader: every one gets the right
 * WimReadError code, in bounded time and memory, and never anything else
 * (no RangeError from a Buffer read, no hang, no out-of-memory).
 *
 * Packages are built byte by byte (test/reliability/wimfuzz/craft.ts). Time
 * bounds are generous (measured once on a 2-core machine, then multiplied);
 * memory bounds use the growth of the process's peak RSS, which a bomb that
 * allocates what it declares could not stay under.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { openWimBuffer, WimReadError, type WimArchive, type WimReadErrorCode } from '../../server/src/package/wim/read';
import {
  assembleWim,
  buildWim,
  defaultXml,
  dentry,
  END_OF_DIRECTORY,
  FILE_ATTRIBUTE_DIRECTORY,
  metadataFor,
  securityData,
  sha1,
  WIM_HEADER_SIZE,
  type CraftFile,
  type DentrySpec,
} from './wimfuzz/craft';
import { encodeXpress } from './wimfuzz/xpressEncode';

const FIXTURES = join(__dirname, '../fixtures/wim');
const MiB = 1024 * 1024;

function isCode(code: WimReadErrorCode, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof WimReadError, `expected WimReadError(${code}), got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  };
}

async function openAndReadAll(data: Buffer, limits?: Parameters<typeof openWimBuffer>[1]): Promise<WimArchive> {
  const wim = await openWimBuffer(data, limits);
  for (const e of wim.entries) {
    if (e.isDirectory) continue;
    await wim.readFile(e);
    for (const s of e.streams ?? []) await wim.readFile(s);
  }
  return wim;
}

async function refuses(data: Buffer, code: WimReadErrorCode, message?: RegExp, limits?: Parameters<typeof openWimBuffer>[1]): Promise<void> {
  await assert.rejects(openAndReadAll(data, limits), isCode(code, message));
}

/** Runs `fn` and checks it stays within `ms` and grows the process's peak RSS by less than `mib`. */
async function bounded<T>(ms: number, mib: number, fn: () => Promise<T>): Promise<T> {
  const peakBefore = process.resourceUsage().maxRSS; // KiB
  const start = performance.now();
  const result = await fn();
  const elapsed = performance.now() - start;
  const grew = (process.resourceUsage().maxRSS - peakBefore) / 1024;
  assert.ok(elapsed < ms, `took ${elapsed.toFixed(0)} ms (bound ${ms} ms)`);
  assert.ok(grew < mib, `peak RSS grew by ${grew.toFixed(0)} MiB (bound ${mib} MiB)`);
  return result;
}

const FILES: CraftFile[] = [
  { path: 'Multivariant/Multivariant.xml', data: Buffer.from('\ufeff<Multivariant/>') },
  { path: 'Multivariant/0/Prov/RunTime.xml', data: Buffer.from('<RunTime/>'.repeat(5000)) },
  { path: 'DataAsset/1/a.bin', data: Buffer.from('asset') },
];
const GOOD = buildWim(FILES, { compressMetadata: true, compressBlobs: true });

test('the well-formed base package reads', async () => {
  const wim = await openAndReadAll(GOOD);
  assert.deepEqual(
    wim.entries.map((e) => e.path),
    [
      'Multivariant',
      'Multivariant/Multivariant.xml',
      'Multivariant/0',
      'Multivariant/0/Prov',
      'Multivariant/0/Prov/RunTime.xml',
      'DataAsset',
      'DataAsset/1',
      'DataAsset/1/a.bin',
    ],
  );
});

/* ---------------------------------------------------------------- header */

test('not a WIM: empty, short, ZIP, random, encrypted-looking', async () => {
  const message = /^not a WIM file; encrypted or signed packages cannot be read/;
  for (const data of [
    Buffer.alloc(0),
    Buffer.from('MSWI'),
    Buffer.from('PK\x03\x04rest of a zip file'),
    Buffer.alloc(4096, 0x5a),
    Buffer.from('MSWIN\0\0\0' + 'x'.repeat(300)),
  ]) {
    await refuses(data, 'not-a-wim', message);
  }
});

test('every truncation of the header is truncated (or not-a-wim before the magic)', async () => {
  for (let n = 0; n < WIM_HEADER_SIZE; n++) await refuses(GOOD.subarray(0, n), n < 8 ? 'not-a-wim' : 'truncated');
});

test('every truncation of the whole package is refused with truncated or corrupt', async () => {
  for (let n = WIM_HEADER_SIZE; n < GOOD.length; n += 7) {
    await assert.rejects(openAndReadAll(GOOD.subarray(0, n)), (err: unknown) => err instanceof WimReadError && ['truncated', 'corrupt'].includes(err.code));
  }
});

function patched(edit: (h: Buffer) => void): Buffer {
  const b = Buffer.from(GOOD);
  edit(b);
  return b;
}

test('header fields: size, version, in-progress, split, images, compression, chunk size, pipable', async () => {
  await refuses(
    patched((b) => b.writeUInt32LE(200, 0x08)),
    'corrupt',
    /header size field is 200/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x10900, 0x0c)),
    'unsupported',
    /version 0x10900/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x20082 | 0x40, 0x10)),
    'corrupt',
    /still being written/,
  );
  await refuses(
    patched((b) => b.writeUInt16LE(2, 0x2a)),
    'unsupported',
    /split WIM \(part 1 of 2\)/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x20082 | 0x8, 0x10)),
    'unsupported',
    /split WIM/,
  );
  await refuses(
    patched((b) => b.writeUInt16LE(0, 0x28)),
    'corrupt',
    /part number is 0/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0, 0x2c)),
    'unsupported',
    /no image/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(2, 0x2c)),
    'unsupported',
    /2 images/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x40082, 0x10)),
    'unsupported',
    /LZX-compressed/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x80082, 0x10)),
    'unsupported',
    /LZMS-compressed/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0xe00, 0x0c)),
    'unsupported',
    /solid WIM/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x60082, 0x10)),
    'corrupt',
    /without naming one known compression/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x00082, 0x10)),
    'corrupt',
    /without naming one known compression/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(0x80, 0x10)),
    'corrupt',
    /marked compressed in an uncompressed WIM/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(1000, 0x14)),
    'corrupt',
    /chunk size 1000/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(1 << 17, 0x14)),
    'corrupt',
    /chunk size 131072/,
  );
  await refuses(
    patched((b) => b.writeUInt32LE(5, 0x78)),
    'corrupt',
    /boot index 5/,
  );
  await refuses(
    patched((b) => b.write('WLPWM\0\0\0', 0, 'latin1')),
    'unsupported',
    /pipable/,
  );
});

test('an LZX package (wimlib) is refused as unsupported', async () => {
  await refuses(readFileSync(join(FIXTURES, 'lzx.wim')), 'unsupported', /LZX/);
});

/* ------------------------------------------------ sizes and offsets past the end */

test('blob table, XML and resources that point past the end of the file', async () => {
  await refuses(
    patched((b) => b.writeBigUInt64LE(BigInt(GOOD.length), 0x30 + 8)),
    'truncated',
    /blob table/,
  );
  await refuses(
    patched((b) => b.writeBigUInt64LE(2n ** 62n, 0x30 + 8)),
    'truncated',
    /blob table/,
  );
  await refuses(
    patched((b) => b.writeUIntLE(GOOD.length, 0x48, 6)),
    'truncated',
    /XML/,
  );
  // A blob whose resource starts beyond the end.
  const tableAt = Number(GOOD.readBigUInt64LE(0x38));
  await refuses(
    patched((b) => b.writeBigUInt64LE(BigInt(GOOD.length + 100), tableAt + 50 + 8)),
    'truncated',
    /WIM blob/,
  );
  // The metadata resource overlapping the header.
  await refuses(
    patched((b) => b.writeBigUInt64LE(16n, tableAt + 8)),
    'corrupt',
    /overlaps the WIM header/,
  );
});

test('the blob table: partial entries, foreign parts, no or two metadata resources, too many blobs', async () => {
  const tableAt = Number(GOOD.readBigUInt64LE(0x38));
  await refuses(
    patched((b) => b.writeUIntLE(GOOD.readUIntLE(0x30, 6) - 1, 0x30, 6) && b.writeBigUInt64LE(BigInt(GOOD.readUIntLE(0x30, 6) - 1), 0x30 + 16)),
    'corrupt',
    /not a whole number/,
  );
  await refuses(
    patched((b) => b.writeUInt16LE(2, tableAt + 24)),
    'corrupt',
    /part 2/,
  );
  await refuses(
    patched((b) => (b[tableAt + 7] = 0x04)),
    'corrupt',
    /0 metadata resources/,
  );
  await refuses(
    patched((b) => (b[tableAt + 50 + 7] |= 0x02)),
    'corrupt',
    /2 metadata resources/,
  );
  await refuses(GOOD, 'limit', /maxBlobs = 2/, { maxBlobs: 2 });
  await refuses(
    patched((b) => (b[tableAt + 50 + 7] |= 0x10)),
    'unsupported',
    /solid resource/,
  );
});

/* ------------------------------------------------------------ decompression bombs */

test('a resource declaring far more than its data can hold fails at open, without decompressing', async () => {
  const tableAt = Number(GOOD.readBigUInt64LE(0x38));
  for (const usize of [2n ** 40n, 2n ** 60n, 50n * BigInt(MiB)]) {
    await bounded(2000, 32, () =>
      refuses(
        patched((b) => b.writeBigUInt64LE(usize, tableAt + 50 + 16)),
        'corrupt',
        /cannot hold their chunk table/,
      ),
    );
  }
  // Metadata declaring more than the metadata limit: refused before it is read.
  await bounded(2000, 32, () =>
    refuses(
      patched((b) => b.writeBigUInt64LE(2n ** 40n, tableAt + 16)),
      'limit',
      /maxMetadataBytes/,
    ),
  );
});

/** A chunk of ~260 bytes that decompresses to a full 32 KiB. */
const TINY_CHUNK = encodeXpress([0x41, { length: 32767, offset: 1 }]);

/** A package whose one file is `chunks` copies of TINY_CHUNK: chunks × 32 KiB declared from chunks × ~260 bytes. */
function bomb(chunks: number, rightHash: boolean): Buffer {
  const data = Buffer.alloc(0); // content is implied; the table and chunks are hand-made
  const table = Buffer.alloc((chunks - 1) * 4);
  for (let i = 1; i < chunks; i++) table.writeUInt32LE(i * TINY_CHUNK.length, (i - 1) * 4);
  const stored = Buffer.concat([table, ...Array<Buffer>(chunks).fill(TINY_CHUNK)]);
  const usize = chunks * 32768;
  const hash = rightHash ? sha1(Buffer.alloc(usize, 0x41)) : sha1(Buffer.from('something else'));
  const { metadata } = metadataFor([{ path: 'bomb.bin', data: Buffer.from('placeholder') }]);
  // Point the dentry at the bomb's hash.
  const placeholder = sha1(Buffer.from('placeholder'));
  const at = metadata.indexOf(placeholder);
  hash.copy(metadata, at);
  return assembleWim({
    metadata: { data: metadata, compress: true },
    blobs: [{ data, stored, compress: true, uncompressedSize: usize, hash }],
  });
}

test('decompression bomb: tiny chunks claiming 32 KiB each, 256 MiB in all', async () => {
  const wrong = bomb(8192, false);
  assert.ok(wrong.length < 3 * MiB, `bomb is ${wrong.length} bytes`);
  const wim = await openWimBuffer(wrong);
  const file = wim.entries[0]!;
  assert.equal(file.size, 256 * MiB);
  // readFile refuses anything above its cap before allocating it.
  await bounded(1000, 16, () => assert.rejects(wim.readFile(file, { maxBytes: 16 * MiB }), isCode('limit')));
  await bounded(1000, 16, () =>
    assert.rejects(
      openWimBuffer(wrong, { maxFileBytes: 64 * MiB }).then((w) => w.readFile(file)),
      isCode('limit', /maxFileBytes/),
    ),
  );
  // streamFile decodes all of it in bounded memory and rejects the hash at the end.
  let seen = 0;
  await bounded(30_000, 128, () =>
    assert.rejects(
      (async () => {
        for await (const piece of wim.streamFile(file)) seen += piece.length;
      })(),
      isCode('hash-mismatch', /bomb\.bin/),
    ),
  );
  assert.equal(seen, 256 * MiB);
});

test('a chunk table whose chunks overlap or run backwards is corrupt', async () => {
  const chunks = 4;
  const table = Buffer.alloc((chunks - 1) * 4);
  [TINY_CHUNK.length, TINY_CHUNK.length, 3 * TINY_CHUNK.length].forEach((v, i) => table.writeUInt32LE(v, i * 4));
  const stored = Buffer.concat([table, ...Array<Buffer>(chunks).fill(TINY_CHUNK)]);
  const { metadata } = metadataFor([{ path: 'f.bin', data: Buffer.alloc(chunks * 32768, 0x41) }]);
  const wim = assembleWim({ metadata: { data: metadata }, blobs: [{ data: Buffer.alloc(chunks * 32768, 0x41), stored, compress: true }] });
  await refuses(wim, 'corrupt', /chunk 1 of 4 has an invalid stored size/);
  // Backwards.
  table.writeUInt32LE(10, 4);
  await refuses(
    assembleWim({
      metadata: { data: metadata },
      blobs: [{ data: Buffer.alloc(chunks * 32768, 0x41), stored: Buffer.concat([table, ...Array<Buffer>(chunks).fill(TINY_CHUNK)]), compress: true }],
    }),
    'corrupt',
    /invalid stored size/,
  );
});

/* ------------------------------------------------------------- directory trees */

/** Metadata from hand-placed dentries: `lists` maps an offset to the dentries at it. */
function metadataAt(size: number, root: DentrySpec, lists: [number, Buffer[]][]): Buffer {
  const sd = securityData([]);
  const meta = Buffer.alloc(size);
  sd.copy(meta, 0);
  dentry(root).copy(meta, sd.length);
  for (const [offset, items] of lists) {
    let at = offset;
    for (const item of items) {
      item.copy(meta, at);
      at += item.length;
    }
  }
  return meta;
}

function wimWithMetadata(meta: Buffer, blobs: Buffer[] = []): Buffer {
  return assembleWim({ metadata: { data: meta, compress: true }, blobs: blobs.map((data) => ({ data })) });
}

const DIR = FILE_ATTRIBUTE_DIRECTORY;

test("a directory whose children are an ancestor's children (a cycle) is corrupt", async () => {
  // root (at 8) lists [a] at 512; a lists [b] at 1024; b points back at 512.
  const meta = metadataAt(2048, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'a', attributes: DIR, subdirOffset: 1024 }), END_OF_DIRECTORY]],
    [1024, [dentry({ name: 'b', attributes: DIR, subdirOffset: 512 }), END_OF_DIRECTORY]],
  ]);
  await bounded(2000, 32, () =>
    refuses(wimWithMetadata(meta), 'corrupt', /cycle: the children of directory "a\/b" are those of its ancestor the root directory/),
  );
  // A directory listing itself.
  const self = metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'a', attributes: DIR, subdirOffset: 512 }), END_OF_DIRECTORY]],
  ]);
  await refuses(wimWithMetadata(self), 'corrupt', /cycle/);
  // The root listing itself.
  await refuses(wimWithMetadata(metadataAt(512, { name: '', attributes: DIR, subdirOffset: 8 }, [])), 'corrupt', /cycle|overlap/);
});

test('two directories sharing or overlapping one listing are corrupt (no entry multiplication)', async () => {
  const shared = metadataAt(2048, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'a', attributes: DIR, subdirOffset: 1024 }), dentry({ name: 'b', attributes: DIR, subdirOffset: 1024 }), END_OF_DIRECTORY]],
    [1024, [dentry({ name: 'x' }), END_OF_DIRECTORY]],
  ]);
  await refuses(wimWithMetadata(shared), 'corrupt', /overlap/);
  // b's listing starts in the middle of a's.
  const x = dentry({ name: 'x' });
  const overlapping = metadataAt(2048, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [
      512,
      [dentry({ name: 'a', attributes: DIR, subdirOffset: 1024 }), dentry({ name: 'b', attributes: DIR, subdirOffset: 1024 + x.length }), END_OF_DIRECTORY],
    ],
    [1024, [x, dentry({ name: 'y' }), END_OF_DIRECTORY]],
  ]);
  await refuses(wimWithMetadata(overlapping), 'corrupt', /overlap/);
  // A doubling tree: 20 levels of two directories both pointing at the next level would be 2^20 entries.
  const lists: [number, Buffer[]][] = [];
  for (let level = 0; level < 20; level++) {
    const next = 512 + (level + 1) * 512;
    lists.push([
      512 + level * 512,
      [dentry({ name: 'l', attributes: DIR, subdirOffset: next }), dentry({ name: 'r', attributes: DIR, subdirOffset: next }), END_OF_DIRECTORY],
    ]);
  }
  lists.push([512 + 20 * 512, [END_OF_DIRECTORY]]);
  await bounded(2000, 32, () => refuses(wimWithMetadata(metadataAt(512 * 22, { name: '', attributes: DIR, subdirOffset: 512 }, lists)), 'corrupt', /overlap/));
});

test('listings that run off the end of the metadata, or start unaligned, are corrupt', async () => {
  await refuses(wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 4096 }, [])), 'corrupt', /past the end/);
  await refuses(wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 516 }, [])), 'corrupt', /unaligned/);
  // No end-of-directory marker: the listing runs into zeros... which is a marker; so make it run into the end.
  const meta = metadataAt(512 + 112, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [dentry({ name: 'abc' })]]]);
  await refuses(wimWithMetadata(meta), 'corrupt', /past the end/);
  // A dentry length longer than the metadata, or shorter than its names.
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [dentry({ name: 'a', lengthField: 4096 })]]])),
    'corrupt',
    /runs past the end/,
  );
  await refuses(
    wimWithMetadata(
      metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [dentry({ name: 'a'.repeat(40), lengthField: 104 }), END_OF_DIRECTORY]]]),
    ),
    'corrupt',
    /names need/,
  );
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [dentry({ name: 'a', lengthField: 64 }), END_OF_DIRECTORY]]])),
    'corrupt',
    /shorter than the 102-byte/,
  );
});

test('a root that is missing or not a directory is corrupt', async () => {
  await refuses(wimWithMetadata(Buffer.alloc(64)), 'corrupt', /no root directory/);
  await refuses(wimWithMetadata(metadataAt(512, { name: '', attributes: 0x20 }, [])), 'corrupt', /root is not a directory/);
});

function chain(depth: number): CraftFile[] {
  return [{ path: Array.from({ length: depth }, (_, i) => `d${i}`).join('/') + '/leaf.txt', data: Buffer.from('x') }];
}

test('very deep trees: 63 directories read, past maxDepth is a limit error', async () => {
  const ok = await openAndReadAll(buildWim(chain(63)));
  assert.equal(ok.entries.length, 64);
  await bounded(2000, 32, () => refuses(buildWim(chain(500)), 'limit', /maxDepth = 64/));
  await refuses(buildWim(chain(10)), 'limit', /maxDepth = 5/, { maxDepth: 5 });
});

test('paths longer than maxPathLength are a limit error', async () => {
  await refuses(buildWim([{ path: `${'p'.repeat(200)}/${'q'.repeat(200)}/x`, data: Buffer.from('x') }]), 'limit', /maxPathLength = 300/, {
    maxPathLength: 300,
  });
});

test('a million entries fail fast and in bounded memory', async () => {
  // Every dentry needs at least 112 bytes, so a million of them is over 100 MiB of metadata:
  // above the default metadata limit, refused from the declared size alone.
  const count = 1_000_000;
  // One 120-byte template with an 8-character name, stamped a million times with distinct names.
  const template = dentry({ name: 'f0000000' });
  const size = 1024 + count * template.length + 8;
  const meta = Buffer.alloc(size);
  securityData([]).copy(meta, 0);
  dentry({ name: '', attributes: DIR, subdirOffset: 1024 }).copy(meta, 8);
  for (let i = 0, at = 1024; i < count; i++, at += template.length) {
    template.copy(meta, at);
    meta.write(i.toString(36).padStart(7, '0'), at + 102 + 2, 'utf16le');
  }
  // Declared size only: the resource itself need not be stored for the check.
  const declared = assembleWim({ metadata: { data: Buffer.alloc(0), stored: Buffer.alloc(0), uncompressedSize: meta.length, hash: sha1(meta) } });
  await bounded(1000, 16, () => refuses(declared, 'limit', /maxMetadataBytes/));
  // Stored, with the metadata limit raised: the entry limit stops the walk at 100 001.
  const stored = assembleWim({ metadata: { data: meta } });
  await bounded(20_000, 256, () => refuses(stored, 'limit', /more than 100000 entries/, { maxMetadataBytes: 256 * MiB }));
});

/* ----------------------------------------------------------------------- names */

function oneName(spec: Partial<DentrySpec> & { name: string }, attributes = 0x20): Buffer {
  const meta = metadataAt(4096, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'Prov', attributes: DIR, subdirOffset: 1024 }), END_OF_DIRECTORY]],
    [1024, [dentry({ attributes, ...spec }), END_OF_DIRECTORY]],
  ]);
  return wimWithMetadata(meta);
}

test('names unsafe to extract are refused, naming the parent directory', async () => {
  const cases: [string, RegExp][] = [
    ['..', /relative path component/],
    ['.', /relative path component/],
    ['a/b', /contains '\/'/],
    ['..\\..\\evil', /contains '\\'/],
    ['C:', /contains ':'/],
    ['C:evil.exe', /contains ':'/],
    ['file.txt:stream', /contains ':'/],
    ['nul\u0000byte', /control character U\+0000/],
    ['tab\there', /control character U\+0009/],
    ['bell\u0007', /control character U\+0007/],
    ['star*', /contains '\*'/],
    ['trailing.', /ends with a dot/],
    ['trailing ', /ends with a dot or a space/],
    ['CON', /device name/],
    ['nul.txt', /device name/],
  ];
  for (const [name, reason] of cases) {
    await assert.rejects(openAndReadAll(oneName({ name })), (err: unknown) => {
      isCode('unsafe-name', reason)(err);
      assert.ok((err as Error).message.startsWith(`file name ${JSON.stringify(name)} in directory "Prov" `), (err as Error).message);
      return true;
    });
  }
  // An empty name (name_nbytes 0) below the root.
  await refuses(oneName({ name: '' }), 'unsafe-name', /"" in directory "Prov" is empty/);
  // Directories too, and at the root.
  await refuses(oneName({ name: '..' }, DIR), 'unsafe-name', /in directory "Prov"/);
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [dentry({ name: '..' }), END_OF_DIRECTORY]]])),
    'unsafe-name',
    /in the root directory/,
  );
});

test('names that are not valid UTF-16 are refused', async () => {
  const lone = Buffer.from([0x41, 0x00, 0x00, 0xd8, 0x42, 0x00]); // 'A', lone high surrogate, 'B'
  await refuses(oneName({ name: '', nameBytes: lone }), 'unsafe-name', /not valid UTF-16/);
  const loneLow = Buffer.from([0x00, 0xdc]);
  await refuses(oneName({ name: '', nameBytes: loneLow }), 'unsafe-name', /not valid UTF-16/);
  await refuses(oneName({ name: '', nameBytes: Buffer.from([0x41, 0x00, 0x42]) }), 'corrupt', /odd number of bytes/);
  // A proper surrogate pair is fine.
  const ok = await openAndReadAll(oneName({ name: 'ok 😀' }));
  assert.equal(ok.entries[1]!.path, 'Prov/ok 😀');
});

test('names longer than 255 UTF-16 units are a limit error', async () => {
  await refuses(oneName({ name: 'n'.repeat(256) }), 'limit', /maxNameLength = 255/);
  const ok = await openAndReadAll(oneName({ name: 'n'.repeat(255) }));
  assert.equal(ok.entries[1]!.name.length, 255);
});

test('two entries with the same name, or names differing only in case, are refused', async () => {
  const twice = metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'a.xml' }), dentry({ name: 'a.xml' }), END_OF_DIRECTORY]],
  ]);
  await refuses(wimWithMetadata(twice), 'unsafe-name', /"a.xml" appears twice in the root directory/);
  const cased = metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'RunTime.xml' }), dentry({ name: 'RUNTIME.XML' }), END_OF_DIRECTORY]],
  ]);
  await refuses(wimWithMetadata(cased), 'unsafe-name', /differ only in case/);
});

test('unsafe or duplicate stream names are refused', async () => {
  const h = sha1(Buffer.from('s'));
  await refuses(
    wimWithMetadata(
      metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [
        [512, [dentry({ name: 'f', streams: [{ name: '../x', hash: h }] }), END_OF_DIRECTORY]],
      ]),
      [Buffer.from('s')],
    ),
    'unsafe-name',
    /stream name "..\/x" in entry "f"/,
  );
  await refuses(
    wimWithMetadata(
      metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [
        [
          512,
          [
            dentry({
              name: 'f',
              streams: [
                { name: 'z', hash: h },
                { name: 'Z', hash: h },
              ],
            }),
            END_OF_DIRECTORY,
          ],
        ],
      ]),
      [Buffer.from('s')],
    ),
    'unsafe-name',
    /appears twice/,
  );
});

/* ------------------------------------------------------------ data integrity */

test('a wrong SHA-1: file data, a named stream, the metadata resource', async () => {
  const content = Buffer.from('the real content of the file');
  const { metadata } = metadataFor([{ path: 'f.txt', data: content, streams: [{ name: 'ads', data: Buffer.from('stream data') }] }]);
  const tampered = assembleWim({
    metadata: { data: metadata, compress: true },
    blobs: [
      { data: content, stored: Buffer.from('THE real content of the file'), compress: false },
      { data: Buffer.from('stream data'), stored: Buffer.from('Stream data') },
    ],
  });
  const wim = await openWimBuffer(tampered);
  const f = wim.entries[0]!;
  await assert.rejects(wim.readFile(f), isCode('hash-mismatch', /"f.txt"/));
  await assert.rejects(
    (async () => {
      for await (const _ of wim.streamFile(f)) void _;
    })(),
    isCode('hash-mismatch'),
  );
  await assert.rejects(wim.readFile(f.streams![0]!), isCode('hash-mismatch', /stream "ads"/));

  const tableAt = Number(GOOD.readBigUInt64LE(0x38));
  await refuses(
    patched((b) => (b[tableAt + 30] ^= 1)),
    'hash-mismatch',
    /metadata resource/,
  );
});

test('a dentry referencing data that is not in the blob table is corrupt', async () => {
  const meta = metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [
    [512, [dentry({ name: 'f', hash: sha1(Buffer.from('nowhere')) }), END_OF_DIRECTORY]],
  ]);
  await refuses(wimWithMetadata(meta), 'corrupt', /"f" references data [0-9a-f]{40} that is not in the blob table/);
});

test('security data and ids that do not add up are corrupt; too many descriptors is a limit', async () => {
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512, securityId: 0 }, [[512, [END_OF_DIRECTORY]]])),
    'corrupt',
    /security id 0 but the image has 0 descriptors/,
  );
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512, securityId: -7 }, [[512, [END_OF_DIRECTORY]]])),
    'corrupt',
    /security id -7/,
  );
  const badSd = metadataAt(1024, { name: '', attributes: DIR }, []);
  badSd.writeUInt32LE(4096, 0);
  await refuses(wimWithMetadata(badSd), 'corrupt', /security data claims 4096 bytes/);
  const many = metadataAt(1024, { name: '', attributes: DIR }, []);
  many.writeUInt32LE(8, 0);
  many.writeUInt32LE(1000, 4);
  await refuses(wimWithMetadata(many), 'corrupt', /lists 1000 descriptors/);
  const sd = securityData(Array.from({ length: 20 }, () => Buffer.alloc(20, 1)));
  const big = Buffer.concat([sd, dentry({ name: '', attributes: DIR }), Buffer.alloc(8)]);
  await refuses(wimWithMetadata(big), 'limit', /maxSecurityDescriptors = 10/, { maxSecurityDescriptors: 10 });
  const overrun = Buffer.from(big);
  overrun.writeBigUInt64LE(100000n, 8);
  await refuses(wimWithMetadata(overrun), 'corrupt', /descriptor 0 .* runs past/);
});

test('reparse points and encrypted files are refused as unsupported', async () => {
  await refuses(oneName({ name: 'link' }, 0x400), 'unsupported', /reparse point/);
  await refuses(oneName({ name: 'secret' }, 0x4020), 'unsupported', /encrypted/);
});

test('extra stream entries that run past the metadata or have bad lengths are corrupt', async () => {
  const d = dentry({ name: 'f', streams: [{ name: 'x', hash: Buffer.alloc(20) }] });
  const badLen = Buffer.from(d);
  badLen.writeBigUInt64LE(8n, 112); // stream entry length below its fixed size
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [badLen, END_OF_DIRECTORY]]])),
    'corrupt',
    /stream entry 0 has an invalid length/,
  );
  const many = Buffer.from(d);
  many.writeUInt16LE(60000, 0x60); // claims 60 000 stream entries
  await refuses(
    wimWithMetadata(metadataAt(1024, { name: '', attributes: DIR, subdirOffset: 512 }, [[512, [many, END_OF_DIRECTORY]]])),
    'corrupt',
    /stream entry/,
  );
});

/* ------------------------------------------------------------------------ XML */

test('image XML: not UTF-16, malformed, DOCTYPE, too large', async () => {
  const withXml = (xml: string | Buffer) =>
    assembleWim({ metadata: { data: metadataFor(FILES).metadata }, blobs: metadataFor(FILES).blobs.map((data) => ({ data })), xml });
  await refuses(withXml(Buffer.from([0xff, 0xfe, 0x3c])), 'corrupt', /odd number of bytes/);
  await refuses(withXml(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x3c, 0x00])), 'corrupt', /not valid UTF-16LE/);
  await refuses(withXml('<WIM><IMAGE INDEX="1"><NAME>x</IMAGE></WIM>'), 'corrupt', /closes <IMAGE> while <NAME> is open/);
  await refuses(withXml('<WIM><IMAGE INDEX="1">'), 'corrupt', /still open/);
  await refuses(withXml('<!DOCTYPE WIM [<!ENTITY a "aaaa">]><WIM/>'), 'corrupt', /DOCTYPE/);
  await refuses(withXml('<WIM><NAME>&bogus;</NAME></WIM>'), 'corrupt', /unknown entity/);
  await refuses(withXml('<WIM/><WIM/>'), 'corrupt', /more than one root/);
  await refuses(withXml('<WIM>' + '<a>'.repeat(300) + '</a>'.repeat(300) + '</WIM>'), 'corrupt', /deeper than 256/);
  await refuses(withXml(defaultXml([['NAME', 'x'.repeat(5000)]])), 'limit', /maxXmlBytes = 4096/, { maxXmlBytes: 4096 });
  const ok = await openWimBuffer(
    withXml(
      '<WIM><IMAGE INDEX="2"><NAME>two</NAME></IMAGE><IMAGE INDEX="1"><NAME>a &amp; b &#x263A; &#65;</NAME><AUTHOR></AUTHOR><EMPTY/><T><HIGHPART>1</HIGHPART></T></IMAGE></WIM>',
    ),
  );
  assert.deepEqual(ok.imageProperties, [
    ['NAME', 'a & b ☺ A'],
    ['AUTHOR', ''],
    ['EMPTY', ''],
  ]);
});
