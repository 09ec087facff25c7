/** ppkg build through main(): exit codes, compiler-style errors, outputs, no secret on stdout/stderr. */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';

const EXAMPLE = resolve(__dirname, '../../examples/bulk-enrollment');
const work = mkdtempSync(join(tmpdir(), 'ppkg-cli-build-'));
after(() => rmSync(work, { recursive: true, force: true }));

const ENV = { PPKG_SECRET_BULK_TOKEN: 'SENTINEL-CLI-TOKEN', PPKG_SECRET_WIFI_KEY: 'SENTINEL-CLI-WIFI', PPKG_SECRET_LOCAL_ADMIN_PASSWORD: 'SENTINEL-CLI-PW' };

async function ppkg(args: string[], env: Record<string, string> = ENV): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: work, env };
  const code = await main(args, io);
  for (const v of Object.values(ENV)) assert.ok(!out.includes(v) && !err.includes(v), 'a secret reached the terminal');
  return { code, out, err };
}

function project(name: string, edit: (t: string) => string = (t) => t): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const e of readdirSync(EXAMPLE)) if (e !== 'ppkg-out') cpSync(join(EXAMPLE, e), join(dir, e), { recursive: true });
  // A token fetched today: valid for the next 179 days whatever the date.
  const expiry = new Date(Date.now() + 179 * 86400_000).toISOString().slice(0, 10);
  const file = join(dir, 'cts-desktops.ppkg.json');
  writeFileSync(
    file,
    edit(
      readFileSync(file, 'utf8')
        .replace(/"tokenExpiry": "[^"]*"/, `"tokenExpiry": "${expiry}"`)
        .replace(/"issuedAt": "[^"]*"/, `"issuedAt": "${new Date().toISOString()}"`),
    ),
  );
  return `${name}/cts-desktops.ppkg.json`;
}

test('builds the example and prints the outputs (exit 0)', async () => {
  const p = project('ok');
  const r = await ppkg(['build', p, '--out', 'out-ok']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Built out-ok\/CTS Desktops\.ppkg/);
  assert.match(r.out, /customizations\.xml: out-ok\/customizations\.xml/);
  assert.match(r.out, /build report: {7}out-ok\/build-report\.json/);
  assert.ok(existsSync(join(work, 'out-ok/CTS Desktops.ppkg')));
});

test('missing secrets: compiler-style errors naming each secret and its variable (exit 1)', async () => {
  const p = project('nosecret');
  const r = await ppkg(['build', p], { PPKG_SECRET_BULK_TOKEN: 'SENTINEL-CLI-TOKEN' });
  assert.equal(r.code, 1);
  const lines = r.err.trim().split('\n');
  assert.match(lines[0]!, /^nosecret\/cts-desktops\.ppkg\.json:\d+:\d+: error PPKG110 .*"wifi-key".*PPKG_SECRET_WIFI_KEY/);
  assert.match(r.err, /"local-admin-password".*PPKG_SECRET_LOCAL_ADMIN_PASSWORD/);
  assert.ok(!existsSync(join(work, 'nosecret/ppkg-out')), 'nothing written');
});

test('validation error and expired token refuse the build (exit 1)', async () => {
  const p = project('invalid', (t) => t.replace('"CTS-%SERIAL%"', '"CTS %SERIAL%"'));
  const r = await ppkg(['build', p]);
  assert.equal(r.code, 1);
  assert.match(r.err, /:\d+:\d+: error PPKG001 /);
  const q = project('expired', (t) =>
    t.replace(/"tokenExpiry": "[^"]*"/, '"tokenExpiry": "2020-01-01"').replace(/"issuedAt": "[^"]*"/, '"issuedAt": "2019-12-01T00:00:00Z"'),
  );
  const e = await ppkg(['build', q]);
  assert.equal(e.code, 1);
  assert.match(e.err, /error PPKG011 The bulk token expired/);
});

test('usage and I/O errors exit 2; encrypt on native exits 1 naming the ICD backend', async () => {
  assert.equal((await ppkg(['build'])).code, 2);
  assert.equal((await ppkg(['build', 'a', 'b'])).code, 2);
  assert.equal((await ppkg(['build', 'x.ppkg.json', '--backend', 'zip'])).code, 2);
  const missing = await ppkg(['build', 'does-not-exist.ppkg.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /Cannot read the project file/);
  const p = project('encrypt', (t) => t.replace('"encrypt": false', '"encrypt": true'));
  const r = await ppkg(['build', p]);
  assert.equal(r.code, 1);
  assert.match(r.err, /error PPKG090 Only ICD can encrypt.*--backend icd/);
  if (process.platform !== 'win32') {
    const icd = await ppkg(['build', project('icd'), '--backend', 'icd']);
    assert.equal(icd.code, 2);
    assert.match(icd.err, /only on Windows/);
  }
});

test('--out . in a git repository is refused: its .gitignore and customizations.xml stay as they were, nothing is written (exit 2)', async () => {
  project('repo'); // the example, copied into repo/
  const repo = join(work, 'repo');
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, '.gitignore'), 'node_modules/\n');
  writeFileSync(join(repo, 'customizations.xml'), '<WindowsCustomizations>from WCD</WindowsCustomizations>\n');
  const before = readdirSync(repo).sort();
  const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t), cwd: repo, env: ENV };
  let out = '';
  let err = '';
  const code = await main(['build', 'cts-desktops.ppkg.json', '--out', '.'], io);
  assert.equal(code, 2, err);
  assert.match(err, /^ppkg build: The output folder \. already holds files that ppkg did not write/m);
  assert.match(err, /new or empty folder/);
  assert.doesNotMatch(err, /EEXIST|ENOENT|internal error/);
  assert.equal(readFileSync(join(repo, '.gitignore'), 'utf8'), 'node_modules/\n');
  assert.equal(readFileSync(join(repo, 'customizations.xml'), 'utf8'), '<WindowsCustomizations>from WCD</WindowsCustomizations>\n');
  assert.deepEqual(readdirSync(repo).sort(), before);
  assert.equal(execFileSync('git', ['status', '--porcelain', '--', '.gitignore', 'customizations.xml'], { cwd: repo, encoding: 'utf8' }).includes('M '), false);
  // The default folder (ppkg-out/<project>) is ppkg's own and gets its own .gitignore.
  const ok = await main(['build', 'cts-desktops.ppkg.json'], io);
  assert.equal(ok, 0, err);
  assert.match(readFileSync(join(repo, 'ppkg-out/cts-desktops/.gitignore'), 'utf8'), /^# Written by ppkg build/);
  assert.equal(readFileSync(join(repo, '.gitignore'), 'utf8'), 'node_modules/\n');
});
