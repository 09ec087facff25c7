import { CA_CODES, CONSENT_CODES, MFA_CODES } from '../entra/errors';
import { cmd } from '../entra/host';
import { PpkgError } from '../errors';
import { GraphClient, GraphError, odataString, type GraphClientOptions } from './graphClient';
import { fetchedError, type CheckId, type CheckResult, type Fetched, type Me, type Membership } from './types';
import { evaluateR1, R1_REQUEST, type ServicePrincipal } from './checks/r1';
import { evaluateR2, R2_SELF_REQUEST, type R2Data, type RoleAssignment } from './checks/r2';
import { evaluateR3, R3_REQUEST, type MdmPolicy } from './checks/r3';
import { evaluateR4, R4_REQUEST, type DeviceRegistrationPolicy } from './checks/r4';
import { evaluateR5, R5_REQUEST, type EnrollmentConfiguration } from './checks/r5';
import { evaluateR6, R6_REQUEST, type ConditionalAccessPolicy } from './checks/r6';
import { evaluateR7, R7_ROLLOUT_REQUEST, type Domain, type FeatureRolloutPolicy } from './checks/r7';

/**
 * The tenant preflight (docs/tenant-checks.md §Results and exit codes): sign-in is the caller's job
 * (an access-token provider); this reads Graph, evaluates R1–R7 with the pure
 * checks, and never writes to the tenant.
 */

/** Delegated Graph scopes for the whole preflight (docs/tenant-checks.md §Delegated permissions), without the resource prefix. */
export const PREFLIGHT_SCOPES = [
  'User.Read',
  'Application.Read.All',
  'RoleAssignmentSchedule.Read.Directory',
  'RoleManagement.Read.Directory',
  'Policy.Read.All',
  'Policy.Read.DeviceConfiguration',
  'DeviceManagementServiceConfig.Read.All',
  'GroupMember.Read.All',
  'Domain.Read.All',
  'Policy.Read.HybridAuthentication',
];

/** The reference's order: R1 → R2 → R4 → R3 → R5 → R7 → R6. */
export const CHECK_ORDER: CheckId[] = ['R1', 'R2', 'R4', 'R3', 'R5', 'R7', 'R6'];

/**
 * The fast subset the token command runs before fetching: one cheap read each,
 * readable by the token-capable roles, and the commonest causes of a failed
 * token request (SyncFabric missing, wrong or AU-scoped role, join blocked).
 */
export const FAST_CHECKS: CheckId[] = ['R1', 'R2', 'R4'];

export type PreflightOptions = GraphClientOptions & {
  /** Which checks to run (default: all, in CHECK_ORDER). */
  only?: CheckId[];
};

export interface PreflightReport {
  user: { id: string; userPrincipalName: string };
  results: CheckResult[];
  /** Scopes whose absence made some check unknown (likely missing admin consent). */
  missingScopes: string[];
}

/** The preflight itself could not run (sign-in, /me unreadable, network down): exit 2 in the CLI. */
export class PreflightError extends PpkgError {
  constructor(
    message: string,
    readonly status: number,
    code?: string,
  ) {
    super(code === 'Cancelled' ? 'cancelled' : 'tenant', message, { code });
    this.name = 'PreflightError';
  }
}

async function read<T>(fn: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, body: await fn() };
  } catch (err) {
    if (err instanceof GraphError && err.code === 'Cancelled') throw err;
    return fetchedError(err);
  }
}

/** POST /me/checkMemberGroups in batches of 20 (docs/tenant-checks.md §Group membership); the IDs the user is a transitive member of. */
export async function checkMemberGroups(client: GraphClient, groupIds: string[]): Promise<Membership> {
  const unique = [...new Set(groupIds)];
  const found: string[] = [];
  for (let i = 0; i < unique.length; i += 20) {
    const r = await read(() => client.post<{ value?: string[] }>('/v1.0/me/checkMemberGroups', { groupIds: unique.slice(i, i + 20) }));
    if (!r.ok) return r;
    found.push(...(r.body.value ?? []));
  }
  return { ok: true, body: found };
}

async function readRoles(client: GraphClient, me: Me): Promise<R2Data> {
  const failures: Extract<Fetched<unknown>, { ok: false }>[] = [];
  const self = await read(() => client.getAll<RoleAssignment>(R2_SELF_REQUEST));
  if (self.ok) return { assignments: { source: 'self', body: self.body } };
  failures.push(self);
  // Fallback B: direct and group-based, beta; needs ConsistencyLevel on every page (docs/tenant-checks.md §R2, §Graph errors, paging and throttling).
  const filter = encodeURIComponent(`principalId eq ${odataString(me.id)}`);
  const transitive = await read(() =>
    client.getAll<RoleAssignment>(`/beta/roleManagement/directory/transitiveRoleAssignments?$count=true&$filter=${filter}`, {
      headers: { ConsistencyLevel: 'eventual' },
    }),
  );
  if (transitive.ok) return { assignments: { source: 'transitive', body: transitive.body } };
  failures.push(transitive);
  // Fallback A: direct assignments only.
  const direct = await read(() => client.getAll<RoleAssignment>(`/v1.0/roleManagement/directory/roleAssignments?$filter=${filter}`));
  if (direct.ok) return { assignments: { source: 'direct', body: direct.body } };
  failures.push(direct);
  return { assignments: { failures } };
}

