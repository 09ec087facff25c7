/**
 * The risk summary of a package, for a security team's triage: what runs as
 * SYSTEM, which administrators it creates, which certificates the device
 * will trust, which settings lower its defences, the credentials it carries
 * and the bulk token's expiry. A short, fixed list of checks: the settings
 * list is the full story.
 */
import type { InspectCertificate, InspectCommand, InspectUser, RiskSummary } from './model';
import { formatInstance, type MappedSetting } from './reverse';

interface Rule {
  /** The CSP path below ./Device/Vendor/MSFT (or ./User/…), as a regular expression. */
  csp: RegExp;
  /** The compiled value that weakens. */
  value: (v: string) => boolean;
  why: (m: RegExpExecArray) => string;
}

const is = (x: string) => (v: string) => v.trim().toLowerCase() === x;

const RULES: Rule[] = [
  {
    csp: /^Policy\/Config\/ApplicationManagement\/AllowAllTrustedApps$/,
    value: is('1'),
    why: () => 'allows apps from outside the Microsoft Store (sideloading)',
  },
  { csp: /^Policy\/Config\/ApplicationManagement\/AllowDeveloperUnlock$/, value: is('1'), why: () => 'turns on developer mode' },
  { csp: /^Policy\/Config\/Update\/AllowAutoUpdate$/, value: is('5'), why: () => 'turns off automatic Windows updates' },
  { csp: /^MCSF\/SMISettings\/AutoLogon\/Enable$/, value: is('1'), why: () => 'signs in automatically at every start, with the password stored on the device' },
  { csp: /^Policy\/Config\/Defender\/(Allow[A-Za-z]+)$/, value: is('0'), why: (m) => `turns off Microsoft Defender's ${m[1]!.replace(/^Allow/, '')}` },
  {
    csp: /^Firewall\/MdmStore\/(DomainProfile|PrivateProfile|PublicProfile)\/EnableFirewall$/,
    value: is('false'),
    why: (m) => `turns off Windows Firewall (${m[1]!.replace('Profile', '')} networks)`,
  },
  {
    csp: /^Policy\/Config\/LocalPoliciesSecurityOptions\/UserAccountControl_RunAllAdministratorsInAdminApprovalMode$/,
    value: is('0'),
    why: () => 'turns off User Account Control',
  },
  {
    csp: /^Policy\/Config\/LocalPoliciesSecurityOptions\/UserAccountControl_BehaviorOfTheElevationPromptForAdministrators$/,
    value: is('0'),
    why: () => 'elevates administrators without asking',
  },
  { csp: /^Policy\/Config\/SmartScreen\/EnableSmartScreenInShell$/, value: is('0'), why: () => 'turns off SmartScreen' },
  { csp: /^Policy\/Config\/System\/AllowBuildPreview$/, value: is('1'), why: () => 'allows Windows Insider preview builds' },
];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function assessRisks(o: {
  mapped: MappedSetting[];
  users: InspectUser[];
  commands: InspectCommand[];
  certificates: InspectCertificate[];
  token: { present: boolean; expires: string | null };
}): RiskSummary {
  const name = (m: MappedSetting) => (m.instance ? formatInstance(m.instance) : m.uri);
  const administratorsCreated = o.users.filter((u) => u.group === 'Administrators' || u.group === '2').map((u) => u.name);
  const trustedCertificates = o.certificates
    .filter((c) => c.store !== 'Client')
    .map((c) => ({ store: c.store, subject: c.subject, thumbprint: c.thumbprint ?? c.key }));
  const weakenedPolicies: RiskSummary['weakenedPolicies'] = [];
  for (const m of o.mapped) {
    const csp = m.uri.replace(/^\.\/(Device|User)\/Vendor\/MSFT\//, '');
    for (const r of RULES) {
      const hit = r.csp.exec(csp);
      if (hit && r.value(m.compiled)) weakenedPolicies.push({ setting: name(m), value: m.wcdText ?? m.compiled, why: r.why(hit) });
    }
  }
  const credentials = o.mapped.filter((m) => m.secret || m.secretPart !== undefined).map(name);

  const lines: string[] = [];
  const systemCommands = o.commands.length;
  if (systemCommands) lines.push(`${plural(systemCommands, 'command')} run${systemCommands === 1 ? 's' : ''} as SYSTEM during setup.`);
  if (administratorsCreated.length) lines.push(`Creates ${plural(administratorsCreated.length, 'local administrator')}: ${administratorsCreated.join(', ')}.`);
  for (const c of trustedCertificates)
    lines.push(`Trusts a certificate in the ${c.store} store: ${c.subject ?? 'unreadable certificate'} (thumbprint ${c.thumbprint}).`);
  for (const w of weakenedPolicies) lines.push(`Weakens a policy: ${w.setting} = ${w.value} (${w.why}).`);
  if (o.token.present)
    lines.push(
      `Holds a bulk token (BPRT) that joins devices to Entra ID; ${o.token.expires ? `it expires ${o.token.expires.slice(0, 10)}` : 'expiry unknown'}.`,
    );
  if (credentials.length) lines.push(`Carries ${plural(credentials.length, 'credential')} readable by anyone who has the file: ${credentials.join(', ')}.`);
  if (!lines.length) lines.push('No commands, administrators, trusted certificates, weakened policies or credentials.');
  return { systemCommands, administratorsCreated, trustedCertificates, weakenedPolicies, bulkToken: o.token, credentials, lines };
}
