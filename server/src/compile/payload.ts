/**
 * The runtime payload of a package (ppkg-format.md §2–§5): one provxml per
 * setting group listed in `RunTime.xml`, the `MasterDatastore.xml` and
 * `Multivariant.xml` skeleton, `DataAsset` with the installers and
 * dependencies, and a copy of customizations.xml.
 *
 * Not written: `CommonSettings/CommonSettings.xml` and
 * `CommonSettings/1/AnswerFile.xml`. Their content is not publicly known and
 * PackageStack omits them (§2.4, §12 #9).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { WimFileEntry } from '../package/wim';
import { DEFAULTS, type Project } from '../model/project';
import { isClientCertificate } from './customizations';
import { characteristic, nested, parm, provxml, type Characteristic } from './provxml';
import { baseName, bareGuid, CompileError, ENTRA_AUTHORITY, secretText, type CompileInputs, type CompileWarning, type InputFile, type ResolvedSecrets } from './types';
import { amp, attrs, newDocument, toBytes, toFragmentString } from './xml';

/** SettingsGroup GUIDs copied from ICD output by PackageStack (§3.1). */
export const SETTINGS_GROUPS = {
  Azure: '641c3728-5623-544a-9144-976a2dbf3ca9',
  ComputerAccount: 'f35dd173-1c3e-5f2b-a3a4-29b602842b09',
  User: '316e2a31-250a-5f09-a0e1-d2e5c6b03559',
  WlanSetting: 'ac17da61-38b8-5bb9-bdaf-7436ac4eb133',
  HideOobe: 'b786dbf1-ec31-5be5-aa49-934e4489fae9',
  CommandFile: '1348d3d6-134b-5eb8-8f89-96c44bf9aa0b',
  CommandLine: '56ccb8ff-b5f2-5806-a504-ab9091876608',
  ContinueInstall: '290f8b72-c400-5dc4-8e56-b98df699071a',
  Dependency: '0fb42616-94a6-5da8-b711-fd15131232e9',
  RestartRequired: '0a0302fe-0203-5635-8005-2878eac632cd',
  ReturnCodeRestart: '0c1ffbe1-4777-5325-afb2-61bfeee42220',
  ReturnCodeSuccess: '370d2f73-b454-5319-b1b1-ad5dcb6c1e42',
  // No public ICD constant exists for these (§3.1 "Missing constants", §12 #5).
  // Invented, stable name-based UUIDs; Windows accepted invented
  // SettingsGroup GUIDs in tolf's runs [verified], but these are unverified.
  RootCertificates: inventedGroup('Certificates/RootCertificates'),
  CACertificates: inventedGroup('Certificates/CACertificates'),
  TrustedPeopleCertificates: inventedGroup('Certificates/TrustedPeopleCertificates'),
  ClientCertificates: inventedGroup('Certificates/ClientCertificates'),
  EditionUpgrade: inventedGroup('EditionUpgrade'),
  SharedPC: inventedGroup('SharedPC'),
  CleanPC: inventedGroup('CleanPC'),
} as const;

/** A name-based (v5) UUID in ppkg's own namespace. */
export function uuidV5(name: string, namespace = '3a0c9f5e-6b1d-5e8a-9c2f-7d4b1e0a6c35'): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
function inventedGroup(path: string): string {
  return uuidV5(`ppkg-settings-group:${path}`);
}

/** Data asset element types (PackageStack Enums/ElementType.cs). */
const ELEMENT_COMMAND_FILE = 2;
const ELEMENT_DEPENDENCY = 3;

/** Owner bases of ALTITUDE (§6). */
export const OWNER_ALTITUDE: Record<string, number> = { Microsoft: 0, SiliconVendor: 1000, OEM: 2000, SystemIntegrator: 3000, MobileOperator: 4000, ITAdmin: 5000 };

/** A file name safe inside the package and in `$(_prov)\RunTime\…` (SSIDs and user names can hold anything). */
export function safeFilePart(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/[. ]+$/, '');
  return cleaned || '_';
}