/** Runs the preflight (all checks, or `only`) with one Graph client. */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const client = new GraphClient(options);
  const wanted = new Set(options.only ?? CHECK_ORDER);

  let me: Me;
  try {
    me = await client.get<Me>('/v1.0/me?$select=id,userPrincipalName,onPremisesSyncEnabled');
  } catch (err) {
    const g = err instanceof GraphError ? err : undefined;
    const why =
      g?.status === 401
        ? 'Microsoft Graph did not accept the sign-in (401). Sign in again.'
        : g?.status === 403
          ? 'Microsoft Graph refused to read your own profile (403); the sign-in app has no consent for User.Read in this tenant.'
          : `Could not read your profile from Microsoft Graph: ${err instanceof Error ? err.message : String(err)}`;
    throw new PreflightError(why, g?.status ?? 0, g?.code);
  }
  if (!me?.id || !me.userPrincipalName) throw new PreflightError('Microsoft Graph returned no user for /me.', 0);

  const results: CheckResult[] = [];
  let deviceRegistration: Fetched<DeviceRegistrationPolicy> | undefined;
  const readDeviceRegistration = async () => (deviceRegistration ??= await read(() => client.get<DeviceRegistrationPolicy>(R4_REQUEST)));

  for (const id of CHECK_ORDER) {
    if (!wanted.has(id)) continue;
    switch (id) {
      case 'R1':
        results.push(evaluateR1({ servicePrincipal: await read(() => client.get<ServicePrincipal>(R1_REQUEST)) }));
        break;
      case 'R2':
        results.push(evaluateR2(await readRoles(client, me)));
        break;
      case 'R4': {
        const policy = await readDeviceRegistration();
        let membership: Membership | undefined;
        if (policy.ok) {
          const who = policy.body.azureADJoin?.allowedToJoin;
          const groups = who?.groups ?? [];
          const direct = (who?.users ?? []).some((u) => u.toLowerCase() === me.id.toLowerCase());
          if (/enumerated/i.test(who?.['@odata.type'] ?? '') && !direct && groups.length > 0) membership = await checkMemberGroups(client, groups);
        }
        results.push(evaluateR4({ meId: me.id, policy, membership }));
        break;
      }
      case 'R3': {
        const policy = await read(() => client.get<MdmPolicy>(R3_REQUEST));
        let membership: Membership | undefined;
        if (policy.ok && (policy.body.appliesTo ?? '').toLowerCase() === 'selected' && (policy.body.includedGroups ?? []).length > 0) {
          membership = await checkMemberGroups(
            client,
            (policy.body.includedGroups ?? []).map((g) => g.id),
          );
        }
        results.push(evaluateR3({ policy, membership }));
        break;
      }
      case 'R5':
        results.push(evaluateR5({ configurations: await read(() => client.getAll<EnrollmentConfiguration>(R5_REQUEST)) }));
        break;
      case 'R7': {
        const suffix = me.userPrincipalName.split('@')[1] ?? '';
        const domain = await read(() => client.get<Domain>(`/v1.0/domains/${encodeURIComponent(suffix)}?$select=id,authenticationType,isVerified`));
        let rollout: Fetched<FeatureRolloutPolicy[]> | undefined;
        let membership: Membership | undefined;
        if (domain.ok && (domain.body.authenticationType ?? '').toLowerCase() === 'federated') {
          rollout = await read(() => client.getAll<FeatureRolloutPolicy>(R7_ROLLOUT_REQUEST));
          if (rollout.ok) {
            const groups = rollout.body.filter((p) => p.isEnabled && !p.isAppliedToOrganization).flatMap((p) => (p.appliesTo ?? []).map((g) => g.id));
            if (groups.length > 0) membership = await checkMemberGroups(client, groups);
          }
        }
        results.push(evaluateR7({ upn: me.userPrincipalName, domain, rollout, membership }));
        break;
      }
      case 'R6': {
        const policies = await read(() => client.getAll<ConditionalAccessPolicy>(R6_REQUEST));
        results.push(evaluateR6({ policies, deviceRegistration: await readDeviceRegistration() }));
        break;
      }
    }
  }
  const missingScopes = [...new Set(results.flatMap((r) => (r.missingScope ? [r.missingScope] : [])))];
  return { user: { id: me.id, userPrincipalName: me.userPrincipalName }, results, missingScopes };
}

