/**
 * The inspect engine on the fixture packages (test/fixtures/ppkg): every
 * compiled setting mapped back to its WCD setting and value, choices to
 * their labels, unknown settings as raw OMA-URIs, users, commands in
 * execution order, files with SHA-256, certificates, risks; secrets masked
 * with a stable fingerprint; odd and hostile packages made with the WIM
 * writer reported as warnings, never a crash.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fingerprint, inspectPackage, renderInspectText, wimFiles, type InspectModel } from '../../server/src/inspect';
import { bulkTokenExpiry } from '../../server/src/inspect/bprt';
import { writeWim } from '../../server/src/package/wim';
import { FIXTURE_SECRETS, SENTINEL_STRINGS } from '../fixtures/ppkg/sentinels';

const FIX = resolve(__dirname, '../fixtures/ppkg');
const EVERYTHING = join(FIX, 'everything.ppkg');
const COMPILED_ONLY = join(FIX, 'compiled-only.ppkg');
const work = mkdtempSync(join(tmpdir(), 'ppkg-inspect-'));
after(() => rmSync(work, { recursive: true, force: true }));

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function setting(m: InspectModel, name: string) {
  const s = m.settings.find((x) => (x.path ?? x.uri) === name);
  assert.ok(s, `no setting ${name}; have ${m.settings.map((x) => x.path ?? x.uri).join(', ')}`);
  return s;
}

function assertNoSentinel(text: string, what: string): void {
  for (const s of SENTINEL_STRINGS) assert.ok(!text.includes(s), `${what} holds the secret ${s}`);
}

test('everything.ppkg: image, settings with WCD paths and labels, raw OMA-URIs, scopes, files by SHA-256', async () => {
  const { model: m } = await inspectPackage(EVERYTHING);
  assert.equal(m.format, 'ppkg-inspect');
  assert.equal(m.version, 1);
  assert.deepEqual(
    {
      name: m.image.name,
      id: m.image.packageId,
      version: m.image.version,
      owner: m.image.owner,
      rank: m.image.rank,
      altitude: m.image.altitude,
      cx: m.image.hasCustomizationsXml,
    },
    { name: 'Inspect Fixture', id: '{5e1d2c3b-4a59-4687-9abc-def012345678}', version: '2.5', owner: 'SystemIntegrator', rank: 12, altitude: 3012, cx: true },
  );
  assert.equal(setting(m, 'Accounts/ComputerAccount/ComputerName').value, 'FX-%SERIAL%');
  // Choices come back as WCD's labels, with the compiled value beside them.
  const group = setting(m, "Accounts/Users/User[@UserName='kiosk']/UserGroup");
  assert.deepEqual([group.label, group.compiledValue, group.value], ['Standard Users', '1', 'Standard Users']);
  assert.equal(setting(m, "Accounts/Users/User[@UserName='fxadmin']/UserGroup").label, 'Administrators');
  assert.equal(setting(m, 'Policies/Camera/AllowCamera').label, 'No');
  assert.equal(setting(m, 'SMISettings/AutoLogon/Enable').label, 'ENABLE');
  assert.equal(setting(m, "Certificates/ClientCertificates/ClientCertificate[@CertificateName='Fixture Client']/KeyLocation").label, 'SoftwareOnly');
  // A value the table has no label for says so.
  const cortana = setting(m, 'Policies/Experience/AllowCortana');
  assert.equal(cortana.label, null);
  assert.equal(cortana.compiledValue, '7');
  assert.match(renderInspectText(m), /Policies\/Experience\/AllowCortana = 7 \(no WCD label\)/);
  // Booleans as WCD writes them; the Wi-Fi profile as its WCD leaves.
  assert.equal(setting(m, 'OOBE/Desktop/HideOobe').value, 'True');
  assert.equal(setting(m, "ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID='Fixture Net']/WLANXmlSettings/SecurityType").value, 'WPA2-Personal');
  assert.equal(setting(m, "ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID='Fixture Net']/WLANXmlSettings/AutoConnect").value, 'True');
  // Settings the table does not know: raw OMA-URI, datatype and value.
  const raw = setting(m, './Device/Vendor/MSFT/Policy/Config/Update/ActiveHoursStart');
  assert.deepEqual([raw.path, raw.datatype, raw.value], [null, 'integer', '8']);
  // User scope: User_RunTime.xml, after every device setting.
  const user = m.settings.filter((s) => s.scope === 'user').map((s) => s.path ?? s.uri);
  assert.deepEqual(user, ['Policies/FileExplorer/AllowOptionToShowNetwork', './User/Vendor/MSFT/Policy/Config/Education/DefaultPrinterName']);
  assert.equal(
    m.settings.findIndex((s) => s.scope === 'user'),
    m.settings.length - 2,
  );
  // RunTime order: ICD's group order (Accounts first, commands by position).
  const names = m.settings.map((s) => s.path ?? s.uri);
  assert.ok(names.indexOf('Accounts/Azure/Authority') === 0);
  assert.ok(
    names.indexOf('ProvisioningCommands/PrimaryContext/Command/CommandConfig[0]/CommandLine') <
      names.indexOf('ProvisioningCommands/PrimaryContext/Command/CommandConfig[1]/CommandLine'),
  );
  // Files: the setting shows the shipped file with its SHA-256.
  const installer = setting(m, 'ProvisioningCommands/PrimaryContext/Command/CommandConfig[0]/CommandFile');
  assert.equal(installer.file!.name, 'setup.exe');
  assert.equal(installer.file!.sha256, sha256(join(FIX, 'src/apps/setup.exe')));
  assert.match(installer.file!.packagePath!, /^DataAsset\/\d+\/\d+_[A-Za-z0-9+.=]+\/setup\.exe$/);
  assert.equal(setting(m, 'Personalization/DeployDesktopImage').file!.sha256, sha256(join(FIX, 'src/images/desktop.png')));
  assert.deepEqual(m.assets.map((a) => [a.name, a.kind, a.sha256]).sort(), [
    ['desktop.png', 'DeployDesktopImage', sha256(join(FIX, 'src/images/desktop.png'))],
    ['helper.dll', 'Dependency', sha256(join(FIX, 'src/apps/helper.dll'))],
    ['prep.cmd', 'CommandFile', sha256(join(FIX, 'src/apps/prep.cmd'))],
    ['setup.exe', 'CommandFile', sha256(join(FIX, 'src/apps/setup.exe'))],
  ]);
  assert.deepEqual(m.otherFiles, []);
  assert.deepEqual(m.warnings, []);
});

test('users, commands in execution order, certificates and the risk summary', async () => {
  const { model: m } = await inspectPackage(EVERYTHING);
  assert.deepEqual(m.users, [
    { name: 'fxadmin', group: 'Administrators', hasPassword: true },
    { name: 'kiosk', group: 'Standard Users', hasPassword: true },
  ]);
  assert.deepEqual(
    m.commands.map((c) => [
      c.order,
      c.context,
      c.index,
      c.commandLine,
      c.files.map((f) => f.name),
      c.dependencies.map((f) => f.name),
      c.continueInstall,
      c.returnCodeRestart,
    ]),
    [
      [1, 'device', null, 'cmd /c prep.cmd', ['prep.cmd'], [], null, null],
      [2, 'primary', 0, 'setup.exe /quiet', ['setup.exe'], ['helper.dll'], null, '3010'],
      [3, 'primary', 1, 'cmd /c echo second', [], [], true, null],
    ],
  );
  const root = m.certificates.find((c) => c.store === 'Root')!;
  assert.equal(root.subject, 'CN=Contoso Example Root CA (not trusted anywhere)');
  assert.equal(
    root.thumbprint,
    createHash('sha1')
      .update(readFileSync(join(FIX, 'src/certs/root.cer')))
      .digest('hex')
      .toUpperCase(),
  );
  assert.equal(root.selfSigned, true);
  assert.match(root.notAfter!, /^2036-/);
  // The client PFX is opened with the password the package carries; the password is not in the model.
  const client = m.certificates.find((c) => c.store === 'Client')!;
  assert.equal(client.key, 'Fixture Client');
  assert.equal(client.subject, 'CN=ppkg test client');
  assert.equal(client.error, undefined);

  const r = m.risks;
  assert.equal(r.systemCommands, 3);
  assert.deepEqual(r.administratorsCreated, ['fxadmin']);
  assert.deepEqual(
    r.trustedCertificates.map((c) => c.store),
    ['Root'],
  );
  assert.deepEqual(
    r.weakenedPolicies.map((w) => w.setting),
    [
      'Policies/ApplicationManagement/AllowAllTrustedApps',
      'SMISettings/AutoLogon/Enable',
      './Device/Vendor/MSFT/Policy/Config/Defender/AllowRealtimeMonitoring',
    ],
  );
  assert.deepEqual(r.bulkToken, { present: true, expires: '2027-01-01T00:00:00.000Z' });
  assert.equal(r.credentials.length, 6);
  const text = renderInspectText(m);
  assert.match(text, /! 3 commands run as SYSTEM during setup\./);
  assert.match(text, /! Creates 1 local administrator: fxadmin\./);
  assert.match(text, /! Holds a bulk token \(BPRT\) that joins devices to Entra ID; it expires 2027-01-01\./);
  assert.match(text, /turns off Microsoft Defender's RealtimeMonitoring/);
});

test('secrets: masked with a stable fingerprint, shown only when asked; never in the text or JSON otherwise', async () => {
  const { model: m } = await inspectPackage(EVERYTHING);
  const json = JSON.stringify(m);
  const text = renderInspectText(m);
  assertNoSentinel(json, 'the JSON model');
  assertNoSentinel(text, 'the text');
  const bprt = setting(m, 'Accounts/Azure/BPRT');
  assert.equal(bprt.secret!.fingerprint, fingerprint(FIXTURE_SECRETS['bulk-token']!, 'Accounts/Azure/BPRT'));
  assert.match(bprt.value, /^•••• \([0-9a-f]{8}\)$/);
  assert.equal(bprt.compiledValue, bprt.value);
  // Salted per setting: the same value elsewhere gives another fingerprint; another value another one.
  assert.notEqual(fingerprint('same', 'A'), fingerprint('same', 'B'));
  assert.notEqual(fingerprint('one', 'A'), fingerprint('two', 'A'));
  assert.equal(fingerprint('one', 'A'), fingerprint('one', 'A'));
  // The PFX blob is a file, not printed; its password is a secret.
  const pfx = setting(m, "Certificates/ClientCertificates/ClientCertificate[@CertificateName='Fixture Client']/CertificatePath");
  assert.equal(pfx.file!.name, 'Fixture Client.pfx');
  assert.doesNotMatch(pfx.compiledValue, /^MII/);
  const shown = (await inspectPackage(EVERYTHING, { secrets: { show: true } })).model;
  assert.equal(setting(shown, 'Accounts/Azure/BPRT').value, FIXTURE_SECRETS['bulk-token']);
  assert.equal(
    setting(shown, "ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID='Fixture Net']/WLANXmlSettings/SecurityKey").value,
    FIXTURE_SECRETS['wifi-key'],
  );
});

test('a package written by wimlib without customizations.xml maps to the same settings', async () => {
  const a = (await inspectPackage(EVERYTHING)).model;
  const b = (await inspectPackage(COMPILED_ONLY)).model;
  assert.equal(b.image.hasCustomizationsXml, false);
  assert.deepEqual(b.settings, a.settings);
  assert.deepEqual(b.commands, a.commands);
  assert.deepEqual(b.risks, a.risks);
});

test('the text escapes control and bidirectional characters from the package', async () => {
  const text = renderInspectText((await inspectPackage(EVERYTHING)).model);
  assert.ok(!text.includes('\u202e'), 'a right-to-left override reached the output');
  assert.match(text, /Printer \\u202eevil/);
});

test('bulk token expiry: read from a JWT-like token, else unknown (never guessed)', () => {
  const jwt = (payload: unknown) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
  assert.equal(bulkTokenExpiry(jwt({ exp: 1798761600 })), '2027-01-01T00:00:00.000Z');
  assert.equal(bulkTokenExpiry('opaque-refresh-token-value'), null);
  assert.equal(bulkTokenExpiry(jwt({ exp: 'soon' })), null);
  assert.equal(bulkTokenExpiry(jwt({ exp: 99 })), null);
  assert.equal(bulkTokenExpiry('a.!!!.c'), null);
});

/* ------------------------------------------------------------ odd packages */

