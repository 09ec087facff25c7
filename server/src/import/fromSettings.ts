/**
 * WCD settings (the `Customizations/Common` tree of a customizations.xml) →
 * project properties: the inverse of compile/projectSettings.ts. A setting
 * becomes a property only when building the project writes it back exactly
 * — same leaves, same values, same order of list entries, nothing added;
 * every other setting stays a WCD path in additionalSettings, so the round
 * trip never loses or changes one (docs/project-format.md, "Import").
 *
 * Lists keep their order: once one entry of a list cannot be a property,
 * the entries after it stay in additionalSettings too, which the build
 * appends after the properties' entries.
 */
import type { JsonPath } from '../model/parse';
import type { Application, Certificate, LocalUser, MirroredSection, Project, SecretValue, WifiNetwork } from '../model/project';
import { CERT_STORES, dependencyKeys } from '../compile/projectSettings';
import { orderedChildren, type SettingNode } from '../compile/settingsTree';
import { ENTRA_AUTHORITY } from '../compile/types';
import { listAt } from '../settings/lists';
import { MIRRORED_SECTIONS, jsonValueOf } from '../settings/mirror';
import { settingAt } from '../settings/table';
import { formatSettingPath, wcdCompare, type PathSegment } from '../settings/wcdPath';

export interface ImportContext {
  /** A secret reference for a credential found at a WCD path (the value is kept aside, never in the project). */
  secret(base: string, what: string, value: string): SecretValue;
  /** A file path as the project will hold it. */
  file(path: string, what: string): string;
  warn(message: string): void;
}

const attr = (n: SettingNode, k: string) => n.attrs.find(([a]) => a === k)?.[1];
const child = (n: SettingNode | undefined, name: string) => n?.children.find((c) => c.name === name && c.attrs.length === 0);
const isLeaf = (n: SettingNode) => n.children.length === 0 && n.leaf !== undefined;
const text = (n: SettingNode) => (typeof n.leaf?.value === 'string' ? n.leaf.value : '');

/** WCD's True/False; another spelling stays a raw path, so the round trip keeps it. */
function bool(n: SettingNode | undefined): boolean | undefined {
  if (!n || !isLeaf(n)) return undefined;
  const t = text(n);
  return t === 'True' ? true : t === 'False' ? false : undefined;
}

function codes(n: SettingNode): number[] | undefined {
  const parts = text(n).trim().split(/\s+/).filter(Boolean);
  return parts.length && parts.every((p) => /^-?\d{1,10}$/.test(p)) ? parts.map(Number) : undefined;
}

/** The label, when the setting table lists it for the setting (exactly as WCD spells it). */
function labelOf(schemaPath: string, value: string): string | undefined {
  return settingAt(schemaPath)?.choices?.find((c) => c.label === value)?.label;
}

/** Marks nodes as carried by a property; whatever is left becomes additionalSettings. */
class Claims {
  private readonly claimed = new Set<SettingNode>();
  claim(...nodes: (SettingNode | undefined)[]): void {
    for (const n of nodes) if (n) this.claimed.add(n);
  }
  has(n: SettingNode): boolean {
    return this.claimed.has(n);
  }
}

/** Only `Name` (WCD's display name, equal to the key) besides the key attribute. */
function keyedLike(n: SettingNode, key: string): string | undefined {
  const value = attr(n, key);
  if (value === undefined) return undefined;
  if (!n.attrs.every(([k, v]) => k === key || (k === 'Name' && v === value))) return undefined;
  return value;
}

