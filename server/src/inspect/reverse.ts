/**
 * Compiled settings → WCD settings: the setting table read backwards.
 *
 * Each parm's characteristic path (with the parm name) is matched against
 * the table's `csp` templates; a `{Element}` placeholder matches one segment
 * and gives that list element's key (a user name, an SSID) or position (a
 * command). A choice's CSP value is turned back into WCD's label. File
 * parms under `Provisioning/Assets/{<package id>}` lead, through
 * DataAsset.xml, to the shipped file. A Wi-Fi profile becomes its WCD
 * leaves when it is exactly the profile those leaves compile to; a
 * certificate's value becomes the certificate. Anything else is kept as
 * its raw OMA-URI and value.
 */
import { wlanProfileXml } from '../compile/groups/wlan';
import { parseXmlDocument } from '../compile/xmlParse';
import { listAt } from '../settings/lists';
import { settingsGroupGuid } from '../settings/groups';
import { SETTINGS } from '../settings/table';
import type { SettingDef } from '../settings/types';
import { base64Bytes } from './certificates';
import type { DataAssetEntry, RawParm } from './provxml';

/** One segment of a WCD instance path: a list element carries its key or its position. */
export interface InstanceSeg {
  name: string;
  /** Key attribute and value (`UserName`, `kiosk`) for lists ICD names by key. */
  key?: [string, string];
  /** Position, for lists ICD names by position (commands, their files). */
  index?: number;
}

export interface MappedAsset {
  kind: string;
  folder: string;
  fileName: string;
  /** Where the file is in the package; null when the package does not have it. */
  packagePath: string | null;
  /** The setting DataAsset.xml records for it. */
  dataAssetSetting: string | null;
}

export interface MappedSetting {
  scope: 'device' | 'user';
  /** The provxml file (no folder). */
  source: string;
  uri: string;
  datatype: string;
  /** The value as compiled (may be a secret). */
  compiled: string;
  /** The table row, when the table knows the setting. */
  def?: SettingDef;
  instance?: InstanceSeg[];
  /** The text WCD writes for it (True/False, a label, the text); undefined when WCD has no form for the value. */
  wcdText?: string;
  /** For a choice: its label, or null when the value has none. */
  label?: string | null;
  /** The whole value is a credential. */
  secret?: boolean;
  /** A credential inside the value (a raw Wi-Fi profile's keyMaterial). */
  secretPart?: string;
  asset?: MappedAsset;
  /** A certificate carried in the value itself (Base64): the bytes and a file name for them. */
  embedded?: { kind: 'certificate' | 'pfx'; data: Buffer; fileName: string; store: 'Root' | 'CA' | 'TrustedPeople' | 'Client'; key: string };
}

/* ------------------------------------------------------------------ the table */

interface CspRow {
  def: SettingDef;
  segs: string[];
  /** Segment index → list element name. */
  holes: Map<number, string>;
}

const BY_SHAPE = new Map<string, CspRow[]>();
const ASSET_ROWS: { def: SettingDef; type: RegExp; typeHoles: string[]; value: RegExp; valueHoles: string[] }[] = [];