const BOM = '\ufeff';
const provxml = (body: string) =>
  Buffer.from(`${BOM}<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n<wap-provisioningdoc>${body}</wap-provisioningdoc>`);
const runtime = (...files: string[]) =>
  Buffer.from(
    `${BOM}<?xml version="1.0" encoding="utf-8"?>\r\n<ConfigurationSource Version="1.0">${files.map((f) => `<ConfigurationSet Type="provxml" SettingsGroup="x" Data="${f}" />`).join('')}</ConfigurationSource>`,
  );

async function pkg(name: string, files: Record<string, Buffer>, properties: [string, string][] = [['NAME', name]]): Promise<string> {
  const p = join(work, `${name}.ppkg`);
  await writeWim(
    p,
    Object.entries(files).map(([path, data]) => ({ path, source: { kind: 'buffer' as const, data } })),
    { properties, timestamp: new Date('2026-01-01T00:00:00Z'), guid: Buffer.alloc(16, 7) },
  );
  return p;
}

test('odd packages: unlisted, escaping, missing and malformed files are warnings; the rest is still read', async () => {
  const p = await pkg('odd', {
    'Multivariant/0/Prov/RunTime.xml': runtime(
      '$(_prov)\\RunTime\\0__Good.provxml',
      '$(_prov)\\RunTime\\..\\..\\evil.provxml',
      '$(_prov)\\RunTime\\2__Gone.provxml',
      '$(_prov)\\RunTime\\3__Bad.provxml',
      '$(_prov)\\RunTime\\4__Dtd.provxml',
    ),
    'Multivariant/0/Prov/RunTime/0__Good.provxml': provxml(
      '<characteristic type="Policy"><characteristic type="Config"><characteristic type="Camera"><parm name="AllowCamera" value="0" datatype="integer" /></characteristic></characteristic></characteristic><characteristic type="Acme"><parm name="Cmd" value="a&#x9;red" datatype="string" /></characteristic>',
    ),
    'Multivariant/0/Prov/RunTime/3__Bad.provxml': Buffer.from('<wap-provisioningdoc><characteristic'),
    'Multivariant/0/Prov/RunTime/4__Dtd.provxml': Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><wap-provisioningdoc/>'),
    'Multivariant/0/Prov/RunTime/9__Hidden.provxml': provxml('<characteristic type="X"><parm name="Y" value="1" datatype="integer" /></characteristic>'),
    'DataAsset/2/0_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=/tool.exe': Buffer.from('not the hashed content'),
    'Extra/readme.txt': Buffer.from('hello'),
  });
  const { model: m } = await inspectPackage(p);
  assert.deepEqual(
    m.settings.map((s) => s.path ?? s.uri),
    ['Policies/Camera/AllowCamera', './Device/Vendor/MSFT/Acme/Cmd'],
  );
  const w = m.warnings.join('\n');
  assert.match(w, /lists "\$\(_prov\)\\\\RunTime\\\\\.\.\\\\\.\.\\\\evil\.provxml", which is not a provxml file of its own folder; it was not read/);
  assert.match(w, /lists 2__Gone\.provxml, which is not in the package/);
  assert.match(w, /3__Bad\.provxml is not well-formed XML/);
  assert.match(w, /4__Dtd\.provxml is not well-formed XML .*DOCTYPE/);
  assert.match(w, /9__Hidden\.provxml is in the package but no RunTime list names it: Windows does not apply it/);
  assert.match(w, /tool\.exe does not match the SHA-256 in its folder name/);
  assert.match(w, /Extra\/readme\.txt is not part of what ICD writes/);
  assert.deepEqual(m.otherFiles.map((f) => f.path).sort(), ['Extra/readme.txt', 'Multivariant/0/Prov/RunTime/9__Hidden.provxml']);
  // A tab in a value is shown escaped, on one line.
  assert.match(renderInspectText(m), /Acme\/Cmd = a\\tred/);
});

