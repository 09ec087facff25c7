/**
 * The WIM reader against wimlib itself (Debian `wimtools`), on packages
 * wimlib writes at test time: XPRESS at chunk sizes 4 KiB to 64 KiB over
 * files sized around every chunk boundary, empty files, hard links, a
 * ~50 MB file, and a package with Windows ACLs, DOS names and an
 * alternate data stream (wimlib re-exports the NTFS-captured fixture, so
 * wimlib writes it fresh). Also the repo's own writer's output.
 *
 * For each package the reader's listing is compared with
 * `wimdir --detailed` (attributes, DOS names, security descriptors, link
 * groups, every stream's hash and size) and every byte it returns with what
 * `wimapply` extracts. Runs in the e2e job, which installs wimtools; without
 * wimtools every test here FAILS (never skips), saying how to install it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';

import { writeWim, type WimFileEntry } from '../../server/src/package/wim';
import { openWim, type WimArchive, type WimEntry } from '../../server/src/package/wim/read';
import { Prng } from '../reliability/fuzz/prng';
import { icdPackage } from '../reliability/wimfuzz/icdShape';
import { pattern } from '../support/bytes';

const INSTALL_HINT = 'wimtools is not installed: run `apt-get install -y wimtools` (Debian/Ubuntu) to run the WIM checks';
const FIXTURES = join(__dirname, '../fixtures/wim');

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { maxBuffer: 256 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') assert.fail(`${cmd}: ${INSTALL_HINT}`);
  if (r.error) throw r.error;
  const stdout = r.stdout.toString('utf8');
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}\n${stdout}\n${r.stderr.toString('utf8')}`);
  return stdout;
}

const work = mkdtempSync(join(tmpdir(), 'ppkg-wim-read-wimlib-'));
after(() => rmSync(work, { recursive: true, force: true }));

/* ------------------------------------------------------------ wimdir --detailed */

interface WimdirStream {
  name: string; // '' for the unnamed stream
  hash: string;
  size: number;
}
interface WimdirEntry {
  path: string; // '' for the root
  shortName: string;
  attributes: number;
  securityDescriptor?: string;
  linkGroup: bigint;
  lastWrite: string;
  streams: WimdirStream[];
}

