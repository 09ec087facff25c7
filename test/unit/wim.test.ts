/**
 * The WIM writer, checked from the outside: 7-Zip (WASM) reads what we
 * wrote, XPRESS-compressed resources included. Plus determinism,
 * deduplication, failure on vanishing or changing sources, and abort.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';

import { writeWim, type WimFileEntry, type WimImageOptions } from '../../server/src/package/wim';
import { parseReshdr, readResource, readWim, RESHDR_COMPRESSED } from '../support/wimReader';
import { pattern } from '../support/bytes';

const work = mkdtempSync(join(tmpdir(), 'ppkg-wim-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

function srcFile(name: string, content: Buffer): string {
  const p = join(work, 'src', name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

const BIG = 5 * 1024 * 1024 + 12345; // several MiB, not a multiple of the 1 MiB I/O chunk
const bigContent = pattern(BIG, 7);
const chunkContent = pattern(32768, 11); // exactly one WIM chunk
const exactIoChunk = pattern(1 << 20, 13); // exactly one I/O chunk: the EOF read path
const xmlContent = Buffer.from('\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<WindowsCustomizations/>', 'utf8');

/** Provisioning-XML-like text: compresses well, so its resources are XPRESS-compressed. */
function provxml(size: number, seed: number): Buffer {
  const rnd = pattern(Math.ceil(size / 16) + 8, seed);
  let text = '\ufeff<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n<wap-provisioningdoc>\r\n';
  for (let i = 0; text.length < size; i += 2) {
    text += `  <characteristic type="Policy${rnd[i % rnd.length]! % 9}">\r\n    <parm name="Setting${rnd[(i + 1) % rnd.length]}" value="${i}" datatype="integer" />\r\n  </characteristic>\r\n`;
  }
  return Buffer.from(text).subarray(0, size);
}
const bigXml = provxml(3 * 1024 * 1024 + 999, 21); // streamed and compressed, 97 chunks
// A compressible head, a packed payload, compressible again: compressed with raw chunks inside.
const installer = Buffer.concat([provxml(400_000, 22), pattern(1 << 20, 23), provxml(70_000, 24)]);
const deepPath = 'a/b/c/d/e/f/g/h/i/j/k/l/m/deep.txt';

const files: Record<string, Buffer> = {
  'Multivariant/Multivariant.xml': xmlContent,
  'Multivariant/0/Prov/RunTime.xml': Buffer.from('\ufeff<RunTime/>', 'utf8'),
  'Multivariant/0/Prov/RunTime/10__Policies.provxml': provxml(900, 25), // in memory, compressed
  'Multivariant/0/Prov/RunTime/1__Accounts.provxml': provxml(60_000, 26),
  'CommonSettings/1/AnswerFile.xml': bigXml,
  'DataAsset/3/0_inst/setup.msi': installer,
  'Multivariant/0/empty.xml': Buffer.alloc(0),
  'DataAsset/1/0_abc+def=/setup.exe': bigContent,
  'DataAsset/1/1_xyz/chunk.bin': chunkContent,
  'DataAsset/1/2_io/iochunk.bin': exactIoChunk,
  'DataAsset/2/Ünïcødé 文件 ✓.txt': Buffer.from('non-ascii name'),
  'DataAsset/2/empty-on-disk.txt': Buffer.alloc(0),
  [deepPath]: Buffer.from('deep'),
  'Zebra.txt': Buffer.from('upper'),
  'apple.txt': Buffer.from('lower'),
};

/** Large and on-disk sources come from files; small XML comes from buffers, as the build does. */
function entriesFor(contents: Record<string, Buffer>, subdir: string): WimFileEntry[] {
  return Object.entries(contents).map(([path, data]) => {
    if (data.length > 1000 || path.includes('empty-on-disk') || path.includes('Ünïcødé')) {
      return { path, source: { kind: 'file', path: srcFile(join(subdir, path), data) } };
    }
    return { path, source: { kind: 'buffer', data } };
  });
}

