/** ppkg import: WCD customizations.xml → project → customizations.xml round trips; hostile XML refused. */
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProject } from '../../server/src/compile';
import { childElements, localName, parseXmlDocument, type XElement } from '../../server/src/compile/xmlParse';
import { ImportError, importCustomizations } from '../../server/src/import/customizations';
import { parseProject } from '../../server/src/model/parse';
import type { Project } from '../../server/src/model/project';
import { isSecretReference } from '../../server/src/model/secrets';
import { validateText } from '../../server/src/validation/validate';
import { icdArguments, locateIcd, parseKitsRoot } from '../../server/src/package/icd';
import { xmlLeaves } from '../support/xmlLeaves';
import { settingsList } from '../support/customizationsCompare';

const fixture = (n: string) => readFileSync(new URL(`../fixtures/wcd/${n}`, import.meta.url), 'utf8');

function section(xml: string, ...names: string[]): XElement {
  let el = parseXmlDocument(xml);
  for (const n of names) el = childElements(el).find((c) => localName(c.name) === n)!;
  return el;
}

/** The secret values of a fixture, by the secret names import gives them. */
function reexport(xml: string, secretValues: Record<string, string>, rewritePaths?: (p: string) => string) {
  const r = importCustomizations(xml);
  const doc = parseProject(r.projectText);
  assert.deepEqual(doc.syntaxProblems, []);
  const project = doc.value as Project;
  const files = new Map();
  const stub = {
    data: readFileSync(new URL('../../examples/bulk-enrollment/certificates/contoso-root.cer', import.meta.url)),
    sha256: Buffer.alloc(32),
    size: 1,
  };
  for (const a of project.applications ?? []) for (const f of [a.installer, ...(a.dependencies ?? [])]) files.set(f, stub);
  for (const c of project.certificates ?? []) files.set(c.file, stub);
  // The values import set aside are exactly the file's secrets, by the names it gave them.
  assert.deepEqual(Object.fromEntries(r.secretValues), secretValues);
  const out = compileProject(project, r.secretValues, { files, customizationsPath: rewritePaths }, { target: 'customizations' });
  return { r, project, xml: out.customizationsXml.toString('utf8') };
}

test('wizard-like: every setting mapped, secrets become references (never values), round trip', () => {
  const xml = fixture('wizard.xml');
  const {
    r,
    project,
    xml: again,
  } = reexport(xml, { 'bulk-token': 'SENTINEL-BPRT-eyJ0eXAiOiJKV1Qi', 'local-admin-password': 'SENTINEL-ADMIN-PW', 'wifi-key': 'SENTINEL-WIFI-KEY' }, (p) =>
    p === 'agent.msi' ? 'C:\\Users\\admin\\Documents\\WCD\\apps\\agent.msi' : 'C:\\Users\\admin\\Documents\\WCD\\certs\\lab-root.cer',
  );
  for (const v of ['SENTINEL-BPRT', 'SENTINEL-ADMIN-PW', 'SENTINEL-WIFI-KEY']) {
    assert.ok(!r.projectText.includes(v), `${v} leaked into the project`);
    assert.ok(!r.warnings.join('\n').includes(v));
  }
  assert.deepEqual(r.secrets.sort(), ['bulk-token', 'local-admin-password', 'wifi-key']);
  assert.ok(r.warnings.some((w) => w.includes('"bulk-token"') && w.includes('PPKG_SECRET_BULK_TOKEN')));
  assert.equal(project.name, 'Front Office & Lab');
  assert.deepEqual(project.device, { name: 'FO-%SERIAL%', sharedUse: true });
  assert.ok(isSecretReference(project.account?.entra?.token));
  assert.equal(project.account?.localAdmin?.user, 'foadmin');
  assert.equal(project.applications?.[0]?.commandLine, `msiexec /i agent.msi /qn TOKEN="a<b>&'c'"`);
  assert.deepEqual(project.applications?.[0]?.successCodes, [0, 1641]);
  assert.equal(project.additionalSettings, undefined);
  assert.deepEqual(
    xmlLeaves(section(again, 'Settings', 'Customizations', 'Common'), { trim: true }),
    xmlLeaves(section(xml, 'Settings', 'Customizations', 'Common'), { trim: true }),
  );
  assert.deepEqual(xmlLeaves(section(again, 'PackageConfig'), { trim: true }), xmlLeaves(section(xml, 'PackageConfig'), { trim: true }));
  // The imported project validates except for the token expiry it cannot know.
  const codes = validateText(r.projectText, { now: () => new Date('2026-12-01') })
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => d.code);
  // …and the two return codes the native backend cannot compile (it says so, it does not drop one).
  assert.deepEqual(codes, ['PPKG014', 'PPKG111']);
});

