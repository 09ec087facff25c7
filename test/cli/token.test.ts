import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import { main } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';
import { latestSafeExpiry, toBulkTokenExp } from '../../server/src/model/dates';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';

const ROOT = resolve(__dirname, '../..');
const ACCESS = 'SENTINEL-CLI-ACCESS-93b1e0';
const BPRT = 'SENTINEL-CLI-BPRT-0.AAAA-5c2f77';

before(() => {
  // The child-process test runs the bundle.
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
});

const PROJECT = `// Front desk kiosks
{
  "package": { "name": "Kiosk" }, // do not rename
  "account": {
    /* Entra join */
    "entra": {
      "tokenExpiry": "2026-01-01",
      "token": { "secret": "kiosk-token" }
    }
  }
}
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function workspace(text = PROJECT) {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-token-cli-'));
  const project = join(dir, 'kiosk.ppkg.json');
  writeFileSync(project, text);
  return { dir, project, out: join(dir, 'bprt.txt') };
}

async function runCli(args: string[], cwd: string, em: EntraEmulator, signal?: AbortSignal): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env: { NODE_EXTRA_CA_CERTS: em.caFile },
    signal,
  };
  const code = await main(['token', ...args], io);
  return { code, stdout, stderr };
}

function emulatorArgs(em: EntraEmulator): string[] {
  return ['--authority', em.authority, '--bulk-endpoint', em.bulkEndpoint, '--poll-interval', '10'];
}

async function withEmulator<T>(s: EntraScenario, fn: (em: EntraEmulator) => Promise<T>): Promise<T> {
  const em = await startEntraEmulator({ accessToken: ACCESS, bulkToken: BPRT, ...s });
  try {
    return await fn(em);
  } finally {
    await em.close();
  }
}

function assertNoSecrets(r: Run) {
  for (const s of [ACCESS, BPRT]) {
    assert.ok(!r.stdout.includes(s), `secret in stdout: ${r.stdout}`);
    assert.ok(!r.stderr.includes(s), `secret in stderr: ${r.stderr}`);
  }
}

test("--out: writes the token 0600, records the facts, keeps the comments and the project's mode", async () => {
  await withEmulator({ bulk: { inProgressPolls: 2 } }, async (em) => {
    const ws = workspace();
    chmodSync(ws.project, 0o640);
    const r = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em), '--out', 'bprt.txt'], ws.dir, em);
    assert.equal(r.code, 0, r.stderr);
    assertNoSecrets(r);
    assert.equal(readFileSync(ws.out, 'utf8'), `${BPRT}\n`);
    assert.equal(statSync(ws.out).mode & 0o777, 0o600);
    // Both files were replaced atomically: the project keeps its mode, no temporary file is left.
    assert.equal(statSync(ws.project).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(ws.dir).sort(), ['bprt.txt', 'kiosk.ppkg.json']);
    assert.match(r.stderr, /EMUL8CODE/, 'device code shown on stderr');
    assert.match(r.stderr, /PPKG_SECRET_KIOSK_TOKEN/);

    const text = readFileSync(ws.project, 'utf8');
    for (const kept of ['// Front desk kiosks', '// do not rename', '/* Entra join */', '"token": { "secret": "kiosk-token" }'])
      assert.ok(text.includes(kept), `lost ${kept}`);
    assert.ok(!text.includes(BPRT) && !text.includes(ACCESS));
    const entra = (parse(text) as { account: { entra: Record<string, string> } }).account.entra;
    assert.equal(entra.tokenExpiry, latestSafeExpiry(new Date()));
    assert.ok(Math.abs(Date.parse(entra.issuedAt!) - Date.now()) < 60_000);
    assert.equal(entra.packageUser, em.packageUsers[0]);
    assert.match(entra.packageUser!, /^package_[0-9a-f-]{36}@contoso\.onmicrosoft\.com$/);
    assert.equal(entra.tenant, em.tenantId);

    const begin = em.requestsTo('/begin')[0]!;
    assert.equal(begin.headers.authorization, `Bearer ${ACCESS}`);
    assert.equal((begin.json as { exp: string }).exp, toBulkTokenExp(entra.tokenExpiry!));
    assert.ok(em.requestsTo('/devicecode')[0]!.form?.scope?.includes('urn:ms-drs:enterpriseregistration.windows.net/.default'));
    assert.equal(em.requestsTo('/poll').length, 3);
  });
});

test('--print: the token goes to stdout only, --expiry is honoured', async () => {
  await withEmulator({}, async (em) => {
    const ws = workspace();
    const expiry = latestSafeExpiry(new Date(Date.now() - 30 * 86_400_000));
    const r = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em), '--print', '--expiry', expiry, '--client-id', 'my-client'], ws.dir, em);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${BPRT}\n`);
    assert.ok(!r.stderr.includes(BPRT) && !r.stderr.includes(ACCESS));
    assert.ok(!existsSync(ws.out));
    assert.equal((parse(readFileSync(ws.project, 'utf8')) as { account: { entra: { tokenExpiry: string } } }).account.entra.tokenExpiry, expiry);
    assert.equal((em.requestsTo('/begin')[0]!.json as { exp: string }).exp, toBulkTokenExp(expiry));
    assert.equal(em.requestsTo('/devicecode')[0]!.form?.client_id, 'my-client');
  });
});