const properties: Array<[string, string]> = [
  ['NAME', 'Contoso bulk enrollment'],
  ['DESCRIPTION', ''],
  ['NOTES', 'VERSION=10.0.26100.1;Source=CLI;;a<b & c>"d" \'e\';'],
  ['AUTHOR', ''],
  ['VERSION', '2.4'],
  ['ALTITUDE', '5000'],
  ['RESETCLEAR', '0'],
  ['PACKAGEID', '{9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b}'],
];

function image(extra: Partial<WimImageOptions> = {}): WimImageOptions {
  return {
    properties,
    trailingProperties: [['WIMBOOT', '0']],
    timestamp: new Date('2026-03-04T05:06:07.123Z'),
    guid: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
    ...extra,
  };
}

function expectedDirs(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

const entries = entriesFor(files, 'main');
const mainWim = join(work, 'main.wim');
let mainResult: Promise<{ bytes: number }> | undefined;
function buildMain(): Promise<{ bytes: number }> {
  mainResult ??= writeWim(mainWim, entries, image());
  return mainResult;
}

test('7-Zip reads the exact tree, byte-exact contents and the image properties', async () => {
  const { bytes } = await buildMain();
  assert.equal(bytes, statSync(mainWim).size);
  const wim = await readWim(mainWim);

  assert.deepEqual([...wim.files.keys()].sort(), Object.keys(files).sort());
  assert.deepEqual(wim.dirs, expectedDirs(Object.keys(files)));
  for (const [path, content] of Object.entries(files)) {
    const got = wim.files.get(path)!;
    assert.equal(got.length, content.length, `size of ${path}`);
    assert.ok(got.equals(content), `content of ${path}`);
  }

  // Not a vacuous round trip: the metadata, the XML files and the installer are
  // XPRESS-compressed (the installer with raw chunks inside), random data is raw.
  const raw = readFileSync(mainWim);
  const table = parseReshdr(raw, 0x30);
  const blobs = [];
  for (let at = table.offset; at < table.offset + table.size; at += 50) blobs.push(parseReshdr(raw, at));
  const compressed = blobs.filter((b) => b.flags & RESHDR_COMPRESSED);
  assert.ok(blobs[0]!.flags & RESHDR_COMPRESSED, 'metadata compressed');
  assert.ok(compressed.length >= 5, `${compressed.length} compressed resources`);
  assert.ok(
    blobs.some((b) => b.original === bigContent.length && b.flags === 0),
    'random data raw',
  );
  const inst = blobs.find((b) => b.original === installer.length)!;
  assert.ok(inst.flags & RESHDR_COMPRESSED && readResource(raw, inst).rawChunks >= 20, 'installer: compressed, payload chunks raw');

  assert.equal(wim.archive.get('Type'), 'wim');
  assert.equal(wim.archive.get('Version'), '1.13');
  assert.equal(wim.archive.get('Images'), '1');
  assert.equal(wim.archive.get('Method'), 'XPress:15', 'XPRESS-flagged header with 32 KiB chunks, as ICD writes');

  assert.ok(wim.properties, '7-Zip shows the image XML');
  for (const [k, v] of properties) assert.equal(wim.properties.get(k), v, `property ${k}`);
  assert.equal(wim.properties.get('WIMBOOT'), '0');
  assert.equal(wim.properties.get('DIRCOUNT'), String(expectedDirs(Object.keys(files)).length), 'directories without the root');
  assert.equal(wim.properties.get('FILECOUNT'), String(Object.keys(files).length));
  const total = Object.values(files).reduce((s, b) => s + b.length, 0);
  assert.equal(wim.properties.get('TOTALBYTES'), String(total));
  assert.equal(wim.properties.get('HARDLINKBYTES'), '0');
  // Metacharacters are escaped once in the XML itself.
  assert.match(wim.xml!, /<NOTES>VERSION=10\.0\.26100\.1;Source=CLI;;a&lt;b &amp; c&gt;&quot;d&quot; &apos;e&apos;;<\/NOTES>/);
  // ICD's element order: the properties, the statistics, then WIMBOOT.
  const order = [...properties.map(([k]) => k), 'DIRCOUNT', 'FILECOUNT', 'HARDLINKBYTES', 'CREATIONTIME', 'LASTMODIFICATIONTIME', 'WIMBOOT'].map((k) =>
    wim.xml!.indexOf(`<${k}>`),
  );
  assert.ok(order.every((at) => at > 0));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );

  // 7-Zip lists in the dentry order (directories and empty files, then the
  // other files): ICD's root order, files before subdirectories, `10__` before `1__`.
  assert.deepEqual(
    wim.entries.filter((e) => e.isDir && !e.path.includes('/')).map((e) => e.path),
    ['Multivariant', 'CommonSettings', 'DataAsset', 'a'],
  );
  const fileOrder = wim.entries.filter((e) => !e.isDir).map((e) => e.path);
  const before = (x: string, y: string) => assert.ok(fileOrder.indexOf(x) < fileOrder.indexOf(y), `${x} before ${y}`);
  before('Multivariant/0/Prov/RunTime/10__Policies.provxml', 'Multivariant/0/Prov/RunTime/1__Accounts.provxml');
  before('Multivariant/0/Prov/RunTime.xml', 'Multivariant/0/Prov/RunTime/10__Policies.provxml');
  before('Multivariant/Multivariant.xml', 'Multivariant/0/Prov/RunTime.xml');
  before('apple.txt', 'Zebra.txt');

  // Timestamps: every dentry carries image.timestamp (7-Zip prints 100 ns precision).
  for (const e of wim.entries) assert.equal(e.modified, '2026-03-04 05:06:07.1230000', `time of ${e.path}`);
  for (const e of wim.entries) assert.equal(e.attributes, e.isDir ? 'D' : 'A', `attributes of ${e.path}`);
});