test('a package without RunTime.xml, and raw settings whose names say credential, are masked and warned', async () => {
  const p = await pkg('bare', { 'Multivariant/Multivariant.xml': Buffer.from('<Elements/>') }, [
    ['NAME', 'Bare'],
    ['ALTITUDE', 'high'],
  ]);
  const { model: m } = await inspectPackage(p);
  assert.deepEqual(m.settings, []);
  assert.match(m.warnings.join('\n'), /has no Multivariant\/0\/Prov\/RunTime\.xml: Windows applies no settings from it/);
  assert.equal(m.image.owner, null);
  assert.equal(m.image.altitude, null);
  assert.deepEqual(m.risks.lines, ['No commands, administrators, trusted certificates, weakened policies or credentials.']);

  const q = await pkg('raw-secret', {
    'Multivariant/0/Prov/RunTime.xml': runtime('$(_prov)\\RunTime\\0__X.provxml'),
    'Multivariant/0/Prov/RunTime/0__X.provxml': provxml(
      '<characteristic type="VPNv2"><characteristic type="Corp"><parm name="PreSharedKey" value="SENTINEL-PSK-1" datatype="string" /></characteristic></characteristic>' +
        '<characteristic type="WiFi"><characteristic type="Profile"><characteristic type="Lab"><parm name="WlanXml" value="&lt;WLANProfile&gt;&lt;keyMaterial&gt;SENTINEL-KM-2&lt;/keyMaterial&gt;&lt;extra/&gt;&lt;/WLANProfile&gt;" datatype="string" /></characteristic></characteristic></characteristic>' +
        '<characteristic type="AADJ"><parm name="BPRT" value="opaque-SENTINEL-BPRT-3" datatype="string" /></characteristic>',
    ),
  });
  const r = (await inspectPackage(q)).model;
  const all = JSON.stringify(r) + renderInspectText(r);
  assert.ok(!/SENTINEL-(PSK|KM|BPRT)/.test(all), 'a credential of an unknown or raw setting leaked');
  assert.match(setting(r, './Device/Vendor/MSFT/WiFi/Profile/Lab/WlanXml').value, /<keyMaterial>•••• \([0-9a-f]{8}\)<\/keyMaterial><extra\/>/);
  assert.deepEqual(r.risks.bulkToken, { present: true, expires: null });
  assert.match(renderInspectText(r), /expiry unknown/);
});

