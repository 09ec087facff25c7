import { unreadable, type CheckResult, type Fetched } from '../types';
import type { DeviceRegistrationPolicy } from './r4';

/** R6: no Conditional Access / MFA requirement the package_ account cannot meet (docs/tenant-checks.md §R6). */
export const R6_TITLE = 'Conditional Access and MFA';
export const R6_REQUEST = '/v1.0/identity/conditionalAccess/policies';
export const R6_SCOPE = 'Policy.Read.All';
const R6_READERS =
  'Global Reader, Security Reader, Security Administrator, Conditional Access Administrator, Global Secure Access Administrator (the token-capable roles cannot read Conditional Access)';

/** Apps whose inclusion makes an MFA policy relevant; the DRS ID is well known but unverified here (docs/tenant-checks.md §R6). */
export const ENROLLMENT_APPS: Record<string, string> = {
  '0000000a-0000-0000-c000-000000000000': 'Microsoft Intune',
  'd4ebce55-015a-49b5-a083-c84d1797ae8c': 'Microsoft Intune Enrollment',
  '01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9': 'Device Registration Service',
};

export interface ConditionalAccessPolicy {
  id?: string;
  displayName?: string;
  state?: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' | string;
  conditions?: {
    users?: { includeUsers?: string[]; excludeUsers?: string[]; includeGroups?: string[]; excludeGroups?: string[]; includeRoles?: string[] } | null;
    applications?: { includeApplications?: string[]; excludeApplications?: string[]; includeUserActions?: string[] } | null;
  } | null;
  grantControls?: { operator?: string; builtInControls?: string[]; authenticationStrength?: { id?: string } | null } | null;
}

export interface R6Data {
  policies: Fetched<ConditionalAccessPolicy[]>;
  /** The same read as R4: multiFactorAuthConfiguration ("Require MFA to register or join devices"). */
  deviceRegistration: Fetched<DeviceRegistrationPolicy>;
}

function requiresMfa(p: ConditionalAccessPolicy): boolean {
  const g = p.grantControls;
  return !!g && ((g.builtInControls ?? []).map((c) => c.toLowerCase()).includes('mfa') || !!g.authenticationStrength);
}

function name(p: ConditionalAccessPolicy): string {
  return `"${p.displayName ?? p.id ?? '(unnamed)'}"`;
}

function exclusions(p: ConditionalAccessPolicy): string {
  const u = p.conditions?.users;
  const groups = u?.excludeGroups ?? [];
  const users = u?.excludeUsers ?? [];
  if (groups.length === 0 && users.length === 0) return 'no exclusions';
  return [groups.length ? `excluded groups ${groups.join(', ')}` : '', users.length ? `excluded users ${users.join(', ')}` : ''].filter(Boolean).join('; ');
}

export function evaluateR6(data: R6Data): CheckResult {
  const base = { check: 'R6' as const, title: R6_TITLE };
  const warnings: string[] = [];
  const fixes: string[] = [];
  const dr = data.deviceRegistration;
  // Inference, unverified: the package_ account cannot do MFA, so "Require MFA to register or join devices" may break it (docs/tenant-checks.md §R6).
  if (dr.ok && (dr.body.multiFactorAuthConfiguration ?? '').toLowerCase() === 'required') {
    warnings.push(
      '"Require multifactor authentication to register or join devices" is on; the package_ account cannot do MFA, so this may block device join (inferred, unverified).',
    );
    fixes.push(
      'Entra admin center > Devices > Device settings > "Require Multifactor Authentication to register or join devices" = No (use a Conditional Access policy with an exclusion instead).',
    );
  }
  const p = data.policies;
  if (!p.ok) {
    const u = unreadable('R6', R6_TITLE, 'the Conditional Access policies', p, R6_SCOPE, R6_READERS);
    if (warnings.length === 0)
      return { ...u, fix: `${u.fix} By hand: make sure MFA policies exclude the package_ accounts (usually through an excluded group).` };
    return { ...u, status: 'warn', message: `${warnings.join(' ')} Also: ${u.message}`, fix: [...fixes, u.fix].join('\n') };
  }
  const enforced = p.body.filter((x) => x.state === 'enabled' && requiresMfa(x));
  const failing = enforced.filter(
    (x) =>
      (x.conditions?.applications?.includeUserActions ?? []).map((a) => a.toLowerCase()).includes('urn:user:registerdevice') &&
      !((x.conditions?.users?.includeUsers ?? []).length === 1 && x.conditions?.users?.includeUsers?.[0] === 'None'),
  );
  if (failing.length > 0) {
    // That an MFA policy on "Register or join devices" breaks the bulk token is reported, not documented (R6b, unverified).
    return {
      ...base,
      status: 'fail',
      message:
        `Conditional Access ${failing.map(name).join(', ')} requires MFA for the user action "Register or join devices"; the package_ account cannot do MFA, so bulk-enrolled devices are reported to fail to join (not stated by Microsoft; unverified). ${warnings.join(' ')}`.trim(),
      fix: [
        'Entra admin center > Protection > Conditional Access > (policy) > Users > Exclude: add a group that will hold the package_ accounts, or exclude "Register or join devices" from MFA for them.',
        ...fixes,
      ].join('\n'),
    };
  }
  const broad = enforced.filter((x) => {
    const users = x.conditions?.users ?? {};
    const apps = x.conditions?.applications ?? {};
    const broadUsers = (users.includeUsers ?? []).includes('All') || (users.includeGroups ?? []).length > 0;
    const relevantApps = (apps.includeApplications ?? []).some((a) => a === 'All' || ENROLLMENT_APPS[a.toLowerCase()]);
    return broadUsers && relevantApps;
  });
  for (const x of broad) {
    warnings.push(`Conditional Access ${name(x)} requires MFA broadly (${exclusions(x)}); confirm that the package_ accounts are excluded.`);
  }
  if (broad.length > 0) {
    fixes.push(
      'Entra admin center > Protection > Conditional Access > (policy) > Users > Exclude: add a group for the package_ accounts (the account is created when the token is fetched; add it to the group then).',
    );
  }
  const reportOnly = p.body.filter((x) => x.state === 'enabledForReportingButNotEnforced' && requiresMfa(x));
  const info = reportOnly.length ? ` Report-only MFA policies (not enforced): ${reportOnly.map(name).join(', ')}.` : '';
  const caveat = ' Graph cannot prove in advance that the future package_ account is excluded.';
  if (warnings.length > 0) return { ...base, status: 'warn', message: warnings.join(' ') + info + caveat, fix: fixes.join('\n') };
  const drNote = dr.ok ? '' : ' (The device registration MFA setting could not be read.)';
  return {
    ...base,
    status: 'pass',
    message: `No enabled Conditional Access policy requires MFA for device registration or broadly for Intune.${info}${drNote}${caveat}`,
    fix: '',
  };
}
