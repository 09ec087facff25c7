/**
 * Import keeps what WCD wrote: every project of the corpus (one per setting
 * kind, in WCD's saved form) is imported, rebuilt into a customizations.xml,
 * and compared with the original setting for setting and in order — no
 * setting lost, changed or added, secrets never in the project text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProject } from '../../server/src/compile';
import { importCustomizations } from '../../server/src/import/customizations';
import { parseProject } from '../../server/src/model/parse';
import type { Project } from '../../server/src/model/project';
import { settingsList } from '../support/customizationsCompare';

const CORPUS = join(__dirname, '../fixtures/wcd/corpus');
const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.xml'))
  .sort();

/** Rebuilds customizations.xml from an imported project, with the original secrets and file paths. */
export function rebuild(xml: string): { project: Project; projectText: string; rebuilt: string; warnings: string[] } {
  const r = importCustomizations(xml);
  const doc = parseProject(r.projectText);
  assert.deepEqual(doc.syntaxProblems, []);
  const project = doc.value as Project;
  // WCD writes absolute paths of the building machine; import keeps the file name. Map it back.
  const originals = [...xml.matchAll(/>([A-Za-z]:\\[^<]+|[^<>\s]+\\[^<]+)</g)].map((m) => m[1]!);
  const back = (p: string) => originals.find((o) => o.split('\\').pop() === p.split('/').pop()) ?? p.replace(/\//g, '\\');
  const rebuilt = compileProject(
    project,
    r.secretValues,
    { files: new Map(), customizationsPath: back },
    { target: 'customizations' },
  ).customizationsXml.toString('utf8');
  return { project, projectText: r.projectText, rebuilt, warnings: r.warnings };
}

test('the corpus covers every setting kind the table compiles', () => {
  const all = corpus.map((f) => readFileSync(join(CORPUS, f), 'utf8')).join('\n');
  for (const kind of [
    'Azure',
    'ComputerName',
    'DomainName',
    'UserGroup',
    'RootCertificate',
    'CACertificate',
    'TrustedPeopleCertificate',
    'ClientCertificate',
    'CleanPCWithoutRetainingUserData',
    'CleanPCRetainingUserData',
    'WLANConfig',
    'UpgradeEditionWithProductKey',
    'ChangeProductKey',
    'HideOobe',
    'EnableCortanaVoice',
    'EnableSharedPCMode',
    'DeviceContext',
    'DependencyPackages',
    'DeployDesktopImage',
    'LockScreenImageUrl',
    'AutoLogon',
    'ShellLauncher',
    'UIVerbosityLevel',
    'Licensing',
    'AccountManagement',
    'DeviceManagement',
    'FileExplorer',
    'Targets',
  ]) {
    assert.ok(all.includes(`<${kind}`), `no corpus file has ${kind}`);
  }
});

for (const file of corpus) {
  test(`import → build round trip: ${file}`, () => {
    const xml = readFileSync(join(CORPUS, file), 'utf8');
    // The corpus is in WCD's saved form: its own order is WCD's schema order.
    assert.deepEqual(settingsList(xml, 'document'), settingsList(xml, 'schema'), `${file} is not in WCD's order`);
    const { projectText, rebuilt, warnings } = rebuild(xml);
    assert.deepEqual(settingsList(rebuilt), settingsList(xml));
    for (const m of xml.matchAll(/SENTINEL-[A-Z-]+/g)) {
      // A password typed into a command line is the one value import cannot take out (PPKG071 says so).
      if (m[0] === 'SENTINEL-NETUSER-PW') continue;
      assert.ok(!projectText.includes(m[0]), `${m[0]} leaked into the project`);
      assert.ok(!warnings.join('\n').includes(m[0]), `${m[0]} leaked into a warning`);
    }
    // Importing the rebuilt file gives the same project.
    assert.equal(importCustomizations(rebuilt).projectText, importCustomizations(xml).projectText);
  });
}

test('import keeps explicit values, Notes and order, and adds nothing', () => {
  const ad = rebuild(readFileSync(join(CORPUS, 'ad-join.xml'), 'utf8')).project;
  assert.equal(ad.notes, 'Ticket CHG-4711: joins branch PCs to corp.');
  assert.equal(ad.oobe?.hide, false);
  assert.deepEqual(
    ad.users?.map((u) => u.name),
    ['brsupport', 'bradmin', 'kiosk'],
  );
  assert.equal(ad.account?.localAdmin, undefined, 'the first user is not an administrator: all stay in users, in order');
  assert.deepEqual(ad.users?.[2], { name: 'kiosk', group: 'Standard Users' });
  assert.deepEqual(ad.account?.activeDirectory && Object.keys(ad.account.activeDirectory), ['domain', 'account', 'password', 'ou']);
  const apps = rebuild(readFileSync(join(CORPUS, 'commands.xml'), 'utf8')).project;
  assert.deepEqual(
    apps.applications?.map((a) => a.name),
    ['Runtime', 'Rename admin', 'Agent'],
  );
  assert.deepEqual(apps.applications?.[1], {
    name: 'Rename admin',
    commandLine: 'powershell -NoProfile -Command "Rename-LocalUser -Name Administrator -NewName corpadm"',
  });
  assert.equal(apps.notes, '');
  assert.deepEqual(apps.deviceContext, { commandLine: 'cmd /c prep.cmd', commandFiles: ['prep.cmd', 'settings.reg'] });
  const raw = rebuild(readFileSync(join(CORPUS, 'raw-and-multivariant.xml'), 'utf8'));
  // Non-canonical spellings and unknown settings stay as WCD wrote them.
  assert.ok(raw.project.additionalSettings?.some((s) => s.path === 'OOBE/Desktop/HideOobe' && s.value === 'true'));
  assert.equal(raw.project.network, undefined, 'the first network says "true", so both networks stay raw, in order');
  assert.ok(raw.project.additionalSettings?.some((s) => s.path === "Accounts/Users/User[@UserName='ops'][@Name='ops']/HomeDir"));
  assert.ok(raw.warnings.some((w) => /command line of "Setup" holds a password/.test(w)));
});
