import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../server/src/cli/main';
import type { TenantTestHooks } from '../../server/src/tenant/session';
import { tenantCliIO } from '../support/tenantCli';
import { getTestCa } from '../support/testCa';
import { healthyTenant, startGraphEmulator, type EmulatedUser, type TenantScenario } from '../support/graphEmulator';

const TOKEN = 'SENTINEL-tokens-access-token-b7e2c9';
const NOW = Date.parse('2026-03-01T12:00:00Z');

function users(): EmulatedUser[] {
  return [
    { id: 'id-old1', userPrincipalName: 'package_old1@contoso.example', createdDateTime: '2025-06-01T10:00:00Z' }, // expired, in project A
    { id: 'id-old2', userPrincipalName: 'package_old2@contoso.example', createdDateTime: '2025-01-01T10:00:00Z' }, // expired, unreferenced
    { id: 'id-new1', userPrincipalName: 'package_new1@contoso.example', createdDateTime: '2026-02-01T10:00:00Z' }, // valid, in project B
    { id: 'id-new2', userPrincipalName: 'package_new2@contoso.example', createdDateTime: '2026-02-20T10:00:00Z' }, // valid, unreferenced
    { id: 'id-alice', userPrincipalName: 'alice@contoso.example', createdDateTime: '2024-01-01T10:00:00Z' },
  ];
}

function projects(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-tokens-'));
  mkdirSync(join(dir, 'site-a'));
  mkdirSync(join(dir, 'site-b', 'nested'), { recursive: true });
  writeFileSync(
    join(dir, 'site-a', 'kiosk.ppkg.json'),
    JSON.stringify({ name: 'A', account: { entra: { packageUser: 'package_old1@contoso.example', token: { secret: 'bulk' } } } }),
  );
  writeFileSync(
    join(dir, 'site-b', 'nested', 'lab.ppkg.json'),
    JSON.stringify({ name: 'B', account: { entra: { packageUser: 'PACKAGE_NEW1@contoso.example', token: { secret: 'bulk' } } } }),
  );
  return dir;
}

async function tokens(args: string[], scenario: Partial<TenantScenario> = {}, extra: { confirm?: boolean; cwd?: string } = {}) {
  const emu = await startGraphEmulator(healthyTenant({ acceptToken: TOKEN, users: users(), pageSize: 2, ...scenario }));
  const hooks: TenantTestHooks = { getAccessToken: async () => TOKEN, ca: getTestCa().caPem, sleep: async () => undefined, now: () => NOW };
  const cli = tenantCliIO(hooks, { cwd: extra.cwd, confirm: extra.confirm });
  const { io, questions } = cli;
  try {
    const code = await main(['tokens', ...args, '--graph-endpoint', emu.url], io);
    const stdout = cli.stdout();
    const stderr = cli.stderr();
    for (const text of [stdout, stderr, ...questions]) assert.ok(!text.includes('SENTINEL'), 'token leaked');
    return { code, stdout, stderr, questions, emu };
  } finally {
    await emu.close();
  }
}