test('same entries in another order give a byte-identical file', async () => {
  await buildMain();
  const shuffled = [...entries].reverse();
  shuffled.push(shuffled.shift()!);
  const second = join(work, 'second.wim');
  await writeWim(second, shuffled, image());
  assert.ok(readFileSync(second).equals(readFileSync(mainWim)), 'reordered build differs');
  await writeWim(second, entries, image());
  assert.ok(readFileSync(second).equals(readFileSync(mainWim)), 'repeated build differs');

  // And the inputs that should matter do matter.
  await writeWim(second, entries, image({ timestamp: new Date('2026-03-04T05:06:08Z') }));
  assert.ok(!readFileSync(second).equals(readFileSync(mainWim)), 'timestamp ignored');
});

test('identical contents are stored once and both files extract', async () => {
  const shared = pattern(200_000, 99);
  const dupEntries: WimFileEntry[] = [
    { path: 'one/a.bin', source: { kind: 'file', path: srcFile('dup/a.bin', shared) } },
    { path: 'two/b.bin', source: { kind: 'file', path: srcFile('dup/b.bin', shared) } },
    { path: 'three/c.bin', source: { kind: 'buffer', data: Buffer.from(shared) } },
    { path: 'x.xml', source: { kind: 'buffer', data: Buffer.from('small') } },
    { path: 'y.xml', source: { kind: 'buffer', data: Buffer.from('small') } },
  ];
  const out = join(work, 'dup.wim');
  const { bytes } = await writeWim(out, dupEntries, image());
  // One copy of each content, plus headers: far less than two copies of the 200 kB blob.
  assert.ok(bytes < 200_000 + 8192, `file is ${bytes} bytes, duplicates were stored`);
  const wim = await readWim(out);
  for (const p of ['one/a.bin', 'two/b.bin', 'three/c.bin']) assert.ok(wim.files.get(p)!.equals(shared), p);
  assert.equal(wim.files.get('y.xml')!.toString(), 'small');
  // 7-Zip's "Size" is the sum of unique blobs; TOTALBYTES counts every file.
  assert.equal(wim.archive.get('Size'), String(shared.length + 5));
  assert.equal(wim.properties!.get('TOTALBYTES'), String(3 * shared.length + 10));
});

