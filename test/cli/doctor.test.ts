import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../server/src/cli/main';
import type { TenantTestHooks } from '../../server/src/tenant/session';
import { tenantCliIO } from '../support/tenantCli';
import { getTestCa } from '../support/testCa';
import { healthyTenant, startGraphEmulator, type TenantScenario } from '../support/graphEmulator';

const TOKEN = 'SENTINEL-doctor-token-31d7a0e4';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  questions: string[];
}

async function doctor(args: string[], scenario: TenantScenario, extra: { confirm?: boolean; token?: string; closed?: boolean } = {}) {
  const emu = await startGraphEmulator({ acceptToken: TOKEN, ...scenario });
  if (extra.closed) await emu.close();
  const hooks: TenantTestHooks = { getAccessToken: async () => extra.token ?? TOKEN, ca: getTestCa().caPem, sleep: async () => undefined };
  const { io, questions, stdout, stderr } = tenantCliIO(hooks, { confirm: extra.confirm });
  try {
    const code = await main(['doctor', '--graph-endpoint', emu.url, ...args], io);
    const run: Run = { code, stdout: stdout(), stderr: stderr(), questions };
    // The access token never reaches any output.
    for (const text of [run.stdout, run.stderr, ...questions]) {
      assert.ok(!text.includes(TOKEN), 'token leaked');
      assert.ok(!text.includes('SENTINEL'), 'sentinel leaked');
    }
    return { ...run, emu };
  } finally {
    if (!extra.closed) await emu.close();
  }
}

test('healthy tenant: exit 0 and JSON is an array of { check, status, message, fix }', async () => {
  const r = await doctor(['--format', 'json'], healthyTenant());
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Record<string, string>[];
  assert.equal(json.length, 7);
  assert.deepEqual(
    json.map((x) => x.check),
    ['R1', 'R2', 'R4', 'R3', 'R5', 'R7', 'R6'],
  );
  for (const x of json) {
    assert.deepEqual(Object.keys(x), ['check', 'status', 'message', 'fix']);
    assert.equal(x.status, 'pass');
    assert.equal(typeof x.message, 'string');
  }
  // Read-only: no write requests.
  assert.ok(r.emu.requests.every((q) => q.method === 'GET' || q.route === 'checkMemberGroups'));
});

test('a failing check: exit 1, text report shows the fix', async () => {
  const r = await doctor([], healthyTenant({ syncFabric: null }));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /FAIL\s+R1 {2}Microsoft\.Azure\.SyncFabric/);
  assert.match(r.stdout, /New-MgServicePrincipal -AppId "00000014-0000-0000-c000-000000000000"/);
  assert.match(r.stdout, /6 passed, 0 warning\(s\), 1 failed/);
});

test('warnings and unknowns do not fail: consent missing exits 0 with the consent hint', async () => {
  const r = await doctor(['--client-id', '11111111-2222-3333-4444-555555555555'], healthyTenant({ grantedScopes: ['User.Read'] }));
  assert.equal(r.code, 0);
  assert.match(r.stdout, /7 could not be checked/);
  assert.match(r.stdout, /adminconsent\?client_id=11111111-2222-3333-4444-555555555555/);
  const json = await doctor(['--format', 'json'], healthyTenant({ grantedScopes: ['User.Read'] }));
  assert.ok((JSON.parse(json.stdout) as { status: string }[]).every((x) => x.status === 'unknown'));
});

test('the preflight cannot run: exit 2 (token rejected, endpoint down, bad option)', async () => {
  const rejected = await doctor(['--format', 'json'], healthyTenant({ echoAuthorizationInErrors: true }), { token: 'SENTINEL-other-token' });
  assert.equal(rejected.code, 2);
  assert.equal(rejected.stdout, '');
  assert.match(rejected.stderr, /could not run.*401/);
  const down = await doctor([], healthyTenant(), { closed: true });
  assert.equal(down.code, 2);
  assert.match(down.stderr, /could not run/);
  const bad = await doctor(['--format', 'xml'], healthyTenant());
  assert.equal(bad.code, 2);
  const unknownFlag = await doctor(['--insecure'], healthyTenant());
  assert.equal(unknownFlag.code, 2);
});

test('a Graph error that echoes the token never shows it', async () => {
  const r = await doctor(
    ['--format', 'json'],
    healthyTenant({ echoAuthorizationInErrors: true, failures: { caPolicies: 500, deviceRegistrationPolicy: 500 } }),
  );
  assert.equal(r.code, 0);
  const json = JSON.parse(r.stdout) as { check: string; status: string; message: string }[];
  assert.equal(json.find((x) => x.check === 'R6')!.status, 'unknown');
  assert.match(json.find((x) => x.check === 'R6')!.message, /\[redacted\]/);
});

test('--fix without a terminal and without --yes refuses and writes nothing', async () => {
  const r = await doctor(['--fix'], healthyTenant({ syncFabric: null }));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /needs a confirmation/);
  assert.deepEqual(r.emu.createdServicePrincipals, []);
  assert.ok(!r.emu.requests.some((q) => q.method === 'POST' && q.route === 'createServicePrincipal'));
});

test('--fix declined at the prompt writes nothing', async () => {
  const r = await doctor(['--fix'], healthyTenant({ syncFabric: null }), { confirm: false });
  assert.equal(r.code, 2);
  assert.equal(r.questions.length, 1);
  assert.match(r.questions[0], /SyncFabric/);
  assert.deepEqual(r.emu.createdServicePrincipals, []);
});

test('--fix confirmed creates only the SyncFabric service principal and re-checks R1', async () => {
  const r = await doctor(['--fix', '--format', 'json'], healthyTenant({ syncFabric: null }), { confirm: true });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.emu.createdServicePrincipals, ['00000014-0000-0000-c000-000000000000']);
  const writes = r.emu.requests.filter((q) => q.method !== 'GET' && q.route !== 'checkMemberGroups');
  assert.deepEqual(
    writes.map((q) => `${q.method} ${q.url}`),
    ['POST /v1.0/servicePrincipals'],
  );
  assert.equal((JSON.parse(r.stdout) as { check: string; status: string }[]).find((x) => x.check === 'R1')!.status, 'pass');
  const yes = await doctor(['--fix', '--yes'], healthyTenant({ syncFabric: null }));
  assert.equal(yes.code, 0);
  assert.equal(yes.emu.createdServicePrincipals.length, 1);
});

test('--fix on a tenant that has the SP changes nothing', async () => {
  const r = await doctor(['--fix', '--yes'], healthyTenant());
  assert.equal(r.code, 0);
  assert.match(r.stderr, /Nothing to fix/);
  assert.deepEqual(r.emu.createdServicePrincipals, []);
});