function wimdir(wim: string): Map<string, WimdirEntry> {
  const out = new Map<string, WimdirEntry>();
  for (const block of tool('wimdir', [wim, '1', '--detailed']).split(/^-{20,}$/m)) {
    const path = /^Full Path\s+= "(.*)"$/m.exec(block)?.[1];
    if (path === undefined) continue;
    const field = (name: string) => new RegExp(`^${name}\\s+= (.*)$`, 'm').exec(block)?.[1];
    const streams: WimdirStream[] = [];
    const streamRe = /^\t(Unnamed data stream|Named data stream "(.*)"):\n(?:.*\n)*?Hash\s+= 0x([0-9a-f]{40})\n(?:Uncompressed size\s+= (\d+) bytes)?/gm;
    for (let m = streamRe.exec(block); m; m = streamRe.exec(block)) {
      streams.push({ name: m[2] ?? '', hash: m[3]!, size: Number(m[4] ?? 0) });
    }
    out.set(path.replace(/^\//, ''), {
      path: path.replace(/^\//, ''),
      shortName: JSON.parse(`"${field('Short Name')!.slice(1, -1)}"`),
      attributes: parseInt(field('Attributes')!, 16),
      securityDescriptor: field('Security Descriptor'),
      linkGroup: BigInt(field('Link Group ID')!),
      lastWrite: field('Last Write Time')!,
      streams,
    });
  }
  return out;
}

/** A FILETIME the way wimlib prints it: "Tue Feb 03 04:05:06 2026 UTC". */
function wimlibTime(ft: bigint): string {
  const d = new Date(Number(ft / 10_000n) - 11_644_473_600_000);
  const [wd, mon] = [
    ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()],
    ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()],
  ];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${wd} ${mon} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()} UTC`;
}

const ZERO = '0'.repeat(40);

/** The reader's view of an entry, in wimdir's terms. */
function compareEntry(wim: WimArchive, e: WimEntry, w: WimdirEntry): void {
  const where = e.path || '/';
  assert.equal(e.attributes, w.attributes, `${where}: attributes`);
  assert.equal(e.shortName ?? '', w.shortName, `${where}: short name`);
  assert.equal(e.securityId >= 0 ? wim.securityDescriptors[e.securityId]!.toString('hex') : undefined, w.securityDescriptor, `${where}: security descriptor`);
  assert.equal(e.hardLinkGroupId ?? 0n, w.linkGroup, `${where}: link group`);
  assert.equal(wimlibTime(e.lastWriteTime), w.lastWrite, `${where}: last write time`);
  const unnamed = w.streams.find((s) => s.name === '');
  if (!e.isDirectory) {
    assert.equal(e.sha1 ?? ZERO, unnamed?.hash ?? ZERO, `${where}: unnamed stream hash`);
    assert.equal(e.size, unnamed?.size ?? 0, `${where}: size`);
  }
  const named = w.streams.filter((s) => s.name !== '').map((s) => ({ name: s.name, sha1: s.hash === ZERO ? undefined : s.hash, size: s.size }));
  assert.deepEqual(e.streams ?? [], named, `${where}: named streams`);
}

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        out.set(relative(dir, full).split('\\').join('/'), 'dir');
        walk(full);
      } else {
        out.set(relative(dir, full).split('\\').join('/'), full);
      }
    }
  };
  walk(dir);
  return out;
}

/** Reader vs wimdir (metadata) and vs wimapply (bytes, hard links). */
async function checkAgainstWimlib(wimPath: string): Promise<WimArchive> {
  tool('wimverify', [wimPath]);
  const expected = wimdir(wimPath);
  const wim = await openWim(wimPath);
  try {
    assert.deepEqual(new Set(wim.entries.map((e) => e.path)), new Set([...expected.keys()].filter((p) => p !== '')));
    compareEntry(wim, wim.root, expected.get('')!);
    for (const e of wim.entries) compareEntry(wim, e, expected.get(e.path)!);

    const outDir = join(work, `apply-${Math.random().toString(36).slice(2)}`);
    tool('wimapply', [wimPath, '1', outDir]);
    const applied = filesUnder(outDir);
    assert.deepEqual(new Set(applied.keys()), new Set(wim.entries.map((e) => e.path)));
    const inodes = new Map<bigint, number>();
    for (const e of wim.entries) {
      if (e.isDirectory) {
        assert.equal(applied.get(e.path), 'dir', e.path);
        continue;
      }
      const onDisk = readFileSync(applied.get(e.path)!);
      assert.ok((await wim.readFile(e)).equals(onDisk), `${e.path}: bytes differ from wimapply's`);
      const ino = BigInt(statSync(applied.get(e.path)!, { bigint: true }).ino);
      if (e.hardLinkGroupId) {
        // Every name of a link group is one inode after wimapply.
        const first = inodes.get(e.hardLinkGroupId);
        if (first === undefined) inodes.set(e.hardLinkGroupId, Number(ino));
        else assert.equal(Number(ino), first, `${e.path}: not the same file as the rest of its link group`);
      }
    }
    rmSync(outDir, { recursive: true, force: true });
    return wim;
  } catch (err) {
    await wim.close();
    throw err;
  }
}

/* ----------------------------------------------------------------- the trees */

function text(n: number, seed: number): Buffer {
  const rng = new Prng(seed);
  const words = ['<parm', 'name="', 'value="', 'Policy', 'Allow', '/>', '\r\n', '  ', 'characteristic', 'type="', '1', '0', 'integer'];
  let s = '';
  while (s.length < n) s += rng.pick(words) + ' ';
  return Buffer.from(s.slice(0, n));
}

function chunkTree(root: string): void {
  mkdirSync(join(root, 'sizes'), { recursive: true });
  mkdirSync(join(root, 'Multivariant/0/Prov/RunTime'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'), { recursive: true });
  // Sizes around 4 KiB, 32 KiB and 64 KiB chunk boundaries, compressible and not.
  for (const size of [1, 255, 4095, 4096, 4097, 32767, 32768, 32769, 65535, 65536, 65537, 300_001]) {
    writeFileSync(join(root, 'sizes', `text-${size}.txt`), text(size, size));
    writeFileSync(join(root, 'sizes', `random-${size}.bin`), pattern(size, size + 1));
  }
  writeFileSync(join(root, 'Multivariant/Multivariant.xml'), '\ufeff<Multivariant/>');
  writeFileSync(join(root, 'Multivariant/0/Prov/RunTime.xml'), text(423, 7));
  writeFileSync(join(root, 'Multivariant/0/Prov/RunTime/1__Policies.provxml'), text(5000, 8));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'also-empty.xml'), '');
  linkSync(join(root, 'Multivariant/0/Prov/RunTime.xml'), join(root, 'Multivariant/0/runtime-link.xml'));
  linkSync(join(root, 'sizes/text-32769.txt'), join(root, 'sizes/text-32769-link.txt'));
  writeFileSync(join(root, 'Ünïcødé 文件 😀.txt'), 'non-ASCII');
}

function capture(src: string, out: string, ...opts: string[]): string {
  const wimPath = join(work, out);
  tool('wimlib-imagex', ['capture', src, wimPath, 'ppkg wimlib test', ...opts]);
  return wimPath;
}

const chunkSrc = join(work, 'chunks');
chunkTree(chunkSrc);

