import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getTestCa } from './testCa';

/**
 * A Microsoft Graph emulator for the tenant preflight and the bulk-token
 * accounts: HTTPS on 127.0.0.1 with the throwaway test CA, every request that
 * docs/tenant-checks.md names, and a scenario that scripts a healthy tenant or
 * any broken one (a check's pass/warn/fail, 403 per route, consent missing,
 * paging, 429/503 with Retry-After). Requests and deletions are recorded.
 */

export type RouteKey =
  | 'me'
  | 'servicePrincipal'
  | 'createServicePrincipal'
  | 'roleSelf'
  | 'roleTransitive'
  | 'roleDirect'
  | 'mdmPolicy'
  | 'checkMemberGroups'
  | 'deviceRegistrationPolicy'
  | 'enrollmentConfigurations'
  | 'domain'
  | 'featureRollout'
  | 'caPolicies'
  | 'users'
  | 'deleteUser';

/** The delegated scopes each route accepts (any one of them), after docs/tenant-checks.md §Delegated permissions. */
const ROUTE_SCOPES: Record<RouteKey, string[]> = {
  me: ['User.Read'],
  servicePrincipal: ['Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All'],
  createServicePrincipal: ['Application.ReadWrite.All'],
  roleSelf: ['RoleAssignmentSchedule.Read.Directory', 'RoleManagement.Read.Directory'],
  roleTransitive: ['RoleManagement.Read.Directory'],
  roleDirect: ['RoleManagement.Read.Directory'],
  mdmPolicy: ['Policy.Read.All'],
  checkMemberGroups: ['GroupMember.Read.All', 'Group.Read.All'],
  deviceRegistrationPolicy: ['Policy.Read.DeviceConfiguration', 'Policy.Read.All'],
  enrollmentConfigurations: ['DeviceManagementServiceConfig.Read.All'],
  domain: ['Domain.Read.All', 'Directory.Read.All'],
  featureRollout: ['Policy.Read.HybridAuthentication'],
  caPolicies: ['Policy.Read.All'],
  users: ['User.Read.All', 'User.ReadWrite.All'],
  deleteUser: ['User.ReadWrite.All'],
};

export const ALL_SCOPES = [...new Set(Object.values(ROUTE_SCOPES).flat())];

export interface EmulatedUser {
  id: string;
  userPrincipalName: string;
  displayName?: string;
  createdDateTime?: string;
}

export interface TenantScenario {
  /** The access token the emulator accepts; any other gets 401. Default: any non-empty token. */
  acceptToken?: string;
  /** Scopes the token carries (consent). Default: all. */
  grantedScopes?: string[];
  me?: { id: string; userPrincipalName: string; onPremisesSyncEnabled?: boolean | null };
  /** null: the SyncFabric SP is missing (404). */
  syncFabric?: { id?: string; accountEnabled?: boolean } | null;
  roleAssignments?: { roleDefinitionId: string; directoryScopeId: string; assignmentType?: string; memberType?: string }[];
  /** Group IDs the signed-in user is a (transitive) member of. */
  memberOf?: string[];
  /** null: 404 on the Intune MDM policy. */
  mdmPolicy?: { appliesTo: string; isValid?: boolean; includedGroups?: { id: string; displayName?: string }[] } | null;
  deviceRegistrationPolicy?: Record<string, unknown>;
  enrollmentConfigurations?: Record<string, unknown>[];
  /** Domain name → authentication type. */
  domains?: Record<string, string>;
  featureRolloutPolicies?: Record<string, unknown>[];
  caPolicies?: Record<string, unknown>[];
  users?: EmulatedUser[];
  /** Routes that answer 403 Authorization_RequestDenied although the scope is granted (the role cannot read). */
  forbidden?: RouteKey[];
  /** Routes that answer a fixed error status (e.g. 400, 500). */
  failures?: Partial<Record<RouteKey, number>>;
  /** Collections are served in pages of this size with @odata.nextLink. Default: 100. */
  pageSize?: number;
  /** Routes that answer 429 (or `status`) with Retry-After this many times before succeeding. */
  throttle?: Partial<Record<RouteKey, { times: number; retryAfter?: string; status?: number }>>;
  /** Echo the Authorization header in error messages (to test that the client redacts it). */
  echoAuthorizationInErrors?: boolean;
  /** Make DELETE /users/{id} fail with this status for these IDs. */
  deleteFailures?: Record<string, number>;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  route: RouteKey | 'unknown';
  authorization?: string;
  consistencyLevel?: string;
  body?: unknown;
  status: number;
}

