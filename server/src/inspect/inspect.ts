/**
 * A package → the inspect model (model.ts): image properties, every
 * compiled setting mapped back to WCD (reverse.ts), users, commands in
 * execution order, shipped files with their SHA-256, certificates and a
 * risk summary. Pure but for reading the package's files through
 * `PackageFiles`, so a package and a compiled project are read alike.
 */
import { createHash } from 'node:crypto';
import { OWNER_ALTITUDE } from '../compile';
import { bulkTokenExpiry } from './bprt';
import { pfxCertificateFacts, trustedCertificateFacts, type CertificateFacts } from './certificates';
import {
  INSPECT_FORMAT,
  INSPECT_VERSION,
  type FileRef,
  type ImageInfo,
  type InspectAsset,
  type InspectCertificate,
  type InspectCommand,
  type InspectModel,
  type InspectSetting,
  type InspectUser,
} from './model';
import { configurationSets, dataAssets, PackageXmlError, parmsOf, parsePackageXml, type DataAssetEntry } from './provxml';
import { formatInstance, mapParms, type MappedSetting } from './reverse';
import { assessRisks } from './risks';
import { recordedSha256 } from './assetHash';
import { maskSecret, type SecretPolicy } from './secrets';
import { PackageTooLarge, type FileDigest, type PackageFiles } from './source';

export const PROV = 'Multivariant/0/Prov';
export const CUSTOMIZATIONS_XML = 'Multivariant/0/customizations.xml';
const STRUCTURE = new Set([
  'Multivariant/Multivariant.xml',
  CUSTOMIZATIONS_XML,
  'Multivariant/0/MasterDatastore.xml',
  `${PROV}/RunTime.xml`,
  `${PROV}/User_RunTime.xml`,
  'CommonSettings/CommonSettings.xml',
  'CommonSettings/1/AnswerFile.xml',
  'DataAsset/DataAsset.xml',
]);

export interface InspectOptions {
  secrets?: SecretPolicy;
}

/** The mapped settings with what inspect needs to show them; import and diff use them too. */
export interface InspectResult {
  model: InspectModel;
  mapped: MappedSetting[];
  /** DataAsset entries, with the package path of each file. */
  dataAssets: (DataAssetEntry & { packagePath: string | null })[];
}

function imageInfo(files: PackageFiles): ImageInfo {
  const props = new Map(files.properties);
  const get = (k: string) => props.get(k) ?? null;
  const alt = get('ALTITUDE');
  const altitude = alt !== null && /^\d{1,6}$/.test(alt) ? Number(alt) : null;
  let owner: string | null = null;
  let rank: number | null = null;
  if (altitude !== null) {
    const base = Math.floor(altitude / 1000) * 1000;
    const found = Object.entries(OWNER_ALTITUDE).find(([, v]) => v === base);
    if (found && altitude - base <= 99) {
      owner = found[0];
      rank = altitude - base;
    }
  }
  return {
    name: get('NAME'),
    packageId: get('PACKAGEID'),
    version: get('VERSION'),
    description: get('DESCRIPTION'),
    notes: get('NOTES'),
    owner,
    rank,
    altitude,
    hasCustomizationsXml: files.paths.includes(CUSTOMIZATIONS_XML),
    properties: files.properties.map(([k, v]) => [k, v]),
  };
}

