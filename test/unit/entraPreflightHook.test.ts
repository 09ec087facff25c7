import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntraError } from '../../server/src/entra/errors';
import { fetchBulkToken, type FetchTokenOptions, type PreflightContext } from '../../server/src/entra/fetchToken';
import { DRS_SCOPE } from '../../server/src/entra/clouds';
import { signIn, signInSession } from '../../server/src/entra/signIn';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';

/** fetchBulkToken's `preflight` hook and signInSession's silent token for another resource. */
const ACCESS = 'SENTINEL-HOOK-DRS-ACCESS-1a2b3c';
const GRAPH = 'SENTINEL-HOOK-GRAPH-ACCESS-4d5e6f';
const BPRT = 'SENTINEL-HOOK-BPRT-0.AAAA-7a8b9c';
const GRAPH_SCOPES = ['https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/Application.Read.All'];

async function withEmulator<T>(s: EntraScenario, fn: (em: EntraEmulator) => Promise<T>): Promise<T> {
  const em = await startEntraEmulator({ accessToken: ACCESS, silentAccessToken: GRAPH, bulkToken: BPRT, ...s });
  try {
    return await fn(em);
  } finally {
    await em.close();
  }
}

function options(em: EntraEmulator, extra: FetchTokenOptions = {}): FetchTokenOptions {
  return { authority: em.authority, ca: em.caPem, deviceCode: true, onDeviceCode: () => undefined, pollIntervalMs: 10, timeoutMs: 5000, ...extra };
}

test('preflight hook: runs after the one sign-in and before begin, and gets a Graph token silently', async () => {
  await withEmulator({}, async (em) => {
    let seen: Omit<PreflightContext, 'acquireTokenSilent' | 'signal' | 'ca'> | undefined;
    let graphToken: string | undefined;
    const result = await fetchBulkToken(
      options(em, {
        clientId: 'my-client',
        preflight: async (ctx) => {
          assert.equal(em.requestsTo('/webapp/bulkaadjtoken').length, 0, 'before begin');
          seen = { username: ctx.username, tenantId: ctx.tenantId, authority: ctx.authority, clientId: ctx.clientId };
          assert.equal(ctx.ca, em.caPem);
          graphToken = await ctx.acquireTokenSilent(GRAPH_SCOPES);
        },
      }),
    );
    assert.equal(result.token, BPRT);
    assert.deepEqual(seen, { username: em.username, tenantId: em.tenantId, authority: em.authority, clientId: 'my-client' });
    assert.equal(graphToken, GRAPH);
    assert.equal(em.requestsTo('/devicecode').length, 1, 'no second prompt');
    const tokenCalls = em.requestsTo('/oauth2/v2.0/token').map((r) => r.form ?? {});
    assert.deepEqual(
      tokenCalls.map((f) => f.grant_type),
      ['device_code', 'refresh_token'],
    );
    assert.equal(tokenCalls[1]!.client_id, 'my-client', 'same client');
    assert.ok(GRAPH_SCOPES.every((s) => tokenCalls[1]!.scope!.includes(s)));
    assert.ok(!tokenCalls[1]!.scope!.includes(DRS_SCOPE));
    // begin still uses the DRS token.
    assert.equal(em.requestsTo('/begin')[0]!.headers.authorization, `Bearer ${ACCESS}`);
  });
});

test('preflight hook: its own error stops the fetch before begin and comes out as it is, without tokens', async () => {
  await withEmulator({}, async (em) => {
    class Verdict extends Error {}
    let thrown: Verdict | undefined;
    await assert.rejects(
      fetchBulkToken(
        options(em, {
          preflight: async (ctx) => {
            const t = await ctx.acquireTokenSilent(GRAPH_SCOPES);
            thrown = new Verdict(`R1 failed (graph ${t}, drs ${ACCESS})`);
            throw thrown;
          },
        }),
      ),
      (e: unknown) => {
        assert.equal(e, thrown, 'the same error');
        assert.ok(!(e instanceof EntraError));
        assert.ok(!(e as Error).message.includes(GRAPH) && !(e as Error).message.includes(ACCESS), (e as Error).message);
        assert.match((e as Error).message, /R1 failed \(graph \[redacted\], drs \[redacted\]\)/);
        return true;
      },
    );
    assert.equal(em.requestsTo('/webapp/bulkaadjtoken').length, 0);
    assert.deepEqual(em.packageUsers, []);
  });
});

test('preflight hook: a cancel during the checks is `cancelled`, and nothing is requested', async () => {
  await withEmulator({}, async (em) => {
    const controller = new AbortController();
    await assert.rejects(
      fetchBulkToken(
        options(em, {
          signal: controller.signal,
          preflight: async () => {
            controller.abort();
          },
        }),
      ),
      (e: unknown) => e instanceof EntraError && e.kind === 'cancelled',
    );
    assert.equal(em.requestsTo('/webapp/bulkaadjtoken').length, 0);
  });
});

test('preflight hook: a failed fetch after the hook is still an EntraError of the protocol, with both tokens scrubbed', async () => {
  await withEmulator({ bulk: { completion: { kind: 'error', code: 240001, description: `User is not authorized (${GRAPH} ${ACCESS})` } } }, async (em) => {
    await assert.rejects(fetchBulkToken(options(em, { preflight: async (ctx) => void (await ctx.acquireTokenSilent(GRAPH_SCOPES)) })), (e: unknown) => {
      assert.ok(e instanceof EntraError);
      assert.equal(e.kind, 'not-authorized-to-join');
      const all = `${e.message} ${JSON.stringify(e.details)}`;
      assert.ok(!all.includes(GRAPH) && !all.includes(ACCESS), all);
      return true;
    });
  });
});

test('signInSession: the silent token fails as an EntraError of its own cause (consent), never a stale one', async () => {
  await withEmulator(
    {
      signIn: {
        pendingPolls: 1,
        refreshError: { error: 'invalid_grant', code: 65001, description: 'The user or administrator has not consented to use the application.' },
      },
    },
    async (em) => {
      const session = await signInSession({
        clientId: 'c',
        authority: em.authority,
        scopes: [DRS_SCOPE],
        deviceCode: true,
        onDeviceCode: () => undefined,
        ca: em.caPem,
      });
      assert.equal(session.accessToken, ACCESS);
      await assert.rejects(session.acquireTokenSilent(GRAPH_SCOPES), (e: unknown) => {
        assert.ok(e instanceof EntraError);
        assert.equal(e.kind, 'consent-required');
        assert.equal(e.details.code, '65001');
        assert.ok(!e.message.includes(ACCESS));
        return true;
      });
      await assert.rejects(session.acquireTokenSilent([]), (e: unknown) => e instanceof EntraError && e.kind === 'invalid-option');
    },
  );
});

test('signIn keeps its shape: a plain result, no session attached', async () => {
  await withEmulator({}, async (em) => {
    const r = await signIn({ clientId: 'c', authority: em.authority, scopes: [DRS_SCOPE], deviceCode: true, onDeviceCode: () => undefined, ca: em.caPem });
    assert.deepEqual(Object.keys(r).sort(), ['accessToken', 'expiresOn', 'tenantClaims', 'tenantId', 'username']);
    // Only the tenant's non-secret claims: never a token.
    assert.deepEqual(
      Object.keys(r.tenantClaims!).filter((k) => !['tid', 'tenant_region_scope', 'tenant_region_sub_scope'].includes(k)),
      [],
    );
    assert.equal(r.accessToken, ACCESS);
  });
});
