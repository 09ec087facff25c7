/**
 * The corpus projects built natively and checked by wimlib (Debian wimtools):
 * wimverify (every resource decompressed, every SHA-1 checked), wiminfo (the
 * image properties), wimapply (the tree, byte for byte what ppkg's reader
 * reads). Runs in the e2e job, which installs wimtools; without them it fails
 * and says how to install them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openWim } from '../../server/src/package/wim/read';
import { buildCorpusProject, layOutCorpusProject } from '../support/corpusBuild';

const work = mkdtempSync(join(tmpdir(), 'ppkg-corpus-wimtools-'));
after(() => rmSync(work, { recursive: true, force: true }));

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') assert.fail(`${cmd}: wimtools is not installed: run apt-get install -y wimtools`);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

for (const file of ['wizard-entra.xml', 'ad-join.xml', 'commands.xml', 'policies.xml', 'kiosk.xml', 'certificates-edition.xml']) {
  test(`corpus ${file}: wimverify, wiminfo and wimapply accept the native package`, async () => {
    const dir = join(work, file);
    const c = layOutCorpusProject(file, join(dir, 'project'));
    const r = await buildCorpusProject(c, join(dir, 'out'));
    tool('wimverify', [r.packagePath]);
    const info = tool('wiminfo', [r.packagePath, '1']);
    assert.match(info, new RegExp(`Name:\\s+${c.project.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(info, /WIMBoot compatible:\s+no/);
    const xmlFile = join(dir, 'image.xml');
    tool('wiminfo', [r.packagePath, '--extract-xml', xmlFile]);
    const xml = readFileSync(xmlFile).toString('utf16le');
    const bare = c.project.id.replace(/^\{|\}$/g, '');
    assert.ok(xml.includes(`<PACKAGEID>{${bare}}</PACKAGEID>`), 'PACKAGEID');
    assert.match(xml, /<DESCRIPTION>.*<\/DESCRIPTION><NOTES>.*<\/NOTES><AUTHOR><\/AUTHOR>/);
    const applied = join(dir, 'applied');
    tool('wimapply', [r.packagePath, '1', applied, '--no-acls']);
    const files = tree(applied);
    const wim = await openWim(r.packagePath);
    try {
      const entries = wim.entries.filter((e) => !e.isDirectory);
      assert.deepEqual([...files.keys()].sort(), entries.map((e) => e.path).sort());
      for (const e of entries) assert.ok(files.get(e.path)!.equals(await wim.readFile(e)), e.path);
    } finally {
      await wim.close();
    }
  });
}