export function projectFromSettings(common: SettingNode, project: Project, ctx: ImportContext): void {
  const claims = new Claims();
  const top = (name: string) => child(common, name);
  /** The text of a leaf, which a property now carries. */
  const take = (n: SettingNode | undefined): string | undefined => {
    if (!n || !isLeaf(n)) return undefined;
    claims.claim(n);
    return text(n);
  };
  const accounts = top('Accounts');

  // Accounts/Azure: the wizard writes Authority and BPRT together.
  const azure = child(accounts, 'Azure');
  const bprt = child(azure, 'BPRT');
  if (bprt && isLeaf(bprt)) {
    const authority = child(azure, 'Authority');
    const entra: NonNullable<NonNullable<Project['account']>['entra']> = { token: ctx.secret('bulk-token', 'bulk token (Accounts/Azure/BPRT)', text(bprt)) };
    if (authority && isLeaf(authority) && text(authority).replace(/\/$/, '') !== ENTRA_AUTHORITY) entra.authority = text(authority);
    if (!authority || isLeaf(authority)) {
      claims.claim(bprt, authority);
      project.account = { ...project.account, entra };
      ctx.warn(
        "The bulk token's expiry is not in customizations.xml: set account.entra.tokenExpiry (YYYY-MM-DD), or fetch a new token with ppkg token, before building.",
      );
    }
  }

  // Accounts/ComputerAccount: the device name, and Active Directory join.
  const computer = child(accounts, 'ComputerAccount');
  const device: NonNullable<Project['device']> = {};
  const computerName = take(child(computer, 'ComputerName'));
  if (computerName !== undefined) device.name = computerName;
  const domainName = child(computer, 'DomainName');
  if (domainName && isLeaf(domainName)) {
    const ad: NonNullable<NonNullable<Project['account']>['activeDirectory']> = { domain: text(domainName) };
    claims.claim(domainName);
    const account = take(child(computer, 'Account'));
    if (account !== undefined) ad.account = account;
    const pw = take(child(computer, 'Password'));
    if (pw !== undefined) ad.password = ctx.secret('domain-join-password', 'domain join password (Accounts/ComputerAccount/Password)', pw);
    const ou = take(child(computer, 'AccountOU'));
    if (ou !== undefined) ad.ou = ou;
    project.account = { ...project.account, activeDirectory: ad };
  }

  // Accounts/Users/User[@UserName]: the first administrator with only a
  // password becomes the wizard's localAdmin; the rest, in order, users.
  const userNodes = (child(accounts, 'Users')?.children ?? []).filter((c) => c.name === 'User');
  const users: LocalUser[] = [];
  let usersBroken = false;
  userNodes.forEach((u, i) => {
    const name = keyedLike(u, 'UserName');
    if (usersBroken || name === undefined) {
      usersBroken = true;
      return;
    }
    const pw = child(u, 'Password');
    const group = child(u, 'UserGroup');
    const entry: LocalUser = { name };
    const hasPassword = pw !== undefined && isLeaf(pw);
    if (hasPassword) entry.password = undefined as never; // keeps the key order name, password, group
    if (group && isLeaf(group) && labelOf('Accounts/Users/User/UserGroup', text(group))) {
      entry.group = text(group) as LocalUser['group'];
      claims.claim(group);
    }
    // The wizard's one local administrator: the first user, an administrator with a password and nothing else.
    const wizardAdmin = i === 0 && hasPassword && entry.group === 'Administrators' && u.children.length === 2;
    if (hasPassword) {
      entry.password = ctx.secret(wizardAdmin ? 'local-admin-password' : `${name}-password`, `password of the local user "${name}"`, text(pw!));
      claims.claim(pw);
    }
    if (wizardAdmin) {
      project.account = { ...project.account, localAdmin: { user: name, password: entry.password! } };
    } else users.push(entry);
  });
  if (users.length) project.users = users;

  // Certificates, per store in order.
  const certs: Certificate[] = [];
  const certificates = top('Certificates');
  // The compiler's own table of stores, in WCD's order of the store elements.
  const stores = (Object.entries(CERT_STORES) as [Certificate['store'] & string, (typeof CERT_STORES)[keyof typeof CERT_STORES]][]).sort((a, b) =>
    wcdCompare(a[1].group, b[1].group),
  );
  for (const [store, { group, element, leaf: leafName }] of stores) {
    let broken = false;
    for (const c of (child(certificates, group)?.children ?? []).filter((x) => x.name === element)) {
      const name = keyedLike(c, 'CertificateName');
      const leaf = child(c, leafName);
      if (broken || name === undefined || /[<>&"]/.test(name) || !leaf || !isLeaf(leaf) || c.children.length !== 1) {
        broken = true;
        continue;
      }
      claims.claim(c, leaf);
      certs.push({ name, file: ctx.file(text(leaf), `certificate "${name}"`), ...(store === 'Root' ? {} : { store }) });
    }
  }
  let clientBroken = false;
  for (const c of (child(certificates, 'ClientCertificates')?.children ?? []).filter((x) => x.name === 'ClientCertificate')) {
    const name = keyedLike(c, 'CertificateName');
    const path = child(c, 'CertificatePath');
    if (clientBroken || name === undefined || /[<>&"]/.test(name) || !path || !isLeaf(path) || !/\.(pfx|p12)$/i.test(text(path))) {
      clientBroken = true;
      continue;
    }
    const cert: Certificate = { name, file: ctx.file(text(path), `client certificate "${name}"`) };
    claims.claim(c, path);
    const pw = child(c, 'CertificatePassword');
    if (pw && isLeaf(pw)) {
      cert.password = ctx.secret(`certificate-${certs.length + 1}-password`, `password of the client certificate "${name}"`, text(pw));
      claims.claim(pw);
    }
    const exp = child(c, 'ExportCertificate');
    if (bool(exp) !== undefined) {
      cert.exportable = bool(exp);
      claims.claim(exp);
    }
    const kl = child(c, 'KeyLocation');
    const keyLocation =
      kl && isLeaf(kl) ? (labelOf('Certificates/ClientCertificates/ClientCertificate/KeyLocation', text(kl)) as Certificate['keyLocation']) : undefined;
    if (keyLocation) {
      cert.keyLocation = keyLocation;
      claims.claim(kl);
    }
    certs.push(cert);
  }
  if (certs.length) project.certificates = certs;

  // CleanPC: WCD's only value is "Enable".
  const clean = top('CleanPC');
  const without = child(clean, 'CleanPCWithoutRetainingUserData');
  const retaining = child(clean, 'CleanPCRetainingUserData');
  if (without && isLeaf(without) && text(without) === 'Enable') {
    device.removePreinstalledSoftware = true;
    claims.claim(without);
  } else if (retaining && isLeaf(retaining) && text(retaining) === 'Enable') {
    device.removePreinstalledSoftware = 'keepUserData';
    claims.claim(retaining);
  }

  // Wi-Fi: the first network, when it names its type (the wizard always does).
  const firstNetwork = child(child(top('ConnectivityProfiles'), 'WLAN'), 'WLANSetting')?.children.find((c) => c.name === 'WLANConfig');
  if (firstNetwork) {
    const ssid = keyedLike(firstNetwork, 'SSID');
    const xml = child(firstNetwork, 'WLANXmlSettings');
    const known = new Set(['AutoConnect', 'HiddenNetwork', 'SecurityKey', 'SecurityType']);
    const type = child(xml, 'SecurityType');
    const security =
      type && isLeaf(type)
        ? (labelOf('ConnectivityProfiles/WLAN/WLANSetting/WLANConfig/WLANXmlSettings/SecurityType', text(type)) as WifiNetwork['security'])
        : undefined;
    const auto = child(xml, 'AutoConnect');
    const hidden = child(xml, 'HiddenNetwork');
    const key = child(xml, 'SecurityKey');
    const valid =
      ssid !== undefined &&
      xml &&
      firstNetwork.children.length === 1 &&
      xml.children.every((c) => known.has(c.name) && isLeaf(c)) &&
      security !== undefined &&
      (!auto || bool(auto) !== undefined) &&
      (!hidden || bool(hidden) !== undefined) &&
      !(key && security === 'Open');
    if (valid) {
      const wifi: WifiNetwork = { ssid: ssid!, security };
      if (key) wifi.key = ctx.secret('wifi-key', `Wi-Fi password of "${ssid}"`, text(key));
      if (auto) wifi.autoConnect = bool(auto);
      if (hidden) wifi.hidden = bool(hidden);
      claims.claim(firstNetwork, xml, ...xml!.children);
      project.network = { wifi };
    }
  }

  const edition = top('EditionUpgrade');
  const productKey = take(child(edition, 'UpgradeEditionWithProductKey'));
  if (productKey !== undefined) device.productKey = productKey;
  const changeKey = take(child(edition, 'ChangeProductKey'));
  if (changeKey !== undefined) device.changeProductKey = changeKey;
  const oobeDesktop = child(top('OOBE'), 'Desktop');
  const oobe: NonNullable<Project['oobe']> = {};
  for (const [leaf, prop] of [
    ['HideOobe', 'hide'],
    ['EnableCortanaVoice', 'enableCortanaVoice'],
  ] as const) {
    const n = child(oobeDesktop, leaf);
    if (bool(n) !== undefined) {
      oobe[prop] = bool(n);
      claims.claim(n);
    }
  }
  if (Object.keys(oobe).length) project.oobe = oobe;
  const shared = child(top('SharedPC'), 'EnableSharedPCMode');
  if (bool(shared) !== undefined) {
    device.sharedUse = bool(shared);
    claims.claim(shared);
  }
  if (Object.keys(device).length) project.device = { ...orderDevice(device) };

  // Applications: every PrimaryContext command, in order.
  const commands = child(child(top('ProvisioningCommands'), 'PrimaryContext'), 'Command');
  const apps: Application[] = [];
  let appsBroken = false;
  for (const c of (commands?.children ?? []).filter((x) => x.name === 'CommandConfig')) {
    const name = keyedLike(c, 'Name');
    if (appsBroken || name === undefined || c.attrs.length !== 1 || /[<>&"]/.test(name)) {
      appsBroken = true;
      continue;
    }
    claims.claim(c);
    const app: Application = { name };
    const leaf = (n: string) => {
      const x = child(c, n);
      return x && isLeaf(x) ? x : undefined;
    };
    const file = take(leaf('CommandFile'));
    if (file !== undefined) app.installer = ctx.file(file, `installer of "${name}"`);
    const line = take(leaf('CommandLine'));
    if (line !== undefined) app.commandLine = line;
    const cont = leaf('ContinueInstall');
    if (bool(cont) !== undefined) {
      app.continueInstall = bool(cont);
      claims.claim(cont);
    }
    const depsNode = child(c, 'DependencyPackages');
    const deps = (depsNode?.children ?? []).filter((d) => d.name === 'Dependency' && isLeaf(d) && d.attrs.every(([k]) => k === 'Name'));
    if (depsNode && deps.length === depsNode.children.length && deps.length) {
      app.dependencies = deps.map((d) => ctx.file(text(d), `dependency of "${name}"`));
      const derived = dependencyKeys(app.dependencies);
      deps.forEach((d, j) => {
        if (attr(d, 'Name') !== undefined && attr(d, 'Name') !== derived[j])
          ctx.warn(
            `The dependency ${text(d)} of "${name}" was named "${attr(d, 'Name')}" in WCD; ppkg names it "${derived[j]}" after its file. WCD shows the name only; ICD ignores it.`,
          );
      });
      claims.claim(depsNode, ...deps);
    }
    const restart = leaf('RestartRequired');
    if (bool(restart) !== undefined) {
      app.restartRequired = bool(restart);
      claims.claim(restart);
    }
    for (const [n, prop] of [
      ['ReturnCodeRestart', 'restartCodes'],
      ['ReturnCodeSuccess', 'successCodes'],
    ] as const) {
      const x = leaf(n);
      const list = x ? codes(x) : undefined;
      if (x && list && list.join(' ') === text(x).trim()) {
        app[prop] = list as [number, ...number[]];
        claims.claim(x);
      }
    }
    apps.push(app);
  }
  if (apps.length) project.applications = apps;

  // Device-context command line and files.
  const deviceContext = child(top('ProvisioningCommands'), 'DeviceContext');
  if (deviceContext) {
    const dc: NonNullable<Project['deviceContext']> = {};
    const line = take(child(deviceContext, 'CommandLine'));
    if (line !== undefined) dc.commandLine = line;
    const filesNode = child(deviceContext, 'CommandFiles');
    const files = (filesNode?.children ?? []).filter((f) => f.name === 'CommandFile' && isLeaf(f) && f.attrs.every(([k]) => k === 'Name'));
    if (filesNode && files.length && files.length === filesNode.children.length) {
      dc.commandFiles = files.map((f) => ctx.file(text(f), 'device-context command file'));
      claims.claim(filesNode, ...files);
    }
    if (Object.keys(dc).length) project.deviceContext = dc;
  }

  // Mirrored sections: every leaf the table types.
  for (const section of MIRRORED_SECTIONS) {
    const node = top(section.element);
    if (!node) continue;
    const value = mirrorFrom(node, section.element, claims, ctx);
    if (value && Object.keys(value).length) project[section.key] = value;
  }

  // Everything else: additionalSettings, credentials as secret references.
  const additional: { path: string; value: SecretValue }[] = [];
  const walk = (node: SettingNode, path: PathSegment[]) => {
    for (const c of orderedChildren(node)) {
      const here = [...path, { name: c.name, attrs: c.attrs }];
      if (isLeaf(c)) {
        if (claims.has(c)) continue;
        if (here.some((s) => s.attrs.some(([, v]) => v.includes("'")))) {
          ctx.warn(
            `The setting ${here.map((s) => s.name).join('/')} has a key containing an apostrophe, which a setting path cannot express; it was left out of the project.`,
          );
          continue;
        }
        const p = formatSettingPath(here);
        const def = settingAt(here.map((s) => s.name).join('/'));
        const leafName = c.name.toLowerCase();
        const secretLeaf = def?.wcd === 'secret' || /(password|bprt|securitykey|secret)$/.test(leafName);
        if (secretLeaf && text(c)) {
          // Named after the nearest key (a user name, an SSID), else the parent element.
          const owner =
            here
              .map((s) => s.attrs.find(([k]) => k !== 'Name')?.[1] ?? '')
              .filter(Boolean)
              .pop() ?? here[here.length - 2]?.name;
          additional.push({ path: p, value: ctx.secret(`${owner ? owner + '-' : ''}${leafName}`, `value of ${p}`, text(c)) });
        } else additional.push({ path: p, value: text(c) });
      } else walk(c, here);
    }
  };
  walk(common, []);
  if (additional.length) project.additionalSettings = additional;
}

/** device's keys in the order of the schema, for a readable project. */
function orderDevice(d: NonNullable<Project['device']>): NonNullable<Project['device']> {
  const out: NonNullable<Project['device']> = {};
  for (const k of ['name', 'productKey', 'changeProductKey', 'sharedUse', 'removePreinstalledSoftware'] as const)
    if (d[k] !== undefined) (out as Record<string, unknown>)[k] = d[k];
  return out;
}

function mirrorFrom(node: SettingNode, schemaPath: string, claims: Claims, ctx: ImportContext): MirroredSection | undefined {
  const out: MirroredSection = {};
  const lists = new Map<string, { broken: boolean; items: MirroredSection[] }>();
  for (const c of node.children) {
    const childPath = `${schemaPath}/${c.name}`;
    const list = listAt(childPath);
    if (list) {
      const state = lists.get(c.name) ?? { broken: false, items: [] };
      lists.set(c.name, state);
      const key = keyedLike(c, list.key);
      if (state.broken || key === undefined || c.attrs.length !== 1) {
        state.broken = true;
        continue;
      }
      const inner = mirrorFrom(c, childPath, claims, ctx) ?? {};
      claims.claim(c);
      state.items.push({ [list.key]: key, ...inner });
      continue;
    }
    if (c.attrs.length) continue;
    if (isLeaf(c)) {
      const def = settingAt(childPath);
      if (!def || def.wcd === 'file') {
        if (def?.wcd === 'file') {
          out[c.name] = ctx.file(text(c), def.title);
          claims.claim(c);
        }
        continue;
      }
      if (def.wcd === 'secret') {
        out[c.name] = ctx.secret(childPath.split('/').slice(-2).join('-').toLowerCase(), `${def.title}`, text(c));
        claims.claim(c);
        continue;
      }
      const v = jsonValueOf(def, text(c));
      if (v === undefined) continue;
      // A text the project cannot write back the same way (a boolean spelled "true") stays as written.
      if (def.wcd === 'bool' && text(c) !== (v ? 'True' : 'False')) continue;
      if (def.wcd === 'int' && String(v) !== text(c)) continue;
      out[c.name] = v;
      claims.claim(c);
      continue;
    }
    const inner = mirrorFrom(c, childPath, claims, ctx);
    if (inner && Object.keys(inner).length) {
      out[c.name] = inner;
      if (c.children.every((x) => claims.has(x))) claims.claim(c);
    }
  }
  for (const [name, state] of lists) if (state.items.length) out[name] = state.items;
  return out;
}

/** Re-exported for the source path of secrets. */
export type { JsonPath };
