/**
 * The WIM reader on packages wimlib wrote (test/fixtures/wim, made by
 * make.sh from src/): listing, properties, times, hard links, ACLs, DOS
 * names, alternate data streams, and every file's bytes against the source
 * it was captured from. LZX and solid (LZMS) packages are refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

import { fileTimeToDate, openWim, WimReadError, type WimArchive, type WimEntry } from '../../server/src/package/wim/read';
import { FILE_SD, ROOT_SD, ZONE_IDENTIFIER } from '../fixtures/wim/ntfs-seed';

const FIXTURES = join(__dirname, '../fixtures/wim');
const SRC = join(FIXTURES, 'src');
/** make.sh touches every file of the captured tree to this time. */
const CAPTURE_TIME = new Date('2026-02-03T04:05:06Z');

/** Every path under src/ (files and directories), '/'-separated, plus the hard link make.sh adds. */
function sourceTree(): { files: Map<string, Buffer>; dirs: Set<string> } {
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = relative(SRC, full).split('\\').join('/');
      if (statSync(full).isDirectory()) {
        dirs.add(rel);
        walk(full);
      } else {
        files.set(rel, readFileSync(full));
      }
    }
  };
  walk(SRC);
  files.set('text/notes-link.txt', files.get('text/notes.txt')!);
  return { files, dirs };
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

async function withWim<T>(name: string, fn: (wim: WimArchive) => Promise<T>): Promise<T> {
  const wim = await openWim(join(FIXTURES, name));
  try {
    return await fn(wim);
  } finally {
    await wim.close();
  }
}

function assertPreOrder(entries: WimEntry[]): void {
  const seen = new Set<string>(['']);
  for (const e of entries) {
    const parent = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    assert.ok(seen.has(parent), `${e.path} listed before its directory`);
    assert.equal(e.name, e.path.slice(e.path.lastIndexOf('/') + 1));
    seen.add(e.path);
  }
}

for (const [fixture, compression, chunkSize] of [
  ['xpress.wim', 'xpress', 32768],
  ['xpress-4k.wim', 'xpress', 4096],
  ['none.wim', 'none', 0],
] as const) {
  test(`${fixture}: header, listing, properties and every file's bytes`, async () => {
    const src = sourceTree();
    await withWim(fixture, async (wim) => {
      assert.equal(wim.header.version, 0x10d00);
      assert.equal(wim.header.compression, compression);
      assert.equal(wim.header.chunkSize, chunkSize);
      assert.equal(wim.header.imageCount, 1);
      assert.equal(wim.header.partNumber, 1);
      assert.equal(wim.header.totalParts, 1);
      assert.match(wim.header.guid, /^[0-9a-f]{32}$/);

      assertPreOrder(wim.entries);
      assert.deepEqual(new Set(wim.entries.filter((e) => e.isDirectory).map((e) => e.path)), src.dirs);
      assert.deepEqual(new Set(wim.entries.filter((e) => !e.isDirectory).map((e) => e.path)), new Set(src.files.keys()));
      assert.equal(wim.root.isDirectory, true);
      assert.equal(wim.root.path, '');

      for (const e of wim.entries) {
        assert.equal(fileTimeToDate(e.lastWriteTime).getTime(), CAPTURE_TIME.getTime(), `${e.path} mtime`);
        if (e.isDirectory) {
          assert.equal(e.attributes & 0x10, 0x10);
          assert.equal(e.size, 0);
          continue;
        }
        const expected = src.files.get(e.path)!;
        assert.equal(e.size, expected.length, e.path);
        assert.equal(e.sha1, expected.length ? sha1(expected) : undefined, e.path);
        assert.deepEqual(await wim.readFile(e), expected, e.path);
        const pieces: Buffer[] = [];
        for await (const piece of wim.streamFile(e)) pieces.push(piece);
        assert.deepEqual(Buffer.concat(pieces), expected, `${e.path} streamed`);
      }

      // The hard link is one inode with two names.
      const [a, b] = ['text/notes.txt', 'text/notes-link.txt'].map((p) => wim.entries.find((e) => e.path === p)!);
      assert.ok(a!.hardLinkGroupId && a!.hardLinkGroupId === b!.hardLinkGroupId);
      assert.equal(wim.entries.find((e) => e.path === 'empty.txt')!.hardLinkGroupId, undefined);
      assert.equal(wim.unreferencedBlobs, 0);
      assert.deepEqual(wim.securityDescriptors, []);

      // Properties: the ones make.sh set, in wimlib's order, entities decoded; counters too.
      const props = new Map(wim.imageProperties);
      assert.deepEqual(
        wim.imageProperties.filter(([k]) => ['NAME', 'DESCRIPTION', 'NOTES', 'PACKAGEID', 'VERSION', 'ALTITUDE'].includes(k)),
        [
          ['NAME', 'ppkg fixture'],
          ['DESCRIPTION', 'Fixture <for> the "WIM" reader & friends'],
          [
            'NOTES',
            'VERSION=10.0.26100.1;Source=CLI;;TargetSkus=Invalid;EncryptPackage=False;SignPackage=False;PackageID=9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b;',
          ],
          ['PACKAGEID', '{9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b}'],
          ['VERSION', '2.4'],
          ['ALTITUDE', '5000'],
        ],
      );
      assert.equal(props.get('DIRCOUNT'), String(src.dirs.size + 1));
      assert.equal(props.get('FILECOUNT'), String(src.files.size));
      assert.ok(!props.has('CREATIONTIME'), 'elements with child elements are not properties');
      assert.match(wim.xml, /^<WIM><IMAGE INDEX="1"><NAME>ppkg fixture<\/NAME>/);
    });
  });
}

