import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { fetchBulkToken, resolveExpiry, type FetchTokenOptions } from '../../server/src/entra/fetchToken';
import { EntraError, type EntraErrorKind } from '../../server/src/entra/errors';
import { DRS_SCOPE } from '../../server/src/entra/clouds';
import { signIn } from '../../server/src/entra/signIn';
import { latestSafeExpiry, toBulkTokenExp } from '../../server/src/model/dates';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';

const ACCESS = 'SENTINEL-ACCESS-TOKEN-7f3a9c';
const BPRT = 'SENTINEL-BPRT-0.AAAA-d41e88';

function scenario(s: EntraScenario = {}): EntraScenario {
  return { accessToken: ACCESS, bulkToken: BPRT, ...s };
}

function options(em: EntraEmulator, extra: FetchTokenOptions = {}): FetchTokenOptions {
  return {
    authority: em.authority,
    ca: em.caPem,
    deviceCode: true,
    onDeviceCode: () => undefined,
    pollIntervalMs: 10,
    timeoutMs: 5000,
    ...extra,
  };
}

function browser(em: EntraEmulator) {
  return (url: string) =>
    new Promise<void>((resolve, reject) => {
      https
        .get(url, { ca: em.caPem }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        })
        .on('error', reject);
    });
}

/** Runs a fetch that must fail; checks kind, and that no token leaks into the error. */
async function expectFailure(em: EntraEmulator, opts: FetchTokenOptions, kind: EntraErrorKind): Promise<EntraError> {
  try {
    await fetchBulkToken(opts);
  } catch (e) {
    assert.ok(e instanceof EntraError, `expected EntraError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    const all = `${e.message} ${JSON.stringify(e.details)} ${e.stack ?? ''}`;
    assert.ok(!all.includes(ACCESS), 'access token leaked into the error');
    assert.ok(!all.includes(BPRT), 'bulk token leaked into the error');
    assert.ok(!all.includes(em.accessToken));
    return e;
  }
  assert.fail('the fetch succeeded');
}

async function withEmulator<T>(s: EntraScenario, fn: (em: EntraEmulator) => Promise<T>): Promise<T> {
  const em = await startEntraEmulator(scenario(s));
  try {
    return await fn(em);
  } finally {
    await em.close();
  }
}

test('device code flow: fetches the BPRT and reports expiry, package user, tenant', async () => {
  await withEmulator({ signIn: { pendingPolls: 2 } }, async (em) => {
    const messages: string[] = [];
    const now = new Date('2026-03-10T12:00:00Z');
    const result = await fetchBulkToken(options(em, { onDeviceCode: (m) => messages.push(m), now: () => now }));
    assert.equal(result.token, BPRT);
    assert.equal(result.expiry, latestSafeExpiry(now));
    assert.equal(result.expiry, '2026-09-05');
    assert.equal(result.issuedAt, now.toISOString());
    assert.match(result.packageUser, /^package_[0-9a-f-]{36}@contoso\.onmicrosoft\.com$/);
    assert.equal(result.tenant, em.tenantId);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /EMUL8CODE/);

    // The DRS scope was requested, at the device code and token endpoints.
    const dc = em.requestsTo('/oauth2/v2.0/devicecode')[0]!;
    assert.ok(dc.form?.scope?.split(' ').includes(DRS_SCOPE), dc.form?.scope);
    assert.equal(dc.form?.client_id, 'de0853a1-ab20-47bd-990b-71ad5077ac7b');
    const tokens = em.requestsTo('/oauth2/v2.0/token');
    assert.equal(tokens.length, 3, 'two authorization_pending answers, then success');
    assert.ok(tokens.every((t) => t.form?.scope?.split(' ').includes(DRS_SCOPE)));

    // begin: Bearer header, JSON body with pid, name, exp as MM/dd/yyyy.
    const begin = em.requestsTo('/webapp/bulkaadjtoken/begin');
    assert.equal(begin.length, 1);
    assert.equal(begin[0]!.headers.authorization, `Bearer ${ACCESS}`);
    assert.match(String(begin[0]!.headers['content-type']), /^application\/json/);
    const body = begin[0]!.json as { pid: string; name: string; exp: string };
    assert.equal(body.exp, '09/05/2026');
    assert.equal(body.exp, toBulkTokenExp(result.expiry));
    assert.match(body.pid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(body.name, `package_${body.pid}`);
    assert.equal(result.packageUser, `package_${body.pid}@contoso.onmicrosoft.com`);

    const polls = em.requestsTo('/webapp/bulkaadjtoken/poll');
    assert.equal(polls.length, 1);
    assert.equal(polls[0]!.headers.authorization, `Bearer ${ACCESS}`);
    assert.ok(polls[0]!.query.flowToken?.startsWith('AQABAAEAAAD-'));
  });
});

test('interactive flow: the loopback redirect completes through openBrowser', async () => {
  await withEmulator({}, async (em) => {
    const opened: string[] = [];
    const open = browser(em);
    const result = await fetchBulkToken(
      options(em, {
        deviceCode: false,
        onDeviceCode: undefined,
        openBrowser: async (url) => {
          opened.push(url);
          await open(url);
        },
      }),
    );
    assert.equal(result.token, BPRT);
    assert.equal(opened.length, 1);
    const u = new URL(opened[0]!);
    assert.equal(u.pathname, '/organizations/oauth2/v2.0/authorize');
    assert.ok(u.searchParams.get('scope')?.split(' ').includes(DRS_SCOPE));
    assert.match(u.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+/);
    assert.equal(em.requestsTo('/oauth2/v2.0/token')[0]!.form?.grant_type, 'authorization_code');
  });
});

test('an explicit expiry is sent as MM/dd/yyyy', async () => {
  await withEmulator({}, async (em) => {
    const now = new Date('2026-01-15T08:00:00Z');
    const r = await fetchBulkToken(options(em, { expiry: '2026-03-01', now: () => now }));
    assert.equal(r.expiry, '2026-03-01');
    assert.equal((em.requestsTo('/begin')[0]!.json as { exp: string }).exp, '03/01/2026');
  });
});

test('slow polling: keeps polling through InProgress until CompleteSuccess', async () => {
  await withEmulator({ bulk: { inProgressPolls: 6 } }, async (em) => {
    const r = await fetchBulkToken(options(em));
    assert.equal(r.token, BPRT);
    assert.equal(em.requestsTo('/poll').length, 7);
  });
});

test('CompleteError AADSTS240001: tells the admin to allow device join and grant consent', async () => {
  await withEmulator(
    {
      bulk: {
        completion: {
          kind: 'error',
          code: 240001,
          error: 'BulkAADJTokenUnauthorized',
          description: 'BulkAADJTokenUnauthorized: User is not authorized to register devices in Azure AD.',
        },
      },
    },
    async (em) => {
      const e = await expectFailure(em, options(em), 'not-authorized-to-join');
      assert.equal(e.details.code, '240001');
      assert.match(e.message, /join devices/);
      assert.match(
        e.message,
        /https:\/\/login\.microsoftonline\.com\/common\/adminConsent\?client_id=de0853a1-ab20-47bd-990b-71ad5077ac7b&redirect_uri=https:\/\/portal\.azure\.com\/TokenAuthorize/,
      );
    },
  );
});

const completeErrors: { name: string; completion: { code?: number; description: string }; kind: EntraErrorKind; says: RegExp }[] = [
  // AADSTS90093 GraphUserUnauthorized: Graph refused Entra ID's own call (consent), not the admin's role.
  {
    name: 'Graph forbidden (90093)',
    completion: { code: 90093, description: 'AADSTS90093: Graph returned 403 Insufficient privileges to complete the operation.' },
    kind: 'graph-forbidden',
    says: /call to Microsoft Graph on your behalf was forbidden \(AADSTS90093\).*not about your role.*adminConsent/,
  },
  // AADSTS90092 GraphNonRetryableError: the SyncFabric service principal that creates package_ users is missing.
  {
    name: 'SyncFabric missing (90092)',
    completion: { code: 90092, description: 'AADSTS90092: Non-retryable error has occurred.' },
    kind: 'syncfabric-missing',
    says: /SyncFabric service principal is missing.*`ppkg doctor --fix`/,
  },
  {
    name: 'SyncFabric missing',
    completion: { code: 700016, description: "Application with identifier '00000014-0000-0000-c000-000000000000' was not found in the directory." },
    kind: 'syncfabric-missing',
    says: /New-MgServicePrincipal -AppId 00000014-0000-0000-c000-000000000000/,
  },
  {
    name: 'not in MDM user scope',
    completion: { description: 'The user is not in the MDM user scope for automatic enrollment.' },
    kind: 'not-in-mdm-scope',
    says: /MDM user scope/,
  },
  { name: 'unknown code', completion: { code: 99999, description: 'Something else.' }, kind: 'bulk-token-failed', says: /AADSTS99999.*Something else/ },
];
for (const c of completeErrors) {
  test(`CompleteError, ${c.name} → ${c.kind}`, async () => {
    await withEmulator({ bulk: { inProgressPolls: 1, completion: { kind: 'error', ...c.completion } } }, async (em) => {
      const e = await expectFailure(em, options(em), c.kind);
      assert.match(e.message, c.says);
    });
  });
}

test('unauthorized_client is retried once with the same package ID; a second refusal names the client and how to consent', async () => {
  await withEmulator({ bulk: { unauthorizedClientBegins: 1 } }, async (em) => {
    const r = await fetchBulkToken(options(em));
    assert.equal(r.token, em.bulkToken);
    const begins = em.requestsTo('/webapp/bulkaadjtoken/begin');
    assert.equal(begins.length, 2, 'one retry');
    assert.equal((begins[0]!.json as { pid: string }).pid, (begins[1]!.json as { pid: string }).pid, 'the same pid: at most one package_ user');
  });
  await withEmulator({ bulk: { unauthorizedClientBegins: 5 } }, async (em) => {
    const e = await expectFailure(em, options(em), 'client-refused');
    assert.equal(em.requestsTo('/webapp/bulkaadjtoken/begin').length, 2, 'retried once only');
    assert.match(e.message, /refused the app used to sign in \(AADSTS700016\) \(unauthorized_client\)/);
    assert.match(e.message, /Windows Configuration Designer \(de0853a1-ab20-47bd-990b-71ad5077ac7b\)/);
    assert.match(e.message, /--client-id/);
  });
});

test('HTTP 500 from begin → http, with a wait-and-retry message', async () => {
  await withEmulator({ bulk: { beginRaw: { status: 500, body: '<html>Internal Server Error</html>', contentType: 'text/html' } } }, async (em) => {
    const e = await expectFailure(em, options(em), 'http');
    assert.equal(e.details.status, 500);
    assert.match(e.message, /HTTP 500.*try again/);
    assert.equal(em.requestsTo('/poll').length, 0);
  });
});

test('HTTP 503 from poll → http', async () => {
  await withEmulator({ bulk: { pollRaw: { status: 503, body: '' } } }, async (em) => {
    const e = await expectFailure(em, options(em), 'http');
    assert.equal(e.details.status, 503);
    assert.equal(e.details.stage, 'poll');
  });
});

test('malformed JSON from poll → malformed-response', async () => {
  await withEmulator({ bulk: { pollRaw: { status: 200, body: '{"state":"CompleteSuccess","resultData":' } } }, async (em) => {
    await expectFailure(em, options(em), 'malformed-response');
  });
});

test('resultData that is not JSON → malformed-response', async () => {
  await withEmulator(
    { bulk: { pollRaw: { status: 200, body: JSON.stringify({ state: 'CompleteSuccess', resultData: `{"refresh_token":"${BPRT}"` }) } } },
    async (em) => {
      await expectFailure(em, options(em), 'malformed-response');
    },
  );
});

test('empty response → federated-staged-rollout', async () => {
  await withEmulator({ bulk: { pollRaw: { status: 200, body: '' } } }, async (em) => {
    const e = await expectFailure(em, options(em), 'federated-staged-rollout');
    assert.match(e.message, /staged rollout/);
  });
});

test('never completing → timeout within the configured bound', async () => {
  await withEmulator({ bulk: { completion: { kind: 'never' } } }, async (em) => {
    const started = Date.now();
    const e = await expectFailure(em, options(em, { timeoutMs: 300 }), 'timeout');
    const took = Date.now() - started;
    assert.ok(took < 3000, `took ${took} ms`);
    assert.ok(em.requestsTo('/poll').length >= 3);
    assert.match(e.message, /--timeout/);
  });
});

test('a poll answer that hangs past the deadline → timeout', async () => {
  await withEmulator({ bulk: { pollDelayMs: 2000 } }, async (em) => {
    await expectFailure(em, options(em, { timeoutMs: 300 }), 'timeout');
  });
});

test('cancellation mid-poll → cancelled, promptly', async () => {
  await withEmulator({ bulk: { completion: { kind: 'never' } } }, async (em) => {
    const controller = new AbortController();
    const timer = setInterval(() => {
      if (em.requestsTo('/poll').length >= 2) controller.abort();
    }, 5);
    const started = Date.now();
    try {
      await expectFailure(em, options(em, { signal: controller.signal, timeoutMs: 10_000 }), 'cancelled');
    } finally {
      clearInterval(timer);
    }
    assert.ok(Date.now() - started < 2000);
    const polls = em.requestsTo('/poll').length;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(em.requestsTo('/poll').length, polls, 'no polling after cancel');
  });
});

test('cancellation while waiting for the device code sign-in → cancelled', async () => {
  await withEmulator({ signIn: { pendingPolls: 1_000_000 } }, async (em) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 80);
    await expectFailure(em, options(em, { signal: controller.signal }), 'cancelled');
    assert.equal(em.requestsTo('/begin').length, 0);
  });
});

test('cancellation while the browser sign-in is open → cancelled, loopback released', async () => {
  await withEmulator({}, async (em) => {
    const controller = new AbortController();
    const e = await expectFailure(
      em,
      options(em, {
        deviceCode: false,
        signal: controller.signal,
        openBrowser: async () => {
          setTimeout(() => controller.abort(), 20); // the user never signs in
        },
      }),
      'cancelled',
    );
    assert.match(e.message, /cancelled/);
  });
});

const signInErrors: { name: string; spec: NonNullable<EntraScenario['signIn']>; kind: EntraErrorKind; says: RegExp }[] = [
  {
    name: 'MFA required (50076)',
    spec: {
      error: {
        error: 'invalid_grant',
        code: 50076,
        description: 'Due to a configuration change made by your administrator, you must use multi-factor authentication.',
      },
    },
    kind: 'mfa-required',
    says: /multi-factor.*password or certificate-based/,
  },
  { name: 'MFA enrollment (50079)', spec: { error: { error: 'interaction_required', code: 50079 } }, kind: 'mfa-required', says: /AADSTS50079/ },
  {
    name: 'Conditional Access block (53003)',
    spec: { error: { error: 'invalid_grant', code: 53003, description: 'Access has been blocked by Conditional Access policies.' } },
    kind: 'conditional-access',
    says: /Conditional Access.*exclude/,
  },
  {
    name: 'consent (65001)',
    spec: { error: { error: 'invalid_grant', code: 65001, description: 'The user or administrator has not consented.' } },
    kind: 'consent-required',
    says: /adminConsent/,
  },
  { name: 'token endpoint HTTP 500', spec: { raw: { status: 500, body: 'oops', contentType: 'text/plain' } }, kind: 'http', says: /HTTP 500/ },
];
for (const c of signInErrors) {
  test(`device code sign-in blocked: ${c.name} → ${c.kind}`, async () => {
    await withEmulator({ signIn: c.spec }, async (em) => {
      const e = await expectFailure(em, options(em), c.kind);
      assert.match(e.message, c.says);
      assert.equal(em.requestsTo('/begin').length, 0, 'no bulk request without a sign-in');
    });
  });
}

test('interactive sign-in blocked by Conditional Access at /authorize → conditional-access', async () => {
  await withEmulator(
    { signIn: { authorizeError: { error: 'access_denied', code: 53003, description: 'Access has been blocked by Conditional Access policies.' } } },
    async (em) => {
      await expectFailure(em, options(em, { deviceCode: false, openBrowser: browser(em) }), 'conditional-access');
    },
  );
});

test('interactive sign-in that needs MFA at the token endpoint → mfa-required', async () => {
  await withEmulator({ signIn: { error: { error: 'interaction_required', code: 50076 } } }, async (em) => {
    await expectFailure(em, options(em, { deviceCode: false, openBrowser: browser(em) }), 'mfa-required');
  });
});

test('network failure (nothing listening) → network', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  await withEmulator({}, async (em) => {
    const e = await expectFailure(em, options(em, { authority: `https://127.0.0.1:${port}/organizations` }), 'network');
    assert.match(e.message, /Could not reach Entra ID/);
  });
});