test('ProvisioningTools-like with Targets/Variant: unknown settings and multivariant XML kept and re-emitted', () => {
  const xml = fixture('provisioningtools.xml');
  const { r, project, xml: again } = reexport(xml, { 'domain-join-password': 'SENTINEL-DOMAIN-PW', 'kiosk-password': 'SENTINEL-KIOSK-PW' });
  assert.ok(!r.projectText.includes('SENTINEL'));
  assert.equal(project.id, '5e0b7c2d-1a3f-4b6e-8d9c-0f1e2d3c4b5a', 'kept as written');
  assert.equal(project.owner, 'ITAdmin');
  assert.deepEqual(project.policies, { ApplicationManagement: { AllowAllTrustedApps: 'Yes' } });
  assert.deepEqual(project.account?.activeDirectory, { domain: 'corp.contoso.com', account: 'corp\\joiner', password: { secret: 'domain-join-password' } });
  assert.ok(project.users?.[0]?.name === 'kiosk' && isSecretReference(project.users[0].password) && project.users[0].group === 'Standard Users');
  assert.equal(project.additionalSettings, undefined);
  assert.match(project.additionalCustomizationsXml!, /<Targets>/);
  assert.equal(project.notes, 'Made by ProvisioningTools');
  // A script-made file, not in WCD's order: the rebuilt one has the same settings in WCD's order.
  assert.deepEqual(settingsList(again), settingsList(xml, 'schema'));
  // Importing the re-export gives the same project.
  assert.equal(importCustomizations(again).projectText.replace(/\/\/.*\n/g, ''), r.projectText.replace(/\/\/.*\n/g, ''));
});

test('unknown settings only: kept as additionalSettings, enrollment secret as a reference, OEM rank 7', () => {
  const xml = fixture('unknown-settings.xml');
  const { r, project, xml: again } = reexport(xml, { 'enroll-acme.example-secret': 'SENTINEL-ENROLL-SECRET' });
  assert.ok(!r.projectText.includes('SENTINEL'));
  assert.equal(project.owner, 'OEM');
  assert.equal(project.rank, 7);
  assert.equal(project.description, 'MDM enrollment <third-party>');
  assert.equal(project.additionalSettings!.length, 5);
  const common = (x: string) => xmlLeaves(section(x, 'Settings', 'Customizations', 'Common'), { trim: true });
  assert.deepEqual(common(again), common(xml));
});

test('hostile or broken input: DOCTYPE, entity bomb, oversize, wrong root are refused with clear errors', () => {
  const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<WindowsCustomizations>&lol2;</WindowsCustomizations>`;
  const t = Date.now();
  assert.throws(
    () => importCustomizations(bomb),
    (e: unknown) => e instanceof ImportError && /DOCTYPE or ENTITY/.test(e.message) && /line 2/.test(e.message),
  );
  assert.ok(Date.now() - t < 500);
  assert.throws(() => importCustomizations('<!DOCTYPE WindowsCustomizations SYSTEM "file:///etc/passwd"><WindowsCustomizations/>'), /DOCTYPE/);
  assert.throws(() => importCustomizations('<a/>'.padEnd(9 * 1024 * 1024, ' ')), /characters/);
  assert.throws(() => importCustomizations('<Foo/>'), /WindowsCustomizations/);
  assert.throws(() => importCustomizations('<WindowsCustomizations><Settings></WindowsCustomizations>'), /does not match/);
});

test('ICD backend: discovery (configured, registry, default) and the argument vector, with fakes', async () => {
  const reg = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows Kits\\Installed Roots\r\n    KitsRoot10    REG_SZ    D:\\Kits\\10\\\r\n';
  assert.equal(parseKitsRoot(reg), 'D:\\Kits\\10\\');
  assert.equal(parseKitsRoot('ERROR: The system was unable to find the specified registry key'), undefined);
  const icdAt = 'D:\\Kits\\10\\Assessment and Deployment Kit\\Imaging and Configuration Designer\\x86\\ICD.exe';
  const store = 'D:\\Kits\\10\\Assessment and Deployment Kit\\Imaging and Configuration Designer\\x86\\Microsoft-Desktop-Provisioning.dat';
  const present = new Set([icdAt, store]);
  assert.deepEqual(await locateIcd({ exists: (p) => present.has(p), queryKitsRoot: async () => 'D:\\Kits\\10\\' }), { icdPath: icdAt, storeFile: store });
  const def = 'C:\\Program Files (x86)\\Windows Kits\\10\\Assessment and Deployment Kit\\Imaging and Configuration Designer\\x86\\ICD.exe';
  const defSet = new Set([def, def.replace('ICD.exe', 'Microsoft-Desktop-Provisioning.dat')]);
  assert.equal((await locateIcd({ exists: (p) => defSet.has(p), queryKitsRoot: async () => undefined })).icdPath, def);
  await assert.rejects(locateIcd({ exists: () => false, queryKitsRoot: async () => undefined }), /ICD\.exe .*was not found[\s\S]*not set[\s\S]*default/);
  await assert.rejects(locateIcd({ configured: 'E:\\icd\\ICD.exe', exists: () => false, queryKitsRoot: async () => undefined }), /configured ICD.exe path/);
  await assert.rejects(locateIcd({ configured: 'E:\\icd\\ICD.exe', exists: (p) => p.endsWith('ICD.exe'), queryKitsRoot: async () => undefined }), /store file/);
  assert.deepEqual(icdArguments({ customizationsPath: 'C:\\o\\customizations.xml', packagePath: 'C:\\o\\p.ppkg', storeFile: 'C:\\s.dat', encrypt: false }), [
    '/Build-ProvisioningPackage',
    '/CustomizationXML:C:\\o\\customizations.xml',
    '/PackagePath:C:\\o\\p.ppkg',
    '/StoreFile:C:\\s.dat',
    '+Overwrite',
  ]);
  assert.equal(icdArguments({ customizationsPath: 'a', packagePath: 'b', storeFile: 'c', encrypt: true }).at(-1), '+Encrypted');
});