test('xpress.wim really is compressed: the multi-chunk text file takes a fraction of its size', () => {
  const size = statSync(join(FIXTURES, 'xpress.wim')).size;
  // notes.txt alone is 40 000 bytes (two 32 KiB chunks); the whole package is far smaller.
  assert.ok(size < 20000, `xpress.wim is ${size} bytes`);
});

test('ntfs-acl.wim: security descriptors, DOS name, alternate data stream, hard link', async () => {
  await withWim('ntfs-acl.wim', async (wim) => {
    const byPath = new Map(wim.entries.map((e) => [e.path, e]));
    const sd = (e: WimEntry) => wim.securityDescriptors[e.securityId]!;
    assert.ok(wim.securityDescriptors.length >= 3, 'root, files and NTFS-default directory descriptors');
    assert.deepEqual(sd(wim.root), ROOT_SD);
    for (const path of ['Multivariant/Multivariant.xml', 'Multivariant/0/Prov/RunTime.xml', 'text/notes.txt', 'empty.txt', 'DataAsset/1/0_YWJj=/install.cmd']) {
      assert.deepEqual(sd(byPath.get(path)!), FILE_SD, path);
    }
    for (const e of wim.entries) assert.ok(e.securityId >= 0 && e.securityId < wim.securityDescriptors.length, e.path);

    assert.equal(byPath.get('Multivariant/Multivariant.xml')!.shortName, 'MULTIV~1.XML');
    assert.equal(byPath.get('text/notes.txt')!.shortName, undefined);

    const install = byPath.get('DataAsset/1/0_YWJj=/install.cmd')!;
    assert.deepEqual(await wim.readFile(install), readFileSync(join(SRC, 'DataAsset/1/0_YWJj=/install.cmd')));
    assert.equal(install.streams?.length, 1);
    const zone = install.streams![0]!;
    assert.equal(zone.name, 'Zone.Identifier');
    assert.equal(zone.size, ZONE_IDENTIFIER.length);
    assert.equal(zone.sha1, sha1(ZONE_IDENTIFIER));
    assert.deepEqual(await wim.readFile(zone), ZONE_IDENTIFIER);

    const link = byPath.get('DataAsset/1/0_YWJj=/install-link.cmd')!;
    assert.ok(install.hardLinkGroupId && install.hardLinkGroupId === link.hardLinkGroupId);
    assert.equal(link.sha1, install.sha1);
    assert.deepEqual(
      wim.imageProperties.find(([k]) => k === 'NAME'),
      ['NAME', 'ntfs fixture'],
    );
  });
});

for (const [fixture, pattern] of [
  ['lzx.wim', /LZX-compressed WIM/],
  ['solid.wim', /solid WIM .*LZMS/],
] as const) {
  test(`${fixture} is refused as unsupported, naming the compression`, async () => {
    await assert.rejects(
      openWim(join(FIXTURES, fixture)),
      (err: unknown) => err instanceof WimReadError && err.code === 'unsupported' && pattern.test(err.message),
    );
  });
}

test('a missing file is the file system error, not a WimReadError', async () => {
  await assert.rejects(openWim(join(FIXTURES, 'does-not-exist.wim')), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
});

test('readFile refuses a directory and respects maxBytes', async () => {
  await withWim('xpress.wim', async (wim) => {
    const dir = wim.entries.find((e) => e.isDirectory)!;
    await assert.rejects(wim.readFile(dir), TypeError);
    const notes = wim.entries.find((e) => e.path === 'text/notes.txt')!;
    await assert.rejects(wim.readFile(notes, { maxBytes: 39999 }), (err: unknown) => err instanceof WimReadError && err.code === 'limit');
    assert.equal((await wim.readFile(notes, { maxBytes: 40000 })).length, 40000);
  });
});

test('limits are checked when given: a tight maxEntries refuses the fixture', async () => {
  await assert.rejects(
    openWim(join(FIXTURES, 'xpress.wim'), { maxEntries: 5 }),
    (err: unknown) => err instanceof WimReadError && err.code === 'limit' && /maxEntries = 5/.test(err.message),
  );
  await assert.rejects(
    openWim(join(FIXTURES, 'xpress.wim'), { maxDepth: 3 }),
    (err: unknown) => err instanceof WimReadError && err.code === 'limit' && /maxDepth/.test(err.message),
  );
  await assert.rejects(openWim(join(FIXTURES, 'xpress.wim'), { maxBogus: 1 } as never), TypeError);
});