/** `<fileIndex>_<Base64(SHA-256) with / as .>` (§2.3). */
export function assetFolder(index: number, sha256: Buffer): string {
  return `${index}_${sha256.toString('base64').replace(/\//g, '.')}`;
}

interface RuntimeFile {
  name: string;
  group: string;
  doc: Characteristic[];
}

export interface PayloadOptions {
  secrets: ResolvedSecrets;
  inputs: CompileInputs;
  /** The customizations.xml copied to Multivariant/0/customizations.xml. */
  customizationsXml: Buffer;
  warnings: CompileWarning[];
}

function inputFile(inputs: CompileInputs, p: string, path: (string | number)[]): InputFile {
  const f = inputs.files.get(p);
  if (!f) throw new CompileError(`The file "${p}" was not provided to the compiler.`, path, 'PPKG030');
  return f;
}

function certificateDer(data: Buffer, file: string, path: (string | number)[]): Buffer {
  const text = data.toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(text);
  const der = pem ? Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64') : data;
  try {
    new X509Certificate(der);
  } catch {
    throw new CompileError(`"${file}" is not an X.509 certificate (DER or PEM). Export the certificate as .cer (DER or Base64).`, path, 'PPKG034');
  }
  return der;
}

/** WLANProfile document for `WiFi/Profile/<SSID>/WlanXml` (PackageStack CreateEmbeddedWiFiDocument). */
export function wlanProfileXml(ssid: string, security: 'Open' | 'WPA2-Personal' | 'WEP', key: string | undefined, autoConnect: boolean, hidden: boolean): string {
  // Unverified against ICD's own WlanXml (§12 #13); the form is PackageStack's.
  const p = create().ele('http://www.microsoft.com/networking/WLAN/profile/v1', 'WLANProfile');
  p.ele('name').txt(amp(ssid));
  const ssidConfig = p.ele('SSIDConfig');
  ssidConfig.ele('SSID').ele('name').txt(amp(ssid));
  ssidConfig.ele('nonBroadcast').txt(hidden ? 'true' : 'false');
  p.ele('connectionType').txt('ESS');
  p.ele('connectionMode').txt(autoConnect ? 'auto' : 'manual');
  const sec = p.ele('MSM').ele('security');
  const ae = sec.ele('authEncryption');
  ae.ele('authentication').txt(security === 'WPA2-Personal' ? 'WPA2PSK' : 'open');
  ae.ele('encryption').txt(security === 'WPA2-Personal' ? 'AES' : security === 'WEP' ? 'WEP' : 'none');
  if (security !== 'Open') {
    const sk = sec.ele('sharedKey');
    sk.ele('keyType').txt(security === 'WPA2-Personal' ? 'passPhrase' : 'networkKey');
    sk.ele('protected').txt('false');
    sk.ele('keyMaterial').txt(amp(key ?? ''));
  }
  return toFragmentString(p.doc());
}

/** Key locations of ClientCertificateInstall (clientcertificateinstall-csp.md): 1 TPM if present, 2 TPM required, 3 software. Only 3 is seen in ICD output (tolf). */
const KEY_LOCATION = { TPMWithSoftwareFallback: '1', TPMOnly: '2', SoftwareOnly: '3' } as const;

