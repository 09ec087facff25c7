import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';
import { TOKEN_PREFLIGHT_SCOPES } from '../../server/src/tenant/tokenPreflight';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';
import { healthyTenant, startGraphEmulator, type GraphEmulator, type TenantScenario } from '../support/graphEmulator';

/**
 * `ppkg token` with the fast tenant checks in front: one device-code sign-in
 * (DRS) against the Entra emulator, a Graph token for the same account by the
 * refresh-token grant (no second prompt), the checks against the Graph
 * emulator, then begin/poll.
 */
const ACCESS = 'SENTINEL-TP-DRS-ACCESS-4e71a0';
const GRAPH = 'SENTINEL-TP-GRAPH-ACCESS-b9d3c2';
const BPRT = 'SENTINEL-TP-BPRT-0.AAAA-77f0e1';
const SECRETS = [ACCESS, GRAPH, BPRT];

const PROJECT = `{
  "package": { "name": "Kiosk" },
  "account": { "entra": { "token": { "secret": "kiosk-token" } } }
}
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  entra: EntraEmulator;
  graph: GraphEmulator;
  project: string;
  out: string;
}

async function run(opts: {
  entra?: EntraScenario;
  tenant?: Partial<TenantScenario>;
  args?: string[];
  graphDown?: boolean;
  noGraphEndpoint?: boolean;
}): Promise<Run> {
  const entra = await startEntraEmulator({ accessToken: ACCESS, silentAccessToken: GRAPH, bulkToken: BPRT, ...opts.entra });
  const graph = await startGraphEmulator(healthyTenant({ acceptToken: GRAPH, ...opts.tenant }));
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-token-preflight-'));
  const project = join(dir, 'kiosk.ppkg.json');
  writeFileSync(project, PROJECT);
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env: { NODE_EXTRA_CA_CERTS: entra.caFile } };
  try {
    if (opts.graphDown) await graph.close();
    const args = [
      'token',
      'kiosk.ppkg.json',
      '--authority',
      entra.authority,
      '--bulk-endpoint',
      entra.bulkEndpoint,
      '--poll-interval',
      '10',
      ...(opts.noGraphEndpoint ? [] : ['--graph-endpoint', graph.url]),
      ...(opts.args ?? ['--out', 'bprt.txt']),
    ];
    const code = await main(args, io);
    const printed = (opts.args ?? []).includes('--print');
    for (const s of SECRETS) {
      if (!(printed && s === BPRT)) assert.ok(!stdout.includes(s), `a token in stdout: ${stdout}`);
      assert.ok(!stderr.includes(s), `a token in stderr: ${stderr}`);
    }
    return { code, stdout, stderr, entra, graph, project, out: join(dir, 'bprt.txt') };
  } finally {
    if (!opts.graphDown) await graph.close();
    await entra.close();
  }
}

const refreshGrants = (em: EntraEmulator) => em.requestsTo('/oauth2/v2.0/token').filter((r) => r.form?.grant_type === 'refresh_token');
const deviceCodePrompts = (em: EntraEmulator) => em.requestsTo('/oauth2/v2.0/devicecode').length;

test('healthy tenant: one prompt, a silent Graph token for the fast checks, then the fetch', async () => {
  const r = await run({});
  assert.equal(r.code, 0, r.stderr);
  assert.equal(deviceCodePrompts(r.entra), 1, 'one sign-in only');
  const grants = refreshGrants(r.entra);
  assert.equal(grants.length, 1);
  for (const s of TOKEN_PREFLIGHT_SCOPES) assert.ok(grants[0]!.form!.scope!.includes(`https://graph.microsoft.com/${s}`), s);
  assert.ok(!grants[0]!.form!.scope!.includes('urn:ms-drs'), 'the Graph request asks for Graph only');
  // Graph saw the Graph token only, and only the fast checks' reads.
  assert.ok(r.graph.requests.length > 0);
  assert.ok(r.graph.requests.every((q) => q.authorization === `Bearer ${GRAPH}`));
  assert.deepEqual([...new Set(r.graph.requests.map((q) => q.route))].sort(), ['deviceRegistrationPolicy', 'me', 'roleSelf', 'servicePrincipal']);
  // The DRS token went to begin, not the Graph one.
  assert.equal(r.entra.requestsTo('/begin')[0]!.headers.authorization, `Bearer ${ACCESS}`);
  assert.match(r.stderr, /Tenant checks R1, R2, R4 passed\./);
  assert.ok(r.stderr.indexOf('Tenant checks') < r.stderr.indexOf('Asking Entra ID for a bulk token'), 'checks before the request');
  assert.equal(readFileSync(r.out, 'utf8'), `${BPRT}\n`);
});

test('a failing fast check (SyncFabric missing) stops before begin: exit 1, nothing created or stored', async () => {
  const r = await run({ tenant: { syncFabric: null } });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.entra.requestsTo('/webapp/bulkaadjtoken').length, 0, 'begin never called');
  assert.deepEqual(r.entra.packageUsers, []);
  assert.ok(!existsSync(r.out), 'no --out file');
  assert.equal(readFileSync(r.project, 'utf8'), PROJECT, 'project unchanged');
  assert.match(r.stderr, /Stopped before requesting a bulk token/);
  assert.match(r.stderr, /FAIL R1 \(the Microsoft\.Azure\.SyncFabric service principal\)/);
  assert.match(r.stderr, /Fix: [^]*New-MgServicePrincipal/);
  assert.match(r.stderr, /no package_ account was created/);
  assert.doesNotMatch(r.stderr, /Asking Entra ID for a bulk token/);

  // With --print: nothing on stdout either.
  const p = await run({ tenant: { syncFabric: null }, args: ['--print'] });
  assert.equal(p.code, 1);
  assert.equal(p.stdout, '');
  assert.equal(p.entra.requestsTo('/webapp/bulkaadjtoken').length, 0);
});

