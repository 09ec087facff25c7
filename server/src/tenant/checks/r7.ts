import { unreadable, type CheckResult, type Fetched, type Membership } from '../types';

/** R7: the requester is not a federated user in staged rollout (docs/tenant-checks.md §R7). */
export const R7_TITLE = 'Requester not federated in a staged rollout';
export const R7_ROLLOUT_REQUEST = '/v1.0/policies/featureRolloutPolicies?$expand=appliesTo';
export const R7_DOMAIN_SCOPE = 'Domain.Read.All';
export const R7_ROLLOUT_SCOPE = 'Policy.Read.HybridAuthentication';

export interface Domain {
  id?: string;
  authenticationType?: 'Managed' | 'Federated' | string;
  isVerified?: boolean;
}

export interface FeatureRolloutPolicy {
  id?: string;
  displayName?: string;
  feature?: string;
  isEnabled?: boolean;
  isAppliedToOrganization?: boolean;
  appliesTo?: { '@odata.type'?: string; id: string }[];
}

export interface R7Data {
  upn: string;
  domain: Fetched<Domain>;
  /** Only read when the domain is federated. */
  rollout?: Fetched<FeatureRolloutPolicy[]>;
  /** checkMemberGroups over the groups of enabled rollout policies. */
  membership?: Membership;
}

const BLOCKING_FEATURES = new Set(['passwordhashsync', 'passthroughauthentication']);

const FIX =
  'Fetch the token with a cloud-only (managed) account that holds the role, or remove the account from the staged-rollout group: Entra admin center > Entra Connect > Connect Sync > Staged rollout of cloud authentication.';

export function evaluateR7(data: R7Data): CheckResult {
  const base = { check: 'R7' as const, title: R7_TITLE };
  const d = data.domain;
  const suffix = data.upn.split('@')[1] ?? data.upn;
  if (!d.ok) return unreadable('R7', R7_TITLE, `the domain ${suffix}`, d, R7_DOMAIN_SCOPE, 'any member user');
  const type = (d.body.authenticationType ?? '').toLowerCase();
  if (type === 'managed') {
    return { ...base, status: 'pass', message: `Your domain ${suffix} is managed (cloud authentication), so staged rollout does not apply.`, fix: '' };
  }
  if (type !== 'federated') {
    return { ...base, status: 'unknown', message: `Domain ${suffix} has an unrecognised authentication type "${d.body.authenticationType ?? ''}".`, fix: FIX };
  }
  const r = data.rollout;
  if (!r) return { ...base, status: 'unknown', message: `Your domain ${suffix} is federated; staged-rollout policies were not read.`, fix: FIX };
  if (!r.ok) {
    return unreadable(
      'R7',
      R7_TITLE,
      `the staged-rollout policies (your domain ${suffix} is federated)`,
      r,
      R7_ROLLOUT_SCOPE,
      'not documented (Hybrid Identity Administrator or Global Administrator are expected to work; unverified)',
    );
  }
  const member = new Set(data.membership?.ok ? data.membership.body : []);
  const membershipUnknown = data.membership !== undefined && !data.membership.ok;
  const covering = r.body.filter((p) => p.isEnabled && (p.isAppliedToOrganization || (p.appliesTo ?? []).some((g) => member.has(g.id))));
  const blocking = covering.filter((p) => BLOCKING_FEATURES.has((p.feature ?? '').toLowerCase()));
  if (blocking.length > 0) {
    return {
      ...base,
      status: 'fail',
      message: `Your domain ${suffix} is federated and you are in a staged rollout (${blocking.map((p) => `${p.displayName ?? p.id} (${p.feature})`).join(', ')}). Bulk token retrieval does not work for such accounts ("The operation returned empty response").`,
      fix: FIX,
    };
  }
  if (membershipUnknown) {
    const m = data.membership as Extract<Fetched<unknown>, { ok: false }>;
    return unreadable('R7', R7_TITLE, 'your membership of the staged-rollout groups', m, 'GroupMember.Read.All', 'any member user (for your own groups)');
  }
  if (covering.length > 0) {
    // Whether the other staged-rollout features trigger the limitation is unverified (docs/tenant-checks.md §R7).
    return {
      ...base,
      status: 'warn',
      message: `Your domain ${suffix} is federated and a staged-rollout policy covers you: ${covering.map((p) => `${p.displayName ?? p.id} (${p.feature})`).join(', ')}. Whether this feature blocks bulk tokens is unverified.`,
      fix: FIX,
    };
  }
  return {
    ...base,
    status: 'pass',
    message: `Your domain ${suffix} is federated but no enabled password-hash-sync or pass-through staged rollout covers you. (Older Microsoft docs said federated accounts are not supported at all; if the token request fails, try a cloud-only account.)`,
    fix: '',
  };
}