export function buildPayload(project: Project, opts: PayloadOptions): WimFileEntry[] {
  const { secrets, inputs } = opts;
  const runtime: RuntimeFile[] = [];
  const counts = new Map<string, number>();
  const add = (name: string, groupKey: keyof typeof SETTINGS_GROUPS, doc: Characteristic[]) => {
    // Repeated groups get _0, _1, … from the second instance on (§3.1).
    const n = counts.get(groupKey) ?? -1;
    counts.set(groupKey, n + 1);
    runtime.push({ name, group: SETTINGS_GROUPS[groupKey] + (n < 0 ? '' : `_${n}`), doc });
  };
  const packageId = `{${bareGuid(project.id)}}`;
  const assets: { element: number; key: string; value: string; entry: WimFileEntry }[] = [];

  // Order: PackageStack's (Azure, ComputerAccount, OOBE, Users, commands,
  // WLAN), with certificates before the commands and the groups PackageStack
  // lacks at the end. ICD's own order for a full wizard build is unverified (§12).
  const entra = project.account?.entra;
  if (entra) {
    // AADJ is verified in PackageStack's code only; no Microsoft documentation (§5).
    add('Accounts_Azure', 'Azure', [characteristic('AADJ', [parm('Authority', ENTRA_AUTHORITY), parm('BPRT', secretText(entra.token, secrets, ['account', 'entra', 'token']))])]);
  }
  if (project.device?.name !== undefined) {
    add('Accounts_ComputerAccount', 'ComputerAccount', [
      nested(['Accounts', 'Domain'], [parm('ComputerName', project.device.name)]),
      nested(['Provisioning', 'ForceSettingReload'], [parm('ComputerName', '1', 'integer')]),
    ]);
  }
  if (project.oobe?.hide) {
    // MCSF is not a documented CSP; PackageStack's form.
    add('OOBE_Desktop_HideOobe', 'HideOobe', [nested(['MCSF', 'OOBE', 'Desktop'], [parm('HideOobe', 'true', 'boolean')])]);
  }
  const admin = project.account?.localAdmin;
  if (admin) {
    // LocalUserGroup: unverified conflict (§5, §12 #7): PackageStack writes 1
    // for Administrators, the Accounts CSP doc says 2. We follow the CSP doc.
    add(`Accounts_Users_${safeFilePart(admin.user)}`, 'User', [
      nested(['Accounts', 'Users', admin.user], [parm('Password', secretText(admin.password, secrets, ['account', 'localAdmin', 'password'])), parm('LocalUserGroup', '2', 'integer')]),
    ]);
  }

  (project.certificates ?? []).forEach((c, i) => {
    const where = ['certificates', i, 'file'];
    const f = inputFile(inputs, c.file, where);
    if (!f.data) throw new CompileError(`The certificate "${c.file}" was not read.`, where);
    if (isClientCertificate(c.file)) {
      // Windows-verified form (tolf): ClientCertificateInstall/PFXCertInstall/<name>.
      const password = c.password === undefined ? '' : secretText(c.password, secrets, ['certificates', i, 'password']);
      add(`Certificates_ClientCertificates_${safeFilePart(c.name)}`, 'ClientCertificates', [
        nested(
          ['ClientCertificateInstall', 'PFXCertInstall', c.name],
          [
            parm('KeyLocation', KEY_LOCATION[c.keyLocation ?? DEFAULTS.keyLocation], 'integer'),
            parm('PFXCertBlob', f.data.toString('base64')),
            parm('PFXCertPassword', password),
            parm('PFXKeyExportable', String(c.exportable ?? DEFAULTS.exportable), 'boolean'),
          ],
          'Device',
        ),
      ]);
    } else {
      // Windows-verified form (tolf): RootCATrustedCertificates/<store>/<SHA-1 thumbprint>/EncodedCertificate.
      const der = certificateDer(f.data, c.file, where);
      const store = c.store ?? DEFAULTS.certificateStore;
      const thumbprint = createHash('sha1').update(der).digest('hex').toUpperCase();
      const groupKey = store === 'Root' ? 'RootCertificates' : store === 'CA' ? 'CACertificates' : 'TrustedPeopleCertificates';
      add(`Certificates_${groupKey}_${safeFilePart(c.name)}`, groupKey, [nested(['RootCATrustedCertificates', store, thumbprint], [parm('EncodedCertificate', der.toString('base64'))], 'Device')]);
    }
  });

  // Applications: one provxml per leaf (§5.1), PackageStack's order per command.
  let fileIndex = 0;
  (project.applications ?? []).forEach((app, i) => {
    const base = `ProvisioningCommands_PrimaryContext_Command_${i}`;
    const cmdPath = ['ProvisioningCommands', 'PrimaryContext', '$(__PackageID)', String(i)];
    const asset = (projectPath: string, jsonPath: (string | number)[], element: number, settingPath: string, characteristicType: string, file: string, group: 'CommandFile' | 'Dependency') => {
      const f = inputFile(inputs, projectPath, jsonPath);
      const name = baseName(projectPath);
      const folder = assetFolder(fileIndex++, f.sha256);
      const key = `${folder}\\${name}`;
      const entry: WimFileEntry = { path: `DataAsset/${element}/${folder}/${name}`, source: f.data ? { kind: 'buffer', data: f.data } : { kind: 'file', path: f.path! } };
      assets.push({ element, key, value: settingPath, entry });
      add(file, group, [nested(['Provisioning', 'Assets', packageId, characteristicType], [parm(key, name)])]);
    };
    asset(app.installer, ['applications', i, 'installer'], ELEMENT_COMMAND_FILE, `/ProvisioningCommands/PrimaryContext/Command/${i}/CommandFile`, `/ProvisioningCommands/PrimaryContext/Command/${i}/CommandFile`, `${base}_CommandFile`, 'CommandFile');
    add(`${base}_CommandLine`, 'CommandLine', [nested(cmdPath, [parm('CommandLine', app.commandLine)])]);
    add(`${base}_ContinueInstall`, 'ContinueInstall', [nested(cmdPath, [parm('ContinueInstall', String(app.continueInstall ?? DEFAULTS.continueInstall), 'boolean')])]);
    (app.dependencies ?? []).forEach((dep, j) => {
      // PackageStack uses …/DependencyPackages/Dependency as the characteristic
      // and …/DependencyPackages/<j> as the DataAsset value; unverified against ICD.
      asset(dep, ['applications', i, 'dependencies', j], ELEMENT_DEPENDENCY, `/ProvisioningCommands/PrimaryContext/Command/${i}/DependencyPackages/${j}`, `/ProvisioningCommands/PrimaryContext/Command/${i}/DependencyPackages/Dependency`, `${base}_DependencyPackages_${j}`, 'Dependency');
    });
    add(`${base}_RestartRequired`, 'RestartRequired', [nested(cmdPath, [parm('RestartRequired', String(app.restartRequired ?? DEFAULTS.restartRequired), 'boolean')])]);
    // One code is an integer (PackageStack). Several codes: the WCD UI takes a
    // space-separated list; as a string parm that is unverified.
    const codes = (name: string, list: number[]) => parm(name, list.join(' '), list.length === 1 ? 'integer' : 'string');
    add(`${base}_ReturnCodeRestart`, 'ReturnCodeRestart', [nested(cmdPath, [codes('ReturnCodeRestart', app.restartCodes ?? DEFAULTS.restartCodes)])]);
    add(`${base}_ReturnCodeSuccess`, 'ReturnCodeSuccess', [nested(cmdPath, [codes('ReturnCodeSuccess', app.successCodes ?? DEFAULTS.successCodes)])]);
  });

  const wifi = project.network?.wifi;
  if (wifi) {
    const security = wifi.security ?? DEFAULTS.wifiSecurity;
    const key = security !== 'Open' && wifi.key !== undefined ? secretText(wifi.key, secrets, ['network', 'wifi', 'key']) : undefined;
    const xml = wlanProfileXml(wifi.ssid, security, key, wifi.autoConnect ?? DEFAULTS.wifiAutoConnect, wifi.hidden ?? DEFAULTS.wifiHidden);
    add(`ConnectivityProfiles_WLAN_WLANSetting_${safeFilePart(wifi.ssid)}`, 'WlanSetting', [nested(['WiFi', 'Profile', wifi.ssid], [parm('WlanXml', xml)])]);
  }

  if (project.device?.productKey !== undefined) {
    // Unverified (§5, §12 #4): presumably the WindowsLicensing CSP.
    add('EditionUpgrade_UpgradeEditionWithProductKey', 'EditionUpgrade', [characteristic('WindowsLicensing', [parm('UpgradeEditionWithProductKey', project.device.productKey)])]);
  }
  if (project.device?.sharedUse) {
    // Unverified (§5, §12 #4): presumably ./Vendor/MSFT/SharedPC/EnableSharedPCMode.
    add('SharedPC_EnableSharedPCMode', 'SharedPC', [characteristic('SharedPC', [parm('EnableSharedPCMode', 'true', 'boolean')])]);
  }
  if (project.device?.removePreinstalledSoftware) {
    // Unverified (§5, §12 #4): CleanPC is an Exec-only integer node; provxml form unknown.
    add('CleanPC_CleanPCWithoutRetainingUserData', 'CleanPC', [characteristic('CleanPC', [parm('CleanPCWithoutRetainingUserData', '1', 'integer')], 'Device')]);
  }

  // What the native backend cannot compile: it stays in customizations.xml only.
  (project.additionalSettings ?? []).forEach((s, i) => {
    opts.warnings.push({ path: ['additionalSettings', i, 'path'], code: 'PPKG113', message: `${s.path} is written to customizations.xml, but the native backend has no CSP mapping for it, so the package does not apply it. Build with --backend icd on Windows to compile it.` });
  });
  if (project.additionalCustomizationsXml?.trim()) {
    opts.warnings.push({ path: ['additionalCustomizationsXml'], code: 'PPKG113', message: 'The multivariant settings (Targets/Variant) are written to customizations.xml, but the native backend does not compile them into the package. Build with --backend icd on Windows to apply them.' });
  }

  // RunTime.xml and the files it lists.
  const entries: WimFileEntry[] = [];
  const rt = newDocument();
  const source = rt.ele('ConfigurationSource', { Version: '1.0' });
  runtime.forEach((r, n) => {
    const file = `${n}__${r.name}.provxml`;
    source.ele('ConfigurationSet', attrs({ Type: 'provxml', SettingsGroup: r.group, Data: `$(_prov)\\RunTime\\${file}` }));
    entries.push({ path: `Multivariant/0/Prov/RunTime/${file}`, source: { kind: 'buffer', data: provxml(r.doc) } });
  });
  entries.push({ path: 'Multivariant/0/Prov/RunTime.xml', source: { kind: 'buffer', data: toBytes(rt) } });

  const ms = newDocument();
  ms.ele('ConfigurationSourceList', { Version: '1.0' }).ele('ConfigurationSource', { Name: 'RunTime', Path: '$(_prov)\\RunTime.xml' }).ele('EventList').ele('Event', { Name: 'RunTime' });
  entries.push({ path: 'Multivariant/0/MasterDatastore.xml', source: { kind: 'buffer', data: toBytes(ms) } });

  const mv = newDocument();
  mv.ele('Elements', { Type: 'Multivariant' }).ele('Element', { Index: '0' });
  entries.push({ path: 'Multivariant/Multivariant.xml', source: { kind: 'buffer', data: toBytes(mv) } });
  entries.push({ path: 'Multivariant/0/customizations.xml', source: { kind: 'buffer', data: opts.customizationsXml } });

  if (assets.length) {
    const da = newDocument();
    const root = da.ele('Elements', { Type: 'DataAsset' });
    for (const [element, label] of [
      [ELEMENT_COMMAND_FILE, 'CommandFile'],
      [ELEMENT_DEPENDENCY, 'Dependency'],
    ] as const) {
      const mine = assets.filter((a) => a.element === element);
      if (!mine.length) continue;
      const el = root.ele('Element', { Index: String(element) });
      el.ele('Metadata', { Key: 'Name', Value: label });
      for (const a of mine) el.ele('Metadata', attrs({ Key: a.key, Value: a.value }));
    }
    entries.push({ path: 'DataAsset/DataAsset.xml', source: { kind: 'buffer', data: toBytes(da) } });
    entries.push(...assets.map((a) => a.entry));
  }
  return entries;
}
