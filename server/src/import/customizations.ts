/**
 * `ppkg import`: a WCD customizations.xml → a commented project file.
 *
 * Everything the project schema covers is mapped to its wizard field; every
 * other setting under `Customizations/Common` is kept as a WCD setting path in
 * `additionalSettings`, and `Targets`/`Variant` (multivariant) are kept as raw
 * XML in `additionalCustomizationsXml`, so that `ppkg build` writes them back.
 * Secrets (BPRT, passwords, Wi-Fi key, enrollment secrets) become secret
 * references: their values are never written to the project file.
 *
 * The XML is read by a strict parser that refuses DTDs and entity
 * declarations, limits size and depth (compile/xmlParse.ts).
 */
import { randomUUID } from 'node:crypto';
import { create } from 'xmlbuilder2';
import { NAMESPACE_SETTINGS } from '../compile/types';
import { appendNodes } from '../compile/xml';
import { attr, childElements, localName, parseXmlDocument, textOf, XmlParseError, type XElement, type XNode } from '../compile/xmlParse';
import { formatSettingPath, type PathSegment } from '../compile/settingsTree';
import type { Application, Certificate, OwnerType, Project } from '../model/project';
import { secretEnvVar } from '../model/secrets';

export interface ImportResult {
  projectText: string;
  warnings: string[];
  /** Names of the secrets the project refers to, to be set before building. */
  secrets: string[];
  /** PackageConfig Name (for the default project file name). */
  packageName: string;
}

export class ImportError extends Error {}

/** Largest customizations.xml accepted (characters). Real ones are kilobytes. */
export const MAX_IMPORT_CHARS = 8 * 1024 * 1024;

const OWNERS: OwnerType[] = ['Microsoft', 'SiliconVendor', 'OEM', 'SystemIntegrator', 'MobileOperator', 'ITAdmin'];
/** Leaf names that hold credentials: never copied, always a secret reference. */
const SECRET_LEAVES = new Set(['bprt', 'password', 'securitykey', 'certificatepassword', 'secret', 'accountpassword']);

interface Leaf {
  segments: PathSegment[];
  value: string;
  line: number;
}

function collectLeaves(el: XElement, prefix: PathSegment[], out: Leaf[]): void {
  for (const c of childElements(el)) {
    const seg: PathSegment = { name: localName(c.name), attrs: c.attrs.filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:')) };
    const path = [...prefix, seg];
    if (childElements(c).length) collectLeaves(c, path, out);
    else out.push({ segments: path, value: textOf(c).trim(), line: c.line });
  }
}

const bool = (v: string): boolean => /^(true|1|yes|enable|enabled)$/i.test(v.trim());
const codes = (v: string): number[] | undefined => {
  const parts = v.trim().split(/[\s,;]+/).filter(Boolean);
  if (!parts.length || !parts.every((p) => /^-?\d+$/.test(p))) return undefined;
  return parts.map(Number);
};

function keyOf(s: PathSegment, k: string): string | undefined {
  return s.attrs.find(([a]) => a === k)?.[1];
}

/** The path as written: absolute Windows paths lose their folder (the file must be copied next to the project). */
function importPath(p: string, warnings: string[], what: string): string {
  const trimmed = p.trim();
  if (/^[a-zA-Z]:[\\/]|^[\\/]{2}|^[\\/]/.test(trimmed)) {
    const base = trimmed.split(/[\\/]/).pop() || trimmed;
    warnings.push(`The ${what} "${trimmed}" is an absolute path on the machine that made the file; the project now expects "${base}" next to the project file. Copy it there (or into a subfolder and fix the path).`);
    return base;
  }
  return trimmed.replace(/\\/g, '/');
}

function secretName(base: string, used: Set<string>): string {
  let name = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 60) || 'secret';
  if (used.has(name)) {
    let i = 2;
    while (used.has(`${name}-${i}`)) i++;
    name = `${name}-${i}`;
  }
  used.add(name);
  return name;
}

