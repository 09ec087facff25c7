/**
 * The reader on an ICD-shaped package (test/reliability/wimfuzz/icdShape.ts,
 * after docs/wim-container.md §Where we deliberately differ from ICD): stub, XPRESS metadata, raw and
 * compressed resources, three descriptors, DOS names, unreferenced blobs,
 * an ADS with the unnamed data in an extra stream entry. wimlib reads the
 * same package in test/wimtools/wim-read-wimlib.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { openWimBuffer } from '../../server/src/package/wim/read';
import { ASSET_SD, FILE_SD, ICD_FILES as files, icdPackage, PKG, ROOT_SD } from '../reliability/wimfuzz/icdShape';

test('an ICD-shaped package reads completely', async () => {
  const wim = await openWimBuffer(icdPackage());
  assert.equal(wim.header.compression, 'xpress');
  assert.equal(wim.unreferencedBlobs, 2, 'the superseded DataAsset.xml versions');
  assert.deepEqual(wim.securityDescriptors, [ROOT_SD, FILE_SD, ASSET_SD]);
  assert.equal(wim.root.securityId, 0);
  for (const e of wim.entries) assert.equal(e.securityId, e.isDirectory ? -1 : e.path.endsWith('install.cmd') ? 2 : 1, e.path);
  const byPath = new Map(wim.entries.map((e) => [e.path, e]));
  assert.equal(byPath.get('Multivariant/Multivariant.xml')!.shortName, 'TEM-1A~2.TMP');
  assert.equal(byPath.get('Multivariant/0/Prov/RunTime.xml')!.shortName, 'RunTime.xml');
  const asset = byPath.get(`DataAsset/1/{${PKG}}/0_AbCd.ef=/install.cmd`)!;
  assert.equal(asset.attributes, 0x80020);
  assert.deepEqual(
    asset.streams?.map((s) => s.name),
    ['Zone.Identifier'],
  );
  for (const f of files) {
    const e = byPath.get(f.path)!;
    assert.equal(e.sha1, createHash('sha1').update(f.data!).digest('hex'), f.path);
    assert.deepEqual(await wim.readFile(e), f.data, f.path);
  }
  assert.equal((await wim.readFile(asset.streams![0]!)).toString(), '[ZoneTransfer]\r\nZoneId=3\r\n');
  assert.deepEqual(
    wim.imageProperties.map(([k]) => k),
    ['NAME', 'DESCRIPTION', 'NOTES', 'AUTHOR', 'VERSION', 'ALTITUDE', 'RESETCLEAR', 'PACKAGEID', 'WIMBOOT'],
  );
  assert.deepEqual(
    wim.imageProperties.find(([k]) => k === 'DESCRIPTION'),
    ['DESCRIPTION', ''],
  );
  // Stored order is kept (ICD's root order is Multivariant, CommonSettings, DataAsset).
  assert.deepEqual(
    wim.entries.filter((e) => !e.path.includes('/')).map((e) => e.path),
    ['Multivariant', 'CommonSettings', 'DataAsset'],
  );
});