export async function inspectPackageFiles(files: PackageFiles, options: InspectOptions = {}): Promise<InspectResult> {
  const policy: SecretPolicy = options.secrets ?? { show: false };
  const warnings: string[] = [];
  const present = new Set(files.paths);
  // Shipped files (every file under DataAsset/) are hashed from the start, side by side on worker
  // threads, while this thread reads the XML; a failure is reported where the digest is awaited.
  const shipped = files.paths.flatMap((p) => {
    const m = /^DataAsset\/(\d+)\/([^/]+)\/([^/]+)$/.exec(p);
    if (!m) return [];
    const digest = files.digest(p);
    digest.catch(() => undefined);
    return [{ p, m, digest }];
  });
  // The same content (one blob) is parsed once, however many entries name it.
  const parsed = new WeakMap<Buffer, ReturnType<typeof parsePackageXml>>();
  const readXml = async (p: string) => {
    try {
      const data = await files.read(p);
      const hit = parsed.get(data);
      if (hit) return hit;
      const root = parsePackageXml(data, p);
      parsed.set(data, root);
      return root;
    } catch (err) {
      if (err instanceof PackageTooLarge) throw new PackageXmlError(`${p} was not read: ${err.message}`);
      throw err;
    }
  };

  // DataAsset.xml and the asset files.
  let assetsXml: DataAssetEntry[] = [];
  if (present.has('DataAsset/DataAsset.xml')) {
    try {
      assetsXml = dataAssets(await readXml('DataAsset/DataAsset.xml'));
    } catch (err) {
      if (!(err instanceof PackageXmlError)) throw err;
      warnings.push(`${err.message}: the shipped files are listed without their settings.`);
    }
  }
  const assetFiles = new Map<string, string>();
  for (const p of files.paths) {
    const m = /^DataAsset\/\d+\/([^/]+)\/([^/]+)$/.exec(p);
    if (m) assetFiles.set(`${m[1]}/${m[2]}`, p);
  }
  const daByKey = new Map(assetsXml.map((a) => [`${a.folder}\\${a.fileName}`, a]));

  // RunTime.xml, then User_RunTime.xml: the settings in the order Windows applies them.
  const mapped: MappedSetting[] = [];
  const listed = new Set<string>();
  for (const [folder, scope] of [
    ['RunTime', 'device'],
    ['User_RunTime', 'user'],
  ] as const) {
    const index = `${PROV}/${folder}.xml`;
    if (!present.has(index)) {
      if (scope === 'device') warnings.push(`The package has no ${index}: Windows applies no settings from it.`);
      continue;
    }
    let sets;
    try {
      sets = configurationSets(await readXml(index), folder);
    } catch (err) {
      if (!(err instanceof PackageXmlError)) throw err;
      warnings.push(`${err.message}: its settings are not shown.`);
      continue;
    }
    for (const b of sets.bad) warnings.push(`${folder}.xml lists ${JSON.stringify(b)}, which is not a provxml file of its own folder; it was not read.`);
    for (const set of sets.sets) {
      const p = `${PROV}/${folder}/${set.file}`;
      if (!present.has(p)) {
        warnings.push(`${folder}.xml lists ${set.file}, which is not in the package.`);
        continue;
      }
      listed.add(p);
      let parms;
      try {
        parms = parmsOf(await readXml(p), set.file);
      } catch (err) {
        if (!(err instanceof PackageXmlError)) throw err;
        warnings.push(`${err.message}: its settings are not shown.`);
        continue;
      }
      mapped.push(...mapParms(parms, { scope, source: set.file, settingsGroup: set.settingsGroup, dataAssets: daByKey, assetFiles }));
    }
  }
  for (const p of files.paths) {
    if (/^Multivariant\/0\/Prov\/(User_)?RunTime\/[^/]+$/.test(p) && !listed.has(p))
      warnings.push(`${p} is in the package but no RunTime list names it: Windows does not apply it.`);
  }

  // Secrets are fingerprinted (scrypt, slow on purpose) while the shipped files are still being read.
  const secrets = mapped.map((m) => secretView(m, policy));

  // Shipped files: every file under DataAsset/, hashed.
  const digests = new Map<string, FileDigest>();
  const assets: InspectAsset[] = [];
  const dataAssetList: InspectResult['dataAssets'] = [];
  for (const { p, m, digest } of shipped) {
    const d = await digest;
    digests.set(p, d);
    const da = daByKey.get(`${m[2]}\\${m[3]}`);
    assets.push({ name: m[3]!, packagePath: p, size: d.size, sha256: d.sha256, kind: da?.kind ?? '', setting: da?.setting ?? null });
    dataAssetList.push({ element: Number(m[1]), kind: da?.kind ?? '', folder: m[2]!, fileName: m[3]!, setting: da?.setting ?? '', packagePath: p });
    const claimed = recordedSha256(p);
    if (claimed && claimed !== d.sha256) warnings.push(`${p} does not match the SHA-256 in its folder name: the file was changed after the package was built.`);
  }
  for (const a of assetsXml) {
    if (!assetFiles.has(`${a.folder}/${a.fileName}`)) warnings.push(`DataAsset.xml lists ${a.folder}\\${a.fileName}, which is not in the package.`);
  }

  const fileRef = (m: MappedSetting): FileRef | undefined => {
    if (m.asset) {
      const d = m.asset.packagePath ? digests.get(m.asset.packagePath) : undefined;
      return { name: m.asset.fileName, packagePath: m.asset.packagePath, size: d?.size ?? 0, sha256: d?.sha256 ?? '' };
    }
    if (m.embedded) {
      return { name: m.embedded.fileName, packagePath: null, size: m.embedded.data.length, sha256: createHash('sha256').update(m.embedded.data).digest('hex') };
    }
    return undefined;
  };
  for (const m of mapped) {
    if (m.asset && !m.asset.packagePath) warnings.push(`${m.source} ships ${m.asset.folder}\\${m.asset.fileName}, which is not in the package.`);
  }

  const settings: InspectSetting[] = mapped.map((m, i) => settingView(m, secrets[i], fileRef(m)));
  const users = usersOf(mapped);
  const commands = commandsOf(mapped, fileRef);
  const certificates = certificatesOf(mapped);
  const structural = new Set([...STRUCTURE, ...listed, ...assets.map((a) => a.packagePath!)]);
  const otherFiles = files.paths.filter((p) => !structural.has(p)).map((p) => ({ path: p, size: files.size(p) }));
  for (const o of otherFiles)
    if (!/^Multivariant\/0\/Prov\/(User_)?RunTime\//.test(o.path)) warnings.push(`${o.path} is not part of what ICD writes; Windows ignores it.`);

  const bprt = mapped.find((m) => m.def?.path === 'Accounts/Azure/BPRT');
  const token = bprt ? { present: true, expires: bulkTokenExpiry(bprt.compiled) } : { present: false, expires: null };
  const image = imageInfo(files);
  const model: InspectModel = {
    format: INSPECT_FORMAT,
    version: INSPECT_VERSION,
    image,
    settings,
    users,
    commands,
    assets,
    otherFiles,
    certificates,
    risks: assessRisks({ mapped, users, commands, certificates, token }),
    warnings,
  };
  return { model, mapped, dataAssets: dataAssetList };
}

/** The name a setting goes by: its WCD path, else its OMA-URI. */
export function settingName(m: MappedSetting): string {
  return m.instance ? formatInstance(m.instance) : m.uri;
}

function summarizeBlob(value: string): string {
  return `(${value.length} characters)`;
}

/** How a secret setting is shown (masked unless the policy shows it) and its fingerprint; undefined for others. */
function secretView(m: MappedSetting, policy: SecretPolicy): { value: string; fingerprint: string | null } | undefined {
  const name = settingName(m);
  if (m.secret) {
    const masked = maskSecret(m.compiled, name, policy);
    return { value: masked.shown, fingerprint: masked.fingerprint };
  }
  if (m.secretPart !== undefined) {
    const masked = maskSecret(m.secretPart, name, policy);
    const v = policy.show ? m.compiled : m.compiled.replace(/<keyMaterial>[^<]*<\/keyMaterial>/g, `<keyMaterial>${masked.shown}</keyMaterial>`);
    return { value: v, fingerprint: masked.fingerprint };
  }
  return undefined;
}

function settingView(m: MappedSetting, secret: ReturnType<typeof secretView>, file: FileRef | undefined): InspectSetting {
  const path = m.instance ? formatInstance(m.instance) : null;
  const s: InspectSetting = {
    scope: m.scope,
    path,
    uri: m.uri,
    datatype: m.datatype,
    value: m.wcdText ?? m.compiled,
    compiledValue: m.compiled,
    source: m.source,
  };
  if (m.label !== undefined) s.label = m.label;
  if (secret) {
    s.value = secret.value;
    s.compiledValue = secret.value;
    s.secret = { fingerprint: secret.fingerprint };
  }
  if (file) {
    s.file = file;
    s.value = file.name;
    if (m.embedded) s.compiledValue = `${m.embedded.kind === 'pfx' ? 'PFX' : 'certificate'}, Base64 ${summarizeBlob(m.compiled)}`;
  }
  return s;
}

function usersOf(mapped: MappedSetting[]): InspectUser[] {
  const users = new Map<string, InspectUser>();
  for (const m of mapped) {
    if (!m.def?.path.startsWith('Accounts/Users/User/')) continue;
    const name = m.instance?.find((s) => s.name === 'User')?.key?.[1] ?? '';
    const u = users.get(name) ?? { name, group: null, hasPassword: false };
    users.set(name, u);
    if (m.def.path.endsWith('/Password')) u.hasPassword = true;
    if (m.def.path.endsWith('/UserGroup')) u.group = m.label ?? m.compiled;
  }
  return [...users.values()];
}

function commandsOf(mapped: MappedSetting[], fileRef: (m: MappedSetting) => FileRef | undefined): InspectCommand[] {
  const empty = (context: 'device' | 'primary', index: number | null): InspectCommand => ({
    order: 0,
    context,
    index,
    commandLine: null,
    files: [],
    dependencies: [],
    continueInstall: null,
    restartRequired: null,
    returnCodeSuccess: null,
    returnCodeRestart: null,
  });
  const byKey = new Map<string, InspectCommand>();
  const order: InspectCommand[] = [];
  const get = (key: string, make: () => InspectCommand) => {
    let c = byKey.get(key);
    if (!c) {
      c = make();
      byKey.set(key, c);
      order.push(c);
    }
    return c;
  };
  for (const m of mapped) {
    const p = m.def?.path;
    if (!p?.startsWith('ProvisioningCommands/')) continue;
    const leaf = p.split('/').pop()!;
    if (p.startsWith('ProvisioningCommands/DeviceContext/')) {
      const c = get('device', () => empty('device', null));
      if (leaf === 'CommandLine') c.commandLine = m.compiled;
      else {
        const f = fileRef(m);
        if (f) c.files.push(f);
      }
      continue;
    }
    const index = m.instance?.find((s) => s.name === 'CommandConfig')?.index ?? -1;
    const c = get(`primary#${index}`, () => empty('primary', index));
    const f = leaf === 'CommandFile' || leaf === 'Dependency' ? fileRef(m) : undefined;
    if (leaf === 'CommandLine') c.commandLine = m.compiled;
    else if (leaf === 'CommandFile' && f) c.files.push(f);
    else if (leaf === 'Dependency' && f) c.dependencies.push(f);
    else if (leaf === 'ContinueInstall') c.continueInstall = /^true$/i.test(m.compiled);
    else if (leaf === 'RestartRequired') c.restartRequired = /^true$/i.test(m.compiled);
    else if (leaf === 'ReturnCodeSuccess') c.returnCodeSuccess = m.compiled;
    else if (leaf === 'ReturnCodeRestart') c.returnCodeRestart = m.compiled;
  }
  // Primary commands run by their position; RunTime.xml orders the device context's group first.
  const device = order.filter((c) => c.context === 'device');
  const primary = order.filter((c) => c.context === 'primary').sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return [...device, ...primary].map((c, i) => ({ ...c, order: i + 1 }));
}

function certificatesOf(mapped: MappedSetting[]): InspectCertificate[] {
  const out: InspectCertificate[] = [];
  for (const m of mapped) {
    if (!m.embedded) continue;
    let facts: CertificateFacts;
    if (m.embedded.kind === 'certificate') facts = trustedCertificateFacts(m.compiled).facts;
    else {
      const pw = mapped.find(
        (x) =>
          x.def?.path === 'Certificates/ClientCertificates/ClientCertificate/CertificatePassword' && x.instance?.some((s) => s.key?.[1] === m.embedded!.key),
      );
      facts = pfxCertificateFacts(m.embedded.data, pw?.compiled);
    }
    const c: InspectCertificate = { store: m.embedded.store, key: m.embedded.key, ...facts };
    if (!facts.error) delete c.error;
    if (m.embedded.kind === 'certificate' && facts.thumbprint && facts.thumbprint !== m.embedded.key.toUpperCase()) {
      c.error = `the package files it under the thumbprint ${m.embedded.key}, but its thumbprint is ${facts.thumbprint}`;
    }
    out.push(c);
  }
  return out;
}
