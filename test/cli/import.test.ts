/** ppkg import through main(): writes a project, never overwrites without --force, refuses hostile XML. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';

const FIXTURES = resolve(__dirname, '../fixtures/wcd');
const work = mkdtempSync(join(tmpdir(), 'ppkg-cli-import-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function ppkg(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: work, env: {} };
  return { code: await main(args, io), out, err };
}

test('imports a wizard customizations.xml next to it; secrets named, never written', async () => {
  copyFileSync(join(FIXTURES, 'wizard.xml'), join(work, 'customizations.xml'));
  const r = await ppkg(['import', 'customizations.xml']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Wrote front-office-lab\.ppkg\.json/);
  const text = readFileSync(join(work, 'front-office-lab.ppkg.json'), 'utf8');
  assert.ok(!/SENTINEL/.test(text + r.out + r.err));
  assert.match(r.err, /warning: .*"bulk-token".*PPKG_SECRET_BULK_TOKEN/);
  // Again: refuses to overwrite, then --force does.
  const again = await ppkg(['import', 'customizations.xml']);
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists; not overwriting/);
  writeFileSync(join(work, 'front-office-lab.ppkg.json'), 'edited');
  assert.equal((await ppkg(['import', 'customizations.xml', '--force'])).code, 0);
  assert.notEqual(readFileSync(join(work, 'front-office-lab.ppkg.json'), 'utf8'), 'edited');
  // The imported project passes ppkg validate but for the token expiry it cannot know.
  const v = await ppkg(['validate', 'front-office-lab.ppkg.json']);
  assert.equal(v.code, 1);
  assert.match(v.out, /PPKG014/);
});

test('--out, entity bombs and unreadable input', async () => {
  const r = await ppkg(['import', join(FIXTURES, 'provisioningtools.xml'), '--out', 'sub/laptops.ppkg.json']);
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(join(work, 'sub/laptops.ppkg.json')));
  writeFileSync(
    join(work, 'bomb.xml'),
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><WindowsCustomizations>&b;</WindowsCustomizations>',
  );
  const bomb = await ppkg(['import', 'bomb.xml', '--out', 'bomb.ppkg.json']);
  assert.equal(bomb.code, 1);
  assert.match(bomb.err, /DOCTYPE or ENTITY/);
  assert.ok(!existsSync(join(work, 'bomb.ppkg.json')));
  assert.equal((await ppkg(['import', 'nope.xml'])).code, 2);
  assert.equal((await ppkg(['import'])).code, 2);
});