function templateRegex(template: string): { re: RegExp; holes: string[] } {
  const holes: string[] = [];
  const src = template
    .split(/(\{[A-Za-z]+\})/)
    .map((part) => {
      const m = /^\{([A-Za-z]+)\}$/.exec(part);
      if (m) {
        holes.push(m[1]!);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { re: new RegExp(`^${src}$`), holes };
}

for (const def of SETTINGS) {
  if (def.asset) {
    const t = templateRegex(def.asset.type);
    const v = templateRegex(def.asset.dataAssetValue);
    ASSET_ROWS.push({ def, type: t.re, typeHoles: t.holes, value: v.re, valueHoles: v.holes });
    continue;
  }
  if (!def.csp) continue;
  const segs = def.csp.split('/');
  const holes = new Map<number, string>();
  segs.forEach((s, i) => {
    const m = /^\{([A-Za-z]+)\}$/.exec(s);
    if (m) holes.set(i, m[1]!);
  });
  const shape = `${segs.length}|${segs[segs.length - 1]}`;
  const list = BY_SHAPE.get(shape) ?? [];
  list.push({ def, segs, holes });
  BY_SHAPE.set(shape, list);
}

function matchRows(segs: string[]): { row: CspRow; values: Map<string, string> }[] {
  const out: { row: CspRow; values: Map<string, string> }[] = [];
  for (const row of BY_SHAPE.get(`${segs.length}|${segs[segs.length - 1]}`) ?? []) {
    const values = new Map<string, string>();
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      const hole = row.holes.get(i);
      if (hole) values.set(hole, segs[i]!);
      else ok = row.segs[i] === segs[i];
    }
    if (ok) out.push({ row, values });
  }
  return out;
}

/** The WCD instance path of a row, with the list keys or positions found. */
export function instanceOf(def: SettingDef, values: ReadonlyMap<string, string>): InstanceSeg[] {
  const names = def.path.split('/');
  return names.map((name, i) => {
    const list = listAt(names.slice(0, i + 1).join('/'));
    const v = values.get(name);
    if (!list || v === undefined) return { name };
    if (list.identity === 'index') return { name, index: /^\d{1,6}$/.test(v) ? Number(v) : -1 };
    return { name, key: [list.key, v] };
  });
}

/** `Accounts/Users/User[@UserName='kiosk']/Password`, `…/CommandConfig[0]/CommandLine`. */
export function formatInstance(instance: readonly InstanceSeg[]): string {
  return instance.map((s) => s.name + (s.key ? `[@${s.key[0]}='${s.key[1]}']` : s.index !== undefined ? `[${s.index}]` : '')).join('/');
}

/** WCD's text for a compiled value; undefined when WCD has no form for it. */
function wcdTextOf(def: SettingDef, compiled: string): { text?: string; label?: string | null } {
  switch (def.wcd) {
    case 'bool':
      return /^true$/i.test(compiled) ? { text: 'True' } : /^false$/i.test(compiled) ? { text: 'False' } : {};
    case 'int':
      return /^-?\d+$/.test(compiled) ? { text: compiled } : {};
    case 'choice': {
      const c = def.choices?.find((x) => x.value === compiled);
      return c ? { text: c.label, label: c.label } : { label: null };
    }
    default:
      return { text: compiled };
  }
}

/** `./Device/Vendor/MSFT/…` or `./User/Vendor/MSFT/…` of a characteristic path and parm. */
export function omaUri(scope: 'device' | 'user', path: readonly string[], name: string): string {
  return `./${scope === 'user' ? 'User' : 'Device'}/Vendor/MSFT/${[...path, name].join('/')}`;
}

/* --------------------------------------------------------------- the mapping */

export interface FileContext {
  scope: 'device' | 'user';
  source: string;
  /** The ConfigurationSet's SettingsGroup, without a repeat suffix. */
  settingsGroup: string;
  /** DataAsset.xml, by `<folder>\<file>`. */
  dataAssets: ReadonlyMap<string, DataAssetEntry>;
  /** Package paths of data-asset files, by `<folder>/<file>`. */
  assetFiles: ReadonlyMap<string, string>;
}

const TRUSTED_STORES = new Set(['Root', 'CA', 'TrustedPeople']);

/** Maps the parms of one provxml file. */
export function mapParms(parms: readonly RawParm[], ctx: FileContext): MappedSetting[] {
  const out: MappedSetting[] = [];
  const reloadable = new Set<string>();
  const group = ctx.settingsGroup.replace(/_\d+$/, '').toLowerCase();
  for (const p of parms) {
    const base = { scope: ctx.scope, source: ctx.source, uri: omaUri(ctx.scope, p.path, p.name), datatype: p.datatype, compiled: p.value };
    // ForceSettingReload companions belong to the setting before them.
    if (p.path.length === 2 && p.path[0] === 'Provisioning' && p.path[1] === 'ForceSettingReload' && reloadable.has(p.name)) continue;
    if (p.path[0] === 'Provisioning' && p.path[1] === 'Assets' && p.path.length >= 4) {
      out.push(mapAsset(p, base, ctx));
      continue;
    }
    const segs = [...p.path, p.name];
    const matches = matchRows(segs).filter((m) => (m.row.def.scope === 'user') === (ctx.scope === 'user'));
    // Two rows can share a CSP path (DeviceManagement/MemoryDump and Policies/MemoryDump): the SettingsGroup tells them apart.
    const match = matches.find((m) => settingsGroupGuid(m.row.def.group) === group) ?? matches[0];
    if (!match || match.row.def.type !== p.datatype) {
      out.push(raw(p, base));
      continue;
    }
    const def = match.row.def;
    if (def.compiler === 'wlan') {
      out.push(...mapWlan(p, base, match.values.get('WLANConfig') ?? ''));
      continue;
    }
    if (def.compiler === 'certificate' && def.wcd === 'file') {
      out.push(mapCertificate(p, base, def, match.values));
      continue;
    }
    const v = wcdTextOf(def, p.value);
    reloadable.add(p.name);
    out.push({
      ...base,
      def,
      instance: instanceOf(def, match.values),
      ...(v.text !== undefined ? { wcdText: v.text } : {}),
      ...(def.wcd === 'choice' ? { label: v.label ?? null } : {}),
      ...(def.wcd === 'secret' ? { secret: true } : {}),
    });
  }
  return out;
}

function raw(p: RawParm, base: Omit<MappedSetting, 'def'>): MappedSetting {
  const m: MappedSetting = { ...base };
  const key = /<keyMaterial>([^<]*)<\/keyMaterial>/.exec(p.value);
  if (key) m.secretPart = key[1]!;
  else if (/(password|passwd|passphrase|secret|psk|presharedkey|bprt|keymaterial|pin)$/i.test(p.name)) m.secret = true;
  return m;
}

function mapAsset(p: RawParm, base: Omit<MappedSetting, 'def'>, ctx: FileContext): MappedSetting {
  const type = p.path.slice(3).join('/');
  const i = p.name.indexOf('\\');
  const folder = i > 0 ? p.name.slice(0, i) : '';
  const fileName = i > 0 ? p.name.slice(i + 1) : p.name;
  const da = ctx.dataAssets.get(`${folder}\\${fileName}`);
  const packagePath = ctx.assetFiles.get(`${folder}/${fileName}`) ?? null;
  for (const row of ASSET_ROWS) {
    const t = row.type.exec(type);
    if (!t) continue;
    const values = new Map<string, string>();
    row.typeHoles.forEach((h, k) => values.set(h, t[k + 1]!));
    const v = da ? row.value.exec(da.setting) : null;
    if (v) row.valueHoles.forEach((h, k) => values.set(h, v[k + 1]!));
    return {
      ...base,
      def: row.def,
      instance: instanceOf(row.def, values),
      wcdText: fileName,
      asset: { kind: da?.kind ?? row.def.asset!.kind, folder, fileName, packagePath, dataAssetSetting: da?.setting ?? null },
    };
  }
  return { ...base, asset: { kind: da?.kind ?? '', folder, fileName, packagePath, dataAssetSetting: da?.setting ?? null } };
}

const WLAN = 'ConnectivityProfiles/WLAN/WLANSetting/WLANConfig';

/** A Wi-Fi profile → its WCD leaves, when the profile is exactly what those leaves compile to. */
function mapWlan(p: RawParm, base: Omit<MappedSetting, 'def'>, ssid: string): MappedSetting[] {
  const leaves = wlanLeaves(p.value, ssid);
  if (!leaves) return [raw(p, base)];
  const out: MappedSetting[] = [];
  for (const [leaf, text] of leaves) {
    const def = SETTINGS.find((s) => s.path === `${WLAN}/WLANXmlSettings/${leaf}`)!;
    out.push({
      ...base,
      compiled: text,
      def,
      instance: instanceOf(def, new Map([['WLANConfig', ssid]])),
      wcdText: text,
      ...(def.wcd === 'choice' ? { label: text } : {}),
      ...(def.wcd === 'secret' ? { secret: true } : {}),
    });
  }
  return out;
}

function wlanLeaves(xml: string, ssid: string): [string, string][] | undefined {
  let root;
  try {
    root = parseXmlDocument(xml, { maxChars: 1 << 20, maxDepth: 16 });
  } catch {
    return undefined;
  }
  const find = (name: string): string | undefined => {
    const stack = [root];
    while (stack.length) {
      const el = stack.pop()!;
      if (el.name === name) return el.children.map((c) => ('text' in c ? c.text : '')).join('');
      for (const c of el.children) if (c.type === 'element') stack.push(c);
    }
    return undefined;
  };
  const auth = find('authentication');
  const enc = find('encryption');
  const security =
    auth === 'WPA2PSK' && enc === 'AES' ? 'WPA2-Personal' : auth === 'open' && enc === 'WEP' ? 'WEP' : auth === 'open' && enc === 'none' ? 'Open' : undefined;
  if (!security) return undefined;
  const key = find('keyMaterial');
  const mode = find('connectionMode');
  const hidden = find('nonBroadcast');
  const auto = mode === 'auto' ? true : mode === 'manual' ? false : undefined;
  const hid = hidden === 'true' ? true : hidden === 'false' ? false : undefined;
  // Only a profile these leaves compile to byte for byte is read as them; anything richer stays raw.
  if (wlanProfileXml(ssid, security, security === 'Open' ? undefined : key, auto, hid) !== xml) return undefined;
  const leaves: [string, string][] = [];
  if (auto !== undefined) leaves.push(['AutoConnect', auto ? 'True' : 'False']);
  if (hid !== undefined) leaves.push(['HiddenNetwork', hid ? 'True' : 'False']);
  if (security !== 'Open' && key !== undefined) leaves.push(['SecurityKey', key]);
  leaves.push(['SecurityType', security]);
  return leaves;
}

function mapCertificate(p: RawParm, base: Omit<MappedSetting, 'def'>, def: SettingDef, values: Map<string, string>): MappedSetting {
  const data = base64Bytes(p.value);
  if (!data) return raw(p, base);
  if (p.name === 'EncodedCertificate') {
    const store = p.path[1]!;
    const thumbprint = p.path[2]!;
    if (!TRUSTED_STORES.has(store)) return raw(p, base);
    // The certificate's name is not compiled: the thumbprint stands for it.
    const instance = def.path.split('/').map((name, i, all): InstanceSeg => (i === all.length - 2 ? { name, key: ['CertificateName', thumbprint] } : { name }));
    return {
      ...base,
      def,
      instance,
      wcdText: `${thumbprint}.cer`,
      embedded: { kind: 'certificate', data, fileName: `${thumbprint}.cer`, store: store as 'Root', key: thumbprint },
    };
  }
  const name = values.get('ClientCertificate') ?? '';
  return {
    ...base,
    def,
    instance: instanceOf(def, values),
    wcdText: `${name}.pfx`,
    embedded: { kind: 'pfx', data, fileName: `${name}.pfx`, store: 'Client', key: name },
  };
}
