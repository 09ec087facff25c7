import { unreadable, type CheckResult, type Fetched, type Membership } from '../types';

/** R3: Windows automatic enrollment on, and the requester in the MDM user scope (docs/tenant-checks.md §R3). */
export const R3_TITLE = 'Windows automatic enrollment (MDM user scope)';
export const INTUNE_MDM_APP_ID = '0000000a-0000-0000-c000-000000000000';
export const R3_REQUEST = `/beta/policies/mobileDeviceManagementPolicies/${INTUNE_MDM_APP_ID}?$expand=includedGroups`;
export const R3_SCOPE = 'Policy.Read.All';
const R3_READERS = 'not documented by Microsoft (Global Reader or Global Administrator are expected to work; unverified)';

export interface MdmPolicy {
  id?: string;
  displayName?: string;
  appliesTo?: 'none' | 'all' | 'selected' | string;
  isValid?: boolean | null;
  includedGroups?: { id: string; displayName?: string }[];
}

export interface R3Data {
  policy: Fetched<MdmPolicy>;
  /** checkMemberGroups over includedGroups; absent when appliesTo is not "selected". */
  membership?: Membership;
}

const FIX_SCOPE =
  'Entra admin center > Mobility (MDM and WIP) > Microsoft Intune (or Intune admin center > Devices > Enrollment > Windows > Automatic Enrollment): set MDM user scope to All, or to Some with a group that contains the account that fetches the token. Keep that account in the group: removing it later stops bulk enrollment.';

export function evaluateR3(data: R3Data): CheckResult {
  const base = { check: 'R3' as const, title: R3_TITLE };
  const p = data.policy;
  if (!p.ok) {
    if (p.status === 404) {
      // That a missing MDM policy answers 404 is unverified (docs/tenant-checks.md §R3).
      return {
        ...base,
        status: 'fail',
        message:
          'The Microsoft Intune MDM application is not configured in Entra ID (its MDM policy was not found; that Graph reports this as 404 is unverified).',
        fix: `Make sure the tenant has Intune licences and that Microsoft Intune appears under Entra admin center > Mobility (MDM and WIP). ${FIX_SCOPE}`,
      };
    }
    return unreadable('R3', R3_TITLE, 'the MDM user scope (mobileDeviceManagementPolicies, beta)', p, R3_SCOPE, R3_READERS);
  }
  const policy = p.body;
  const invalid = policy.isValid === false ? ' The policy is marked not valid (isValid = false); check its URLs in the Mobility blade.' : '';
  const appliesTo = (policy.appliesTo ?? '').toLowerCase();
  if (appliesTo === 'none') {
    return { ...base, status: 'fail', message: `Windows automatic enrollment is off (MDM user scope = None).${invalid}`, fix: FIX_SCOPE };
  }
  if (appliesTo === 'all') {
    return invalid
      ? {
          ...base,
          status: 'warn',
          message: `MDM user scope = All.${invalid}`,
          fix: 'Entra admin center > Mobility (MDM and WIP) > Microsoft Intune > Restore default MDM URLs.',
        }
      : { ...base, status: 'pass', message: 'Windows automatic enrollment is on for all users (MDM user scope = All).', fix: '' };
  }
  if (appliesTo === 'selected') {
    const groups = policy.includedGroups ?? [];
    const names = groups.map((g) => g.displayName ?? g.id).join(', ');
    if (groups.length === 0) {
      return { ...base, status: 'fail', message: 'MDM user scope = Some, but no group is selected, so nobody is in scope.', fix: FIX_SCOPE };
    }
    const m = data.membership;
    if (!m) return { ...base, status: 'unknown', message: 'MDM user scope = Some; your group membership was not checked.', fix: FIX_SCOPE };
    if (!m.ok) {
      return unreadable(
        'R3',
        R3_TITLE,
        `your membership of the MDM user scope groups (${names})`,
        m,
        'GroupMember.Read.All',
        'any member user (for your own groups)',
      );
    }
    if (m.body.length === 0) {
      return {
        ...base,
        status: 'fail',
        message: `You are not in the MDM user scope: MDM user scope = Some (${names}) and you are in none of these groups.`,
        fix: FIX_SCOPE,
      };
    }
    const inGroups = groups.filter((g) => m.body.includes(g.id)).map((g) => g.displayName ?? g.id);
    const msg = `MDM user scope = Some; you are in ${inGroups.join(', ') || 'a scoped group'}. Keep the account in the group: removing it stops bulk enrollment.${invalid}`;
    return { ...base, status: invalid ? 'warn' : 'pass', message: msg, fix: invalid ? FIX_SCOPE : '' };
  }
  return { ...base, status: 'unknown', message: `Unrecognised MDM user scope value "${policy.appliesTo ?? ''}".`, fix: FIX_SCOPE };
}
