import { unreadable, type CheckResult, type Fetched } from '../types';

/** R2: the requester holds a token-capable role, not scoped to an administrative unit (docs/tenant-checks.md §R2). */
export const R2_TITLE = 'Requester role (tenant-wide)';

/** Role template IDs that may request a bulk token (docs/tenant-checks.md §Roles). */
export const TOKEN_ROLES: Record<string, string> = {
  '7698a772-787b-4ac8-901f-60d6b08affd2': 'Cloud Device Administrator',
  '3a2c62db-5318-420d-8d74-23affee5d9d5': 'Intune Administrator',
  '966707d0-3269-4727-9be2-8c3a10f19b9d': 'Password Administrator',
  // Listed only by an older version of Microsoft's page.
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
};
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

export const R2_SELF_REQUEST = "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')";
export const R2_SCOPES = 'RoleAssignmentSchedule.Read.Directory or RoleManagement.Read.Directory';
const R2_READERS = 'Directory Readers, Global Reader, Privileged Role Administrator (reading your own assignments is not documented for other roles)';

export interface RoleAssignment {
  principalId?: string;
  roleDefinitionId?: string;
  directoryScopeId?: string | null;
  assignmentType?: string;
  memberType?: string;
}

/**
 * Where the assignments came from: the self-query (direct, group and activated
 * PIM), the beta transitive list (direct and group), or the direct list only
 * (misses group-based assignments, so "no match" is not proof).
 */
export type R2Source = 'self' | 'transitive' | 'direct';

export interface R2Data {
  /** The first source that answered, or every failure when none did. */
  assignments: { source: R2Source; body: RoleAssignment[] } | { failures: Extract<Fetched<unknown>, { ok: false }>[] };
}

const FIX_ASSIGN =
  'Entra admin center > Roles & admins > Intune Administrator (or Cloud Device Administrator / Password Administrator) > Add assignments, scope "Directory" (not an administrative unit). If the role is PIM-eligible, activate it before fetching the token.';

export function evaluateR2(data: R2Data): CheckResult {
  const base = { check: 'R2' as const, title: R2_TITLE };
  const a = data.assignments;
  if ('failures' in a) {
    const failure = a.failures.find((f) => f.status === 403 || f.status === 401) ?? a.failures[a.failures.length - 1];
    return unreadable('R2', R2_TITLE, 'your directory role assignments', failure, R2_SCOPES, R2_READERS);
  }
  const matching = a.body.filter((x) => x.roleDefinitionId && TOKEN_ROLES[x.roleDefinitionId.toLowerCase()]);
  const tenantWide = matching.filter((x) => (x.directoryScopeId ?? '/') === '/');
  if (tenantWide.length > 0) {
    const names = [...new Set(tenantWide.map((x) => TOKEN_ROLES[x.roleDefinitionId!.toLowerCase()]))];
    const onlyGa = tenantWide.every((x) => x.roleDefinitionId!.toLowerCase() === GLOBAL_ADMIN);
    return {
      ...base,
      status: 'pass',
      message: `You hold ${names.join(', ')} tenant-wide.${onlyGa ? " Note: Microsoft's current page lists Cloud Device Administrator, Intune Administrator and Password Administrator; Global Administrator appears only in an older version." : ''}`,
      fix: '',
    };
  }
  if (matching.length > 0) {
    const names = [...new Set(matching.map((x) => TOKEN_ROLES[x.roleDefinitionId!.toLowerCase()]))];
    return {
      ...base,
      status: 'fail',
      message: `Your ${names.join(', ')} role is scoped to an administrative unit (${matching.map((x) => x.directoryScopeId).join(', ')}). Bulk tokens need the role tenant-wide.`,
      fix: FIX_ASSIGN,
    };
  }
  if (a.source === 'direct') {
    return {
      ...base,
      status: 'warn',
      message:
        'No direct assignment of Cloud Device Administrator, Intune Administrator or Password Administrator was found. Only direct assignments could be read, so a role given through a group (or activated in PIM) is not visible here.',
      fix: `Check Entra admin center > Users > (you) > Assigned roles. ${FIX_ASSIGN}`,
    };
  }
  return {
    ...base,
    status: 'fail',
    message:
      'You hold none of the roles that may request a bulk token: Cloud Device Administrator, Intune Administrator or Password Administrator (active, tenant-wide).',
    fix: FIX_ASSIGN,
  };
}
