/**
 * The WIM writer checked with wimlib's own tools (Debian `wimtools`):
 * wimverify (which decompresses every XPRESS chunk and checks every SHA-1),
 * wiminfo, wimdir, wimapply, and a differential check against a
 * `wimlib-imagex capture` of the same tree (docs/wim-container.md §Checked, and how). The container
 * must look as ICD writes it (docs/wim-container.md).
 *
 * Runs in the e2e job, which installs wimtools. Without wimtools every test
 * here FAILS (never skips), saying how to install it.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { writeWim, type WimFileEntry, type WimImageOptions } from '../../server/src/package/wim';
import { pattern } from '../support/bytes';
import { describeSecurityDescriptor } from '../support/wimReader';

const INSTALL_HINT = 'wimtools is not installed: run `apt-get install -y wimtools` (Debian/Ubuntu) to run the WIM checks';

function tool(cmd: string, args: string[]): { stdout: string; stderr: string; stdoutBytes: Buffer } {
  const r = spawnSync(cmd, args, { maxBuffer: 256 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') assert.fail(`${cmd}: ${INSTALL_HINT}`);
  if (r.error) throw r.error;
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}\n${stdout}\n${stderr}`);
  return { stdout, stderr, stdoutBytes: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), 'ppkg-wimtools-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Provisioning-XML-like text: compresses well. */
function provxml(size: number, seed: number): Buffer {
  const rnd = pattern(Math.ceil(size / 16) + 8, seed);
  let text = '\ufeff<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n<wap-provisioningdoc>\r\n';
  for (let i = 0; text.length < size; i += 2) {
    text += `  <characteristic type="Policy${rnd[i % rnd.length]! % 9}">\r\n    <parm name="Setting${rnd[(i + 1) % rnd.length]}" value="${i}" datatype="integer" />\r\n  </characteristic>\r\n`;
  }
  return Buffer.from(text).subarray(0, size);
}

