/**
 * Project → WCD `customizations.xml` (windows-provisioning.md §2): root
 * `<WindowsCustomizations>` without a namespace, `PackageConfig` in the ICD
 * package-config namespace (capital M), `Settings` in the provisioning
 * namespace holding `Customizations/Common`, then the project's raw
 * `Targets`/`Variant` XML. Setting paths follow the wizard table (§2.5).
 */
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { DEFAULTS, type Project } from '../model/project';
import { isSecretReference } from '../model/secrets';
import { SettingsTree, parseSettingPath, seg, type SettingNode } from './settingsTree';
import {
  CompileError,
  ENTRA_AUTHORITY,
  NAMESPACE_PACKAGE_CONFIG,
  NAMESPACE_SETTINGS,
  secretText,
  wcdBool,
  type CompileWarning,
  type ResolvedSecrets,
} from './types';
import { amp, appendNodes, attrs, newDocument, toBytes } from './xml';
import { parseXmlFragment, XmlParseError } from './xmlParse';

export interface CustomizationsOptions {
  secrets: ResolvedSecrets;
  /** How a project file path is written in the XML (see CompileInputs.customizationsPath). */
  filePath: (projectPath: string) => string;
  warnings: CompileWarning[];
}

/** Certificate stores of `.cer`/`.crt` files: WCD group, element and path leaf (wcd-certificates.md). */
export const CERT_STORES = {
  Root: { group: 'RootCertificates', element: 'RootCertificate', leaf: 'CertificatePath' },
  CA: { group: 'CACertificates', element: 'CACertificate', leaf: 'CertificatePath' },
  TrustedPeople: { group: 'TrustedPeopleCertificates', element: 'TrustedPeopleCertificate', leaf: 'TrustedCertificate' },
} as const;

export function isClientCertificate(file: string): boolean {
  return /\.(pfx|p12)$/i.test(file);
}

/** The wizard's settings, then additionalSettings merged in. */
export function buildSettingsTree(project: Project, opts: CustomizationsOptions): SettingsTree {
  const t = new SettingsTree();
  const { secrets } = opts;

  // Accounts: Entra bulk join (§2.5: Authority + BPRT), device name, local admin.
  const entra = project.account?.entra;
  if (entra) {
    t.setPath('Accounts/Azure/Authority', ENTRA_AUTHORITY);
    t.setPath('Accounts/Azure/BPRT', secretText(entra.token, secrets, ['account', 'entra', 'token']));
  }
  if (project.device?.name !== undefined) {
    // Unverified (windows-provisioning.md §2.5, ppkg-format.md §12 #12): the
    // current wizard may write DevDetail/DNSComputerName instead; the schema
    // and ProvisioningTools use Accounts/ComputerAccount/ComputerName.
    t.setPath('Accounts/ComputerAccount/ComputerName', project.device.name);
  }
  const admin = project.account?.localAdmin;
  if (admin) {
    // The GUI export carries Name = UserName (sgp-go/jamf).
    const user = [seg('Accounts'), seg('Users'), seg('User', ['UserName', admin.user], ['Name', admin.user])];
    t.set([...user, seg('Password')], secretText(admin.password, secrets, ['account', 'localAdmin', 'password']));
    t.set([...user, seg('UserGroup')], 'Administrators');
  }

  // Certificates.
  (project.certificates ?? []).forEach((c, i) => {
    const file = opts.filePath(c.file);
    if (isClientCertificate(c.file)) {
      const el = [seg('Certificates'), seg('ClientCertificates'), seg('ClientCertificate', ['CertificateName', c.name], ['Name', c.name])];
      t.set([...el, seg('CertificatePassword')], c.password === undefined ? '' : secretText(c.password, secrets, ['certificates', i, 'password']));
      t.set([...el, seg('CertificatePath')], file);
      t.set([...el, seg('ExportCertificate')], wcdBool(c.exportable ?? DEFAULTS.exportable));
      // The literal values are the enum names; only SoftwareOnly is seen in a
      // real build (tolf customization.py) — the other two are unverified.
      t.set([...el, seg('KeyLocation')], c.keyLocation ?? DEFAULTS.keyLocation);
    } else {
      const store = CERT_STORES[c.store ?? DEFAULTS.certificateStore];
      t.set([seg('Certificates'), seg(store.group), seg(store.element, ['CertificateName', c.name], ['Name', c.name]), seg(store.leaf)], file);
    }
  });

  // Remove pre-installed software. Medium confidence (§2.5): only a
  // third-party article ties the wizard option to CleanPC; the value is unverified.
  if (project.device?.removePreinstalledSoftware) t.setPath('CleanPC/CleanPCWithoutRetainingUserData', 'Enable');

  // Wi-Fi (§2.5; GUI export form from sgp-go/jamf: SSID = Name, capitalised booleans, no key for Open).
  const wifi = project.network?.wifi;
  if (wifi) {
    const security = wifi.security ?? DEFAULTS.wifiSecurity;
    const cfg = [seg('ConnectivityProfiles'), seg('WLAN'), seg('WLANSetting'), seg('WLANConfig', ['SSID', wifi.ssid], ['Name', wifi.ssid]), seg('WLANXmlSettings')];
    t.set([...cfg, seg('SecurityType')], security);
    if (security !== 'Open' && wifi.key !== undefined) t.set([...cfg, seg('SecurityKey')], secretText(wifi.key, secrets, ['network', 'wifi', 'key']));
    t.set([...cfg, seg('AutoConnect')], wcdBool(wifi.autoConnect ?? DEFAULTS.wifiAutoConnect));
    t.set([...cfg, seg('HiddenNetwork')], wcdBool(wifi.hidden ?? DEFAULTS.wifiHidden));
  }

  if (project.device?.productKey !== undefined) t.setPath('EditionUpgrade/UpgradeEditionWithProductKey', project.device.productKey);
  if (project.oobe?.hide) t.setPath('OOBE/Desktop/HideOobe', 'True');

  // Applications: ProvisioningCommands/PrimaryContext/Command/CommandConfig[@Name] (§2.5).
  (project.applications ?? []).forEach((app) => {
    const el = [seg('ProvisioningCommands'), seg('PrimaryContext'), seg('Command'), seg('CommandConfig', ['Name', app.name])];
    t.set([...el, seg('CommandFile')], opts.filePath(app.installer));
    t.set([...el, seg('CommandLine')], app.commandLine);
    t.set([...el, seg('ContinueInstall')], wcdBool(app.continueInstall ?? DEFAULTS.continueInstall));
    if (app.dependencies?.length) {
      const stems = app.dependencies.map((d) => d.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '').toLowerCase());
      for (const dep of app.dependencies) {
        // The Name key is the file name without extension, as in the public
        // example (Dependency[@Name=PsExec64] for Psexec64.exe); unverified.
        const file = dep.split(/[\\/]/).pop()!;
        const stem = file.replace(/\.[^.]*$/, '');
        // Two dependencies with the same stem (a.dll, a.exe) keep their full names.
        const depName = stem && stems.filter((x) => x === stem.toLowerCase()).length === 1 ? stem : file;
        t.set([...el, seg('DependencyPackages'), seg('Dependency', ['Name', depName])], opts.filePath(dep));
      }
    }
    t.set([...el, seg('RestartRequired')], wcdBool(app.restartRequired ?? DEFAULTS.restartRequired));
    // The WCD UI takes return codes as a space-separated list.
    t.set([...el, seg('ReturnCodeRestart')], (app.restartCodes ?? DEFAULTS.restartCodes).join(' '));
    t.set([...el, seg('ReturnCodeSuccess')], (app.successCodes ?? DEFAULTS.successCodes).join(' '));
  });

  // Shared PC (wcd-sharedpc.md): only the switch the wizard sets.
  if (project.device?.sharedUse) t.setPath('SharedPC/EnableSharedPCMode', 'True');

  // Settings outside the wizard, merged into the same tree.
  (project.additionalSettings ?? []).forEach((s, i) => {
    const segments = parseSettingPath(s.path);
    if (!segments) throw new CompileError(`"${s.path}" is not a WCD setting path (elements separated by /, keys as [@Name='value']).`, ['additionalSettings', i, 'path'], 'PPKG100');
    const value = isSecretReference(s.value) ? secretText(s.value, secrets, ['additionalSettings', i, 'value']) : s.value;
    if (t.set(segments, value)) {
      opts.warnings.push({ path: ['additionalSettings', i, 'path'], code: 'PPKG112', message: `${s.path} is also set by the wizard settings of this project; the value in additionalSettings wins.` });
    }
  });
  return t;
}

