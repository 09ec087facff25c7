/** compileProject: the wizard's settings in customizations.xml and the package, BOM, namespaces, escaping, determinism (each kind's exact bytes: compile-forms.test.ts). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProject, CompileError, type CompileInputs } from '../../server/src/compile';
import { attr, childElements, localName, parseXmlDocument, parseXmlFragment, textOf, type XElement } from '../../server/src/compile/xmlParse';
import type { Project } from '../../server/src/model/project';
import { xmlLeaves } from '../support/xmlLeaves';

const CERT = readFileSync(new URL('../../examples/bulk-enrollment/certificates/contoso-root.cer', import.meta.url));
const NASTY = `<>&"'`;

function inputs(extra: Record<string, Buffer> = {}): CompileInputs {
  const files = new Map();
  const add = (p: string, data: Buffer, keep: boolean) =>
    files.set(p, { ...(keep ? { data } : { path: `/nonexistent/${p}` }), sha256: createHash('sha256').update(data).digest(), size: data.length });
  add('apps/setup.exe', Buffer.from('setup'), false);
  add('apps/dep.dll', Buffer.from('dep'), false);
  add('certs/root.cer', CERT, true);
  add('certs/client.pfx', Buffer.from([0x30, 0x82, 0x01, 0x02]), true);
  for (const [k, v] of Object.entries(extra)) add(k, v, true);
  return { files };
}

const SECRETS = new Map([
  ['bulk-token', `TOKEN${NASTY}`],
  ['wifi-key', `KEY${NASTY}xx`],
  ['admin-pw', `PW${NASTY}`],
  ['cert-pw', `CPW${NASTY}`],
]);

function everything(): Project {
  return {
    name: `Pkg ${NASTY}`,
    id: '{11111111-2222-3333-4444-555555555555}',
    version: '1.2',
    owner: 'OEM',
    rank: 7,
    description: `Desc ${NASTY}`,
    device: { name: 'PC-%SERIAL%', productKey: 'NPPR9-FWDCX-D2C8J-H872K-2YT43', sharedUse: true, removePreinstalledSoftware: true },
    network: { wifi: { ssid: `Net ${NASTY}`, security: 'WPA2-Personal', key: { secret: 'wifi-key' }, autoConnect: false, hidden: true } },
    account: { entra: { tokenExpiry: '2099-01-01', token: { secret: 'bulk-token' } }, localAdmin: { user: 'admin', password: { secret: 'admin-pw' } } },
    applications: [
      {
        name: `App ${NASTY}`,
        installer: 'apps/setup.exe',
        commandLine: `setup.exe /q ${NASTY}`,
        dependencies: ['apps/dep.dll'],
        continueInstall: false,
        restartRequired: true,
        successCodes: [0, 1641],
        restartCodes: [3010],
      },
    ],
    certificates: [
      { name: `Root ${NASTY}`, file: 'certs/root.cer' },
      { name: 'Inter', file: 'certs/root.cer', store: 'CA' },
      { name: 'People', file: 'certs/root.cer', store: 'TrustedPeople' },
      { name: 'Client', file: 'certs/client.pfx', password: { secret: 'cert-pw' }, keyLocation: 'SoftwareOnly', exportable: false },
    ],
    oobe: { hide: true },
    additionalSettings: [
      { path: 'Policies/ApplicationManagement/AllowAllTrustedApps', value: 'Yes' },
      { path: "Accounts/Users/User[@UserName='kiosk']/UserGroup", value: `Standard ${NASTY}` },
    ],
    additionalCustomizationsXml:
      '<Targets><Target Id="t"><TargetState><Condition Name="PowerPlatformRole" Value="2"/></TargetState></Target></Targets><Variant><TargetRefs><TargetRef Id="t"/></TargetRefs><Settings><OOBE><Desktop><HideOobe>False</HideOobe></Desktop></OOBE></Settings></Variant>',
  };
}

/** A project the native backend can build: everything() without what only ICD compiles. */
function buildable(): Project {
  const p = everything();
  p.applications![0]!.successCodes = [0];
  p.additionalSettings = [{ path: 'Policies/ApplicationManagement/AllowAllTrustedApps', value: 'Yes' }];
  delete p.additionalCustomizationsXml;
  return p;
}

const customizationsOnly = (p: Project, secrets = SECRETS) => compileProject(p, secrets, inputs(), { target: 'customizations' });

function get(el: XElement, ...names: string[]): XElement {
  let cur = el;
  for (const n of names) {
    const next = childElements(cur).find((c) => localName(c.name) === n);
    assert.ok(next, `missing ${n}`);
    cur = next;
  }
  return cur;
}

