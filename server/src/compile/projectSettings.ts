/**
 * Project → the WCD settings it states (a SettingsTree), without secrets or
 * files: pure, so validation, the build and import's round-trip check all
 * use it. Each property maps to the customizations.xml leaves WCD's wizard or
 * editor writes for it (docs/provisioning.md §The wizard's settings; docs/project-format.md);
 * a property left out writes nothing.
 */
import type { JsonPath } from '../model/parse';
import { DEFAULTS, type MirroredSection, type Project, type SecretValue } from '../model/project';
import { isSecretReference } from '../model/secrets';
import { listAt } from '../settings/lists';
import { MIRRORED_SECTIONS, wcdTextOf } from '../settings/mirror';
import { settingAt } from '../settings/table';
import { parseSettingPath, seg, type PathSegment } from '../settings/wcdPath';
import { SettingsTree, type SettingNode } from './settingsTree';
import { ENTRA_AUTHORITY, type CompileCode } from './types';

export interface SettingsProblem {
  path: JsonPath;
  code: CompileCode;
  message: string;
}

export interface ProjectSettings {
  tree: SettingsTree;
  problems: SettingsProblem[];
}

/** Certificate stores of `.cer`/`.crt` files: WCD group, element and path leaf (https://learn.microsoft.com/windows/configuration/wcd/wcd-certificates). */
export const CERT_STORES = {
  Root: { group: 'RootCertificates', element: 'RootCertificate', leaf: 'CertificatePath' },
  CA: { group: 'CACertificates', element: 'CACertificate', leaf: 'CertificatePath' },
  TrustedPeople: { group: 'TrustedPeopleCertificates', element: 'TrustedPeopleCertificate', leaf: 'TrustedCertificate' },
} as const;

export function isClientCertificate(file: string): boolean {
  return /\.(pfx|p12)$/i.test(file);
}

const wcdBool = (b: boolean): string => (b ? 'True' : 'False');

/** The file name part of a project path (either slash). */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1]!;
}

/**
 * The Name key WCD gives a dependency: the file name without its extension
 * (`Dependency[@Name=PsExec64]` for PsExec64.exe, a public ICD-built example);
 * two dependencies of one command with the same stem keep their full names.
 */
export function dependencyKeys(deps: readonly string[]): string[] {
  const stems = deps.map((d) => baseName(d).replace(/\.[^.]*$/, ''));
  return deps.map((d, i) => {
    const stem = stems[i]!;
    return stem && stems.filter((x) => x.toLowerCase() === stem.toLowerCase()).length === 1 ? stem : baseName(d);
  });
}

