import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { parse } from 'jsonc-parser';
import { messageHost } from '../../server/src/entra/host';
import { runTokenFlow, TokenFlowError, type TokenFlowCallbacks, type TokenFlowOptions } from '../../server/src/entra/tokenFlow';
import type { TokenPreflightOutcome } from '../../server/src/tenant/tokenPreflight';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';
import { healthyTenant, startGraphEmulator, type GraphEmulator, type TenantScenario } from '../support/graphEmulator';
import { getTestCa } from '../support/testCa';

/**
 * The one bulk-token flow behind `ppkg token` and **ppkg: Fetch Bulk Token**,
 * tested once with fake host callbacks against the Entra and Graph emulators:
 * the checks before the fetch, where the token goes, what the project
 * records, and every way it stops, in the CLI's or VS Code's words.
 */
const ACCESS = 'SENTINEL-FLOW-DRS-ACCESS-0b7e41';
const GRAPH = 'SENTINEL-FLOW-GRAPH-ACCESS-5a9c03';
const BPRT = 'SENTINEL-FLOW-BPRT-0.AAAA-e2d8f6';
const SECRETS = [ACCESS, GRAPH, BPRT];

const PROJECT = `// Front desk
{
  "package": { "name": "Kiosk" }, // keep
  "account": { "entra": { "token": { "secret": "kiosk-token" } } }
}
`;

interface Seen {
  deviceCodes: string[];
  progress: string[];
  checks: { outcome: TokenPreflightOutcome; text: string }[];
  stored: { token: string; name: string }[];
  writes: string[];
  reads: number;
}

/** A host whose callbacks record what the flow tells them; the project lives in memory. */
function fakeHost(initial = PROJECT, over: Partial<TokenFlowCallbacks> = {}) {
  const seen: Seen = { deviceCodes: [], progress: [], checks: [], stored: [], writes: [], reads: 0 };
  let text = initial;
  const host: TokenFlowCallbacks = {
    signIn: { deviceCode: true, onDeviceCode: (m) => seen.deviceCodes.push(m) },
    onProgress: (m) => seen.progress.push(m),
    onChecks: (outcome, t) => seen.checks.push({ outcome, text: t }),
    project: {
      read: async () => {
        seen.reads++;
        return text;
      },
      write: async (t) => {
        seen.writes.push(t);
        text = t;
      },
    },
    storeToken: async (token, name) => void seen.stored.push({ token, name }),
    tokenDestination: (name) => `stored in the test vault as "${name}"`,
    ...over,
  };
  return { host, seen, project: () => text };
}

interface World {
  entra: EntraEmulator;
  graph: GraphEmulator;
  options: (over?: Partial<TokenFlowOptions>) => TokenFlowOptions;
}

async function world<T>(s: { entra?: EntraScenario; tenant?: Partial<TenantScenario> }, fn: (w: World) => Promise<T>): Promise<T> {
  const entra = await startEntraEmulator({ accessToken: ACCESS, silentAccessToken: GRAPH, bulkToken: BPRT, signIn: { interval: 0.01 }, ...s.entra });
  const graph = await startGraphEmulator(healthyTenant({ acceptToken: GRAPH, ...s.tenant }));
  const options = (over: Partial<TokenFlowOptions> = {}): TokenFlowOptions => ({
    host: 'cli',
    authority: entra.authority,
    bulkEndpoint: entra.bulkEndpoint,
    graphEndpoint: graph.url,
    ca: getTestCa().caPem,
    pollIntervalMs: 10,
    timeoutMs: 5000,
    checksSleep: async () => undefined,
    ...over,
  });
  try {
    return await fn({ entra, graph, options });
  } finally {
    await graph.close();
    await entra.close();
  }
}

/** Nothing the host was told, nothing written to the project and no error carries a token; only storeToken gets the BPRT. */
function assertNoSecrets(seen: Seen, error?: unknown) {
  const told = JSON.stringify({ ...seen, stored: undefined }) + (error instanceof Error ? `${error.message} ${JSON.stringify(error)} ${error.stack}` : '');
  for (const s of SECRETS) assert.ok(!told.includes(s), `a token reached the host: ${s}`);
}

async function flowError(p: Promise<unknown>): Promise<TokenFlowError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokenFlowError, String(e));
    return e;
  }
  assert.fail('the flow succeeded');
}

