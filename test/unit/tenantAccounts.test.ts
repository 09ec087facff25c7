import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProjectFiles } from '../../server/src/fs/projectFiles';
import { classifyAccounts, isPackageUpn, scanProjectReferences } from '../../server/src/tenant/bulkTokenAccounts';
import { accountsToJson } from '../../server/src/tenant/report';

const NOW = new Date('2026-03-01T12:00:00Z');

test('status against 180 days from createdDateTime, with daysLeft from the injected clock', () => {
  const accounts = classifyAccounts(
    [
      { id: '1', userPrincipalName: 'package_a@contoso.example', createdDateTime: '2026-02-01T08:00:00Z' }, // expires 2026-07-31
      { id: '2', userPrincipalName: 'package_b@contoso.example', createdDateTime: '2025-09-02T08:00:00Z' }, // expires 2026-03-01 → today
      { id: '3', userPrincipalName: 'package_c@contoso.example', createdDateTime: '2025-01-01T00:00:00Z' },
      { id: '4', userPrincipalName: 'alice@contoso.example', createdDateTime: '2025-01-01T00:00:00Z' },
    ],
    new Map(),
    NOW,
  );
  assert.deepEqual(
    accounts.map((a) => [a.upn, a.status, a.daysLeft]),
    [
      ['package_c@contoso.example', 'expired', -244],
      ['package_b@contoso.example', 'expired', 0],
      ['package_a@contoso.example', 'valid', 152],
    ],
  );
});

test('a project tokenExpiry earlier than the 180-day limit wins; a missing date never reads as expired', () => {
  const refs = new Map([['package_a@contoso.example', [{ file: 'p/a.ppkg.json', tokenExpiry: '2026-02-15' }]]]);
  const list = classifyAccounts(
    [
      { id: '1', userPrincipalName: 'Package_A@contoso.example', createdDateTime: '2026-01-01T00:00:00Z' },
      { id: '2', userPrincipalName: 'package_z@contoso.example', createdDateTime: null },
    ],
    refs,
    NOW,
  );
  const a = list.find((x) => x.id === '1')!;
  const b = list.find((x) => x.id === '2')!;
  assert.equal(a.status, 'expired');
  assert.equal(a.project, 'p/a.ppkg.json');
  assert.equal(b.status, 'valid');
  assert.equal(b.daysLeft, null);
  assert.deepEqual(Object.keys(accountsToJson([a])[0]), ['upn', 'created', 'status', 'daysLeft', 'project']);
});

test('project files are found recursively and mapped by account.entra.packageUser', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-accounts-'));
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'a.ppkg.json'),
    '{ // comment\n "account": { "entra": { "packageUser": "package_a@contoso.example", "tokenExpiry": "2026-05-01", "token": { "secret": "t" } } } }',
  );
  writeFileSync(join(dir, 'sub', 'deeper', 'b.ppkg.json'), '{ "account": { "entra": { "packageUser": "package_b@contoso.example" } } }');
  writeFileSync(join(dir, 'sub', 'none.ppkg.json'), '{ "name": "no token" }');
  writeFileSync(join(dir, 'node_modules', 'x.ppkg.json'), '{ "account": { "entra": { "packageUser": "package_x@contoso.example" } } }');
  writeFileSync(join(dir, 'broken.ppkg.json'), '{ "account": ');
  const files = await findProjectFiles([dir]);
  assert.equal(files.length, 4);
  const refs = await scanProjectReferences(files);
  assert.deepEqual([...refs.keys()].sort(), ['package_a@contoso.example', 'package_b@contoso.example']);
  assert.equal(refs.get('package_a@contoso.example')![0].tokenExpiry, '2026-05-01');
  await assert.rejects(findProjectFiles([join(dir, 'missing')]), /Folder not found/);
});

test('only package_ UPNs count as bulk-token accounts', () => {
  assert.ok(isPackageUpn('package_0b1c@contoso.example'));
  assert.ok(!isPackageUpn('alice@contoso.example'));
  assert.ok(!isPackageUpn('package_nodomain'));
  assert.ok(!isPackageUpn('xpackage_a@contoso.example'));
});