test('list --format json: every package_ account (across pages) with status, daysLeft and project', async () => {
  const dir = projects();
  const r = await tokens(['list', '.', '--format', 'json'], {}, { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.deepEqual(json, [
    { upn: 'package_old2@contoso.example', created: '2025-01-01T10:00:00Z', status: 'expired', daysLeft: -244, project: null },
    { upn: 'package_old1@contoso.example', created: '2025-06-01T10:00:00Z', status: 'expired', daysLeft: -93, project: join('site-a', 'kiosk.ppkg.json') },
    {
      upn: 'package_new1@contoso.example',
      created: '2026-02-01T10:00:00Z',
      status: 'valid',
      daysLeft: 152,
      project: join('site-b', 'nested', 'lab.ppkg.json'),
    },
    { upn: 'package_new2@contoso.example', created: '2026-02-20T10:00:00Z', status: 'valid', daysLeft: 171, project: null },
  ]);
  assert.ok(r.emu.requests.filter((q) => q.route === 'users').length >= 2, 'paged');
  assert.deepEqual(r.emu.deletedUserIds, []);
});

test('list as text is a table an admin can read', async () => {
  const r = await tokens(['list', projects()]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^ACCOUNT\s+CREATED\s+STATUS\s+DAYS LEFT\s+PROJECT/);
  assert.match(r.stdout, /4 account\(s\), 2 expired/);
});

test('list without User.Read.All consent: exit 2 with the permission named', async () => {
  const r = await tokens(['list'], { grantedScopes: ['User.Read'] });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /User\.Read\.All/);
});

test('revoke <upn>... --yes deletes exactly the named accounts', async () => {
  const r = await tokens(['revoke', 'package_old1@contoso.example', 'Package_New2@contoso.example', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.emu.deletedUserIds.sort(), ['id-new2', 'id-old1']);
  assert.match(r.stdout, /Will delete 2 bulk-token account\(s\)/);
  assert.match(r.stdout, /Deleted package_old1@contoso\.example/);
});

test('revoke asks for confirmation and deletes only after yes', async () => {
  const no = await tokens(['revoke', 'package_old1@contoso.example'], {}, { confirm: false });
  assert.equal(no.code, 2);
  assert.equal(no.questions.length, 1);
  assert.match(no.stdout, /package_old1@contoso\.example/);
  assert.deepEqual(no.emu.deletedUserIds, []);
  assert.ok(!no.emu.requests.some((q) => q.method === 'DELETE'));
  const yes = await tokens(['revoke', 'package_old1@contoso.example'], {}, { confirm: true });
  assert.equal(yes.code, 0);
  assert.deepEqual(yes.emu.deletedUserIds, ['id-old1']);
});

test('revoke refuses without a terminal and without --yes', async () => {
  const r = await tokens(['revoke', '--expired']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /without confirmation/);
  assert.ok(!r.emu.requests.some((q) => q.method === 'DELETE'));
});

test('--dry-run lists what would go and deletes nothing, even with --yes', async () => {
  const r = await tokens(['revoke', '--expired', '--dry-run', '--yes']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Would delete 2/);
  assert.match(r.stdout, /package_old1@contoso\.example/);
  assert.match(r.stdout, /package_old2@contoso\.example/);
  assert.match(r.stdout, /nothing was deleted/);
  assert.ok(!r.emu.requests.some((q) => q.method === 'DELETE'));
});

test('--expired selects exactly the accounts past 180 days', async () => {
  const r = await tokens(['revoke', '--expired', '--yes']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.emu.deletedUserIds.sort(), ['id-old1', 'id-old2']);
});

test('--unreferenced selects exactly the accounts no project file records', async () => {
  const r = await tokens(['revoke', '--unreferenced', projects(), '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.emu.deletedUserIds.sort(), ['id-new2', 'id-old2']);
});

test('--unreferenced refuses when no project file was found', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'ppkg-empty-'));
  const r = await tokens(['revoke', '--unreferenced', empty, '--yes']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no \*\.ppkg\.json/);
  assert.ok(!r.emu.requests.some((q) => q.method === 'DELETE'));
});

test('revoke refuses non-package accounts, unknown accounts and mixed selectors', async () => {
  const alice = await tokens(['revoke', 'alice@contoso.example', '--yes']);
  assert.equal(alice.code, 2);
  assert.match(alice.stderr, /not a bulk-token account/);
  assert.equal(alice.emu.requests.length, 0);
  const unknown = await tokens(['revoke', 'package_old1@contoso.example', 'package_gone@contoso.example', '--yes']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Not found in the tenant: package_gone/);
  assert.deepEqual(unknown.emu.deletedUserIds, []);
  const both = await tokens(['revoke', '--expired', '--unreferenced', '--yes']);
  assert.equal(both.code, 2);
  const none = await tokens(['revoke']);
  assert.equal(none.code, 2);
});

test('a delete Graph refuses is reported, the others still go, exit 2', async () => {
  const r = await tokens(['revoke', '--expired', '--yes'], { deleteFailures: { 'id-old2': 403 } });
  assert.equal(r.code, 2);
  assert.deepEqual(r.emu.deletedUserIds, ['id-old1']);
  assert.match(r.stdout, /Not deleted package_old2@contoso\.example: .*403/);
  assert.match(r.stderr, /User\.ReadWrite\.All/);
});

test('nothing to revoke is not an error', async () => {
  const r = await tokens(['revoke', '--expired', '--yes'], { users: [] });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /No expired bulk-token accounts/);
});