test('network failure at the bulk endpoint (connection refused) → network', async () => {
  await withEmulator({}, async (em) => {
    // Sign-in trusts the CA; the bulk call goes to a host without it.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    await expectFailure(em, options(em, { bulkEndpoint: `https://127.0.0.1:${port}/webapp/bulkaadjtoken` }), 'network');
  });
});

test('expiry: invalid, past and too far dates are refused before any request', async () => {
  await withEmulator({}, async (em) => {
    const now = new Date('2026-05-01T10:00:00Z');
    for (const [expiry, says] of [
      ['2026-02-30', /not a real date/],
      ['05/01/2026', /not a real date/],
      ['2026-04-30', /not in the future/],
      ['2026-05-01', /not in the future/],
      ['2026-10-29', /181 days ahead/],
    ] as const) {
      const e = await expectFailure(em, options(em, { expiry, now: () => now }), 'invalid-expiry');
      assert.match(e.message, says);
    }
    assert.equal(em.requests.length, 0);
    assert.equal(resolveExpiry('2026-10-28', now), '2026-10-28'); // exactly 180 days
    assert.equal(resolveExpiry(undefined, now), '2026-10-27');
  });
});

test('signIn() alone returns the account and tenant (reused for Graph)', async () => {
  await withEmulator({}, async (em) => {
    const r = await signIn({
      clientId: 'graph-client',
      authority: em.authority,
      scopes: ['https://graph.microsoft.com/.default'],
      deviceCode: true,
      onDeviceCode: () => undefined,
      ca: em.caPem,
    });
    assert.equal(r.accessToken, ACCESS);
    assert.equal(r.username, em.username);
    assert.equal(r.tenantId, em.tenantId);
    assert.ok(r.expiresOn instanceof Date);
    assert.ok(em.requestsTo('/devicecode')[0]!.form?.scope?.includes('https://graph.microsoft.com/.default'));
  });
});
