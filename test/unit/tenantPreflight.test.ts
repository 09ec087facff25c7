import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTestCa } from '../support/testCa';
import { healthyTenant, startGraphEmulator, type TenantScenario } from '../support/graphEmulator';
import { GraphClient, GraphError } from '../../server/src/tenant/graphClient';
import { CHECK_ORDER, PreflightError, runFastChecks, runPreflight } from '../../server/src/tenant/preflight';
import { renderPreflightText } from '../../server/src/tenant/report';
import type { CheckId } from '../../server/src/tenant/types';

const TOKEN = 'SENTINEL-graph-access-token-9f1c2e';
const ca = getTestCa().caPem;

async function withTenant<T>(scenario: TenantScenario, fn: (url: string, emu: Awaited<ReturnType<typeof startGraphEmulator>>) => Promise<T>): Promise<T> {
  const emu = await startGraphEmulator({ acceptToken: TOKEN, ...scenario });
  try {
    return await fn(emu.url, emu);
  } finally {
    await emu.close();
  }
}

const sleeps: number[] = [];
const fastSleep = async (ms: number) => {
  sleeps.push(ms);
};
const opts = (url: string) => ({ endpoint: url, ca, getAccessToken: async () => TOKEN, sleep: fastSleep });

function statuses(results: { check: CheckId; status: string }[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.check, r.status]));
}

