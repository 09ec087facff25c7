import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';
import { TENANT_TEST_HOOKS, type TenantTestHooks } from '../../server/src/tenant/session';
import { getTestCa } from '../support/testCa';
import { healthyTenant, startGraphEmulator } from '../support/graphEmulator';
import { startEntraEmulator, type EntraScenario } from '../support/entraEmulator';

/**
 * The whole path: MSAL sign-in (the colleague's signIn, device code flow)
 * against the Entra emulator, then Graph against the Graph emulator. Only the
 * test CA is injected; no token provider.
 */
const TOKEN = 'SENTINEL-msal-graph-token-0c4d1f';

async function run(command: string[], entraScenario: EntraScenario = {}) {
  const entra = await startEntraEmulator({ accessToken: TOKEN, signIn: { interval: 0.01 }, ...entraScenario });
  const graph = await startGraphEmulator(
    healthyTenant({ acceptToken: TOKEN, users: [{ id: 'p1', userPrincipalName: 'package_1@contoso.example', createdDateTime: '2026-01-01T00:00:00Z' }] }),
  );
  const out: string[] = [];
  const err: string[] = [];
  const hooks: TenantTestHooks = { ca: getTestCa().caPem, now: () => Date.parse('2026-02-01T00:00:00Z') };
  const io: CliIO & { [TENANT_TEST_HOOKS]: TenantTestHooks } = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: process.cwd(),
    env: {},
    [TENANT_TEST_HOOKS]: hooks,
  };
  try {
    const code = await main([...command, '--authority', entra.authority, '--graph-endpoint', graph.url, '--device-code'], io);
    const stdout = out.join('');
    const stderr = err.join('');
    assert.ok(!stdout.includes(TOKEN) && !stderr.includes(TOKEN), 'token leaked');
    return { code, stdout, stderr, entra, graph };
  } finally {
    await graph.close();
    await entra.close();
  }
}

test('doctor signs in with Graph Command Line Tools and the preflight scopes, then passes', async () => {
  const r = await run(['doctor', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as unknown[]).length, 7);
  const tokenRequests = r.entra.requestsTo('/oauth2/v2.0/token');
  assert.ok(tokenRequests.length >= 1);
  const form = tokenRequests[tokenRequests.length - 1].form ?? {};
  assert.equal(form.client_id, '14d82eec-204b-4c2f-b7e8-296a70dab67e');
  const devicecode = r.entra.requestsTo('/oauth2/v2.0/devicecode')[0]?.form ?? {};
  for (const s of ['User.Read', 'Application.Read.All', 'Policy.Read.All', 'Policy.Read.HybridAuthentication']) {
    assert.ok((devicecode.scope ?? '').includes(`https://graph.microsoft.com/${s}`), s);
  }
  assert.ok(!(devicecode.scope ?? '').includes('ReadWrite'), 'read-only doctor asks for no write scope');
  assert.ok(r.graph.requests.every((q) => q.authorization === `Bearer ${TOKEN}`));
});

test('--client-id overrides the sign-in app; tokens list asks only for read scopes', async () => {
  const r = await run(['tokens', 'list', '--format', 'json', '--client-id', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { upn: string }[])[0].upn, 'package_1@contoso.example');
  const devicecode = r.entra.requestsTo('/oauth2/v2.0/devicecode')[0]?.form ?? {};
  assert.equal(devicecode.client_id, 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  assert.ok((devicecode.scope ?? '').includes('https://graph.microsoft.com/User.Read.All'));
  assert.ok(!(devicecode.scope ?? '').includes('User.ReadWrite.All'));
});

test('consent missing at sign-in (AADSTS65001): exit 2, says who must consent', async () => {
  const r = await run(['doctor'], {
    signIn: {
      interval: 0.01,
      error: { error: 'invalid_grant', code: 65001, description: 'AADSTS65001: The user or administrator has not consented to use the application.' },
    },
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Sign-in failed/);
  assert.match(r.stderr, /Privileged Role Administrator/);
  assert.equal(r.graph.requests.length, 0);
});