/** The fast subset (R1, R2, R4) for the token command to run before it fetches a token. */
export function runFastChecks(options: GraphClientOptions): Promise<PreflightReport> {
  return runPreflight({ ...options, only: FAST_CHECKS });
}

/** Overall outcome: fail if any check fails; unknown does not fail (docs/tenant-checks.md §Results and exit codes). */
export function worstStatus(results: CheckResult[]): 'pass' | 'warn' | 'fail' | 'unknown' {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'warn')) return 'warn';
  if (results.some((r) => r.status === 'unknown')) return 'unknown';
  return 'pass';
}

/**
 * Failure kinds of the bulk-token flow: the `EntraErrorKind` values of
 * server/src/entra/errors.ts (e.g. 'not-authorized-to-join'), or any text
 * carrying an AADSTS code.
 */
export type TokenFailureKind = string;

export interface TokenFailureExplanation {
  /** The checks that explain the failure, most likely first (empty when none does, e.g. consent). */
  checks: CheckId[];
  hint: string;
}

/**
 * Which preflight check explains a failed bulk-token request
 * (docs/tenant-checks.md §Which check explains a refused fetch; docs/bulk-token.md §Errors in the admin's terms). Mappings beyond
 * AADSTS240001 and the staged-rollout "empty response" are inferences
 * (unverified).
 */
export function explainTokenFailure(kindOrCode: TokenFailureKind): TokenFailureExplanation | undefined {
  const text = String(kindOrCode);
  const code = /AADSTS(\d+)/i.exec(text)?.[1] ?? (/^\d{5,7}$/.test(text) ? text : undefined);
  const k = text.toLowerCase().replace(/[-_\s]/g, '');
  if (code === '240001' || k === 'notauthorizedtojoin' || k.includes('bulkaadjtokenunauthorized')) {
    return {
      checks: ['R4', 'R2'],
      hint: 'AADSTS240001: the account may not register devices. Check that users may join devices (R4) and that you hold a token-capable role tenant-wide (R2); missing consent for the token client causes it too.',
    };
  }
  if (CONSENT_CODES.has(code ?? '') || k === 'consentrequired') {
    return {
      checks: [],
      hint: 'The sign-in app has no consent in this tenant. A Global Administrator, Privileged Role Administrator or Cloud Application Administrator must grant admin consent.',
    };
  }
  if (k === 'federatedstagedrollout' || k === 'emptyresponse' || text.toLowerCase().includes('empty response')) {
    return {
      checks: ['R7'],
      hint: '"The operation returned empty response" is what federated accounts in a staged rollout get (R7). Use a cloud-only account.',
    };
  }
  if (MFA_CODES.has(code ?? '') || k === 'mfarequired') {
    return {
      checks: ['R6'],
      hint: 'Multi-factor authentication was required; bulk tokens need password or certificate sign-in, and the package_ account cannot do MFA (R6).',
    };
  }
  if (CA_CODES.has(code ?? '') || k === 'conditionalaccess') {
    return { checks: ['R6'], hint: 'Conditional Access blocked the request (R6). Review the policies that apply to you and to the package_ accounts.' };
  }
  if (code === '90093' || k === 'graphforbidden') {
    return {
      checks: [],
      hint: 'AADSTS90093: Entra ID was refused by Microsoft Graph while acting for you (GraphUserUnauthorized): admin consent for the sign-in app is missing, or a policy blocks it. It is not about your role.',
    };
  }
  if (code === '90092') {
    return { checks: ['R1'], hint: `AADSTS90092: the Microsoft.Azure.SyncFabric service principal is missing (R1); ${cmd('doctorFix')} can create it.` };
  }
  if (k === 'insufficientrole') {
    return { checks: ['R2'], hint: 'You need Cloud Device Administrator, Intune Administrator or Password Administrator, tenant-wide (R2).' };
  }
  if (k === 'notinmdmscope') {
    return { checks: ['R3'], hint: 'The account must be in the Intune MDM user scope (R3).' };
  }
  if (k === 'syncfabricmissing') {
    return { checks: ['R1'], hint: `The Microsoft.Azure.SyncFabric service principal is missing (R1); ${cmd('doctorFix')} can create it.` };
  }
  if (k === 'bulktokenfailed' || text.toLowerCase().includes('bulk token retrieval failed') || k.includes('completeerror')) {
    return {
      checks: ['R1', 'R2', 'R4', 'R7'],
      hint: `The token service refused without a specific reason; the usual causes are a missing Microsoft.Azure.SyncFabric service principal (R1), the role (R2), device join (R4) or a staged rollout (R7). Run ${cmd('doctor')}.`,
    };
  }
  return undefined;
}