test('a source file that is missing fails naming the file', async () => {
  const missing = join(work, 'src', 'does-not-exist.bin');
  await assert.rejects(
    writeWim(join(work, 'missing.wim'), [{ path: 'DataAsset/1/app.msi', source: { kind: 'file', path: missing } }], image()),
    (err: Error) => err.message.includes(missing) && err.message.includes('DataAsset/1/app.msi'),
  );
});

test('a source file that vanishes during the build fails naming the file', async () => {
  const first = srcFile('vanish/a.bin', pattern(3 << 20, 1));
  const second = srcFile('vanish/b.bin', pattern(1000, 2));
  let deleted = false;
  await assert.rejects(
    writeWim(
      join(work, 'vanish.wim'),
      [
        { path: 'a.bin', source: { kind: 'file', path: first } },
        { path: 'b.bin', source: { kind: 'file', path: second } },
      ],
      image({
        onProgress: () => {
          if (!deleted) {
            unlinkSync(second); // after the up-front stat, before b.bin is read
            deleted = true;
          }
        },
      }),
    ),
    (err: Error) => err.message.includes(second) && /vanished/.test(err.message),
  );
  assert.ok(deleted);
});

test('a source file that changes size during the build fails naming the file', async () => {
  const growing = srcFile('grow/a.bin', pattern(3 << 20, 3));
  let grown = false;
  await assert.rejects(
    writeWim(
      join(work, 'grow.wim'),
      [{ path: 'a.bin', source: { kind: 'file', path: growing } }],
      image({
        onProgress: () => {
          if (!grown) {
            appendFileSync(growing, 'more bytes');
            grown = true;
          }
        },
      }),
    ),
    (err: Error) => err.message.includes(growing) && /changed size/.test(err.message),
  );
});

test('abort rejects with an AbortError, before and during the build', async () => {
  const pre = new AbortController();
  pre.abort();
  const preOut = join(work, 'pre-aborted.wim');
  await assert.rejects(writeWim(preOut, entries, image({ signal: pre.signal })), { name: 'AbortError' });
  assert.ok(!existsSync(preOut), 'nothing written when aborted up front');

  const during = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    writeWim(
      join(work, 'aborted.wim'),
      entries,
      image({
        signal: during.signal,
        onProgress: (done) => {
          seen.push(done);
          if (done > 1 << 20) during.abort();
        },
      }),
    ),
    { name: 'AbortError' },
  );
  const total = Object.values(files).reduce((s, b) => s + b.length, 0);
  assert.ok(seen.at(-1)! < total, 'stopped before writing everything');
});

test('progress is reported in bytes of file data, up to the total', async () => {
  const calls: Array<[number, number]> = [];
  await writeWim(join(work, 'progress.wim'), entries, image({ onProgress: (d, t) => calls.push([d, t]) }));
  const total = Object.values(files).reduce((s, b) => s + b.length, 0);
  assert.ok(calls.length > 5);
  assert.ok(calls.every(([, t]) => t === total));
  assert.deepEqual(calls.at(-1), [total, total]);
  for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] >= calls[i - 1]![0], 'monotonic');
});

test('an image with no files is still a valid WIM', async () => {
  const out = join(work, 'empty.wim');
  await writeWim(out, [], image());
  const wim = await readWim(out);
  assert.equal(wim.files.size, 0);
  assert.deepEqual(wim.dirs, []);
  assert.equal(wim.properties?.get('DIRCOUNT'), '0');
  assert.equal(wim.properties?.get('NAME'), 'Contoso bulk enrollment');
});

test('the uncompressed-header variant is also read by 7-Zip', async () => {
  const out = join(work, 'plain.wim');
  await writeWim(out, entries, image({ headerCompression: 'none' }));
  const wim = await readWim(out);
  assert.match(wim.archive.get('Method') ?? '', /^Copy\b/);
  assert.ok(wim.files.get('DataAsset/1/0_abc+def=/setup.exe')!.equals(bigContent));
});