const begins = (w: World) => w.entra.requestsTo('/webapp/bulkaadjtoken/begin').length;

test('healthy tenant: one sign-in, the fast checks, the fetch; the token to the host, the facts to the project', async () => {
  await world({}, async (w) => {
    const { host, seen, project } = fakeHost();
    const now = new Date();
    const result = await runTokenFlow(w.options({ now: () => now }), host);

    assert.equal(w.entra.requestsTo('/oauth2/v2.0/devicecode').length, 1, 'one prompt');
    assert.equal(seen.deviceCodes.length, 1);
    assert.match(seen.deviceCodes[0]!, /EMUL8CODE/);
    // The checks ran with the silent Graph token, before the request.
    assert.ok(w.graph.requests.length > 0 && w.graph.requests.every((q) => q.authorization === `Bearer ${GRAPH}`));
    assert.equal(seen.checks.length, 1);
    assert.equal(seen.checks[0]!.outcome.status, 'pass');
    assert.equal(seen.checks[0]!.text, 'Tenant checks R1, R2, R4 passed.\n');
    assert.equal(result.checks?.status, 'pass');
    assert.ok(seen.progress.some((m) => /Asking Entra ID for a bulk token/.test(m)));

    // The token went to storeToken only, under the project's secret name.
    assert.deepEqual(seen.stored, [{ token: BPRT, name: 'kiosk-token' }]);
    assert.equal(result.secretName, 'kiosk-token');
    // The project was read again after the fetch and written once, comments kept.
    assert.equal(seen.writes.length, 1);
    assert.equal(seen.reads, 2);
    for (const kept of ['// Front desk', '// keep', '"token": { "secret": "kiosk-token" }']) assert.ok(project().includes(kept), kept);
    const entra = (parse(project()) as { account: { entra: Record<string, string> } }).account.entra;
    assert.deepEqual(result.facts, {
      tokenExpiry: entra.tokenExpiry,
      issuedAt: now.toISOString(),
      packageUser: w.entra.packageUsers[0],
      tenant: w.entra.tenantId,
    });
    assert.equal(entra.packageUser, w.entra.packageUsers[0]);
    assert.ok(!('token' in result), 'the result carries no token');
    assertNoSecrets(seen);
  });
});