function render(parent: XMLBuilder, node: SettingNode): void {
  const el = parent.ele(node.name, attrs(Object.fromEntries(node.attrs)));
  if (node.children.length) node.children.forEach((c) => render(el, c));
  else if (node.text !== undefined && node.text !== '') el.txt(amp(node.text));
}

/** The ALTITUDE owner base and PackageConfig values are shared with the payload. */
export function packageConfig(project: Project): { id: string; name: string; version: string; owner: string; rank: number } {
  const bare = project.id.replace(/^\{|\}$/g, '');
  return { id: `{${bare}}`, name: project.name, version: project.version, owner: project.owner ?? DEFAULTS.owner, rank: project.rank ?? DEFAULTS.rank };
}

export function buildCustomizationsXml(project: Project, opts: CustomizationsOptions): Buffer {
  const tree = buildSettingsTree(project, opts);
  const pc = packageConfig(project);
  const doc = newDocument();
  const root = doc.ele('WindowsCustomizations');
  const cfg = root.ele(NAMESPACE_PACKAGE_CONFIG, 'PackageConfig');
  cfg.ele('ID').txt(amp(pc.id));
  cfg.ele('Name').txt(amp(pc.name));
  cfg.ele('Version').txt(amp(pc.version));
  cfg.ele('OwnerType').txt(amp(pc.owner));
  cfg.ele('Rank').txt(String(pc.rank));
  if (project.description !== undefined) cfg.ele('Description').txt(amp(project.description));
  const customizations = root.ele(NAMESPACE_SETTINGS, 'Settings').ele('Customizations');
  const common = customizations.ele('Common');
  tree.root.children.forEach((c) => render(common, c));
  if (project.additionalCustomizationsXml?.trim()) {
    let nodes;
    try {
      nodes = parseXmlFragment(project.additionalCustomizationsXml);
    } catch (err) {
      const detail = err instanceof XmlParseError ? err.message : String(err);
      throw new CompileError(`additionalCustomizationsXml is not well-formed XML (${detail}).`, ['additionalCustomizationsXml'], 'PPKG100');
    }
    appendNodes(customizations, nodes);
  }
  try {
    return toBytes(doc);
  } catch {
    throw new CompileError('A value contains a character XML cannot represent (a control character). Remove it.', [], 'PPKG100');
  }
}
