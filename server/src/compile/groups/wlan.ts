/**
 * A Wi-Fi network (ConnectivityProfiles/WLAN/WLANSetting/WLANConfig[@SSID]) →
 * `WiFi/Profile/<SSID>/WlanXml`, a WLANProfile document (Microsoft's WLAN
 * profile schema v1) carried as one string value. The form is believed, not
 * observed: see the evidence of the table rows (settings/table/network.ts).
 */
import { DEFAULTS } from '../../model/project';
import type { InstanceSegment } from '../../settings/groups';
import type { SettingDef } from '../../settings/types';
import { el, type XmlElement } from '../icdXml';
import type { CompiledGroup, RuntimeContext } from '../runtime';
import { compileValue, describeLeaf } from '../values';
import type { LeafAt } from '../settingsTree';
import { secretText } from '../types';

type Security = 'Open' | 'WPA2-Personal' | 'WEP';

/** The WLANProfile document, compact (no declaration, no whitespace between elements). */
export function wlanProfileXml(
  ssid: string,
  security: Security,
  key: string | undefined,
  autoConnect: boolean | undefined,
  hidden: boolean | undefined,
): string {
  const t = (name: string, text: string): XmlElement => ({ name, children: [{ text }] });
  const children: XmlElement[] = [
    t('name', ssid),
    el('SSIDConfig', [], [el('SSID', [], [t('name', ssid)]), ...(hidden !== undefined ? [t('nonBroadcast', String(hidden))] : [])]),
    t('connectionType', 'ESS'),
    // connectionMode and nonBroadcast are optional in the profile schema
    // (auto and false when absent): written only when the project states them.
    ...(autoConnect !== undefined ? [t('connectionMode', autoConnect ? 'auto' : 'manual')] : []),
  ];
  const authEncryption = el(
    'authEncryption',
    [],
    [
      t('authentication', security === 'WPA2-Personal' ? 'WPA2PSK' : 'open'),
      t('encryption', security === 'WPA2-Personal' ? 'AES' : security === 'WEP' ? 'WEP' : 'none'),
    ],
  );
  const securityEl = el('security', [], [authEncryption]);
  if (security !== 'Open') {
    securityEl.children!.push(
      el('sharedKey', [], [t('keyType', security === 'WPA2-Personal' ? 'passPhrase' : 'networkKey'), t('protected', 'false'), t('keyMaterial', key ?? '')]),
    );
  }
  children.push(el('MSM', [], [securityEl]));
  return compact({ name: 'WLANProfile', attrs: [['xmlns', 'http://www.microsoft.com/networking/WLAN/profile/v1']], children });
}

function compact(e: XmlElement): string {
  const attrs = (e.attrs ?? []).map(([k, v]) => ` ${k}="${v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')}"`).join('');
  const body = (e.children ?? [])
    .map((c) => ('name' in c ? compact(c) : 'text' in c ? c.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : ''))
    .join('');
  return `<${e.name}${attrs}>${body}</${e.name}>`;
}

export function compileWlan(group: CompiledGroup, instance: InstanceSegment[], members: { leaf: LeafAt; def: SettingDef }[], ctx: RuntimeContext): void {
  const ssid = instance[instance.length - 1]!.attrs.find(([k]) => k === 'SSID')?.[1] ?? '';
  const get = (leafName: string) => members.find((m) => m.leaf.path[m.leaf.path.length - 1]!.name === leafName);
  let ok = true;
  const text = (leafName: string): string | undefined => {
    const m = get(leafName);
    if (!m) return undefined;
    try {
      const raw = secretText(m.leaf.leaf.value, ctx.secrets, m.leaf.leaf.source);
      if (m.def.wcd === 'secret') return raw;
      const c = compileValue(m.def, raw, describeLeaf(m.leaf));
      if ('problem' in c) {
        ctx.problems.push({ path: m.leaf.leaf.source, code: 'PPKG111', message: c.problem });
        ok = false;
        return undefined;
      }
      return c.value;
    } catch (err) {
      ctx.problems.push({ path: m.leaf.leaf.source, code: 'PPKG110', message: (err as Error).message });
      ok = false;
      return undefined;
    }
  };
  const security = (text('SecurityType') ?? DEFAULTS.wifiSecurity) as Security;
  const key = text('SecurityKey');
  const auto = text('AutoConnect');
  const hidden = text('HiddenNetwork');
  if (!ok) return;
  const xml = wlanProfileXml(
    ssid,
    security,
    security === 'Open' ? undefined : key,
    auto === undefined ? undefined : auto === 'true',
    hidden === undefined ? undefined : hidden === 'true',
  );
  group.parms.push({ path: ['WiFi', 'Profile', ssid], name: 'WlanXml', value: xml, datatype: 'string' });
}