test("a failing fast check stops before begin: nothing stored, project untouched, in the host's words", async () => {
  await world({ tenant: { syncFabric: null } }, async (w) => {
    for (const [words, says, not] of [
      ['cli', /run `ppkg token` again; `ppkg doctor` shows the full report, and --skip-checks fetches without these checks\.$/, /\*\*ppkg:/],
      [
        'vscode',
        /run \*\*ppkg: Fetch Bulk Token\*\* again; \*\*ppkg: Check Tenant Readiness\*\* shows the full report, and \*\*Fetch Without Checks\*\* fetches without these checks\.$/,
        /`ppkg |--skip-checks/,
      ],
    ] as const) {
      const { host, seen } = fakeHost();
      const e = await flowError(runTokenFlow(w.options({ host: words }), host));
      assert.equal(e.failure, 'checks');
      assert.deepEqual(e.checks, ['R1']);
      assert.match(e.message, /^Stopped before requesting a bulk token: a tenant check failed\.\nFAIL R1 /);
      assert.match(e.message, says);
      assert.doesNotMatch(e.message, not);
      assert.deepEqual(seen.stored, []);
      assert.deepEqual(seen.writes, []);
      assert.deepEqual(seen.checks, [], 'a fail is the error, not an outcome to show');
      assertNoSecrets(seen, e);
    }
    assert.equal(begins(w), 0);
    assert.deepEqual(w.entra.packageUsers, []);
    assert.equal(messageHost(), 'cli', 'the process-wide default is left alone');
  });
});

test('two flows at once, one per host, each speak their own words', async () => {
  await world({ tenant: { syncFabric: null } }, async (w) => {
    const [cli, vscode] = await Promise.all([
      flowError(runTokenFlow(w.options({ host: 'cli' }), fakeHost().host)),
      flowError(runTokenFlow(w.options({ host: 'vscode' }), fakeHost().host)),
    ]);
    assert.match(cli.message, /`ppkg doctor`/);
    assert.doesNotMatch(cli.message, /\*\*ppkg:/);
    assert.match(vscode.message, /\*\*ppkg: Check Tenant Readiness\*\*/);
    assert.doesNotMatch(vscode.message, /`ppkg /);
  });
});

test('warn and unknown go to onChecks and the fetch goes on', async () => {
  await world({ tenant: { syncFabric: { accountEnabled: false }, forbidden: ['deviceRegistrationPolicy'] } }, async (w) => {
    const { host, seen } = fakeHost();
    const result = await runTokenFlow(w.options(), host);
    assert.equal(seen.checks.length, 1);
    assert.equal(seen.checks[0]!.outcome.status, 'warn');
    assert.match(seen.checks[0]!.text, /going on with the fetch despite:\nWARN R1 [^]*UNKNOWN R4 /);
    assert.equal(result.checks?.status, 'warn');
    assert.equal(seen.stored.length, 1);
    assert.equal(begins(w), 1);
    assertNoSecrets(seen);
  });
});

test('a refused fetch names the checks that look for its cause (VS Code: its command, and the checks for a button)', async () => {
  const refused: EntraScenario = {
    bulk: {
      completion: { kind: 'error', code: 240001, error: 'BulkAADJTokenUnauthorized', description: 'User is not authorized to register devices in Azure AD.' },
    },
  };
  await world({ entra: refused }, async (w) => {
    const { host, seen, project } = fakeHost();
    const e = await flowError(runTokenFlow(w.options({ host: 'vscode' }), host));
    assert.equal(e.failure, 'fetch');
    assert.equal(e.kind, 'not-authorized-to-join');
    assert.deepEqual(e.checks, ['R4', 'R2']);
    assert.match(e.summary, /join devices/);
    assert.equal(e.advice.length, 1);
    assert.match(
      e.advice[0]!,
      /^This is what checks R4 \(users may join devices\) and R2 \(a bulk-token role for the whole tenant\) look for: run \*\*ppkg: Check Tenant Readiness\*\* to confirm\. Fix: /,
    );
    assert.equal(e.message, e.summary);
    assert.equal(e.category, 'tenant');
    assert.deepEqual(seen.stored, []);
    assert.equal(project(), PROJECT);
    assertNoSecrets(seen, e);
  });
  // Not about the tenant: no check is blamed.
  await world({ entra: { bulk: { beginRaw: { status: 500, body: 'down' } } } }, async (w) => {
    const e = await flowError(runTokenFlow(w.options(), fakeHost().host));
    assert.equal(e.kind, 'http');
    assert.deepEqual(e.advice, []);
    assert.deepEqual(e.checks, []);
  });
});

test('the token cannot be stored: says where it should have gone and which package account now exists; nothing recorded', async () => {
  await world({}, async (w) => {
    const { host, seen, project } = fakeHost(PROJECT, {
      storeToken: async () => {
        throw new Error('the vault is locked.');
      },
    });
    const e = await flowError(runTokenFlow(w.options(), host));
    assert.equal(e.failure, 'store');
    const user = w.entra.packageUsers[0]!;
    assert.equal(e.details.packageUser, user);
    assert.equal(
      e.message,
      `The bulk token was fetched but could not be stored in the test vault as "kiosk-token" (the vault is locked). Nothing was recorded in the project; delete the user ${user} in Entra ID and try again.`,
    );
    assert.equal(project(), PROJECT);
    assertNoSecrets(seen, e);
  });
});

test('the project cannot record the facts after the fetch: the token is kept, the facts are given to record by hand', async () => {
  await world({}, async (w) => {
    let reads = 0;
    const { host, seen } = fakeHost(PROJECT);
    // Edited into a broken file while the admin signed in.
    host.project.read = async () => (++reads === 1 ? PROJECT : '{ "account": ');
    const e = await flowError(runTokenFlow(w.options({ host: 'vscode' }), host));
    assert.equal(e.failure, 'record');
    assert.deepEqual(
      seen.stored.map((s) => s.name),
      ['kiosk-token'],
      'the token was stored first',
    );
    assert.deepEqual(seen.writes, []);
    assert.match(
      e.message,
      /^The bulk token was stored in the test vault as "kiosk-token", but the project could not be updated \(The project file has syntax errors; fix them \(the Problems view shows where\)/,
    );
    assert.match(
      e.message,
      new RegExp(
        `Record by hand in account\\.entra: "tokenExpiry": "\\d{4}-\\d{2}-\\d{2}", "issuedAt": "[^"]+", "packageUser": "${w.entra.packageUsers[0]}", "tenant": "${w.entra.tenantId}"\\.$`,
      ),
    );
    assertNoSecrets(seen, e);
  });
});

test('a project that cannot take the facts is refused before anyone signs in', async () => {
  await world({}, async (w) => {
    const { host, seen } = fakeHost('{ "account": "x" }');
    const e = await flowError(runTokenFlow(w.options(), host));
    assert.equal(e.failure, 'project');
    assert.match(e.message, /"account" in the project file is not an object/);
    assert.deepEqual(seen.deviceCodes, []);
    assert.equal(w.entra.requests.length, 0);
    const unreadable = fakeHost(PROJECT, {
      project: {
        read: async () => {
          throw new Error('no permission');
        },
        write: async () => assert.fail('written'),
      },
    });
    assert.equal((await flowError(runTokenFlow(w.options(), unreadable.host))).message, 'no permission');
    assert.equal(w.entra.requests.length, 0);
  });
});

test('cancel mid-poll: `cancelled`, nothing stored or recorded', async () => {
  await world({ entra: { bulk: { completion: { kind: 'never' } } } }, async (w) => {
    const controller = new AbortController();
    const timer = setInterval(() => {
      if (w.entra.requestsTo('/poll').length >= 2) controller.abort();
    }, 5);
    const { host, seen } = fakeHost(PROJECT, { signal: controller.signal });
    try {
      const e = await flowError(runTokenFlow(w.options({ timeoutMs: 10_000 }), host));
      assert.equal(e.failure, 'cancelled');
      assert.equal(e.kind, 'cancelled');
      assert.match(e.message, /^Fetching the bulk token was cancelled\. Nothing was saved\.$/);
      assert.deepEqual(seen.stored, []);
      assert.deepEqual(seen.writes, []);
    } finally {
      clearInterval(timer);
    }
  });
});

test('skipChecks: no Graph token asked for, no Graph request, no outcome', async () => {
  await world({ tenant: { syncFabric: null } }, async (w) => {
    const { host, seen } = fakeHost();
    const result = await runTokenFlow(w.options({ skipChecks: true }), host);
    assert.equal(result.checks, undefined);
    assert.deepEqual(seen.checks, []);
    assert.equal(w.graph.requests.length, 0);
    assert.equal(w.entra.requestsTo('/oauth2/v2.0/token').filter((r) => r.form?.grant_type === 'refresh_token').length, 0);
    assert.equal(seen.stored.length, 1);
  });
});

test('no Graph endpoint for a private authority: skipped, and the host says how to give one', async () => {
  await world({}, async (w) => {
    for (const [words, says] of [
      ['cli', / \(pass --graph-endpoint <url>\)\. Run `ppkg doctor` to check the tenant\.\n$/],
      ['vscode', / \(set ppkg\.entra\.graphEndpoint\)\. Run \*\*ppkg: Check Tenant Readiness\*\* to check the tenant\.\n$/],
    ] as const) {
      const { host, seen } = fakeHost();
      await runTokenFlow(w.options({ host: words, graphEndpoint: undefined }), host);
      assert.equal(seen.checks[0]!.outcome.status, 'skipped');
      assert.match(seen.checks[0]!.text, /^Tenant checks skipped: no Microsoft Graph endpoint is known for the sign-in authority 127\.0\.0\.1:\d+/);
      assert.match(seen.checks[0]!.text, says);
    }
    assert.equal(w.graph.requests.length, 0);
  });
});

test('the browser sign-in: the host opens the URL it is given', async () => {
  await world({}, async (w) => {
    const opened: string[] = [];
    const { host, seen } = fakeHost(PROJECT, {
      signIn: {
        deviceCode: false,
        openBrowser: (url) =>
          new Promise<void>((resolve, reject) => {
            opened.push(url);
            https.get(url, { ca: getTestCa().caPem }, (res) => res.resume().on('end', () => resolve())).on('error', reject);
          }),
      },
    });
    await runTokenFlow(w.options({ host: 'vscode' }), host);
    assert.equal(opened.length, 1);
    assert.match(new URL(opened[0]!).pathname, /\/oauth2\/v2\.0\/authorize$/);
    assert.equal(w.entra.requestsTo('/oauth2/v2.0/devicecode').length, 0);
    assert.equal(seen.stored.length, 1);
    assertNoSecrets(seen);
  });
});