/** Fast deterministic incompressible bytes (AES-CTR keystream). */
function packedBytes(size: number, seed: number): Buffer {
  const key = createHash('sha256').update(`packed-${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const files: Record<string, Buffer> = {
  'Multivariant/Multivariant.xml': Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<Elements Type="Multivariant">\r\n  <Element Index="0">\r\n  </Element>\r\n</Elements>',
  ),
  'Multivariant/0/customizations.xml': provxml(200_000, 1),
  'Multivariant/0/MasterDatastore.xml': Buffer.from('\ufeff<MasterDatastore/>'),
  'Multivariant/0/Prov/RunTime.xml': Buffer.from('\ufeff<RunTime/>'),
  'Multivariant/0/Prov/RunTime/10__Policies.provxml': provxml(5000, 2),
  'Multivariant/0/Prov/RunTime/1__AADJ.provxml': provxml(700, 3),
  'Multivariant/0/empty.xml': Buffer.alloc(0),
  'CommonSettings/CommonSettings.xml': Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\r\n<Elements Type="CommonSettings" />'),
  'CommonSettings/1/AnswerFile.xml': provxml(40_000, 4),
  'DataAsset/2/0_Zm9v.YmFy=/installer.msi': packedBytes(3 * 1024 * 1024 + 77, 5),
  'DataAsset/2/1_mixed/setup.exe': Buffer.concat([provxml(300_000, 6), packedBytes(2 << 20, 7), provxml(50_000, 8)]),
  'DataAsset/2/2_chunk/chunk.bin': pattern(32768, 6),
  'DataAsset/3/Ünïcødé 文件 ✓.txt': Buffer.from('non-ascii'),
  'DataAsset/3/copy-of-runtime.xml': Buffer.from('\ufeff<RunTime/>'),
  'a/b/c/d/e/f/g/h/i/j/deep.txt': Buffer.from('deep'),
};

/** ICD's image properties, in its order (docs/wim-container.md §Image XML). */
const properties: Array<[string, string]> = [
  ['NAME', 'Contoso & Co <bulk>'],
  ['DESCRIPTION', ''],
  ['NOTES', 'VERSION=10.0.26100.1;Source=CLI;;TargetSkus=Invalid;EncryptPackage=False;SignPackage=False;PackageID=9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b;'],
  ['AUTHOR', ''],
  ['VERSION', '2.4'],
  ['ALTITUDE', '5000'],
  ['RESETCLEAR', '0'],
  ['PACKAGEID', '{9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b}'],
];
const image: WimImageOptions = {
  properties,
  trailingProperties: [['WIMBOOT', '0']],
  timestamp: new Date('2026-02-03T04:05:06Z'),
  guid: Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f90', 'hex'),
};
const wimPath = join(work, 'package.ppkg');

function dirsOf(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs];
}

/** Small contents from memory, the rest streamed from files, as the build does. */
function entriesFor(contents: Record<string, Buffer>, dir: string): WimFileEntry[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(contents).map(([path, data], i) => {
    if (data.length < 1000) return { path, source: { kind: 'buffer', data } };
    const src = join(dir, String(i));
    writeFileSync(src, data);
    return { path, source: { kind: 'file', path: src } };
  });
}

/** Every file below `root`, relative path → content. */
function readTree(root: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else found.set(relative(root, p).split('\\').join('/'), readFileSync(p));
    }
  };
  walk(root);
  return found;
}

/** `wiminfo --blobs` as records. */
function blobsOf(wim: string): Array<{ hash: string; size: number; stored: number; flags: string }> {
  return tool('wiminfo', [wim, '--blobs'])
    .stdout.split(/\n\s*\n/)
    .filter((b) => /Hash\s+=/.test(b))
    .map((b) => ({
      hash: /Hash\s+= 0x([0-9a-f]{40})/.exec(b)![1]!,
      size: Number(/Uncompressed size\s+= (\d+)/.exec(b)![1]),
      stored: Number(/Compressed size\s+= (\d+)/.exec(b)![1]),
      flags: /Flags\s+=(.*)/.exec(b)?.[1]?.trim() ?? '',
    }));
}

before(async () => {
  await writeWim(wimPath, entriesFor(files, join(work, 'src')), image);
});

test('wimtools is installed', () => {
  tool('wimlib-imagex', ['--version']);
});

test('wimverify accepts the file (header, blob table, XML, metadata, every chunk decompressed, every SHA-1)', () => {
  const { stdout } = tool('wimverify', [wimPath]);
  assert.match(stdout, /successfully verified/);
});

test('wiminfo: ICD header, compressed metadata, compressed and raw file resources', () => {
  const header = tool('wiminfo', [wimPath, '--header']).stdout;
  assert.match(header, /Version\s+= 0x10d00/);
  assert.match(header, /^Flags\s+= 0x20082$/m);
  assert.match(header, /WIM_HDR_FLAG_COMPRESSION is set/);
  assert.match(header, /WIM_HDR_FLAG_COMPRESS_XPRESS is set/);
  assert.match(header, /WIM_HDR_FLAG_RP_FIX is set/);
  assert.match(header, /Chunk Size\s+= 32768/);
  assert.match(header, /Image Count\s+= 1/);
  assert.match(header, /GUID\s+= a1b2c3d4e5f60718293a4b5c6d7e8f90/);
  assert.match(header, /Blob Table Flags\s+= 0x2$/m);
  assert.match(header, /XML Data Flags\s+= 0x2$/m);

  const blobs = blobsOf(wimPath);
  const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
  const blob = (path: string) => blobs.find((b) => b.hash === sha1(files[path]!))!;
  const metadata = blobs.filter((b) => /METADATA/.test(b.flags));
  assert.equal(metadata.length, 1);
  assert.match(metadata[0]!.flags, /WIM_RESHDR_FLAG_COMPRESSED/, 'metadata XPRESS-compressed');
  for (const p of [
    'Multivariant/0/customizations.xml',
    'CommonSettings/1/AnswerFile.xml',
    'Multivariant/0/Prov/RunTime/10__Policies.provxml',
    'DataAsset/2/1_mixed/setup.exe',
  ]) {
    assert.equal(blob(p).flags, 'WIM_RESHDR_FLAG_COMPRESSED', `${p} compressed`);
    assert.ok(blob(p).stored < blob(p).size, p);
  }
  for (const p of ['DataAsset/2/0_Zm9v.YmFy=/installer.msi', 'DataAsset/2/2_chunk/chunk.bin', 'Multivariant/0/Prov/RunTime.xml']) {
    assert.equal(blob(p).flags, '', `${p} raw`);
    assert.equal(blob(p).stored, blob(p).size, p);
  }
});

test('wiminfo: image properties in ICD order, DIRCOUNT without the root', () => {
  const info = tool('wiminfo', [wimPath, '1']).stdout;
  assert.match(info, /^Name:\s+Contoso & Co <bulk>$/m);
  assert.match(info, new RegExp(`^Directory Count:\\s+${dirsOf(Object.keys(files)).length}$`, 'm'));
  assert.match(info, new RegExp(`^File Count:\\s+${Object.keys(files).length}$`, 'm'));
  const total = Object.values(files).reduce((s, b) => s + b.length, 0);
  assert.match(info, new RegExp(`^Total Bytes:\\s+${total}$`, 'm'));
  assert.match(info, /^Creation Time:\s+Tue Feb 03 04:05:06 2026 UTC$/m);
  assert.match(info, /^WIMBoot compatible:\s+no$/m);

  const xmlRaw = tool('wiminfo', [wimPath, '--xml']).stdoutBytes;
  assert.deepEqual([...xmlRaw.subarray(0, 2)], [0xff, 0xfe], 'UTF-16LE with BOM');
  const xml = xmlRaw.toString('utf16le').replace(/^\ufeff/, '');
  assert.ok(!/[\r\n]/.test(xml) && xml.startsWith('<WIM><TOTALBYTES>'), 'one line, no declaration');
  const image1 = /<IMAGE INDEX="1">(.*)<\/IMAGE>/.exec(xml)![1]!;
  const children: string[] = [];
  for (let depth = 0, m, re = /<(\/?)([A-Z]+)[^>]*>/g; (m = re.exec(image1));) {
    if (m[1]) depth--;
    else if (depth++ === 0) children.push(m[2]!);
  }
  assert.deepEqual(children, [
    'NAME',
    'DESCRIPTION',
    'NOTES',
    'AUTHOR',
    'VERSION',
    'ALTITUDE',
    'RESETCLEAR',
    'PACKAGEID',
    'DIRCOUNT',
    'FILECOUNT',
    'TOTALBYTES',
    'HARDLINKBYTES',
    'CREATIONTIME',
    'LASTMODIFICATIONTIME',
    'WIMBOOT',
  ]);
  assert.ok(xml.includes('<DESCRIPTION></DESCRIPTION>') && xml.includes('<AUTHOR></AUTHOR>'), 'empty values as start/end pairs');
  for (const [k, v] of properties) {
    const escaped = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    assert.ok(xml.includes(`<${k}>${escaped}</${k}>`), `${k} in wiminfo --xml`);
  }
});

test('wimdir: exactly the tree; ICD security descriptors on the root and files, none on subdirectories', () => {
  const listed = tool('wimdir', [wimPath, '1']).stdout.split('\n').filter(Boolean);
  const expected = ['/', ...[...Object.keys(files), ...dirsOf(Object.keys(files))].map((p) => '/' + p)];
  assert.deepEqual([...listed].sort(), expected.sort());

  const detailed = tool('wimdir', [wimPath, '1', '--detailed']).stdout;
  assert.doesNotMatch(detailed, /FILE_ATTRIBUTE_REPARSE_POINT|Short Name\s+= "[^"]/);
  const dentries = detailed.split(/^-{20,}$/m).filter((b) => /Full Path/.test(b));
  assert.equal(dentries.length, expected.length);
  for (const block of dentries) {
    const path = /Full Path\s+= "(.*)"/.exec(block)![1]!;
    const sd = /Security Descriptor = ([0-9a-f]+)/.exec(block)?.[1];
    const isDir = /FILE_ATTRIBUTE_DIRECTORY is set/.test(block);
    if (path === '/') {
      assert.deepEqual(describeSecurityDescriptor(Buffer.from(sd!, 'hex')), { control: 0x8004, text: 'O:BAG:SYD:(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)' });
    } else if (isDir) {
      assert.equal(sd, undefined, `${path}: no descriptor`);
    } else {
      assert.match(block, /FILE_ATTRIBUTE_ARCHIVE is set/);
      assert.deepEqual(describeSecurityDescriptor(Buffer.from(sd!, 'hex')), { control: 0x8004, text: 'O:BAG:SYD:(A;ID;FA;;;SY)(A;ID;FA;;;BA)' }, path);
    }
  }
  // The identical contents share one blob with two references.
  assert.match(detailed, /Full Path\s+= "\/DataAsset\/3\/copy-of-runtime\.xml"[\s\S]*?Reference Count\s+= 2/);
});

test('wimapply extracts byte-identical files', () => {
  const outDir = join(work, 'applied');
  tool('wimapply', [wimPath, '1', outDir]);
  const found = readTree(outDir);
  assert.deepEqual([...found.keys()].sort(), Object.keys(files).sort());
  for (const [path, data] of Object.entries(files)) assert.ok(found.get(path)!.equals(data), `content of ${path}`);
});

test('the same blobs as a wimlib capture of the same tree, and wimlib can rewrite the file', () => {
  const applied = join(work, 'applied-for-capture');
  tool('wimapply', [wimPath, '1', applied]);
  const ref = join(work, 'ref.wim');
  tool('wimlib-imagex', ['capture', applied, ref, 'ref', '--compress=xpress', '--no-acls']);
  const hashes = (wim: string) =>
    new Set(
      blobsOf(wim)
        .filter((b) => !/METADATA/.test(b.flags))
        .map((b) => b.hash),
    );
  assert.deepEqual(hashes(wimPath), hashes(ref));
  // Compression on a par with wimlib's own XPRESS (its default level).
  const ours = statSync(wimPath).size;
  const theirs = statSync(ref).size;
  assert.ok(ours <= theirs * 1.05, `ours ${ours} bytes, wimlib ${theirs}`);

  // A full re-read and re-write by wimlib (export to a new XPRESS WIM) succeeds and verifies.
  const exported = join(work, 'exported.wim');
  tool('wimlib-imagex', ['export', wimPath, '1', exported, '--compress=XPRESS']);
  tool('wimverify', [exported]);
});

test('wimlib decodes every chunk of 150 varied files (runs, repeats near and far, text, noise)', async () => {
  const varied: Record<string, Buffer> = {};
  for (let seed = 1; seed <= 150; seed++) {
    const size = 25 + ((seed * 104729) % 200_000);
    const rnd = pattern(size, seed);
    const data = Buffer.alloc(size);
    for (let i = 0, r = 0; i < size;) {
      const kind = rnd[r++ % size]! % 4;
      const len = 1 + (rnd[r++ % size]! % (kind === 2 ? 300 : 40));
      for (let k = 0; k < len && i < size; k++, i++) {
        if (kind === 0 || i < 400) data[i] = rnd[(r + k) % size]!;
        else if (kind === 1)
          data[i] = data[i - 1 - (rnd[r % size]! % 399)]!; // near repeats
        else if (kind === 2)
          data[i] = data[i - 1 - ((rnd[r % size]! * 131) % Math.min(i, 32767))]!; // far repeats
        else data[i] = 0x20 + (seed & 7);
      }
    }
    varied[`v/${seed % 7}/f${seed}.bin`] = data;
  }
  const out = join(work, 'varied.wim');
  await writeWim(out, entriesFor(varied, join(work, 'varied-src')), image);
  assert.ok(blobsOf(out).filter((b) => b.flags === 'WIM_RESHDR_FLAG_COMPRESSED').length > 100, 'mostly compressed');
  tool('wimverify', [out]);
  const applied = join(work, 'varied-applied');
  tool('wimapply', [out, '1', applied]);
  const found = readTree(applied);
  for (const [path, data] of Object.entries(varied)) assert.ok(found.get(path)!.equals(data), path);
});

test('a 200 MB package (180 MB packed installer, 20 MB of XML): verifies, applies byte for byte', async () => {
  const big: Record<string, Buffer> = { 'DataAsset/2/0_big/setup.exe': packedBytes(180 << 20, 9) };
  for (let i = 0; i < 40; i++) big[`Multivariant/0/Prov/RunTime/${i + 1}__Group${i}.provxml`] = provxml(512 * 1024, 100 + i);
  const out = join(work, 'big.ppkg');
  const started = Date.now();
  await writeWim(out, entriesFor(big, join(work, 'big-src')), image);
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds < 60, `writing took ${seconds} s`);
  tool('wimverify', [out]);
  const applied = join(work, 'big-applied');
  tool('wimapply', [out, '1', applied]);
  const found = readTree(applied);
  assert.equal(found.size, Object.keys(big).length);
  for (const [path, data] of Object.entries(big)) assert.ok(found.get(path)!.equals(data), path);
  const blobs = blobsOf(out);
  const installer = blobs.find((b) => b.size === 180 << 20)!;
  assert.equal(installer.flags, '', 'the packed installer is stored raw');
  assert.ok(blobs.filter((b) => b.flags === 'WIM_RESHDR_FLAG_COMPRESSED').length === 40, 'every XML file compressed');
  for (const dir of ['big-src', 'big-applied']) rmSync(join(work, dir), { recursive: true, force: true });
});