test('a role scoped to an administrative unit (R2 fail) also stops the fetch', async () => {
  const r = await run({
    tenant: { roleAssignments: [{ roleDefinitionId: '3a2c62db-5318-420d-8d74-23affee5d9d5', directoryScopeId: '/administrativeUnits/au-1' }] },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /FAIL R2/);
  assert.equal(r.entra.requestsTo('/begin').length, 0);
});

test('warn and unknown are printed to stderr and the fetch goes on', async () => {
  const r = await run({ tenant: { syncFabric: { accountEnabled: false }, forbidden: ['deviceRegistrationPolicy'] } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /going on with the fetch/);
  assert.match(r.stderr, /WARN R1 .*disabled/);
  assert.match(r.stderr, /UNKNOWN R4 \(users may join devices\): Could not read the device registration policy/);
  assert.equal(r.entra.requestsTo('/begin').length, 1);
  assert.equal(readFileSync(r.out, 'utf8'), `${BPRT}\n`);
});

test('no silent Graph token (consent missing for the client): one "skipped" line, the fetch succeeds', async () => {
  const r = await run({
    entra: {
      signIn: { refreshError: { error: 'invalid_grant', code: 65001, description: 'The user or administrator has not consented to use the application.' } },
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(refreshGrants(r.entra).length, 1, 'tried once, silently');
  assert.equal(deviceCodePrompts(r.entra), 1, 'no second prompt');
  assert.equal(r.graph.requests.length, 0);
  const skipped = r.stderr.split('\n').filter((l) => /Tenant checks skipped/.test(l));
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!, /no consent.*\(AADSTS65001\)\. Run `ppkg doctor`/);
  assert.equal(readFileSync(r.out, 'utf8'), `${BPRT}\n`);
});

test('other silent failures (MFA for Graph, Graph unreachable) are skipped too', async () => {
  const mfa = await run({
    entra: { signIn: { refreshError: { error: 'invalid_grant', code: 50076, description: 'Due to a configuration change you must use MFA.' } } },
  });
  assert.equal(mfa.code, 0, mfa.stderr);
  assert.match(mfa.stderr, /Tenant checks skipped: .*AADSTS50076/);
  const down = await run({ graphDown: true });
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /Tenant checks skipped: /);
  assert.equal(down.entra.requestsTo('/begin').length, 1);
});

test('--skip-checks: no Graph token asked for, no Graph request', async () => {
  const r = await run({ args: ['--out', 'bprt.txt', '--skip-checks'], tenant: { syncFabric: null } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(refreshGrants(r.entra).length, 0);
  assert.equal(r.graph.requests.length, 0);
  assert.doesNotMatch(r.stderr, /Tenant checks/);
  assert.equal(readFileSync(r.out, 'utf8'), `${BPRT}\n`);
});

test('an authority of no known cloud without --graph-endpoint: skipped, says which option, no Graph token asked for', async () => {
  const r = await run({ noGraphEndpoint: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(refreshGrants(r.entra).length, 0);
  assert.match(
    r.stderr,
    /Tenant checks skipped: no Microsoft Graph endpoint is known for the sign-in authority 127\.0\.0\.1:\d+ \(pass --graph-endpoint <url>\)/,
  );
});

test('--graph-endpoint must be https', async () => {
  const r = await run({ args: ['--print', '--graph-endpoint', 'http://127.0.0.1:1'] });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--graph-endpoint must be an https URL/);
  assert.equal(r.entra.requests.length, 0);
});

test('after a failed fetch with AADSTS240001 the error names the checks that look for it', async () => {
  const r = await run({
    entra: {
      bulk: {
        completion: { kind: 'error', code: 240001, error: 'BulkAADJTokenUnauthorized', description: 'User is not authorized to register devices in Azure AD.' },
      },
    },
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /\[not-authorized-to-join\]\nThis is what checks R4 \(users may join devices\) and R2 \(a bulk-token role for the whole tenant\) look for: run `ppkg doctor` to confirm\. Fix: /,
  );
  assert.ok(!existsSync(r.out));
  assert.equal(readFileSync(r.project, 'utf8'), PROJECT);
});

test('after a failed fetch for an unrelated reason (HTTP 500, timeout) no check is blamed', async () => {
  const http = await run({ entra: { bulk: { beginRaw: { status: 500, body: 'down' } } } });
  assert.equal(http.code, 2);
  assert.match(http.stderr, /\[http\]/);
  assert.doesNotMatch(http.stderr, /This is what check/);
  const timeout = await run({ entra: { bulk: { completion: { kind: 'never' } } }, args: ['--out', 'bprt.txt', '--timeout', '0.2'] });
  assert.equal(timeout.code, 2);
  assert.match(timeout.stderr, /\[timeout\]/);
  assert.doesNotMatch(timeout.stderr, /This is what check/);
});