test('without --out or --print: refuses before signing in and explains PPKG_SECRET_', async () => {
  await withEmulator({}, async (em) => {
    const ws = workspace();
    const r = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em)], ws.dir, em);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out <file>.*--print/);
    assert.match(r.stderr, /PPKG_SECRET_KIOSK_TOKEN/);
    assert.equal(em.requests.length, 0);
    assert.equal(readFileSync(ws.project, 'utf8'), PROJECT);
  });
});

test('usage errors are refused before signing in', async () => {
  await withEmulator({}, async (em) => {
    const ws = workspace();
    for (const [args, says] of [
      [['--print', '--out', 'x'], /not both/],
      [['--print', '--expiry', '2020-01-01'], /not in the future/],
      [['--print', '--expiry', '2026-13-01'], /not a real date/],
      [['--print', '--timeout', '0'], /--timeout/],
      [['--print', '--authority', 'http://127.0.0.1/organizations'], /https URL/],
      [['--print', '--cloud', 'mars'], /--cloud/],
      [['--out', 'missing-dir/bprt.txt'], /does not exist/],
    ] as const) {
      const r = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em), ...args], ws.dir, em);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, says);
    }
    const broken = workspace('{ "account": ');
    const r = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em), '--print'], broken.dir, em);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /syntax errors/);
    assert.equal(em.requests.length, 0);
    assert.equal(readFileSync(ws.project, 'utf8'), PROJECT);
  });
});