test('equal content is decompressed and hashed once, and the XML read in all is capped', async () => {
  let streams = 0;
  let reads = 0;
  const big = { size: 1 << 20, sha1: 'b'.repeat(40) };
  const entries = Array.from({ length: 5000 }, (_, i) => ({ path: `DataAsset/2/${i}_x/f${i}.bin`, name: `f${i}.bin`, isDirectory: false, ...big }));
  const xml = Array.from({ length: 100 }, (_, i) => ({
    path: `Multivariant/0/Prov/RunTime/${i}.provxml`,
    name: `${i}.provxml`,
    isDirectory: false,
    size: 8 << 20,
    sha1: `${i}`.padStart(40, 'c'),
  }));
  const fake = {
    entries: [...entries, ...xml],
    imageProperties: [],
    digestFile: async () => {
      streams++;
      return { size: 16, sha256: '0'.repeat(64) };
    },
    readFile: async () => {
      reads++;
      return Buffer.alloc(8 << 20);
    },
  } as unknown as Parameters<typeof wimFiles>[0];
  const files = wimFiles(fake);
  // Asked for together, as inspect asks: still one read of the shared blob.
  await Promise.all(entries.map((e) => files.digest(e.path)));
  assert.equal(streams, 1);
  let refused = 0;
  for (const e of xml) await files.read(e.path).catch(() => refused++);
  assert.equal(reads, 8);
  assert.equal(refused, 92);
});