export function importCustomizations(xmlText: string): ImportResult {
  if (xmlText.length > MAX_IMPORT_CHARS) throw new ImportError(`The file has ${xmlText.length} characters; a customizations.xml is a few kilobytes (at most ${MAX_IMPORT_CHARS} accepted). Is this the right file?`);
  let root: XElement;
  try {
    root = parseXmlDocument(xmlText, { maxChars: MAX_IMPORT_CHARS });
  } catch (err) {
    if (err instanceof XmlParseError) throw new ImportError(`Not a readable customizations.xml: ${err.message}`);
    throw err;
  }
  const warnings: string[] = [];
  const secrets: string[] = [];
  const used = new Set<string>();
  const secretRef = (base: string, what: string) => {
    const name = secretName(base, used);
    secrets.push(name);
    warnings.push(`The ${what} was not copied into the project: it is now the secret "${name}". Set it before building (${secretEnvVar(name)}, or ppkg: Set Secret in VS Code).`);
    return { secret: name };
  };

  const rootName = localName(root.name);
  if (rootName !== 'WindowsCustomizations') {
    if (rootName === 'WindowsCustomizatons') warnings.push('The root element is misspelled <WindowsCustomizatons> (as in a Microsoft sample); it is read as <WindowsCustomizations>.');
    else throw new ImportError(`The root element is <${root.name}>; a WCD customizations.xml starts with <WindowsCustomizations>.`);
  }
  const children = childElements(root);
  const pc = children.find((c) => localName(c.name) === 'PackageConfig');
  const settings = children.find((c) => localName(c.name) === 'Settings');
  if (!pc) throw new ImportError('The file has no <PackageConfig> (package name, ID and version): is it a WCD customizations.xml?');
  const field = (n: string) => {
    const e = childElements(pc).find((c) => localName(c.name) === n);
    return e ? textOf(e).trim() : undefined;
  };

  const project: Project = { name: '', id: '', version: '' };
  project.name = field('Name') || 'Imported package';
  if (!field('Name')) warnings.push('PackageConfig has no Name; the project is called "Imported package".');
  const id = field('ID') ?? '';
  if (/^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/.test(id)) project.id = id.startsWith('{') ? id : `{${id}}`;
  else {
    project.id = `{${randomUUID()}}`;
    warnings.push(`PackageConfig ID "${id}" is not a GUID; the project got a new package ID. Devices will see it as a different package.`);
  }
  const version = field('Version') ?? '';
  if (/^([0-9]+\.[0-9]+|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$/.test(version)) project.version = version;
  else {
    project.version = '1.0';
    warnings.push(`PackageConfig Version "${version}" is not N.N or N.N.N.N; the project uses 1.0.`);
  }
  const owner = field('OwnerType');
  if (owner !== undefined) {
    const match = OWNERS.find((o) => o.toLowerCase() === owner.toLowerCase());
    if (match) project.owner = match;
    else warnings.push(`PackageConfig OwnerType "${owner}" is unknown; the project uses ITAdmin.`);
  }
  const rank = field('Rank');
  if (rank !== undefined) {
    const r = Number(rank);
    if (Number.isInteger(r) && r >= 0 && r <= 99) project.rank = r;
    else warnings.push(`PackageConfig Rank "${rank}" is not 0–99; it was left out (0).`);
  }
  const description = field('Description');
  if (description) project.description = description;
  const notes = field('Notes');

  const customizations = settings ? childElements(settings).find((c) => localName(c.name) === 'Customizations') : undefined;
  const common = customizations ? childElements(customizations).find((c) => localName(c.name) === 'Common') : undefined;
  const leaves: Leaf[] = [];
  if (common) collectLeaves(common, [], leaves);
  else warnings.push('The file has no Settings/Customizations/Common section: the project has no settings.');

  const claimed = new Set<Leaf>();
  const find = (pred: (l: Leaf) => boolean) => leaves.filter((l) => !claimed.has(l) && pred(l));
  const pathIs = (l: Leaf, ...names: string[]) => l.segments.length === names.length && names.every((n, i) => n === '*' || l.segments[i]!.name === n);
  const one = (...names: string[]): Leaf | undefined => {
    const l = find((x) => pathIs(x, ...names) && x.segments.every((s) => s.attrs.length === 0))[0];
    if (l) claimed.add(l);
    return l;
  };

  // Accounts/Azure (Entra bulk join).
  const bprt = one('Accounts', 'Azure', 'BPRT');
  const authority = find((x) => pathIs(x, 'Accounts', 'Azure', 'Authority'))[0];
  if (authority && authority.value.replace(/\/$/, '') === 'https://login.microsoftonline.com/common') claimed.add(authority);
  if (bprt) {
    project.account = { ...project.account, entra: { token: secretRef('bulk-token', 'bulk token (Accounts/Azure/BPRT)') } };
    warnings.push('The bulk token\'s expiry is not in customizations.xml: set account.entra.tokenExpiry (YYYY-MM-DD), or fetch a new token with ppkg token, before building.');
  }

  // Device name.
  const computerName = one('Accounts', 'ComputerAccount', 'ComputerName');
  const device: NonNullable<Project['device']> = {};
  if (computerName) device.name = computerName.value;
  const productKey = one('EditionUpgrade', 'UpgradeEditionWithProductKey');
  if (productKey) device.productKey = productKey.value;
  const shared = one('SharedPC', 'EnableSharedPCMode');
  if (shared) device.sharedUse = bool(shared.value);
  const clean = one('CleanPC', 'CleanPCWithoutRetainingUserData');
  if (clean) device.removePreinstalledSoftware = bool(clean.value);
  if (Object.keys(device).length) project.device = device;

  // Local administrator: the first user in Administrators.
  const userLeaves = find((l) => l.segments.length === 4 && pathIs(l, 'Accounts', 'Users', 'User', '*'));
  const adminGroup = userLeaves.find((l) => l.segments[3]!.name === 'UserGroup' && l.value.toLowerCase() === 'administrators');
  if (adminGroup) {
    const userSeg = adminGroup.segments[2]!;
    const user = keyOf(userSeg, 'UserName') ?? keyOf(userSeg, 'Name');
    const mine = userLeaves.filter((l) => JSON.stringify(l.segments[2]) === JSON.stringify(userSeg));
    const pw = mine.find((l) => l.segments[3]!.name === 'Password');
    if (user && pw && mine.length === 2 && userSeg.attrs.every(([k, v]) => (k === 'UserName' || k === 'Name') && v === user)) {
      mine.forEach((l) => claimed.add(l));
      project.account = { ...project.account, localAdmin: { user, password: secretRef('local-admin-password', `password of the local administrator "${user}"`) } };
    }
  }

  // Wi-Fi: the first WLANConfig.
  const wlan = find((l) => l.segments.length === 6 && pathIs(l, 'ConnectivityProfiles', 'WLAN', 'WLANSetting', 'WLANConfig', 'WLANXmlSettings', '*'));
  if (wlan.length) {
    const cfgSeg = wlan[0]!.segments[3]!;
    const ssid = keyOf(cfgSeg, 'SSID') ?? keyOf(cfgSeg, 'Name');
    const mine = wlan.filter((l) => JSON.stringify(l.segments[3]) === JSON.stringify(cfgSeg));
    const known = new Set(['SecurityType', 'SecurityKey', 'AutoConnect', 'HiddenNetwork']);
    if (ssid && mine.every((l) => known.has(l.segments[5]!.name))) {
      const get = (n: string) => mine.find((l) => l.segments[5]!.name === n);
      const type = get('SecurityType')?.value;
      const security = type === 'Open' || type === 'WEP' || type === 'WPA2-Personal' ? type : undefined;
      if (type !== undefined && !security) warnings.push(`Wi-Fi SecurityType "${type}" is not Open, WEP or WPA2-Personal; the project uses WPA2-Personal.`);
      const wifi: NonNullable<NonNullable<Project['network']>['wifi']> = { ssid, security: security ?? 'WPA2-Personal' };
      if (get('SecurityKey')) wifi.key = secretRef('wifi-key', `Wi-Fi password of "${ssid}"`);
      if (get('AutoConnect')) wifi.autoConnect = bool(get('AutoConnect')!.value);
      if (get('HiddenNetwork')) wifi.hidden = bool(get('HiddenNetwork')!.value);
      mine.forEach((l) => claimed.add(l));
      project.network = { wifi };
    }
  }

  // OOBE.
  const hide = one('OOBE', 'Desktop', 'HideOobe');
  if (hide) project.oobe = { hide: bool(hide.value) };

  // Applications: CommandConfig[@Name].
  const cmdLeaves = find((l) => l.segments.length >= 5 && pathIs({ ...l, segments: l.segments.slice(0, 4) }, 'ProvisioningCommands', 'PrimaryContext', 'Command', 'CommandConfig'));
  const configs: PathSegment[] = [];
  for (const l of cmdLeaves) if (!configs.some((c) => JSON.stringify(c) === JSON.stringify(l.segments[3]))) configs.push(l.segments[3]!);
  const apps: Application[] = [];
  for (const cfg of configs) {
    const mine = cmdLeaves.filter((l) => JSON.stringify(l.segments[3]) === JSON.stringify(cfg));
    const name = keyOf(cfg, 'Name');
    const get = (n: string) => mine.find((l) => l.segments.length === 5 && l.segments[4]!.name === n);
    const deps = mine.filter((l) => l.segments.length === 6 && l.segments[4]!.name === 'DependencyPackages' && l.segments[5]!.name === 'Dependency');
    const known = new Set(['CommandFile', 'CommandLine', 'ContinueInstall', 'RestartRequired', 'ReturnCodeRestart', 'ReturnCodeSuccess']);
    const allKnown = mine.every((l) => (l.segments.length === 5 && known.has(l.segments[4]!.name)) || deps.includes(l));
    const success = get('ReturnCodeSuccess') ? codes(get('ReturnCodeSuccess')!.value) : undefined;
    const restart = get('ReturnCodeRestart') ? codes(get('ReturnCodeRestart')!.value) : undefined;
    const codesOk = (!get('ReturnCodeSuccess') || success) && (!get('ReturnCodeRestart') || restart);
    if (!name || !get('CommandFile') || !get('CommandLine') || !allKnown || !codesOk || /[<>&"]/.test(name) || cfg.attrs.length !== 1) continue; // kept as additionalSettings
    const app: Application = { name, installer: importPath(get('CommandFile')!.value, warnings, `installer of "${name}"`), commandLine: get('CommandLine')!.value };
    if (deps.length) app.dependencies = deps.map((d) => importPath(d.value, warnings, `dependency of "${name}"`));
    if (get('ContinueInstall')) app.continueInstall = bool(get('ContinueInstall')!.value);
    if (get('RestartRequired')) app.restartRequired = bool(get('RestartRequired')!.value);
    if (success) app.successCodes = success;
    if (restart) app.restartCodes = restart;
    mine.forEach((l) => claimed.add(l));
    apps.push(app);
  }
  if (apps.length) project.applications = apps;

  // Certificates.
  const certs: Certificate[] = [];
  const stores = [
    ['RootCertificates', 'RootCertificate', 'CertificatePath', 'Root'],
    ['CACertificates', 'CACertificate', 'CertificatePath', 'CA'],
    ['TrustedPeopleCertificates', 'TrustedPeopleCertificate', 'TrustedCertificate', 'TrustedPeople'],
  ] as const;
  for (const [group, element, leaf, store] of stores) {
    for (const l of find((x) => pathIs(x, 'Certificates', group, element, leaf))) {
      const name = keyOf(l.segments[2]!, 'CertificateName') ?? keyOf(l.segments[2]!, 'Name');
      if (!name || /[<>&"]/.test(name)) continue;
      claimed.add(l);
      certs.push({ name, file: importPath(l.value, warnings, `certificate "${name}"`), ...(store === 'Root' ? {} : { store }) });
    }
  }
  const clientLeaves = find((l) => l.segments.length === 4 && pathIs(l, 'Certificates', 'ClientCertificates', 'ClientCertificate', '*'));
  const clientSegs: PathSegment[] = [];
  for (const l of clientLeaves) if (!clientSegs.some((c) => JSON.stringify(c) === JSON.stringify(l.segments[2]))) clientSegs.push(l.segments[2]!);
  for (const cs of clientSegs) {
    const mine = clientLeaves.filter((l) => JSON.stringify(l.segments[2]) === JSON.stringify(cs));
    const name = keyOf(cs, 'CertificateName') ?? keyOf(cs, 'Name');
    const get = (n: string) => mine.find((l) => l.segments[3]!.name === n);
    const known = new Set(['CertificatePath', 'CertificatePassword', 'ExportCertificate', 'KeyLocation']);
    const kl = get('KeyLocation')?.value;
    const keyLocation = kl === undefined ? undefined : (['TPMOnly', 'TPMWithSoftwareFallback', 'SoftwareOnly'] as const).find((k) => k.toLowerCase() === kl.replace(/[\s_-]/g, '').toLowerCase());
    if (!name || /[<>&"]/.test(name) || !get('CertificatePath') || !mine.every((l) => known.has(l.segments[3]!.name)) || (kl !== undefined && !keyLocation)) continue;
    const cert: Certificate = { name, file: importPath(get('CertificatePath')!.value, warnings, `client certificate "${name}"`) };
    cert.password = secretRef(`certificate-${certs.length + 1}-password`, `password of the client certificate "${name}"`);
    if (get('ExportCertificate')) cert.exportable = bool(get('ExportCertificate')!.value);
    if (keyLocation) cert.keyLocation = keyLocation;
    mine.forEach((l) => claimed.add(l));
    certs.push(cert);
  }
  if (certs.length) project.certificates = certs;

  // Everything else: additionalSettings, secrets as references.
  const additional: { path: string; value: string | { secret: string } }[] = [];
  for (const l of leaves) {
    if (claimed.has(l)) continue;
    if (l.segments.some((s) => s.attrs.some(([, v]) => v.includes("'")))) {
      warnings.push(`The setting at line ${l.line} has a key containing an apostrophe, which a setting path cannot express; it was left out.`);
      continue;
    }
    const p = formatSettingPath(l.segments);
    const leafName = l.segments[l.segments.length - 1]!.name.toLowerCase();
    if (SECRET_LEAVES.has(leafName) && l.value) {
      const base = l.segments.map((s) => keyOf(s, 'UserName') ?? keyOf(s, 'Name') ?? keyOf(s, 'UPN') ?? '').filter(Boolean).pop() ?? l.segments[l.segments.length - 2]?.name;
      additional.push({ path: p, value: secretRef(`${base ? base + '-' : ''}${leafName}`, `value of ${p}`) });
    } else additional.push({ path: p, value: l.value });
  }
  if (additional.length) {
    project.additionalSettings = additional;
    warnings.push(`${additional.length} setting${additional.length === 1 ? '' : 's'} outside the wizard ${additional.length === 1 ? 'is' : 'are'} kept in additionalSettings; the native backend writes them to customizations.xml only (build with --backend icd to apply them).`);
  }

  // Targets, Variant and anything else next to Common: raw XML.
  const rest: XNode[] = customizations ? customizations.children.filter((n) => !(n.type === 'element' && localName(n.name) === 'Common') && !(n.type === 'text' && !n.text.trim())) : [];
  if (rest.some((n) => n.type === 'element')) {
    const wrapper = create().ele(NAMESPACE_SETTINGS, 'ppkgWrapper');
    appendNodes(wrapper, rest);
    const text = wrapper.doc().end({ headless: true, prettyPrint: true, indent: '  ', newline: '\n' });
    const lines = text.split('\n').slice(1, -1).map((s) => s.replace(/^ {2}/, ''));
    project.additionalCustomizationsXml = lines.join('\n');
    warnings.push('The multivariant settings (Targets/Variant) are kept as raw XML in additionalCustomizationsXml; only the ICD backend applies them.');
  }
  const otherTop = children.filter((c) => !['PackageConfig', 'Settings'].includes(localName(c.name)));
  if (otherTop.length) warnings.push(`Left out: ${otherTop.map((c) => `<${c.name}>`).join(', ')} (not part of a customizations.xml the project can express).`);
  if (notes) warnings.push('PackageConfig Notes has no place in the project; it is kept as a comment at the top of the project file.');

  return { projectText: renderProject(project, { notes, secrets }), warnings, secrets, packageName: project.name };
}

const SECTION_COMMENTS: Record<string, string> = {
  device: 'Set up device',
  network: 'Set up network',
  account: 'Account management. Secrets are references: set them with PPKG_SECRET_<NAME> (CLI) or ppkg: Set Secret (VS Code).',
  applications: 'Add applications: run as SYSTEM during setup, silently, in this order',
  certificates: 'Add certificates',
  oobe: 'Out-of-box experience',
  additionalSettings: 'Settings outside the wizard, as WCD setting paths under Customizations/Common',
  additionalCustomizationsXml: 'Multivariant settings (Targets/Variant), raw customizations.xml',
};

function renderProject(project: Project, o: { notes?: string; secrets: string[] }): string {
  const head = ['// Imported from a WCD customizations.xml by `ppkg import`. Review it, then `ppkg validate` and `ppkg build`.'];
  if (o.secrets.length) head.push(`// Secrets to set before building: ${o.secrets.map((s) => `${s} (${secretEnvVar(s)})`).join(', ')}.`);
  if (o.notes) head.push(...`PackageConfig Notes: ${o.notes}`.split(/\r?\n/).map((l) => `// ${l.replace(/\*\//g, '* /')}`));
  const keys = Object.keys(project) as (keyof Project)[];
  const body = keys.map((k, i) => {
    const value = JSON.stringify(project[k], null, 2).replace(/\n/g, '\n  ');
    const comment = SECTION_COMMENTS[k] ? `\n  // ${SECTION_COMMENTS[k]}\n` : '';
    return `${comment}  ${JSON.stringify(k)}: ${value}${i < keys.length - 1 ? ',' : ''}`;
  });
  return `${head.join('\n')}\n{\n${body.join('\n')}\n}\n`;
}
