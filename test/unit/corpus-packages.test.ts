/**
 * Every corpus project the native backend can compile is built into a real
 * package (validation, compile, WIM, the build's own read-back), then read
 * back by 7-Zip (an independent reader, WASM) and by ppkg's reader: the two
 * agree on every file and byte, every compiled group is listed, and no
 * installer or certificate is missing. The one project holding settings only
 * ICD compiles is refused, each setting located, and no package is written.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildError } from '../../server/src/package/build';
import { openWim } from '../../server/src/package/wim/read';
import { buildCorpusProject, layOutCorpusProject } from '../support/corpusBuild';
import { readWim } from '../support/wimReader';

const work = mkdtempSync(join(tmpdir(), 'ppkg-corpus-'));
after(() => rmSync(work, { recursive: true, force: true }));

const BUILDABLE: Record<string, { groups: number; assets: number }> = {
  'ad-join.xml': { groups: 5, assets: 0 },
  'certificates-edition.xml': { groups: 8, assets: 0 },
  'commands.xml': { groups: 15, assets: 6 },
  'kiosk.xml': { groups: 11, assets: 0 },
  'policies.xml': { groups: 41, assets: 2 },
  'wizard-entra.xml': { groups: 16, assets: 1 },
};

for (const [file, expected] of Object.entries(BUILDABLE)) {
  test(`corpus ${file}: built natively, read back alike by 7-Zip and by ppkg`, async () => {
    const dir = join(work, file);
    const c = layOutCorpusProject(file, join(dir, 'project'));
    const r = await buildCorpusProject(c, join(dir, 'out'));
    const seven = await readWim(r.packagePath);
    const wim = await openWim(r.packagePath);
    try {
      const files = wim.entries.filter((e) => !e.isDirectory);
      assert.deepEqual([...seven.files.keys()].sort(), files.map((e) => e.path).sort());
      for (const e of files) assert.ok((await wim.readFile(e)).equals(seven.files.get(e.path)!), `${e.path}: 7-Zip and ppkg read different bytes`);
      const runtime = [...seven.files.keys()].filter((p) => /^Multivariant\/0\/Prov\/(User_)?RunTime\/\d+__.+\.provxml$/.test(p));
      assert.equal(runtime.length, expected.groups, `${file}: ${runtime.join(', ')}`);
      const assets = [...seven.files.keys()].filter((p) => /^DataAsset\/\d+\//.test(p));
      assert.equal(assets.length, expected.assets);
      assert.ok(seven.files.has('CommonSettings/1/AnswerFile.xml') && seven.files.has('Multivariant/0/customizations.xml'));
      assert.equal(seven.properties?.get('NAME'), c.project.name);
    } finally {
      await wim.close();
    }
  });
}

test('corpus raw-and-multivariant.xml: refused, one located error per setting only ICD compiles, no package written', async () => {
  const dir = join(work, 'raw');
  const c = layOutCorpusProject('raw-and-multivariant.xml', join(dir, 'project'));
  let err: BuildError | undefined;
  try {
    await buildCorpusProject(c, join(dir, 'out'));
  } catch (e) {
    err = e as BuildError;
  }
  assert.ok(err instanceof BuildError);
  const codes = err.diagnostics.map((d) => d.code).sort();
  // HomeDir, DevDetail, the three enrollment settings, the multivariant XML.
  assert.deepEqual(codes.filter((x) => x === 'PPKG113').length, 6, codes.join(' '));
  assert.ok(codes.includes('PPKG111'), 'the list of return codes and the unknown update label');
  assert.ok(
    err.diagnostics.every((d) => d.range.start.line > 0),
    'each error is located on its setting',
  );
  assert.ok(!existsSync(join(dir, 'out', 'Mixed.ppkg')));
});
