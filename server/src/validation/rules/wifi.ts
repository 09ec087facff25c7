import type { RuleContext } from '../context';

/** Wi-Fi rules (docs/provisioning.md §Wi-Fi; https://learn.microsoft.com/windows/configuration/wcd/wcd-connectivityprofiles#wlan). */
export function wifiRules(ctx: RuleContext): void {
  const wifi = ctx.value(['network', 'wifi']);
  if (wifi === undefined || wifi === null || typeof wifi !== 'object') return;
  const securityValue = ctx.value(['network', 'wifi', 'security']);
  const security = securityValue === undefined ? 'WPA2-Personal' : securityValue;
  const key = ctx.value(['network', 'wifi', 'key']);
  const keyNode = ['network', 'wifi', 'key'];

  if (security === 'WPA2-Personal') {
    if (key === undefined) {
      const implicit = securityValue === undefined ? ' (the network type defaults to WPA2-Personal)' : '';
      ctx.report(
        ctx.keyNode(['network', 'wifi']),
        'error',
        'PPKG020',
        `A WPA2-Personal network needs its password (key)${implicit}. Add "key": { "secret": "wifi-key" }, or set "security": "Open".`,
      );
    } else if (typeof key === 'string' && (key.length < 8 || key.length > 63)) {
      // The length is reported, never the key itself.
      ctx.report(keyNode, 'error', 'PPKG021', `A WPA2-Personal password has 8 to 63 characters; this one has ${key.length}.`);
    }
  } else if (security === 'Open' && key !== undefined) {
    ctx.report(keyNode, 'warning', 'PPKG022', 'An Open network has no password: the key is ignored. Remove it, or set "security": "WPA2-Personal".');
  } else if (security === 'WEP') {
    ctx.report(
      ctx.node(['network', 'wifi', 'security']),
      'warning',
      'PPKG023',
      'WEP is obsolete and can be broken in minutes. Use WPA2-Personal if the access point supports it.',
    );
  }
}