export function projectSettings(project: Project): ProjectSettings {
  const t = new SettingsTree();
  const problems: SettingsProblem[] = [];
  const set = (segments: PathSegment[], value: SecretValue, source: JsonPath, options: { file?: string; from?: SettingNode } = {}) => {
    const before = t.set(segments, { value, source, ...(options.file !== undefined ? { file: options.file } : {}) }, options.from);
    if (before) problems.push(twice(before.source, source));
  };
  const setPath = (path: string, value: SecretValue, source: JsonPath) => set(parseSettingPath(path)!, value, source);

  // Accounts: Entra bulk join, device name, Active Directory join, users.
  const entra = project.account?.entra;
  if (entra) {
    setPath('Accounts/Azure/Authority', entra.authority ?? ENTRA_AUTHORITY, ['account', 'entra', entra.authority !== undefined ? 'authority' : 'token']);
    setPath('Accounts/Azure/BPRT', entra.token, ['account', 'entra', 'token']);
  }
  if (project.device?.name !== undefined) setPath('Accounts/ComputerAccount/ComputerName', project.device.name, ['device', 'name']);
  const ad = project.account?.activeDirectory;
  if (ad) {
    const at = ['account', 'activeDirectory'];
    if (ad.account !== undefined) setPath('Accounts/ComputerAccount/Account', ad.account, [...at, 'account']);
    if (ad.ou !== undefined) setPath('Accounts/ComputerAccount/AccountOU', ad.ou, [...at, 'ou']);
    setPath('Accounts/ComputerAccount/DomainName', ad.domain, [...at, 'domain']);
    if (ad.password !== undefined) setPath('Accounts/ComputerAccount/Password', ad.password, [...at, 'password']);
  }
  const users: { name: string; password?: SecretValue; group?: string; at: JsonPath }[] = [];
  if (project.account?.localAdmin)
    users.push({
      name: project.account.localAdmin.user,
      password: project.account.localAdmin.password,
      group: 'Administrators',
      at: ['account', 'localAdmin'],
    });
  (project.users ?? []).forEach((u, i) => users.push({ name: u.name, password: u.password, group: u.group, at: ['users', i] }));
  for (const u of users) {
    const userSeg = seg('User', ['UserName', u.name], ['Name', u.name]);
    const existing = t
      .ensure([seg('Accounts'), seg('Users')])
      .children.find((c) => c.name === 'User' && c.attrs.some(([k, v]) => k === 'UserName' && v === u.name));
    if (existing) {
      problems.push({
        path: [...u.at, u.at[0] === 'users' ? 'name' : 'user'],
        code: 'PPKG045',
        message: `The local user "${u.name}" is defined twice; WCD keeps one account per user name. Remove one of them.`,
      });
      continue;
    }
    const node = t.append([seg('Accounts'), seg('Users')], userSeg);
    if (u.password !== undefined) set([seg('Password')], u.password, [...u.at, 'password'], { from: node });
    if (u.group !== undefined) set([seg('UserGroup')], u.group, u.at[0] === 'users' ? [...u.at, 'group'] : [...u.at, 'user'], { from: node });
  }

  // Certificates.
  (project.certificates ?? []).forEach((c, i) => {
    const at: JsonPath = ['certificates', i];
    if (isClientCertificate(c.file)) {
      const node = t.append([seg('Certificates'), seg('ClientCertificates')], seg('ClientCertificate', ['CertificateName', c.name], ['Name', c.name]));
      if (c.password !== undefined) set([seg('CertificatePassword')], c.password, [...at, 'password'], { from: node });
      set([seg('CertificatePath')], c.file, [...at, 'file'], { file: c.file, from: node });
      if (c.exportable !== undefined) set([seg('ExportCertificate')], wcdBool(c.exportable), [...at, 'exportable'], { from: node });
      if (c.keyLocation !== undefined) set([seg('KeyLocation')], c.keyLocation, [...at, 'keyLocation'], { from: node });
    } else {
      const store = CERT_STORES[c.store ?? DEFAULTS.certificateStore];
      const node = t.append([seg('Certificates'), seg(store.group)], seg(store.element, ['CertificateName', c.name], ['Name', c.name]));
      set([seg(store.leaf)], c.file, [...at, 'file'], { file: c.file, from: node });
    }
  });

  // Remove pre-installed software: WCD's value is "Enable"; it has no "off" value, so false writes nothing.
  const clean = project.device?.removePreinstalledSoftware;
  if (clean === true) setPath('CleanPC/CleanPCWithoutRetainingUserData', 'Enable', ['device', 'removePreinstalledSoftware']);
  if (clean === 'keepUserData') setPath('CleanPC/CleanPCRetainingUserData', 'Enable', ['device', 'removePreinstalledSoftware']);

  // Wi-Fi: the wizard always writes the network type, so a project without
  // one gets the wizard's WPA2-Personal (GUI export form: SSID = Name).
  const wifi = project.network?.wifi;
  if (wifi) {
    const at: JsonPath = ['network', 'wifi'];
    const node = t.append([seg('ConnectivityProfiles'), seg('WLAN'), seg('WLANSetting')], seg('WLANConfig', ['SSID', wifi.ssid], ['Name', wifi.ssid]));
    const x = (leaf: string, value: SecretValue, source: JsonPath) => set([seg('WLANXmlSettings'), seg(leaf)], value, source, { from: node });
    if (wifi.autoConnect !== undefined) x('AutoConnect', wcdBool(wifi.autoConnect), [...at, 'autoConnect']);
    if (wifi.hidden !== undefined) x('HiddenNetwork', wcdBool(wifi.hidden), [...at, 'hidden']);
    const security = wifi.security ?? DEFAULTS.wifiSecurity;
    if (security !== 'Open' && wifi.key !== undefined) x('SecurityKey', wifi.key, [...at, 'key']);
    x('SecurityType', security, [...at, wifi.security !== undefined ? 'security' : 'ssid']);
  }

  if (project.device?.changeProductKey !== undefined)
    setPath('EditionUpgrade/ChangeProductKey', project.device.changeProductKey, ['device', 'changeProductKey']);
  if (project.device?.productKey !== undefined) setPath('EditionUpgrade/UpgradeEditionWithProductKey', project.device.productKey, ['device', 'productKey']);
  if (project.oobe?.enableCortanaVoice !== undefined)
    setPath('OOBE/Desktop/EnableCortanaVoice', wcdBool(project.oobe.enableCortanaVoice), ['oobe', 'enableCortanaVoice']);
  if (project.oobe?.hide !== undefined) setPath('OOBE/Desktop/HideOobe', wcdBool(project.oobe.hide), ['oobe', 'hide']);
  if (project.device?.sharedUse !== undefined) setPath('SharedPC/EnableSharedPCMode', wcdBool(project.device.sharedUse), ['device', 'sharedUse']);

  // Applications: PrimaryContext commands, in order (ICD numbers them by position).
  (project.applications ?? []).forEach((app, i) => {
    const at: JsonPath = ['applications', i];
    const node = t.append([seg('ProvisioningCommands'), seg('PrimaryContext'), seg('Command')], seg('CommandConfig', ['Name', app.name]));
    if (app.installer !== undefined) set([seg('CommandFile')], app.installer, [...at, 'installer'], { file: app.installer, from: node });
    if (app.commandLine !== undefined) set([seg('CommandLine')], app.commandLine, [...at, 'commandLine'], { from: node });
    if (app.continueInstall !== undefined) set([seg('ContinueInstall')], wcdBool(app.continueInstall), [...at, 'continueInstall'], { from: node });
    const deps = app.dependencies ?? [];
    dependencyKeys(deps).forEach((key, j) => {
      const dep = t.append([seg('DependencyPackages')], seg('Dependency', ['Name', key]), node);
      dep.leaf = { value: deps[j]!, file: deps[j]!, source: [...at, 'dependencies', j] };
    });
    if (app.restartRequired !== undefined) set([seg('RestartRequired')], wcdBool(app.restartRequired), [...at, 'restartRequired'], { from: node });
    // WCD takes return codes as a space-separated list.
    if (app.restartCodes !== undefined) set([seg('ReturnCodeRestart')], app.restartCodes.join(' '), [...at, 'restartCodes'], { from: node });
    if (app.successCodes !== undefined) set([seg('ReturnCodeSuccess')], app.successCodes.join(' '), [...at, 'successCodes'], { from: node });
  });

  // Device-context command line and its files.
  const dc = project.deviceContext;
  if (dc) {
    const base = [seg('ProvisioningCommands'), seg('DeviceContext')];
    (dc.commandFiles ?? []).forEach((f, j) => {
      const node = t.append([...base, seg('CommandFiles')], seg('CommandFile', ['Name', baseName(f)]));
      node.leaf = { value: f, file: f, source: ['deviceContext', 'commandFiles', j] };
    });
    if (dc.commandLine !== undefined) set([...base, seg('CommandLine')], dc.commandLine, ['deviceContext', 'commandLine']);
  }

  // Mirrored sections (Policies, SMISettings, …): WCD's names, typed by the table.
  for (const section of MIRRORED_SECTIONS) {
    const value = project[section.key];
    if (value && typeof value === 'object') mirror(t, undefined, [seg(section.element)], section.element, value, [section.key], set, problems);
  }

  // Settings outside the format, merged into the same tree.
  (project.additionalSettings ?? []).forEach((s, i) => {
    const segments = parseSettingPath(s.path);
    if (!segments) {
      problems.push({
        path: ['additionalSettings', i, 'path'],
        code: 'PPKG100',
        message: `"${s.path}" is not a WCD setting path (elements separated by /, keys as [@Name='value']).`,
      });
      return;
    }
    set(segments, s.value, ['additionalSettings', i, 'value']);
  });
  return { tree: t, problems };
}

