/**
 * diffModels and the project side of ppkg diff: a project and the package
 * built from it compare as equal (unset secrets are "value unknown", set
 * ones compare by fingerprint); edits show as added, removed and changed
 * settings and files by SHA-256; secret values never appear.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { diffModels, inspectProjectFile, ProjectReadError, renderDiffText } from '../../server/src/diff';
import { inspectPackage } from '../../server/src/inspect';
import { secretEnvVar } from '../../server/src/model/secrets';
import { FIXTURE_SECRETS, SENTINEL_STRINGS } from '../fixtures/ppkg/sentinels';

const FIX = resolve(__dirname, '../fixtures/ppkg');
const work = mkdtempSync(join(tmpdir(), 'ppkg-diff-'));
after(() => rmSync(work, { recursive: true, force: true }));

const PROJECT = { label: 'everything.ppkg.json', kind: 'project' as const };
const PACKAGE = { label: 'everything.ppkg', kind: 'package' as const };
const env = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [secretEnvVar(k), v]));

function copyProject(name: string): string {
  const dir = join(work, name);
  cpSync(join(FIX, 'src'), dir, { recursive: true });
  return join(dir, 'everything.ppkg.json');
}

function noSentinel(text: string): void {
  for (const s of SENTINEL_STRINGS) assert.ok(!text.includes(s), `the diff holds ${s}`);
}

test('the fixture project and the package built from it are the same; unset secrets are noted, not differences', async () => {
  const pkg = (await inspectPackage(join(FIX, 'everything.ppkg'))).model;
  const project = (await inspectProjectFile(join(FIX, 'src/everything.ppkg.json'), 'everything.ppkg.json', {})).model;
  const d = diffModels(project, pkg, { a: PROJECT, b: PACKAGE });
  assert.deepEqual([d.image, d.settings, d.files], [[], [], []]);
  assert.equal(d.same, true);
  assert.match(d.notes.join('\n'), /not set .*Accounts\/Azure\/BPRT/);
  const secret = project.settings.find((s) => s.path === 'Accounts/Azure/BPRT')!;
  assert.equal(secret.secret!.fingerprint, null);
  assert.match(secret.value, /secret "bulk-token", value unknown/);
  // With the secrets set, they are compared too, and there is nothing left to note.
  const withSecrets = (await inspectProjectFile(join(FIX, 'src/everything.ppkg.json'), 'p', env(FIXTURE_SECRETS))).model;
  const d2 = diffModels(withSecrets, pkg, { a: PROJECT, b: PACKAGE });
  assert.equal(d2.same, true);
  assert.deepEqual(d2.notes, []);
  assert.match(renderDiffText(d2), /No differences/);
});

test('edits: a changed policy and version, an added user, a removed command, a changed installer and a wrong secret', async () => {
  const projectPath = copyProject('edited');
  const text = readFileSync(projectPath, 'utf8')
    .replace('"version": "2.5"', '"version": "2.6"')
    .replace('"AllowCamera": "No"', '"AllowCamera": "Yes"')
    .replace('"users": [', '"users": [{ "name": "extra", "group": "Administrators" }, ')
    .replace(/,\s*\{ "name": "Second", "commandLine": "cmd \/c echo second", "continueInstall": true \}/, '');
  writeFileSync(projectPath, text);
  writeFileSync(join(projectPath, '../apps/setup.exe'), 'a different installer');
  const secrets = { ...FIXTURE_SECRETS, 'wifi-key': 'SENTINEL-OTHER-WIFI' };
  const project = (await inspectProjectFile(projectPath, 'edited', env(secrets))).model;
  const pkg = (await inspectPackage(join(FIX, 'everything.ppkg'))).model;
  const d = diffModels(pkg, project, { a: PACKAGE, b: PROJECT });
  assert.equal(d.same, false);
  assert.deepEqual(d.image, [{ property: 'Version', a: '2.5', b: '2.6' }]);
  const by = (c: string) => d.settings.filter((s) => s.change === c).map((s) => s.setting);
  // In RunTime order.
  assert.deepEqual(by('changed'), [
    "ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID='Fixture Net']/WLANXmlSettings/SecurityKey",
    'Policies/Camera/AllowCamera',
  ]);
  assert.deepEqual(by('removed'), [
    'ProvisioningCommands/PrimaryContext/Command/CommandConfig[1]/CommandLine',
    'ProvisioningCommands/PrimaryContext/Command/CommandConfig[1]/ContinueInstall',
  ]);
  assert.deepEqual(by('added'), ["Accounts/Users/User[@UserName='extra']/UserGroup"]);
  assert.deepEqual(
    d.settings.find((s) => s.setting === 'Policies/Camera/AllowCamera'),
    { change: 'changed', scope: 'device', setting: 'Policies/Camera/AllowCamera', a: 'No', b: 'Yes' },
  );
  assert.deepEqual(
    d.files.map((f) => [f.change, f.setting, f.a?.name, f.a?.sha256 === f.b?.sha256]),
    [['changed', 'ProvisioningCommands/PrimaryContext/Command/CommandConfig[0]/CommandFile', 'setup.exe', false]],
  );
  const text2 = renderDiffText(d);
  noSentinel(text2 + JSON.stringify(d));
  assert.match(text2, /~ Policies\/Camera\/AllowCamera: No → Yes/);
  assert.match(text2, /~ Version: 2\.5 → 2\.6/);
  assert.match(text2, /\+ Accounts\/Users\/User\[@UserName='extra'\]\/UserGroup = Administrators/);
  assert.match(text2, /SecurityKey: •••• \([0-9a-f]{8}\) → •••• \([0-9a-f]{8}\)/);
  assert.match(text2, /7 differences\./);
});

test('two packages: the native build and the wimlib capture without customizations.xml are the same', async () => {
  const a = (await inspectPackage(join(FIX, 'everything.ppkg'))).model;
  const b = (await inspectPackage(join(FIX, 'compiled-only.ppkg'))).model;
  assert.equal(diffModels(a, b, { a: PACKAGE, b: { label: 'compiled-only.ppkg', kind: 'package' } }).same, true);
});

test('a project that cannot be compared says why, in words', async () => {
  const broken = join(work, 'broken.ppkg.json');
  writeFileSync(broken, '{ "name": "x", ');
  await assert.rejects(
    inspectProjectFile(broken, 'broken.ppkg.json', {}),
    (e: Error) => e instanceof ProjectReadError && /not a readable project file \(line 1/.test(e.message),
  );
  const wrong = join(work, 'wrong.ppkg.json');
  writeFileSync(wrong, JSON.stringify({ name: 'x', id: 'nope', version: '1.0', device: { name: 5 } }));
  await assert.rejects(
    inspectProjectFile(wrong, 'wrong.ppkg.json', {}),
    (e: Error) => e instanceof ProjectReadError && /has \d+ errors? .*Run ppkg validate wrong\.ppkg\.json/.test(e.message),
  );
  const missing = copyProject('missing-file');
  rmSync(join(missing, '../apps/helper.dll'));
  await assert.rejects(
    inspectProjectFile(missing, 'missing', {}),
    (e: Error) => e instanceof ProjectReadError && /The file "apps\/helper\.dll" of missing does not exist/.test(e.message) && !/ENOENT/.test(e.message),
  );
  await assert.rejects(
    inspectProjectFile(join(work, 'none.ppkg.json'), 'none.ppkg.json', {}),
    (e: Error) => e instanceof ProjectReadError && /does not exist/.test(e.message),
  );
});