for (const chunkSize of [4096, 32768, 65536]) {
  test(`wimlib XPRESS capture, ${chunkSize}-byte chunks: listing matches wimdir, bytes match wimapply`, async () => {
    const wim = await checkAgainstWimlib(capture(chunkSrc, `chunks-${chunkSize}.wim`, '--compress=xpress', `--chunk-size=${chunkSize}`));
    try {
      assert.equal(wim.header.compression, 'xpress');
      assert.equal(wim.header.chunkSize, chunkSize);
      const byPath = new Map(wim.entries.map((e) => [e.path, e]));
      assert.equal(byPath.get('empty.txt')!.size, 0);
      assert.ok(byPath.get('Multivariant/0/runtime-link.xml')!.hardLinkGroupId);
      assert.equal(byPath.get('sizes/text-300001.txt')!.size, 300_001);
    } finally {
      await wim.close();
    }
  });
}

test('wimlib uncompressed capture reads the same', async () => {
  const wim = await checkAgainstWimlib(capture(chunkSrc, 'chunks-none.wim', '--compress=none'));
  assert.equal(wim.header.compression, 'none');
  await wim.close();
});

test('ACLs, a DOS name and an alternate data stream, freshly written by wimlib', async () => {
  // wimlib re-writes the NTFS-captured fixture (README there): a new WIM, its own
  // metadata and chunks, with three security descriptors, the short name and the
  // named stream; 4 KiB chunks so the text file spans many.
  const out = join(work, 'acl.wim');
  tool('wimlib-imagex', ['export', join(FIXTURES, 'ntfs-acl.wim'), '1', out, '--compress=xpress', '--chunk-size=4096']);
  const wim = await checkAgainstWimlib(out);
  try {
    assert.ok(wim.securityDescriptors.length >= 3);
    assert.ok(wim.entries.some((e) => e.shortName === 'MULTIV~1.XML'));
    const withStream = wim.entries.find((e) => e.streams?.length)!;
    assert.equal(withStream.streams![0]!.name, 'Zone.Identifier');
    assert.equal((await wim.readFile(withStream.streams![0]!)).toString(), '[ZoneTransfer]\r\nZoneId=3\r\n');
  } finally {
    await wim.close();
  }
});

test('a ~50 MB file: read whole and streamed, equal to the source', async () => {
  const src = join(work, 'big');
  mkdirSync(src);
  // Installer-like: compressible text, random (stored-raw chunks), and zero runs.
  const big = Buffer.concat([text(20 << 20, 1), pattern(20 << 20, 2), Buffer.alloc(5 << 20), text((5 << 20) + 12345, 3)]);
  writeFileSync(join(src, 'setup.msi'), big);
  const wim = await checkAgainstWimlib(capture(src, 'big.wim', '--compress=xpress'));
  try {
    const e = wim.entries.find((x) => x.path === 'setup.msi')!;
    assert.equal(e.size, big.length);
    let at = 0;
    for await (const piece of wim.streamFile(e)) {
      assert.ok(piece.equals(big.subarray(at, at + piece.length)), `streamed bytes differ at ${at}`);
      at += piece.length;
    }
    assert.equal(at, big.length);
  } finally {
    await wim.close();
  }
});

test("the repo writer's package: the reader agrees with wimdir and wimapply", async () => {
  const out = join(work, 'writer.ppkg');
  const entries: WimFileEntry[] = [
    { path: 'Multivariant/Multivariant.xml', source: { kind: 'buffer', data: Buffer.from('\ufeff<Multivariant/>') } },
    { path: 'Multivariant/0/Prov/RunTime.xml', source: { kind: 'buffer', data: text(60_000, 4) } },
    { path: 'DataAsset/1/0_x/setup.msi', source: { kind: 'buffer', data: Buffer.concat([text(40_000, 5), pattern(70_000, 6)]) } },
    { path: 'CommonSettings/1/empty.xml', source: { kind: 'buffer', data: Buffer.alloc(0) } },
  ];
  await writeWim(out, entries, { properties: [['NAME', 'writer']], timestamp: new Date('2026-02-03T04:05:06Z'), guid: Buffer.alloc(16, 9) });
  const wim = await checkAgainstWimlib(out);
  assert.deepEqual(
    wim.imageProperties.find(([k]) => k === 'NAME'),
    ['NAME', 'writer'],
  );
  await wim.close();
});

test('an ICD-shaped package (stub, three ACLs, DOS names, unreferenced blobs, ADS): the reader agrees with wimlib', async () => {
  const out = join(work, 'icd-shape.ppkg');
  writeFileSync(out, icdPackage());
  const wim = await checkAgainstWimlib(out);
  assert.equal(wim.unreferencedBlobs, 2);
  assert.equal(wim.securityDescriptors.length, 3);
  await wim.close();
});