export interface GraphEmulator {
  url: string;
  requests: RecordedRequest[];
  deletedUserIds: string[];
  createdServicePrincipals: string[];
  scenario: TenantScenario;
  close(): Promise<void>;
}

const TOKEN_ROLE_IDS = {
  intuneAdmin: '3a2c62db-5318-420d-8d74-23affee5d9d5',
};

/** A tenant where every check passes. Tests override single fields. */
export function healthyTenant(overrides: Partial<TenantScenario> = {}): TenantScenario {
  return {
    me: { id: 'u-admin', userPrincipalName: 'admin@contoso.example', onPremisesSyncEnabled: false },
    syncFabric: { id: 'sp-syncfabric', accountEnabled: true },
    roleAssignments: [{ roleDefinitionId: TOKEN_ROLE_IDS.intuneAdmin, directoryScopeId: '/', assignmentType: 'Assigned', memberType: 'Direct' }],
    memberOf: ['g-mdm'],
    mdmPolicy: { appliesTo: 'all', isValid: true, includedGroups: [] },
    deviceRegistrationPolicy: {
      id: 'deviceRegistrationPolicy',
      userDeviceQuota: 50,
      multiFactorAuthConfiguration: 'notRequired',
      azureADJoin: { isAdminConfigurable: true, allowedToJoin: { '@odata.type': '#microsoft.graph.allDeviceRegistrationMembership' } },
    },
    enrollmentConfigurations: [
      {
        '@odata.type': '#microsoft.graph.deviceEnrollmentLimitConfiguration',
        id: 't_DefaultLimit',
        priority: 0,
        deviceEnrollmentConfigurationType: 'limit',
        limit: 15,
      },
      {
        '@odata.type': '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration',
        id: 't_DefaultPlatformRestrictions',
        priority: 0,
        displayName: 'All users and all devices',
        deviceEnrollmentConfigurationType: 'defaultPlatformRestrictions',
        windowsRestriction: { platformBlocked: false, personalDeviceEnrollmentBlocked: false, osMinimumVersion: null, osMaximumVersion: null },
      },
    ],
    domains: { 'contoso.example': 'Managed' },
    featureRolloutPolicies: [],
    caPolicies: [
      {
        id: 'ca-1',
        displayName: 'Block legacy auth',
        state: 'enabled',
        conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] } },
        grantControls: { operator: 'OR', builtInControls: ['block'] },
      },
    ],
    users: [],
    ...overrides,
  };
}

function graphError(status: number, code: string, message: string) {
  return { error: { code, message, innerError: { 'request-id': `req-${status}-${code}`, date: new Date(0).toISOString() } } };
}