function twice(first: JsonPath, second: JsonPath): SettingsProblem {
  return {
    path: second,
    code: 'PPKG112',
    message: `This sets the same WCD setting as ${describe(first)}; the package would keep only one of the two values. Remove one.`,
  };
}

function describe(p: JsonPath): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

type Setter = (segments: PathSegment[], value: SecretValue, source: JsonPath, options?: { file?: string; from?: SettingNode }) => void;

/**
 * A mirrored section's value (or a list element's, `from` being its node)
 * into the tree: keys the table knows become leaves, lists become one
 * element per item keyed by the list's key, nested objects recurse. `at` is
 * relative to `from` (the tree's root when absent).
 */
function mirror(
  t: SettingsTree,
  from: SettingNode | undefined,
  at: PathSegment[],
  schemaPath: string,
  value: MirroredSection,
  source: JsonPath,
  set: Setter,
  problems: SettingsProblem[],
): void {
  for (const [key, v] of Object.entries(value)) {
    const childSchema = `${schemaPath}/${key}`;
    const here: JsonPath = [...source, key];
    const list = listAt(childSchema);
    if (list) {
      if (!Array.isArray(v)) continue; // the schema reports the shape
      v.forEach((item, i) => {
        if (!item || typeof item !== 'object') return;
        const id = (item as MirroredSection)[list.key];
        if (typeof id !== 'string') return;
        const parent = t.ensure(at, from);
        const node: SettingNode = { name: key, attrs: [[list.key, id]], children: [] };
        parent.children.push(node);
        const { [list.key]: _key, ...rest } = item as MirroredSection;
        mirror(t, node, [], childSchema, rest, [...here, i], set, problems);
      });
      continue;
    }
    const def = settingAt(childSchema);
    if (def) {
      leafOf(def, v, here, (text, file) => set([...at, seg(key)], text, here, { ...(from ? { from } : {}), ...(file !== undefined ? { file } : {}) }));
      continue;
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && !isSecretReference(v))
      mirror(t, from, [...at, seg(key)], childSchema, v as MirroredSection, here, set, problems);
  }
}

function leafOf(def: ReturnType<typeof settingAt> & object, v: unknown, _at: JsonPath, emit: (value: SecretValue, file?: string) => void): void {
  if (def.wcd === 'secret') {
    if (typeof v === 'string' || isSecretReference(v)) emit(v);
    return;
  }
  const text = wcdTextOf(def, v);
  if (text === undefined) return; // the schema reports a value of the wrong type
  emit(text, def.wcd === 'file' ? text : undefined);
}
