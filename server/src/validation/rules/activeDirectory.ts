import { analyzeDeviceName, NETBIOS_LIMIT } from '../../model/deviceName';
import type { RuleContext } from '../context';

/**
 * Active Directory join (docs/provisioning.md §Active Directory join): the computer
 * account is named with the NetBIOS name, at most 15 characters, so a longer
 * device name fails the join on the device — an error here, where Entra join
 * only warns (PPKG004).
 */
export function activeDirectoryRules(ctx: RuleContext): void {
  if (ctx.value(['account', 'activeDirectory']) === undefined) return;
  const name = ctx.string(['device', 'name']);
  if (name !== undefined) {
    const a = analyzeDeviceName(name);
    const longest = a.hasSerial ? a.worstCaseWithoutSerial : a.staticBytes + a.randDigits;
    if (longest > NETBIOS_LIMIT) {
      ctx.report(
        ['device', 'name'],
        'error',
        'PPKG043',
        `With Active Directory join the device name is also the NetBIOS name of its computer account, at most ${NETBIOS_LIMIT} characters; this one can be ${longest}. The join would fail on the device. Shorten it.`,
      );
    }
  }
  const domain = ctx.string(['account', 'activeDirectory', 'domain']);
  if (domain !== undefined && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(domain)) {
    ctx.report(
      ['account', 'activeDirectory', 'domain'],
      'error',
      'PPKG047',
      `"${domain}" is not a domain name: use the DNS name of the Active Directory domain, such as corp.contoso.com, or its NetBIOS name.`,
    );
  }
  const account = ctx.string(['account', 'activeDirectory', 'account']);
  if (account !== undefined && !/^[^\\@\s]+\\[^\\@\s]+$|^[^\\@\s]+@[^\\@\s]+$/.test(account)) {
    ctx.report(
      ['account', 'activeDirectory', 'account'],
      'warning',
      'PPKG048',
      `"${account}" names no domain: write the join account as DOMAIN\\user or user@domain, or Windows looks it up in the wrong place.`,
    );
  }
}
