import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entraError, errorFromServer, EntraError, type EntraErrorKind } from '../../server/src/entra/errors';
import type { PreflightContext } from '../../server/src/entra/fetchToken';
import { graphEndpointForAuthority } from '../../server/src/entra/clouds';
import {
  renderTokenPreflightOutcome,
  runTokenPreflight,
  TOKEN_PREFLIGHT_SCOPES,
  tokenFailureAdvice,
  tokenPreflight,
  TokenPreflightFailed,
  type TokenPreflightOutcome,
} from '../../server/src/tenant/tokenPreflight';
import type { CheckId } from '../../server/src/tenant/types';
import { getTestCa } from '../support/testCa';
import { healthyTenant, startGraphEmulator, type TenantScenario } from '../support/graphEmulator';

const GRAPH = 'SENTINEL-unit-graph-token-31d0aa';

/**
 * Every EntraErrorKind, with the checks its advice must name (in order), or
 * null for "no advice". A Record over the union: a new kind fails to compile
 * here until someone decides what it means for the tenant.
 */
const EXPECTED: Record<EntraErrorKind, CheckId[] | null> = {
  'not-authorized-to-join': ['R4', 'R2'],
  'insufficient-role': ['R2'],
  'syncfabric-missing': ['R1'],
  'not-in-mdm-scope': ['R3'],
  'federated-staged-rollout': ['R7'],
  'mfa-required': ['R6'],
  'conditional-access': ['R6'],
  'bulk-token-failed': ['R1', 'R2', 'R4', 'R7'],
  // Consent is not a check: the error itself already says who must consent.
  'consent-required': null,
  // AADSTS90093: Graph refused Entra ID's own call: consent, not the role (R2).
  'graph-forbidden': null,
  // A browser that cannot open is about this machine, not the tenant.
  'browser-unavailable': null,
  // The client, not the tenant's setup: the message says which client and how to consent.
  'client-refused': null,
  // Not about the tenant: nothing may be blamed on a check.
  'sign-in-failed': null,
  network: null,
  timeout: null,
  cancelled: null,
  http: null,
  'malformed-response': null,
  'invalid-option': null,
  'invalid-expiry': null,
};

for (const [kind, checks] of Object.entries(EXPECTED) as [EntraErrorKind, CheckId[] | null][]) {
  test(`tokenFailureAdvice: ${kind} → ${checks ? checks.join(', ') : 'nothing'}`, () => {
    const advice = tokenFailureAdvice(entraError(kind, { stage: 'poll' }));
    if (!checks) {
      assert.equal(advice, undefined);
      return;
    }
    assert.ok(advice, 'advice expected');
    assert.match(
      advice,
      checks.length === 1
        ? /^This is what check R\d \(.+\) looks for: run `ppkg doctor` to confirm\. Fix: \S/
        : /^This is what checks .+ look for: run `ppkg doctor` to confirm\. Fix: \S/,
    );
    const named = [...advice.split('. Fix:')[0]!.matchAll(/\b(R\d) \(/g)].map((m) => m[1]);
    assert.deepEqual(named, checks);
    assert.doesNotMatch(advice, /Run `ppkg doctor`\.\s*$/, 'no second "run ppkg doctor"');
  });
}

test("tokenFailureAdvice: the wording for R4 is in the admin's terms", () => {
  const advice = tokenFailureAdvice(entraError('not-authorized-to-join'))!;
  assert.match(advice, /^This is what checks R4 \(users may join devices\) and R2 \(a bulk-token role for the whole tenant\) look for/);
  assert.match(tokenFailureAdvice(entraError('bulk-token-failed'))!, /checks R1 \(.+\), R2 \(.+\), R4 \(.+\) and R7 \(.+\) look for/);
});

test('tokenFailureAdvice: errors as the server reports them, by kind or else by AADSTS code', () => {
  const e240001 = errorFromServer({
    stage: 'poll',
    error: 'invalid_request',
    description: 'AADSTS240001: User is not authorized to register devices.',
    errorCodes: [240001],
  });
  assert.equal(e240001.kind, 'not-authorized-to-join');
  assert.match(tokenFailureAdvice(e240001)!, /checks R4 .* and R2 /);
  // A sign-in failure of no known kind but with a code that maps (the code fallback).
  assert.match(tokenFailureAdvice(new EntraError('sign-in-failed', 'x', { code: '90092' }))!, /check R1 .*`ppkg doctor --fix`/);
  // AADSTS90093 is consent, not the role: no check (R2 least of all) is blamed.
  assert.equal(tokenFailureAdvice(new EntraError('sign-in-failed', 'x', { code: '90093' })), undefined);
  assert.equal(tokenFailureAdvice(new EntraError('sign-in-failed', 'x', { code: '70000' })), undefined);
  // An unrelated kind with a code that would map still adds nothing.
  assert.equal(tokenFailureAdvice(new EntraError('network', 'x', { code: '240001' })), undefined);
  assert.equal(tokenFailureAdvice(new EntraError('timeout', 'x', { code: '240001' })), undefined);
});

function context(over: Partial<PreflightContext> = {}): PreflightContext & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    username: 'admin@contoso.example',
    tenantId: 't',
    authority: 'https://127.0.0.1:1/organizations',
    clientId: 'de0853a1-ab20-47bd-990b-71ad5077ac7b',
    ca: getTestCa().caPem,
    acquireTokenSilent: async (scopes) => {
      asked.push(scopes);
      return GRAPH;
    },
    ...over,
    asked,
  };
}

