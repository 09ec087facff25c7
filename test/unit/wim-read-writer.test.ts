/**
 * The reader on what the repo's own writer (`writeWim`) produces, as every
 * native build will read its package back before publishing it: the
 * listing, every file's bytes, the image properties in order, the header,
 * and the security descriptors the writer stores.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { writeWim, type WimFileEntry, type WimImageOptions } from '../../server/src/package/wim';
import { fileTimeToDate, openWim } from '../../server/src/package/wim/read';
import { pattern } from '../support/bytes';

const work = mkdtempSync(join(tmpdir(), 'ppkg-wim-read-writer-'));
after(() => rmSync(work, { recursive: true, force: true }));

function provxml(size: number): Buffer {
  let s = '\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<wap-provisioningdoc>\r\n';
  for (let i = 0; s.length < size; i++)
    s += `  <characteristic type="Policy${i % 7}"><parm name="S${i}" value="${i * 3}" datatype="integer" /></characteristic>\r\n`;
  return Buffer.from(s).subarray(0, size);
}

const files: Record<string, Buffer> = {
  'Multivariant/Multivariant.xml': Buffer.from('\ufeff<Multivariant/>'),
  'Multivariant/0/Prov/RunTime.xml': provxml(420),
  'Multivariant/0/Prov/RunTime/10__Policies.provxml': provxml(5000),
  'Multivariant/0/Prov/RunTime/1__Accounts.provxml': provxml(5000), // same bytes: one blob
  'CommonSettings/1/AnswerFile.xml': provxml(300_000), // ten 32 KiB chunks, compressed
  'DataAsset/1/0_YWJj=/setup.msi': Buffer.concat([provxml(70_000), pattern(200_000, 3), provxml(9000)]),
  'DataAsset/1/0_YWJj=/random.bin': pattern(100_000, 4), // incompressible: stored raw
  'DataAsset/2/Ünïcødé 文件 ✓.txt': Buffer.from('non-ASCII name'),
  'Multivariant/0/empty.xml': Buffer.alloc(0),
};
const properties: [string, string][] = [
  ['NAME', 'Contoso & Co <bulk>'],
  ['DESCRIPTION', ''],
  ['NOTES', 'VERSION=10.0.26100.1;Source=CLI;;TargetSkus=Invalid;EncryptPackage=False;SignPackage=False;PackageID=9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b;'],
  ['AUTHOR', ''],
  ['VERSION', '2.4'],
  ['ALTITUDE', '5000'],
  ['RESETCLEAR', '0'],
  ['PACKAGEID', '{9f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b}'],
];
const timestamp = new Date('2026-02-03T04:05:06Z');

function entries(): WimFileEntry[] {
  return Object.entries(files).map(([path, data], i) => {
    if (data.length < 10_000) return { path, source: { kind: 'buffer', data } };
    const src = join(work, `src-${i}`);
    writeFileSync(src, data);
    return { path, source: { kind: 'file', path: src } };
  });
}

function dirsOf(paths: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return dirs;
}

for (const headerCompression of ['xpress', 'none'] as const) {
  test(`writeWim (${headerCompression}) reads back: listing, bytes, properties, security`, async () => {
    const out = join(work, `${headerCompression}.ppkg`);
    const image: WimImageOptions = {
      properties,
      trailingProperties: [['WIMBOOT', '0']],
      timestamp,
      guid: Buffer.from('a1b2c3d4e5f60718293a4b5c6d7e8f90', 'hex'),
      headerCompression,
    };
    await writeWim(out, entries(), image);
    const wim = await openWim(out);
    try {
      assert.equal(wim.header.compression, headerCompression);
      assert.equal(wim.header.guid, 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
      assert.equal(wim.header.chunkSize, headerCompression === 'xpress' ? 32768 : 0);

      const listed = new Map(wim.entries.map((e) => [e.path, e]));
      assert.deepEqual(new Set(wim.entries.filter((e) => e.isDirectory).map((e) => e.path)), dirsOf(Object.keys(files)));
      assert.deepEqual(new Set(wim.entries.filter((e) => !e.isDirectory).map((e) => e.path)), new Set(Object.keys(files)));
      for (const [path, data] of Object.entries(files)) {
        const e = listed.get(path)!;
        assert.equal(e.size, data.length, path);
        assert.equal(e.sha1, data.length ? createHash('sha1').update(data).digest('hex') : undefined, path);
        assert.ok((await wim.readFile(e)).equals(data), path);
        assert.equal(fileTimeToDate(e.lastWriteTime).getTime(), timestamp.getTime(), path);
      }
      for (const e of [wim.root, ...wim.entries]) {
        assert.ok(e.securityId === -1 || (e.securityId >= 0 && e.securityId < wim.securityDescriptors.length), `${e.path}: security id ${e.securityId}`);
      }
      // Properties the caller gave, in the caller's order, empty ones included.
      const given = new Set([...properties.map(([k]) => k), 'WIMBOOT']);
      assert.deepEqual(
        wim.imageProperties.filter(([k]) => given.has(k)),
        [...properties, ['WIMBOOT', '0']],
      );
      assert.equal(wim.unreferencedBlobs, 0);
      if (headerCompression === 'xpress') {
        const total = Object.values(files).reduce((n, b) => n + b.length, 0);
        assert.ok(statSync(out).size < total * 0.8, 'the XPRESS package is smaller than its content');
      }
    } finally {
      await wim.close();
    }
  });
}