export async function startGraphEmulator(scenario: TenantScenario): Promise<GraphEmulator> {
  const ca = getTestCa();
  const requests: RecordedRequest[] = [];
  const deletedUserIds: string[] = [];
  const createdServicePrincipals: string[] = [];
  const throttled = new Map<RouteKey, number>();
  let base = '';

  const server = https.createServer({ key: ca.keyPem, cert: ca.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const url = new URL(req.url ?? '/', base);
      const method = req.method ?? 'GET';
      const record: RecordedRequest = {
        method,
        url: url.pathname + url.search,
        route: 'unknown',
        authorization: req.headers.authorization,
        consistencyLevel: req.headers['consistencylevel'] as string | undefined,
        body,
        status: 0,
      };
      requests.push(record);
      const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `rid-${requests.length}`, ...headers });
        res.end(payload === undefined ? '' : JSON.stringify(payload));
      };
      try {
        handle(method, url, body, record, send);
      } catch (err) {
        send(500, graphError(500, 'EmulatorError', String(err)));
      }
    });
  });

  const page = (items: unknown[], url: URL) => {
    const size = scenario.pageSize ?? 100;
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const slice = items.slice(skip, skip + size);
    const out: Record<string, unknown> = { value: slice };
    if (skip === 0 && url.searchParams.get('$count') === 'true') out['@odata.count'] = items.length;
    if (skip + size < items.length) {
      const next = new URL(url.href);
      next.searchParams.set('$skiptoken', String(skip + size));
      out['@odata.nextLink'] = next.href;
    }
    return out;
  };

  function route(method: string, p: string): RouteKey | 'unknown' {
    if (method === 'GET' && p === '/v1.0/me') return 'me';
    if (method === 'GET' && /^\/v1\.0\/servicePrincipals\(appId='[^']+'\)$/.test(p)) return 'servicePrincipal';
    if (method === 'POST' && p === '/v1.0/servicePrincipals') return 'createServicePrincipal';
    if (method === 'GET' && p === "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')") return 'roleSelf';
    if (method === 'GET' && p === '/beta/roleManagement/directory/transitiveRoleAssignments') return 'roleTransitive';
    if (method === 'GET' && p === '/v1.0/roleManagement/directory/roleAssignments') return 'roleDirect';
    if (method === 'GET' && /^\/beta\/policies\/mobileDeviceManagementPolicies\/[^/]+$/.test(p)) return 'mdmPolicy';
    if (method === 'POST' && p === '/v1.0/me/checkMemberGroups') return 'checkMemberGroups';
    if (method === 'GET' && (p === '/v1.0/policies/deviceRegistrationPolicy' || p === '/beta/policies/deviceRegistrationPolicy'))
      return 'deviceRegistrationPolicy';
    if (method === 'GET' && p === '/beta/deviceManagement/deviceEnrollmentConfigurations') return 'enrollmentConfigurations';
    if (method === 'GET' && /^\/v1\.0\/domains\/[^/]+$/.test(p)) return 'domain';
    if (method === 'GET' && p === '/v1.0/policies/featureRolloutPolicies') return 'featureRollout';
    if (method === 'GET' && p === '/v1.0/identity/conditionalAccess/policies') return 'caPolicies';
    if (method === 'GET' && p === '/v1.0/users') return 'users';
    if (method === 'DELETE' && /^\/v1\.0\/users\/[^/]+$/.test(p)) return 'deleteUser';
    return 'unknown';
  }

  function handle(method: string, url: URL, body: unknown, record: RecordedRequest, send: (s: number, p?: unknown, h?: Record<string, string>) => void): void {
    const p = decodeURIComponent(url.pathname);
    const key = route(method, p);
    record.route = key;
    const auth = record.authorization ?? '';
    const echo = scenario.echoAuthorizationInErrors ? ` (received ${auth})` : '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token || (scenario.acceptToken !== undefined && token !== scenario.acceptToken)) {
      return send(401, graphError(401, 'InvalidAuthenticationToken', `Access token is empty or invalid.${echo}`));
    }
    if (key === 'unknown') return send(400, graphError(400, 'BadRequest', `Resource not found for the segment '${p}'.${echo}`));
    const granted = scenario.grantedScopes ?? ALL_SCOPES;
    if (!ROUTE_SCOPES[key].some((s) => granted.includes(s)) || scenario.forbidden?.includes(key)) {
      return send(403, graphError(403, 'Authorization_RequestDenied', `Insufficient privileges to complete the operation.${echo}`));
    }
    const t = scenario.throttle?.[key];
    if (t && (throttled.get(key) ?? 0) < t.times) {
      throttled.set(key, (throttled.get(key) ?? 0) + 1);
      const status = t.status ?? 429;
      return send(status, graphError(status, status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'Please retry.'), {
        'retry-after': t.retryAfter ?? '0',
      });
    }
    const failure = scenario.failures?.[key];
    if (failure) return send(failure, graphError(failure, failure === 400 ? 'BadRequest' : 'InternalServerError', `Scripted failure.${echo}`));

    const me = scenario.me ?? { id: 'u-admin', userPrincipalName: 'admin@contoso.example' };
    switch (key) {
      case 'me':
        return send(200, { id: me.id, userPrincipalName: me.userPrincipalName, onPremisesSyncEnabled: me.onPremisesSyncEnabled ?? null });
      case 'servicePrincipal': {
        const appId = /appId='([^']+)'/.exec(p)?.[1];
        const sp = scenario.syncFabric;
        if (appId !== '00000014-0000-0000-c000-000000000000' || !sp) {
          return send(
            404,
            graphError(404, 'Request_ResourceNotFound', `Resource '${appId}' does not exist or one of its queried reference-property objects are not present.`),
          );
        }
        return send(200, { id: sp.id ?? 'sp-syncfabric', appId, displayName: 'Microsoft.Azure.SyncFabric', accountEnabled: sp.accountEnabled ?? true });
      }
      case 'createServicePrincipal': {
        const appId = (body as { appId?: string } | undefined)?.appId ?? '';
        if (scenario.syncFabric) return send(409, graphError(409, 'Request_MultipleObjectsWithSameKeyValue', 'already exists'));
        createdServicePrincipals.push(appId);
        scenario.syncFabric = { id: 'sp-created', accountEnabled: true };
        return send(201, { id: 'sp-created', appId, displayName: 'Microsoft.Azure.SyncFabric', accountEnabled: true });
      }
      case 'roleSelf':
        return send(
          200,
          page(
            (scenario.roleAssignments ?? []).map((a) => ({
              principalId: me.id,
              startDateTime: null,
              endDateTime: null,
              assignmentType: 'Assigned',
              memberType: 'Direct',
              ...a,
            })),
            url,
          ),
        );
      case 'roleTransitive':
        if (record.consistencyLevel !== 'eventual') return send(404, graphError(404, 'Request_ResourceNotFound', 'ConsistencyLevel missing'));
        return send(
          200,
          page(
            (scenario.roleAssignments ?? []).map((a) => ({ principalId: me.id, ...a })),
            url,
          ),
        );
      case 'roleDirect':
        return send(
          200,
          page(
            (scenario.roleAssignments ?? []).filter((a) => (a.memberType ?? 'Direct') === 'Direct').map((a) => ({ principalId: me.id, ...a })),
            url,
          ),
        );
      case 'mdmPolicy': {
        const id = p.split('/').pop();
        if (!scenario.mdmPolicy || id !== '0000000a-0000-0000-c000-000000000000') return send(404, graphError(404, 'Request_ResourceNotFound', 'not found'));
        const m = scenario.mdmPolicy;
        return send(200, {
          id,
          displayName: 'Microsoft Intune',
          appliesTo: m.appliesTo,
          isValid: m.isValid ?? true,
          discoveryUrl: 'https://enrollment.manage.microsoft.com/enrollmentserver/discovery.svc',
          ...(url.searchParams.get('$expand') === 'includedGroups' ? { includedGroups: m.includedGroups ?? [] } : {}),
        });
      }
      case 'checkMemberGroups': {
        const ids = (body as { groupIds?: string[] } | undefined)?.groupIds ?? [];
        if (ids.length > 20) return send(400, graphError(400, 'Request_BadRequest', 'At most 20 group IDs.'));
        const mine = new Set(scenario.memberOf ?? []);
        return send(200, { value: ids.filter((g) => mine.has(g)) });
      }
      case 'deviceRegistrationPolicy':
        return send(200, scenario.deviceRegistrationPolicy ?? {});
      case 'enrollmentConfigurations':
        return send(200, page(scenario.enrollmentConfigurations ?? [], url));
      case 'domain': {
        const name = p.split('/').pop() ?? '';
        const type = scenario.domains?.[name];
        if (!type) return send(404, graphError(404, 'Request_ResourceNotFound', 'domain not found'));
        return send(200, { id: name, authenticationType: type, isVerified: true });
      }
      case 'featureRollout':
        return send(200, page(scenario.featureRolloutPolicies ?? [], url));
      case 'caPolicies':
        return send(200, page(scenario.caPolicies ?? [], url));
      case 'users': {
        const filter = url.searchParams.get('$filter') ?? '';
        const prefix = /startswith\(userPrincipalName,'([^']*)'\)/i.exec(filter)?.[1];
        const users = (scenario.users ?? []).filter((u) => prefix === undefined || u.userPrincipalName.toLowerCase().startsWith(prefix.toLowerCase()));
        return send(200, page(users, url));
      }
      case 'deleteUser': {
        const id = p.split('/').pop() ?? '';
        const fail = scenario.deleteFailures?.[id];
        if (fail) return send(fail, graphError(fail, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
        const idx = (scenario.users ?? []).findIndex((u) => u.id === id);
        if (idx < 0) return send(404, graphError(404, 'Request_ResourceNotFound', 'not found'));
        scenario.users!.splice(idx, 1);
        deletedUserIds.push(id);
        return send(204);
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    deletedUserIds,
    createdServicePrincipals,
    scenario,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