async function withTenant<T>(
  scenario: Partial<TenantScenario>,
  fn: (url: string, requests: { route: string; authorization?: string }[]) => Promise<T>,
): Promise<T> {
  const emu = await startGraphEmulator(healthyTenant({ acceptToken: GRAPH, ...scenario }));
  try {
    return await fn(emu.url, emu.requests);
  } finally {
    await emu.close();
  }
}

test("runTokenPreflight: asks silently for the fast checks' Graph scopes and runs R1, R2, R4 only", async () => {
  await withTenant({}, async (url, requests) => {
    const ctx = context();
    const outcome = await runTokenPreflight(ctx, { graphEndpoint: url });
    assert.equal(outcome.status, 'pass');
    assert.deepEqual(ctx.asked, [[...TOKEN_PREFLIGHT_SCOPES.map((s) => `https://graph.microsoft.com/${s}`), 'offline_access']]);
    assert.ok(requests.every((r) => r.authorization === `Bearer ${GRAPH}`));
    assert.ok(!requests.some((r) => ['caPolicies', 'mdmPolicy', 'enrollmentConfigurations', 'domain'].includes(r.route)));
    assert.equal(renderTokenPreflightOutcome(outcome), 'Tenant checks R1, R2, R4 passed.\n');
  });
});

test("runTokenPreflight: the Graph endpoint follows the authority's cloud; an unknown host is skipped without asking", async () => {
  assert.equal(graphEndpointForAuthority('https://login.microsoftonline.com/organizations'), 'https://graph.microsoft.com');
  assert.equal(graphEndpointForAuthority('https://login.microsoftonline.us/contoso.onmicrosoft.us'), 'https://graph.microsoft.us');
  assert.equal(graphEndpointForAuthority('https://login.chinacloudapi.cn/organizations'), 'https://microsoftgraph.chinacloudapi.cn');
  assert.equal(graphEndpointForAuthority('https://127.0.0.1:8443/organizations'), undefined);
  const ctx = context();
  const outcome = await runTokenPreflight(ctx);
  assert.equal(outcome.status, 'skipped');
  assert.deepEqual(ctx.asked, []);
});

test('runTokenPreflight: a silent-token failure is one "skipped" line, in the admin\'s words, never the server\'s long text', async () => {
  const consent = errorFromServer({
    stage: 'sign-in',
    error: 'invalid_grant',
    description: 'AADSTS65001: The user or administrator has not consented.',
    errorCodes: [65001],
  });
  for (const [thrown, says] of [
    [
      consent,
      /^Tenant checks skipped: the sign-in app de0853a1-\S+ has no consent to read the tenant settings through Microsoft Graph \(AADSTS65001\)\. Run `ppkg doctor` to check the tenant\.\n$/,
    ],
    [entraError('network', { serverMessage: 'ECONNRESET' }), /^Tenant checks skipped: Entra ID could not be reached for a Microsoft Graph token\. Run/],
    [new Error('no refresh token in the cache'), /^Tenant checks skipped: no Microsoft Graph token could be had without a second sign-in\. Run/],
  ] as const) {
    const outcome = await runTokenPreflight(
      context({
        acquireTokenSilent: async () => {
          throw thrown;
        },
      }),
      { graphEndpoint: 'https://127.0.0.1:1' },
    );
    assert.equal(outcome.status, 'skipped');
    assert.match(renderTokenPreflightOutcome(outcome), says);
  }
});

test('runTokenPreflight: a cancel while getting the Graph token is a cancel, not a skip', async () => {
  await assert.rejects(
    runTokenPreflight(
      context({
        acquireTokenSilent: async () => {
          throw entraError('cancelled');
        },
      }),
      { graphEndpoint: 'https://127.0.0.1:1' },
    ),
    (e: unknown) => e instanceof EntraError && e.kind === 'cancelled',
  );
});

test('tokenPreflight hook: a fail is reported and thrown as TokenPreflightFailed with message and fix; warn goes on', async () => {
  await withTenant({ syncFabric: null }, async (url) => {
    const seen: TokenPreflightOutcome[] = [];
    const hook = tokenPreflight({ graphEndpoint: url, onOutcome: (o) => seen.push(o) });
    await assert.rejects(hook(context()), (e: unknown) => {
      assert.ok(e instanceof TokenPreflightFailed);
      assert.deepEqual(
        e.failed.map((r) => r.check),
        ['R1'],
      );
      assert.match(e.message, /^Stopped before requesting a bulk token: a tenant check failed\.\nFAIL R1 /);
      assert.match(e.message, /Fix: [^]*New-MgServicePrincipal/);
      assert.ok(!e.message.includes(GRAPH));
      return true;
    });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.status, 'fail');
  });
  await withTenant({ syncFabric: { accountEnabled: false } }, async (url) => {
    const seen: TokenPreflightOutcome[] = [];
    await tokenPreflight({ graphEndpoint: url, onOutcome: (o) => seen.push(o) })(context());
    assert.equal(seen[0]!.status, 'warn');
    assert.match(renderTokenPreflightOutcome(seen[0]!), /going on with the fetch[^]*WARN R1 /);
  });
});

test('runTokenPreflight: Graph refusing /me (no consent for User.Read) skips instead of failing', async () => {
  await withTenant({ grantedScopes: [] }, async (url) => {
    const outcome = await runTokenPreflight(context(), { graphEndpoint: url });
    assert.equal(outcome.status, 'skipped');
    assert.match(renderTokenPreflightOutcome(outcome), /^Tenant checks skipped: Microsoft Graph refused to read your own profile \(403\)/);
    assert.ok(!renderTokenPreflightOutcome(outcome).includes(GRAPH));
  });
});
