/**
 * The WIM writer checked with wimlib's own tools (Debian `wimtools`):
 * wimverify, wiminfo, wimdir, wimapply, and a differential check against a
 * `wimlib-imagex capture` of the same tree (ppkg-format.md §9).
 *
 * Runs in the e2e job, which installs wimtools. Without wimtools every test
 * here FAILS (never skips), saying how to install it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { writeWim, type WimFileEntry, type WimImageOptions } from '../../server/src/package/wim';
import { pattern } from '../support/bytes';

const INSTALL_HINT = 'wimtools is not installed: run `apt-get install -y wimtools` (Debian/Ubuntu) to run the WIM checks';

function tool(cmd: string, args: string[]): { stdout: string; stderr: string; stdoutBytes: Buffer } {
  const r = spawnSync(cmd, args, { maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') assert.fail(`${cmd}: ${INSTALL_HINT}`);
  if (r.error) throw r.error;
  const stdout = r.stdout.toString('utf8');
  const stderr = r.stderr.toString('utf8');
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}\n${stdout}\n${stderr}`);
  return { stdout, stderr, stdoutBytes: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), 'ppkg-wimtools-'));
after(() => rmSync(work, { recursive: true, force: true }));


const files: Record<string, Buffer> = {
  'Multivariant/Multivariant.xml': Buffer.from('\ufeff<Multivariant/>'),
  'Multivariant/0/MasterDatastore.xml': Buffer.from('\ufeff<MasterDatastore/>'),
  'Multivariant/0/Prov/RunTime.xml': Buffer.from('\ufeff<RunTime/>'),
  'Multivariant/0/Prov/RunTime/1__AADJ.provxml': Buffer.from('\ufeff<wap-provisioningdoc/>'),
  'Multivariant/0/empty.xml': Buffer.alloc(0),
  'DataAsset/1/0_Zm9v.YmFy=/installer.msi': pattern(3 * 1024 * 1024 + 77, 5),
  'DataAsset/1/1_chunk/chunk.bin': pattern(32768, 6),
  'DataAsset/2/Ünïcødé 文件 ✓.txt': Buffer.from('non-ascii'),
  'DataAsset/2/copy-of-runtime.xml': Buffer.from('\ufeff<RunTime/>'),
  'a/b/c/d/e/f/g/h/i/j/deep.txt': Buffer.from('deep'),
};

const properties: Array<[string, string]> = [
  ['NAME', 'Contoso & Co <bulk>'],
  ['PACKAGEID', '{9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b}'],
  ['VERSION', '2.4'],
  ['ALTITUDE', '5000'],
  ['RESETCLEAR', '0'],
  ['NOTES', 'VERSION=10.0.26100.1;Source=CLI;;TargetSkus=Invalid;EncryptPackage=False;SignPackage=False;PackageID=9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b;'],
];
const image: WimImageOptions = {
  properties,
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

before(async () => {
  mkdirSync(join(work, 'src'));
  const entries: WimFileEntry[] = Object.entries(files).map(([path, data], i) => {
    if (data.length < 1000) return { path, source: { kind: 'buffer', data } };
    const src = join(work, 'src', String(i));
    writeFileSync(src, data);
    return { path, source: { kind: 'file', path: src } };
  });
  await writeWim(wimPath, entries, image);
});

test('wimtools is installed', () => {
  tool('wimlib-imagex', ['--version']);
});

test('wimverify accepts the file (header, blob table, XML, metadata, every SHA-1)', () => {
  const { stdout } = tool('wimverify', [wimPath]);
  assert.match(stdout, /successfully verified/);
});

test('wiminfo shows the header and the image properties', () => {
  const header = tool('wiminfo', [wimPath, '--header']).stdout;
  assert.match(header, /Version\s+= 0x10d00/);
  assert.match(header, /WIM_HDR_FLAG_COMPRESS_XPRESS is set/);
  assert.match(header, /WIM_HDR_FLAG_RP_FIX is set/);
  assert.match(header, /Chunk Size\s+= 32768/);
  assert.match(header, /Image Count\s+= 1/);
  assert.match(header, /GUID\s+= a1b2c3d4e5f60718293a4b5c6d7e8f90/);

  const info = tool('wiminfo', [wimPath, '1']).stdout;
  assert.match(info, /^Name:\s+Contoso & Co <bulk>$/m);
  assert.match(info, new RegExp(`^Directory Count:\\s+${dirsOf(Object.keys(files)).length + 1}$`, 'm'));
  assert.match(info, new RegExp(`^File Count:\\s+${Object.keys(files).length}$`, 'm'));
  const total = Object.values(files).reduce((s, b) => s + b.length, 0);
  assert.match(info, new RegExp(`^Total Bytes:\\s+${total}$`, 'm'));
  assert.match(info, /^Creation Time:\s+Tue Feb 03 04:05:06 2026 UTC$/m);

  // wiminfo 1.13 prints only the standard properties; the ppkg extras are in the XML.
  const xmlRaw = tool('wiminfo', [wimPath, '--xml']).stdoutBytes;
  const xml = xmlRaw.toString('utf16le').replace(/^\ufeff/, '');
  for (const [k, v] of properties) {
    const escaped = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    assert.ok(xml.includes(`<${k}>${escaped}</${k}>`), `${k} in wiminfo --xml`);
  }
});

test('wimdir lists exactly the tree', () => {
  const listed = tool('wimdir', [wimPath, '1']).stdout.split('\n').filter(Boolean);
  const expected = ['/', ...[...Object.keys(files), ...dirsOf(Object.keys(files))].map((p) => '/' + p)];
  assert.deepEqual([...listed].sort(), expected.sort());

  const detailed = tool('wimdir', [wimPath, '1', '--detailed']).stdout;
  assert.doesNotMatch(detailed, /FILE_ATTRIBUTE_REPARSE_POINT|Short Name\s+= "[^"]/);
  // The identical contents share one blob with two references.
  assert.match(detailed, /Full Path\s+= "\/DataAsset\/2\/copy-of-runtime\.xml"[\s\S]*?Reference Count\s+= 2/);
});

test('wimapply extracts byte-identical files', () => {
  const outDir = join(work, 'applied');
  tool('wimapply', [wimPath, '1', outDir]);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else found.push(relative(outDir, p).split('\\').join('/'));
    }
  };
  walk(outDir);
  assert.deepEqual(found.sort(), Object.keys(files).sort());
  for (const [path, data] of Object.entries(files)) {
    assert.ok(readFileSync(join(outDir, ...path.split('/'))).equals(data), `content of ${path}`);
  }
});

test('the same blobs as a wimlib capture of the same tree, and wimlib can rewrite the file', () => {
  const applied = join(work, 'applied-for-capture');
  tool('wimapply', [wimPath, '1', applied]);
  const ref = join(work, 'ref.wim');
  tool('wimlib-imagex', ['capture', applied, ref, 'ref', '--compress=none', '--no-acls']);
  const hashes = (wim: string) =>
    new Set(
      tool('wiminfo', [wim, '--blobs'])
        .stdout.split('\n\n')
        .filter((b) => !/WIM_RESHDR_FLAG_METADATA/.test(b))
        .map((b) => /Hash\s+= 0x([0-9a-f]{40})/.exec(b)?.[1])
        .filter((h): h is string => !!h),
    );
  assert.deepEqual(hashes(wimPath), hashes(ref));

  // A full re-read and re-write by wimlib (export to a new XPRESS WIM) succeeds and verifies.
  const exported = join(work, 'exported.wim');
  tool('wimlib-imagex', ['export', wimPath, '1', exported, '--compress=XPRESS']);
  tool('wimverify', [exported]);
});