function buf(entries: { path: string; source: { kind: string; data?: Buffer } }[], p: string): Buffer {
  const e = entries.find((x) => x.path === p);
  assert.ok(e && e.source.kind === 'buffer', `no entry ${p}`);
  return e.source.data!;
}

test('customizations.xml: BOM, declaration, namespaces, PackageConfig', () => {
  const r = customizationsOnly(everything());
  assert.deepEqual([...r.customizationsXml.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = r.customizationsXml.toString('utf8').slice(1);
  assert.ok(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\r\n<WindowsCustomizations>\r\n'));
  assert.match(text, /<PackageConfig xmlns="urn:schemas-Microsoft-com:Windows-ICD-Package-Config.v1.0">/);
  assert.match(text, /<Settings xmlns="urn:schemas-microsoft-com:windows-provisioning">/);
  assert.doesNotMatch(text, /xmlns:|ns\d:/, 'no prefixed namespaces');
  const root = parseXmlDocument(text);
  assert.equal(root.name, 'WindowsCustomizations');
  assert.equal(attr(root, 'xmlns'), undefined);
  const pc = get(root, 'PackageConfig');
  assert.deepEqual(
    childElements(pc).map((c) => [c.name, textOf(c)]),
    [
      ['ID', '{11111111-2222-3333-4444-555555555555}'],
      ['Name', `Pkg ${NASTY}`],
      ['Version', '1.2'],
      ['OwnerType', 'OEM'],
      ['Rank', '7'],
      ['Description', `Desc ${NASTY}`],
    ],
  );
});

test('customizations.xml: every wizard setting at its WCD path, values escaped once', () => {
  const r = customizationsOnly(everything());
  const root = parseXmlDocument(r.customizationsXml.toString('utf8'));
  const common = xmlLeaves(get(root, 'Settings', 'Customizations', 'Common'));
  const N = NASTY;
  const expected: [string, string][] = [
    ['/Accounts/Azure/Authority', 'https://login.microsoftonline.com/common'],
    ['/Accounts/Azure/BPRT', `TOKEN${N}`],
    ['/Accounts/ComputerAccount/ComputerName', 'PC-%SERIAL%'],
    ['/Accounts/Users/User[@UserName=admin][@Name=admin]/Password', `PW${N}`],
    ['/Accounts/Users/User[@UserName=admin][@Name=admin]/UserGroup', 'Administrators'],
    ['/Accounts/Users/User[@UserName=kiosk]/UserGroup', `Standard ${N}`],
    [`/Certificates/RootCertificates/RootCertificate[@CertificateName=Root ${N}][@Name=Root ${N}]/CertificatePath`, 'certs\\root.cer'],
    ['/Certificates/CACertificates/CACertificate[@CertificateName=Inter][@Name=Inter]/CertificatePath', 'certs\\root.cer'],
    ['/Certificates/TrustedPeopleCertificates/TrustedPeopleCertificate[@CertificateName=People][@Name=People]/TrustedCertificate', 'certs\\root.cer'],
    ['/Certificates/ClientCertificates/ClientCertificate[@CertificateName=Client][@Name=Client]/CertificatePassword', `CPW${N}`],
    ['/Certificates/ClientCertificates/ClientCertificate[@CertificateName=Client][@Name=Client]/CertificatePath', 'certs\\client.pfx'],
    ['/Certificates/ClientCertificates/ClientCertificate[@CertificateName=Client][@Name=Client]/ExportCertificate', 'False'],
    ['/Certificates/ClientCertificates/ClientCertificate[@CertificateName=Client][@Name=Client]/KeyLocation', 'SoftwareOnly'],
    ['/CleanPC/CleanPCWithoutRetainingUserData', 'Enable'],
    [`/ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID=Net ${N}][@Name=Net ${N}]/WLANXmlSettings/SecurityType`, 'WPA2-Personal'],
    [`/ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID=Net ${N}][@Name=Net ${N}]/WLANXmlSettings/SecurityKey`, `KEY${N}xx`],
    [`/ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID=Net ${N}][@Name=Net ${N}]/WLANXmlSettings/AutoConnect`, 'False'],
    [`/ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID=Net ${N}][@Name=Net ${N}]/WLANXmlSettings/HiddenNetwork`, 'True'],
    ['/EditionUpgrade/UpgradeEditionWithProductKey', 'NPPR9-FWDCX-D2C8J-H872K-2YT43'],
    ['/OOBE/Desktop/HideOobe', 'True'],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/CommandFile`, 'apps\\setup.exe'],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/CommandLine`, `setup.exe /q ${N}`],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/ContinueInstall`, 'False'],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/DependencyPackages/Dependency[@Name=dep]`, 'apps\\dep.dll'],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/RestartRequired`, 'True'],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/ReturnCodeRestart`, '3010'],
    [`/ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name=App ${N}]/ReturnCodeSuccess`, '0 1641'],
    ['/SharedPC/EnableSharedPCMode', 'True'],
    ['/Policies/ApplicationManagement/AllowAllTrustedApps', 'Yes'],
  ];
  assert.deepEqual(new Map([...common].sort()), new Map(expected.sort()));
  // Targets/Variant come after Common, in the provisioning namespace (no xmlns="" reset).
  const cust = get(root, 'Settings', 'Customizations');
  assert.deepEqual(
    childElements(cust).map((c) => c.name),
    ['Common', 'Targets', 'Variant'],
  );
  assert.doesNotMatch(r.customizationsXml.toString(), /xmlns=""/);
  // Escaped exactly once: the raw text never holds a bare < or & from a value.
  assert.match(r.customizationsXml.toString(), /<Name>Pkg &lt;&gt;&amp;"'<\/Name>/);
});

test('package: wizard settings compiled, RunTime.xml order and SettingsGroups, certificate forms, every XML well formed', () => {
  const r = compileProject(buildable(), SECRETS, inputs());
  const paths = r.entries.map((e) => e.path);
  for (const p of [
    'Multivariant/Multivariant.xml',
    'Multivariant/0/MasterDatastore.xml',
    'Multivariant/0/customizations.xml',
    'Multivariant/0/Prov/RunTime.xml',
    'DataAsset/DataAsset.xml',
    'CommonSettings/CommonSettings.xml',
    'CommonSettings/1/AnswerFile.xml',
  ])
    assert.ok(paths.includes(p), p);
  for (const e of r.entries) {
    if (e.source.kind !== 'buffer' || !/\.(xml|provxml)$/.test(e.path)) continue;
    parseXmlDocument(e.source.data.toString('utf8').replace(/^\ufeff/, '')); // well-formed
  }
  assert.deepEqual(buf(r.entries, 'Multivariant/0/customizations.xml'), r.customizationsXml);
  const rt = parseXmlDocument(buf(r.entries, 'Multivariant/0/Prov/RunTime.xml').toString('utf8'));
  const sets = childElements(rt).map((c) => [attr(c, 'SettingsGroup'), attr(c, 'Data')]);
  const names = sets.map(([, d]) => d!.replace('$(_prov)\\RunTime\\', ''));
  assert.deepEqual(names.slice(0, 6), [
    '0__Accounts_Azure.provxml',
    '1__Accounts_ComputerAccount.provxml',
    '2__Accounts_Users_admin.provxml',
    '3__Policies_ApplicationManagement_AllowAllTrustedApps.provxml',
    '4__Certificates_CACertificates_Inter.provxml',
    '5__Certificates_ClientCertificates_Client.provxml',
  ]);
  assert.equal(sets[0]![0], '641c3728-5623-544a-9144-976a2dbf3ca9');
  for (const n of names) assert.ok(paths.includes(`Multivariant/0/Prov/RunTime/${n}`), n);
  assert.equal(new Set(sets.map(([g]) => g)).size, sets.length, 'SettingsGroup values are unique');
  assert.ok(
    names.some((n) => n.endsWith("__ConnectivityProfiles_WLAN_WLANSetting_Net __&_'.provxml")),
    'SSID made file-name safe',
  );

  const prov = (suffix: string) => {
    const p = paths.find((x) => x.endsWith(suffix));
    assert.ok(p, suffix);
    const text = buf(r.entries, p).toString('utf8');
    assert.ok(text.startsWith('\ufeff<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n<wap-provisioningdoc>'));
    return parseXmlDocument(text.slice(1));
  };
  const parmsOf = (el: XElement): string[] => {
    const out: string[] = [];
    const walk = (e: XElement, pre: string) => {
      for (const c of childElements(e)) {
        if (c.name === 'parm') out.push(`${pre}:${attr(c, 'name')}=${attr(c, 'value')}(${attr(c, 'datatype')})${attr(c, 'exec') ? ' exec' : ''}`);
        else walk(c, `${pre}/${attr(c, 'type')}${attr(c, 'scope') ? `@${attr(c, 'scope')}` : ''}`);
      }
    };
    walk(el, '');
    return out;
  };
  assert.deepEqual(parmsOf(prov('Accounts_Azure.provxml')), [
    '/AADJ:Authority=https://login.microsoftonline.com/common(string)',
    `/AADJ:BPRT=TOKEN${NASTY}(string)`,
  ]);
  assert.deepEqual(parmsOf(prov('Accounts_Users_admin.provxml')), [
    `/Accounts/Users/admin:Password=PW${NASTY}(string)`,
    '/Accounts/Users/admin:LocalUserGroup=2(integer)',
  ]);
  const thumb = createHash('sha1').update(CERT).digest('hex').toUpperCase();
  assert.deepEqual(parmsOf(prov("Certificates_RootCertificates_Root __&_'.provxml")), [
    `/RootCATrustedCertificates@Device/Root/${thumb}:EncodedCertificate=${CERT.toString('base64')}(string)`,
  ]);
  assert.deepEqual(parmsOf(prov('Certificates_CACertificates_Inter.provxml')), [
    `/RootCATrustedCertificates@Device/CA/${thumb}:EncodedCertificate=${CERT.toString('base64')}(string)`,
  ]);
  assert.deepEqual(parmsOf(prov('Certificates_TrustedPeopleCertificates_People.provxml')).length, 1);
  // The client certificate's parms in the order of their WCD leaves.
  assert.deepEqual(parmsOf(prov('Certificates_ClientCertificates_Client.provxml')), [
    `/ClientCertificateInstall@Device/PFXCertInstall/Client:PFXCertPassword=CPW${NASTY}(string)`,
    `/ClientCertificateInstall@Device/PFXCertInstall/Client:PFXCertBlob=${Buffer.from([0x30, 0x82, 1, 2]).toString('base64')}(string)`,
    '/ClientCertificateInstall@Device/PFXCertInstall/Client:PFXKeyExportable=false(boolean)',
    '/ClientCertificateInstall@Device/PFXCertInstall/Client:KeyLocation=3(integer)',
  ]);
  assert.deepEqual(parmsOf(prov('Command_0_ReturnCodeSuccess.provxml')), [
    '/ProvisioningCommands/PrimaryContext/$(__PackageID)/0:ReturnCodeSuccess=0(integer)',
  ]);
  assert.deepEqual(parmsOf(prov('SharedPC.provxml')), ['/SharedPC:EnableSharedPCMode=true(boolean)']);
  assert.deepEqual(parmsOf(prov('CleanPC.provxml')), [
    '/CleanPC:CleanPCWithoutRetainingUserData=1(integer) exec',
    '/Provisioning/ForceSettingReload:CleanPCWithoutRetainingUserData=1(integer)',
  ]);
  assert.deepEqual(parmsOf(prov('EditionUpgrade_UpgradeEditionWithProductKey.provxml')), [
    '/WindowsLicensing:UpgradeEditionWithProductKey=NPPR9-FWDCX-D2C8J-H872K-2YT43(string) exec',
    '/Provisioning/ForceSettingReload:UpgradeEditionWithProductKey=1(integer)',
  ]);

  // Wi-Fi: WlanXml is a WLANProfile escaped once, holding the key.
  const wlan = prov(`Net __&_'.provxml`);
  const wlanParm = childElements(get(wlan, 'characteristic', 'characteristic', 'characteristic'))[0]!;
  assert.equal(attr(wlanParm, 'name'), 'WlanXml');
  const profile = parseXmlDocument(attr(wlanParm, 'value')!);
  assert.equal(attr(profile, 'xmlns'), 'http://www.microsoft.com/networking/WLAN/profile/v1');
  assert.equal(textOf(get(profile, 'name')), `Net ${NASTY}`);
  assert.equal(textOf(get(profile, 'SSIDConfig', 'nonBroadcast')), 'true');
  assert.equal(textOf(get(profile, 'connectionMode')), 'manual');
  assert.equal(textOf(get(profile, 'MSM', 'security', 'authEncryption', 'authentication')), 'WPA2PSK');
  assert.equal(textOf(get(profile, 'MSM', 'security', 'sharedKey', 'keyMaterial')), `KEY${NASTY}xx`);

  assert.deepEqual(Object.fromEntries(r.imageProperties), {
    NAME: `Pkg ${NASTY}`,
    DESCRIPTION: `Desc ${NASTY}`,
    NOTES:
      'VERSION=10.0.26100.1;Source=Classic;;TargetSkus=WindowsCommon,Desktop;EncryptPackage=False;SignPackage=False;PackageID=11111111-2222-3333-4444-555555555555;',
    AUTHOR: '',
    PACKAGEID: '{11111111-2222-3333-4444-555555555555}',
    VERSION: '1.2',
    ALTITUDE: '2007',
    RESETCLEAR: '0',
  });
});

test('deterministic: same inputs → identical bytes, GUID and timestamp; content changes the GUID', () => {
  const a = compileProject(buildable(), SECRETS, inputs());
  const b = compileProject(buildable(), SECRETS, inputs());
  assert.deepEqual(a.customizationsXml, b.customizationsXml);
  assert.deepEqual(a.entries, b.entries);
  assert.deepEqual(a.guid, b.guid);
  assert.equal(a.timestamp.getTime(), b.timestamp.getTime());
  const changed = buildable();
  changed.version = '1.3';
  assert.notDeepEqual(compileProject(changed, SECRETS, inputs()).guid, a.guid);
});

test('escaping: XML metacharacters everywhere; line breaks and control characters refused with a path', () => {
  // Text that already looks like an entity is escaped once more, never passed through (xmlbuilder2 would).
  const tricky = new Map(SECRETS);
  tricky.set('admin-pw', 'a&amp;b&lt;c&#65;');
  const t = compileProject(buildable(), tricky, inputs());
  const admin = t.entries.find((e) => e.path.endsWith('Accounts_Users_admin.provxml'))!;
  const parm = childElements(
    childElements(childElements(childElements(parseXmlDocument((admin.source as { data: Buffer }).data.toString('utf8')))[0]!)[0]!)[0]!,
  )[0]!;
  assert.equal(attr(parm, 'value'), 'a&amp;b&lt;c&#65;');
  assert.match(t.customizationsXml.toString(), /<Password>a&amp;amp;b&amp;lt;c&amp;#65;<\/Password>/);
  const p = buildable();
  p.applications![0]!.commandLine = 'a\nb';
  assert.throws(
    () => compileProject(p, SECRETS, inputs()),
    (e: unknown) => e instanceof CompileError && e.path.join('.') === 'applications.0.commandLine',
  );
  const q = buildable();
  q.description = 'bell \u0007';
  assert.throws(
    () => compileProject(q, SECRETS, inputs()),
    (e: unknown) => e instanceof CompileError && e.path.join('.') === 'description',
  );
  const s = new Map(SECRETS);
  s.set('admin-pw', 'SENTINEL-X\n');
  assert.throws(
    () => compileProject(buildable(), s, inputs()),
    (e: unknown) => e instanceof CompileError && e.path.join('.') === 'account.localAdmin.password' && !e.message.includes('SENTINEL'),
  );
  const bad = everything();
  bad.additionalCustomizationsXml = '<Targets><Target></Targets>';
  assert.throws(
    () => customizationsOnly(bad),
    (e: unknown) => e instanceof CompileError && e.path[0] === 'additionalCustomizationsXml',
  );
  // Multi-line values where .NET-style escaping keeps them: a description.
  const multi = buildable();
  multi.description = 'line one\nline two';
  assert.match(compileProject(multi, SECRETS, inputs()).customizationsXml.toString(), /<Description>line one\r\nline two<\/Description>/);
});

test('minimal project: Open Wi-Fi has no key, nothing added, no DataAsset', () => {
  const p: Project = { name: 'M', id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', version: '1.0', network: { wifi: { ssid: 'Open', security: 'Open' } } };
  const r = compileProject(p, new Map(), { files: new Map() });
  const text = r.customizationsXml.toString();
  assert.doesNotMatch(text, /SecurityKey|AutoConnect|HiddenNetwork|<Rank>/);
  // The ID as the project writes it (PackageConfig.xsd takes it with or without braces).
  assert.match(text, /<ID>aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee<\/ID>/);
  assert.equal(r.imageProperties.find(([k]) => k === 'PACKAGEID')![1], '{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}');
  assert.ok(!r.entries.some((e) => e.path.startsWith('DataAsset')));
  assert.equal(r.imageProperties.find(([k]) => k === 'ALTITUDE')![1], '5000');
  assert.equal(r.timestamp.toISOString(), '2000-01-01T00:00:00.000Z');
});

test('xml reader: refuses DOCTYPE and entity bombs quickly, mismatched tags, deep nesting', () => {
  const bomb =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
  assert.throws(() => parseXmlDocument(bomb), /DOCTYPE or ENTITY/);
  assert.throws(() => parseXmlFragment('<a/><!ENTITY x "y">'), /DOCTYPE or ENTITY/);
  assert.throws(() => parseXmlDocument('<a><b></a>'), /does not match/);
  assert.throws(() => parseXmlDocument('<a>&foo;</a>'), /unknown entity/);
  assert.throws(() => parseXmlDocument('<a>'.repeat(100_000) + '</a>'.repeat(100_000)), /deeper than/);
});