test('a healthy tenant passes every check, in the reference order', async () => {
  await withTenant(healthyTenant(), async (url) => {
    const report = await runPreflight(opts(url));
    assert.deepEqual(
      report.results.map((r) => r.check),
      CHECK_ORDER,
    );
    assert.deepEqual(Object.values(statuses(report.results)), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    assert.equal(report.user.userPrincipalName, 'admin@contoso.example');
    assert.deepEqual(report.missingScopes, []);
  });
});

test('a broken tenant fails each check through real Graph shapes', async () => {
  const scenario = healthyTenant({
    syncFabric: null,
    roleAssignments: [{ roleDefinitionId: '3a2c62db-5318-420d-8d74-23affee5d9d5', directoryScopeId: '/administrativeUnits/au-1' }],
    mdmPolicy: { appliesTo: 'selected', includedGroups: Array.from({ length: 25 }, (_, i) => ({ id: `g-${i}`, displayName: `G${i}` })) },
    memberOf: [],
    deviceRegistrationPolicy: {
      multiFactorAuthConfiguration: 'notRequired',
      azureADJoin: { allowedToJoin: { '@odata.type': '#microsoft.graph.noDeviceRegistrationMembership' } },
    },
    enrollmentConfigurations: [
      {
        '@odata.type': '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration',
        id: 't_DefaultPlatformRestrictions',
        priority: 0,
        windowsRestriction: { platformBlocked: true },
      },
    ],
    domains: { 'contoso.example': 'Federated' },
    featureRolloutPolicies: [{ id: 'f1', displayName: 'PHS', feature: 'passwordHashSync', isEnabled: true, isAppliedToOrganization: true, appliesTo: [] }],
    caPolicies: [
      {
        id: 'p1',
        displayName: 'MFA to register devices',
        state: 'enabled',
        conditions: { users: { includeUsers: ['All'] }, applications: { includeUserActions: ['urn:user:registerdevice'] } },
        grantControls: { builtInControls: ['mfa'] },
      },
    ],
  });
  await withTenant(scenario, async (url, emu) => {
    const report = await runPreflight(opts(url));
    assert.deepEqual(statuses(report.results), { R1: 'fail', R2: 'fail', R3: 'fail', R4: 'fail', R5: 'fail', R6: 'fail', R7: 'fail' });
    // 25 MDM groups → checkMemberGroups in two batches (≤ 20 each).
    const batches = emu.requests.filter((r) => r.route === 'checkMemberGroups').map((r) => (r.body as { groupIds: string[] }).groupIds.length);
    assert.deepEqual(batches, [20, 5]);
    const text = renderPreflightText(report);
    assert.match(text, /FAIL\s+R1/);
    assert.match(text, /Fix: .*New-MgServicePrincipal/s);
  });
});

test('each check is unknown on 403 (role cannot read), naming what would let it read', async () => {
  const scenario = healthyTenant({
    forbidden: [
      'servicePrincipal',
      'roleSelf',
      'roleTransitive',
      'roleDirect',
      'mdmPolicy',
      'deviceRegistrationPolicy',
      'enrollmentConfigurations',
      'domain',
      'caPolicies',
    ],
  });
  await withTenant(scenario, async (url) => {
    const report = await runPreflight(opts(url));
    for (const r of report.results) {
      assert.equal(r.status, 'unknown', `${r.check}: ${r.message}`);
      assert.match(r.message, /delegated permission \S+/);
    }
  });
});

test('consent missing: only User.Read granted → every check unknown, scopes listed for the consent hint', async () => {
  await withTenant(healthyTenant({ grantedScopes: ['User.Read'] }), async (url) => {
    const report = await runPreflight(opts(url));
    assert.ok(report.results.every((r) => r.status === 'unknown'));
    for (const s of [
      'Application.Read.All',
      'Policy.Read.All',
      'Policy.Read.DeviceConfiguration',
      'DeviceManagementServiceConfig.Read.All',
      'Domain.Read.All',
    ]) {
      assert.ok(report.missingScopes.includes(s), s);
    }
    assert.match(renderPreflightText(report, { clientId: 'client-x' }), /adminconsent\?client_id=client-x/);
  });
});

test('R2 falls back to the transitive list with ConsistencyLevel on every page', async () => {
  const roles = [
    { roleDefinitionId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', directoryScopeId: '/' },
    { roleDefinitionId: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b', directoryScopeId: '/' },
    { roleDefinitionId: '7698a772-787b-4ac8-901f-60d6b08affd2', directoryScopeId: '/' },
  ];
  await withTenant(healthyTenant({ roleAssignments: roles, failures: { roleSelf: 400 }, pageSize: 1 }), async (url, emu) => {
    const report = await runPreflight({ ...opts(url), only: ['R2'] });
    assert.equal(report.results[0].status, 'pass');
    assert.match(report.results[0].message, /Cloud Device Administrator/);
    const pages = emu.requests.filter((r) => r.route === 'roleTransitive');
    assert.equal(pages.length, 3);
    assert.ok(pages.every((r) => r.consistencyLevel === 'eventual'));
  });
});

test('paging: a collection spread over several pages is read completely (@odata.nextLink)', async () => {
  const filler = Array.from({ length: 5 }, (_, i) => ({
    id: `c${i}`,
    displayName: `Report-only ${i}`,
    state: 'disabled',
    grantControls: { builtInControls: ['mfa'] },
  }));
  const last = {
    id: 'bad',
    displayName: 'Last page MFA join',
    state: 'enabled',
    conditions: { users: { includeUsers: ['All'] }, applications: { includeUserActions: ['urn:user:registerdevice'] } },
    grantControls: { builtInControls: ['mfa'] },
  };
  await withTenant(healthyTenant({ caPolicies: [...filler, last], pageSize: 2 }), async (url, emu) => {
    const report = await runPreflight({ ...opts(url), only: ['R6'] });
    assert.equal(report.results[0].status, 'fail');
    assert.match(report.results[0].message, /Last page MFA join/);
    assert.equal(emu.requests.filter((r) => r.route === 'caPolicies').length, 3);
  });
});

test('429 and 503 with Retry-After are retried after the advertised wait, then succeed', async () => {
  sleeps.length = 0;
  await withTenant(
    healthyTenant({ throttle: { servicePrincipal: { times: 2, retryAfter: '1' }, caPolicies: { times: 1, retryAfter: '0', status: 503 } } }),
    async (url, emu) => {
      const report = await runPreflight(opts(url));
      assert.equal(report.results.find((r) => r.check === 'R1')!.status, 'pass');
      assert.equal(report.results.find((r) => r.check === 'R6')!.status, 'pass');
      assert.deepEqual(sleeps, [1000, 1000, 0]);
      assert.deepEqual(
        emu.requests.filter((r) => r.route === 'servicePrincipal').map((r) => r.status),
        [429, 429, 200],
      );
    },
  );
});

test('throttling that never ends gives up after the attempt limit and reports unknown', async () => {
  await withTenant(healthyTenant({ throttle: { servicePrincipal: { times: 99, retryAfter: '0' } } }), async (url, emu) => {
    const report = await runPreflight({ ...opts(url), only: ['R1'] });
    assert.equal(report.results[0].status, 'unknown');
    assert.equal(emu.requests.filter((r) => r.route === 'servicePrincipal').length, 4);
  });
});

test('a Retry-After beyond the time budget is not slept on', async () => {
  sleeps.length = 0;
  await withTenant(healthyTenant({ throttle: { servicePrincipal: { times: 1, retryAfter: '3600' } } }), async (url) => {
    const report = await runPreflight({ ...opts(url), only: ['R1'] });
    assert.equal(report.results[0].status, 'unknown');
    assert.deepEqual(sleeps, []);
  });
});

test('the fast subset runs R1, R2 and R4 only', async () => {
  await withTenant(healthyTenant(), async (url, emu) => {
    const report = await runFastChecks(opts(url));
    assert.deepEqual(
      report.results.map((r) => r.check),
      ['R1', 'R2', 'R4'],
    );
    assert.ok(!emu.requests.some((r) => r.route === 'caPolicies' || r.route === 'enrollmentConfigurations'));
  });
});

test('a rejected token makes the preflight unable to run (PreflightError), without the token in the message', async () => {
  await withTenant(healthyTenant({ echoAuthorizationInErrors: true }), async (url) => {
    const err = await runPreflight({ ...opts(url), getAccessToken: async () => 'SENTINEL-wrong-token-55aa' }).catch((e) => e);
    assert.ok(err instanceof PreflightError);
    assert.equal(err.status, 401);
    assert.doesNotMatch(String(err.message), /SENTINEL/);
  });
});

test('Graph errors carry status and code but never the token, even when the server echoes it', async () => {
  await withTenant(healthyTenant({ echoAuthorizationInErrors: true, failures: { caPolicies: 500 } }), async (url) => {
    const client = new GraphClient(opts(url));
    const err = await client.getAll('/v1.0/identity/conditionalAccess/policies').catch((e) => e);
    assert.ok(err instanceof GraphError);
    assert.equal(err.status, 500);
    assert.equal(err.code, 'InternalServerError');
    assert.ok(err.requestId);
    assert.ok(!err.message.includes(TOKEN), err.message);
    assert.ok(!JSON.stringify(err).includes(TOKEN));
    assert.match(err.message, /\[redacted\]/);
  });
});

test('a nextLink to another host is not followed (the token stays home)', async () => {
  await withTenant(healthyTenant(), async (url) => {
    const client = new GraphClient(opts(url));
    const err = await client.getAll('https://evil.example/v1.0/users').catch((e) => e);
    assert.ok(err instanceof GraphError);
    assert.equal(err.code, 'UntrustedLink');
  });
  assert.throws(() => new GraphClient({ endpoint: 'http://127.0.0.1:1', getAccessToken: async () => TOKEN }), /https/);
});

test('cancellation stops the preflight', async () => {
  await withTenant(healthyTenant({ throttle: { servicePrincipal: { times: 1, retryAfter: '1' } } }), async (url) => {
    const controller = new AbortController();
    const err = await runPreflight({
      ...opts(url),
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
        throw new Error('aborted');
      },
    }).catch((e) => e);
    assert.ok(err instanceof GraphError);
    assert.equal(err.code, 'Cancelled');
  });
});
