import { unreadable, type CheckResult, type Fetched, type Membership } from '../types';

/** R4: users may join devices to Entra ID (docs/tenant-checks.md §R4). */
export const R4_TITLE = 'Users may join devices to Microsoft Entra ID';
export const R4_REQUEST = '/v1.0/policies/deviceRegistrationPolicy';
export const R4_SCOPE = 'Policy.Read.DeviceConfiguration';
export const R4_READERS =
  'Global Reader, Cloud Device Administrator, Intune Administrator, Windows 365 Administrator, Directory Reviewer (a Password Administrator gets 403 here)';

export interface DeviceRegistrationPolicy {
  id?: string;
  userDeviceQuota?: number;
  multiFactorAuthConfiguration?: 'notRequired' | 'required' | string;
  azureADJoin?: {
    isAdminConfigurable?: boolean;
    allowedToJoin?: { '@odata.type'?: string; users?: string[]; groups?: string[] };
  };
}

export interface R4Data {
  meId: string;
  policy: Fetched<DeviceRegistrationPolicy>;
  /** checkMemberGroups over allowedToJoin.groups, when the membership is enumerated. */
  membership?: Membership;
}

const FIX_JOIN =
  'Entra admin center > Devices > Device settings > "Users may join devices to Microsoft Entra" = All, or Selected including the account that fetches the token (and, to be safe, the package_ accounts).';

export function evaluateR4(data: R4Data): CheckResult {
  const base = { check: 'R4' as const, title: R4_TITLE };
  const p = data.policy;
  if (!p.ok) return unreadable('R4', R4_TITLE, 'the device registration policy', p, R4_SCOPE, R4_READERS);
  const quota = p.body.userDeviceQuota !== undefined ? ` (Maximum devices per user: ${p.body.userDeviceQuota}.)` : '';
  const who = p.body.azureADJoin?.allowedToJoin;
  const type = (who?.['@odata.type'] ?? '').replace(/^#?microsoft\.graph\./i, '').toLowerCase();
  if (type === 'alldeviceregistrationmembership') {
    return { ...base, status: 'pass', message: `All users may join devices to Microsoft Entra ID.${quota}`, fix: '' };
  }
  if (type === 'nodeviceregistrationmembership') {
    return {
      ...base,
      status: 'fail',
      message: 'Nobody may join devices to Microsoft Entra ID ("Users may join devices" = None). This blocks bulk tokens.',
      fix: FIX_JOIN,
    };
  }
  if (type === 'enumerateddeviceregistrationmembership') {
    const users = (who?.users ?? []).map((u) => u.toLowerCase());
    const direct = users.includes(data.meId.toLowerCase());
    let viaGroup = false;
    if (!direct && (who?.groups ?? []).length > 0) {
      const m = data.membership;
      if (!m || !m.ok) {
        if (m && !m.ok)
          return unreadable(
            'R4',
            R4_TITLE,
            'your membership of the groups allowed to join devices',
            m,
            'GroupMember.Read.All',
            'any member user (for your own groups)',
          );
      } else viaGroup = m.body.length > 0;
    }
    if (!direct && !viaGroup) {
      return { ...base, status: 'fail', message: '"Users may join devices" = Selected, and you are not among the selected users or groups.', fix: FIX_JOIN };
    }
    // Whether the service-created package_ account also has to be covered is unverified (docs/tenant-checks.md §R4).
    return {
      ...base,
      status: 'warn',
      message: `"Users may join devices" = Selected and you are included${viaGroup ? ' through a group' : ''}. The package_ account that joins each device is not in that list; whether it must be is unverified.${quota}`,
      fix: 'If devices fail to join, set "Users may join devices to Microsoft Entra" to All (Entra admin center > Devices > Device settings), or add the package_ account after fetching the token.',
    };
  }
  return { ...base, status: 'unknown', message: `Unrecognised join setting "${who?.['@odata.type'] ?? '(missing)'}".`, fix: FIX_JOIN };
}