const failures: { name: string; scenario: EntraScenario; says: RegExp; timeout?: string }[] = [
  {
    name: 'AADSTS240001',
    scenario: {
      bulk: {
        completion: { kind: 'error', code: 240001, error: 'BulkAADJTokenUnauthorized', description: 'User is not authorized to register devices in Azure AD.' },
      },
    },
    says: /adminConsent.*\[not-authorized-to-join\]/,
  },
  {
    name: 'MFA at sign-in',
    scenario: { signIn: { error: { error: 'invalid_grant', code: 50076, description: 'You must use multi-factor authentication.' } } },
    says: /multi-factor.*\[mfa-required\]/,
  },
  {
    name: 'Conditional Access at sign-in',
    scenario: { signIn: { error: { error: 'invalid_grant', code: 53003 } } },
    says: /Conditional Access.*\[conditional-access\]/,
  },
  { name: 'HTTP 500 at begin', scenario: { bulk: { beginRaw: { status: 500, body: 'down' } } }, says: /HTTP 500.*\[http\]/ },
  {
    name: 'malformed JSON at poll',
    scenario: { bulk: { pollRaw: { status: 200, body: `{"state":"CompleteSuccess","resultData":"{\\"refresh_token\\":\\"${BPRT}` } } },
    says: /not the expected JSON.*\[malformed-response\]/,
  },
  {
    name: 'poll timeout',
    scenario: { bulk: { completion: { kind: 'never' } } },
    says: /did not finish within 0\.3 seconds.*--timeout.*\[timeout\]/,
    timeout: '0.3',
  },
];
for (const f of failures) {
  test(`failure, ${f.name}: exit 2, nothing stored, no secret printed`, async () => {
    await withEmulator(f.scenario, async (em) => {
      const ws = workspace();
      const args = ['kiosk.ppkg.json', ...emulatorArgs(em), '--out', 'bprt.txt', ...(f.timeout ? ['--timeout', f.timeout] : [])];
      const r = await runCli(args, ws.dir, em);
      assert.equal(r.code, 2);
      assert.match(r.stderr, f.says);
      assertNoSecrets(r);
      assert.equal(readFileSync(ws.project, 'utf8'), PROJECT, 'project unchanged');
      assert.ok(!existsSync(ws.out), 'no --out file');
      // and with --print, nothing on stdout
      const ws2 = workspace();
      const r2 = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em), '--print', ...(f.timeout ? ['--timeout', f.timeout] : [])], ws2.dir, em);
      assert.equal(r2.code, 2);
      assert.equal(r2.stdout, '');
      assertNoSecrets(r2);
      assert.equal(readFileSync(ws2.project, 'utf8'), PROJECT);
    });
  });
}

test('Ctrl+C mid-poll: cancelled, nothing stored', async () => {
  await withEmulator({ bulk: { completion: { kind: 'never' } } }, async (em) => {
    const ws = workspace();
    const controller = new AbortController();
    const timer = setInterval(() => {
      if (em.requestsTo('/poll').length >= 2) controller.abort();
    }, 5);
    try {
      const r = await runCli(['kiosk.ppkg.json', ...emulatorArgs(em), '--out', 'bprt.txt'], ws.dir, em, controller.signal);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cancelled/);
      assertNoSecrets(r);
    } finally {
      clearInterval(timer);
    }
    assert.equal(readFileSync(ws.project, 'utf8'), PROJECT);
    assert.ok(!existsSync(ws.out));
  });
});

test('bin/ppkg.js token in a child process, trusting the emulator through NODE_EXTRA_CA_CERTS', async (t) => {
  await withEmulator({ bulk: { inProgressPolls: 1 } }, async (em) => {
    const ws = workspace();
    const run = (args: string[]) =>
      new Promise<Run>((resolvePromise) => {
        execFile(
          process.execPath,
          [join(ROOT, 'bin/ppkg.js'), 'token', ...args],
          { cwd: ws.dir, env: { ...process.env, NODE_EXTRA_CA_CERTS: em.caFile }, timeout: 30_000 },
          (err, stdout, stderr) => resolvePromise({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    const ok = await run(['kiosk.ppkg.json', ...emulatorArgs(em), '--out', 'bprt.txt']);
    assert.equal(ok.code, 0, ok.stderr);
    assertNoSecrets(ok);
    assert.equal(readFileSync(ws.out, 'utf8'), `${BPRT}\n`);
    assert.equal(statSync(ws.out).mode & 0o777, 0o600);
    assert.equal((parse(readFileSync(ws.project, 'utf8')) as { account: { entra: { tenant: string } } }).account.entra.tenant, em.tenantId);

    const printed = await run(['kiosk.ppkg.json', ...emulatorArgs(em), '--print']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, `${BPRT}\n`);
    t.diagnostic(`child stderr: ${printed.stderr.split('\n')[0]}`);
  });
});
