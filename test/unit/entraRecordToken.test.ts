import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { recordTokenFacts, RecordTokenError, tokenSecretName, type TokenFacts } from '../../server/src/entra/recordToken';
import { aadstsCode, errorFromServer } from '../../server/src/entra/errors';
import { atomicWriteFile } from '../../server/src/fs/atomicWrite';

const facts: TokenFacts = {
  tokenExpiry: '2027-05-20',
  issuedAt: '2026-11-22T09:30:00.000Z',
  packageUser: 'package_8d7f0a4e-1111-4222-8333-944445555666@contoso.onmicrosoft.com',
  tenant: '11111111-2222-3333-4444-555555555555',
};

const PROJECT = `// Kiosk laptops, Building 4
{
  "$schema": "../schemas/ppkg-project.schema.json",
  "package": { "name": "Kiosk", "id": "{0f4f2c1e-0000-4000-8000-000000000001}" }, // keep this id
  "account": {
    /* bulk enrollment */
    "entra": {
      "tokenExpiry": "2026-01-01", // old
      "token": { "secret": "kiosk-bprt" }
    }
  },
  "device": { "name": "KIOSK-%SERIAL%" }
}
`;

test('records the facts, keeps comments, layout and an existing secret name', () => {
  const out = recordTokenFacts(PROJECT, facts);
  for (const comment of [
    '"token": { "secret": "kiosk-bprt" },\n',
    '"tokenExpiry": "2027-05-20", // old',
    '// Kiosk laptops, Building 4',
    '// keep this id',
    '/* bulk enrollment */',
    '"device": { "name": "KIOSK-%SERIAL%" }',
  ]) {
    assert.ok(out.includes(comment), `lost: ${comment}\n${out}`);
  }
  const value = parse(out) as { account: { entra: Record<string, unknown> } };
  assert.deepEqual(value.account.entra, {
    tokenExpiry: '2027-05-20',
    token: { secret: 'kiosk-bprt' },
    issuedAt: facts.issuedAt,
    packageUser: facts.packageUser,
    tenant: facts.tenant,
  });
  assert.equal(tokenSecretName(PROJECT), 'kiosk-bprt');
  // Only account.entra changed: the text before it is byte-identical.
  const cut = PROJECT.indexOf('"entra"');
  assert.equal(out.slice(0, cut), PROJECT.slice(0, cut));
  // Recording again is stable.
  assert.equal(recordTokenFacts(out, facts), out);
});

test('adds account.entra with a bulk-token secret reference when missing', () => {
  const text = '{\n    // no account yet\n    "package": { "name": "x" }\n}\n';
  const out = recordTokenFacts(text, facts);
  assert.ok(out.includes('// no account yet'));
  const value = parse(out) as { account: { entra: Record<string, unknown> } };
  assert.deepEqual(value.account.entra.token, { secret: 'bulk-token' });
  assert.equal(value.account.entra.tenant, facts.tenant);
  assert.match(out, /\n {4}"account": \{/, "uses the file's 4-space indent");
});

test('replaces a plain-string token (a pasted BPRT) with a secret reference', () => {
  const text = '{\n  "account": {\n    "entra": { "token": "0.AAAA-PASTED-SECRET" }\n  }\n}\n';
  const out = recordTokenFacts(text, facts);
  assert.ok(!out.includes('PASTED-SECRET'));
  assert.deepEqual((parse(out) as { account: { entra: { token: unknown } } }).account.entra.token, { secret: 'bulk-token' });
});

test('reuses a trailing comma and keeps trailing comments in place', () => {
  const text = '{\n  "account": {\n    "entra": {\n      "token": "abc", // pasted\n    },\n  },\n}\n';
  const out = recordTokenFacts(text, facts);
  assert.ok(out.includes('      "token": { "secret": "bulk-token" }, // pasted\n      "tokenExpiry": "2027-05-20",\n'), out);
  assert.ok(out.endsWith('      "tenant": "11111111-2222-3333-4444-555555555555",\n    },\n  },\n}\n'), out);
});

test('keeps tabs and CRLF line ends', () => {
  const text = '{\r\n\t"account": {\r\n\t\t"entra": {\r\n\t\t\t"token": { "secret": "t" }\r\n\t\t}\r\n\t}\r\n}\r\n';
  const out = recordTokenFacts(text, facts);
  assert.ok(!/[^\r]\n/.test(out), 'only CRLF');
  assert.match(out, /\r\n\t\t\t"tenant": /);
});

test('refuses a project with syntax errors or a non-object account', () => {
  assert.throws(() => recordTokenFacts('{ "account": { "entra": { ', facts), RecordTokenError);
  assert.throws(() => recordTokenFacts('{ "account": "x" }', facts), /not an object/);
  assert.throws(() => tokenSecretName('[1]'), RecordTokenError);
});

test('error classification: AADSTS codes and texts map to kinds', () => {
  assert.equal(aadstsCode([240001], 'x'), '240001');
  assert.equal(aadstsCode(undefined, 'AADSTS53003: blocked'), '53003');
  const cases: [Parameters<typeof errorFromServer>[0], string][] = [
    [{ stage: 'poll', error: 'BulkAADJTokenUnauthorized', description: 'User is not authorized' }, 'not-authorized-to-join'],
    [{ stage: 'sign-in', errorCodes: [50076] }, 'mfa-required'],
    [{ stage: 'sign-in', description: 'AADSTS53003: Access has been blocked by Conditional Access policies.' }, 'conditional-access'],
    [{ stage: 'poll', description: 'The Microsoft.Azure.SyncFabric service principal was not found' }, 'syncfabric-missing'],
    [{ stage: 'poll', description: 'The operation returned empty response. Please try again' }, 'federated-staged-rollout'],
    [{ stage: 'sign-in', description: 'AADSTS50126: Invalid username or password.' }, 'sign-in-failed'],
  ];
  for (const [info, kind] of cases) assert.equal(errorFromServer(info).kind, kind, JSON.stringify(info));
  const e = errorFromServer({ stage: 'poll', errorCodes: [240001], authority: 'https://login.microsoftonline.us/organizations' });
  assert.match(e.message, /https:\/\/login\.microsoftonline\.us\/common\/adminConsent/);
});

test('the one atomic writer: 0600 by default and an exact mode whatever the umask; a failed write leaves no temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-atomic-'));
  const old = process.umask(0o077);
  try {
    // The --out token file: owner only, even though the umask would allow that anyway.
    await atomicWriteFile(join(dir, 'bprt.txt'), 'SENTINEL-not-a-token\n');
    assert.equal(statSync(join(dir, 'bprt.txt')).mode & 0o777, 0o600);
    // A project file keeps a wider mode than the umask gives new files.
    await atomicWriteFile(join(dir, 'p.ppkg.json'), '{}\n', { mode: 0o644 });
    assert.equal(statSync(join(dir, 'p.ppkg.json')).mode & 0o777, 0o644);
  } finally {
    process.umask(old);
  }
  // Renaming over a folder fails: the temporary file is removed, the folder untouched.
  mkdirSync(join(dir, 'taken'));
  await assert.rejects(atomicWriteFile(join(dir, 'taken'), 'x'));
  assert.deepEqual(readdirSync(dir).sort(), ['bprt.txt', 'p.ppkg.json', 'taken']);
  assert.equal(readFileSync(join(dir, 'bprt.txt'), 'utf8'), 'SENTINEL-not-a-token\n');
});
