/**
 * Sign-in that never hangs silently: without a display, over SSH or in CI the
 * Graph commands use the device code flow by themselves and say why; the
 * browser flow prints the URL it opens; an opener that cannot start is
 * reported as such (not as a role problem); --cloud is checked; a US
 * Government DoD tenant moves to dod-graph.microsoft.us; Ctrl+C names what it
 * cancelled. Against the Entra and Graph emulators (throwaway CA).
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { test } from 'node:test';
import type { CliIO } from '../../server/src/cli/io';
import { main } from '../../server/src/cli/main';
import { browserAvailability, openGraphSession, TENANT_TEST_HOOKS, type TenantTestHooks } from '../../server/src/tenant/session';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';
import { healthyTenant, startGraphEmulator } from '../support/graphEmulator';
import { getTestCa } from '../support/testCa';

const TOKEN = 'SENTINEL-signin-graph-token-7a1c';

function get(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: getTestCa().caPem }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

async function doctor(
  args: string[],
  env: Record<string, string>,
  hooks: Partial<TenantTestHooks> = {},
  scenario: EntraScenario = {},
  onStart?: (em: EntraEmulator, abort: AbortController) => void,
) {
  const entra = await startEntraEmulator({ accessToken: TOKEN, signIn: { interval: 0.01 }, ...scenario });
  const graph = await startGraphEmulator(healthyTenant({ acceptToken: TOKEN }));
  const out: string[] = [];
  const err: string[] = [];
  const abort = new AbortController();
  const io: CliIO & { [TENANT_TEST_HOOKS]: TenantTestHooks } = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: process.cwd(),
    env,
    signal: abort.signal,
    [TENANT_TEST_HOOKS]: { ca: getTestCa().caPem, ...hooks },
  };
  onStart?.(entra, abort);
  try {
    const code = await main(['doctor', '--format', 'json', '--authority', entra.authority, '--graph-endpoint', graph.url, ...args], io);
    const stderr = err.join('');
    assert.ok(!stderr.includes(TOKEN) && !out.join('').includes(TOKEN), 'token leaked');
    return { code, stdout: out.join(''), stderr, entra };
  } finally {
    await graph.close();
    await entra.close();
  }
}

test(
  'no display: doctor uses the device code flow by itself and says why (exit 0)',
  { skip: process.platform === 'win32' || process.platform === 'darwin' },
  async () => {
    const r = await doctor([], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /No browser can be opened here: there is no display \(DISPLAY and WAYLAND_DISPLAY are not set\)\. Signing in with a device code instead \(--device-code\)\./,
    );
    assert.equal(r.entra.requestsTo('/oauth2/v2.0/devicecode').length, 1);
    assert.equal(r.entra.requestsTo('/oauth2/v2.0/authorize').length, 0);
  },
);

test('SSH and CI: device code, with the reason', async () => {
  const ssh = await doctor([], { DISPLAY: ':0', SSH_CONNECTION: '192.0.2.1 50000 192.0.2.2 22' });
  assert.equal(ssh.code, 0, ssh.stderr);
  assert.match(ssh.stderr, /this is an SSH session/);
  const ci = await doctor([], { DISPLAY: ':0', CI: 'true' });
  assert.match(ci.stderr, /this is a CI run/);
  assert.equal(ci.entra.requestsTo('/oauth2/v2.0/devicecode').length, 1);
});

test('the browser flow prints the URL it opens', async () => {
  const opened: string[] = [];
  const r = await doctor(
    [],
    { DISPLAY: ':0' },
    {
      openBrowser: async (url) => {
        opened.push(url);
        await get(url);
      },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(opened.length, 1);
  assert.ok(r.stderr.includes(`Opening your browser to sign in to Microsoft Graph. If it does not open, go to:\n  ${opened[0]}\n`), r.stderr);
  assert.match(r.stderr, /or run again with --device-code/);
});

test('a browser opener that cannot start is reported as such, not as a role or consent problem (exit 2, quickly)', async () => {
  const started = Date.now();
  const r = await doctor(
    [],
    { DISPLAY: ':0' },
    {
      openBrowser: async () => {
        throw new Error('xdg-open could not be started (it is not installed)');
      },
    },
  );
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /No browser could be opened to sign in \(xdg-open could not be started \(it is not installed\)\)\. Sign in with a code on another device instead \(--device-code\)\./,
  );
  assert.doesNotMatch(r.stderr, /Administrator|role|consent/);
  assert.ok(Date.now() - started < 10_000, 'no hang');
});

test('browserAvailability: display, opener on PATH, SSH, CI', () => {
  const yes = () => true;
  const no = () => false;
  assert.deepEqual(browserAvailability({ DISPLAY: ':0' }, 'linux', yes), { ok: true, opener: 'xdg-open' });
  assert.deepEqual(browserAvailability({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux', yes), { ok: true, opener: 'xdg-open' });
  assert.deepEqual(browserAvailability({ DISPLAY: ':0' }, 'linux', no), { ok: false, reason: 'the browser opener xdg-open is not installed' });
  assert.equal(browserAvailability({}, 'linux', yes).ok, false);
  assert.equal(browserAvailability({}, 'darwin', yes).ok, true, 'macOS needs no DISPLAY');
  assert.equal(browserAvailability({}, 'win32', yes).ok, true);
  assert.equal(browserAvailability({ SSH_TTY: '/dev/pts/0' }, 'win32', yes).ok, false);
  assert.equal(browserAvailability({ CI: 'true', DISPLAY: ':0' }, 'linux', yes).ok, false);
  assert.equal(browserAvailability({ CI: 'false', DISPLAY: ':0' }, 'linux', yes).ok, true);
});

test('--cloud on every command that signs in: checked before any sign-in', async () => {
  for (const args of [
    ['doctor', '--cloud', 'mars'],
    ['tokens', 'list', '--cloud', 'mars'],
    ['tokens', 'revoke', '--expired', '--cloud', 'mars'],
    ['token', 'x.ppkg.json', '--print', '--cloud', 'mars'],
  ]) {
    let err = '';
    const code = await main(args, { stdout: () => undefined, stderr: (t) => (err += t), cwd: process.cwd(), env: {} });
    assert.equal(code, 2, args.join(' '));
    assert.match(err, /--cloud must be public, usgov or china, not "mars"/, args.join(' '));
  }
});

test('US Government: a DoD tenant (tenant_region_sub_scope DOD) gets dod-graph.microsoft.us and its scopes; GCC High (DODCON) keeps graph.microsoft.us', async () => {
  for (const [sub, endpoint] of [
    ['DOD', 'https://dod-graph.microsoft.us'],
    ['DODCON', 'https://graph.microsoft.us'],
  ] as const) {
    const entra = await startEntraEmulator({
      accessToken: TOKEN,
      silentAccessToken: `${TOKEN}-dod`,
      signIn: { interval: 0.01 },
      idTokenClaims: { tenant_region_scope: 'NA', tenant_region_sub_scope: sub },
    });
    const err: string[] = [];
    try {
      const s = await openGraphSession(
        { cloud: 'usgov', authority: entra.authority, 'device-code': true },
        ['User.Read'],
        { stderr: (t) => err.push(t), env: {} },
        { ca: getTestCa().caPem },
      );
      assert.equal(s.graphEndpoint, endpoint, sub);
      assert.equal(s.graph.endpoint, endpoint, sub);
      const first = entra.requestsTo('/oauth2/v2.0/devicecode')[0]!.form!.scope!;
      assert.ok(first.includes('https://graph.microsoft.us/User.Read'), first);
      const refresh = entra.requestsTo('/oauth2/v2.0/token').filter((r) => r.form?.grant_type === 'refresh_token');
      if (sub === 'DOD') {
        assert.equal(refresh.length, 1);
        assert.ok(refresh[0]!.form!.scope!.includes('https://dod-graph.microsoft.us/User.Read'), refresh[0]!.form!.scope);
        assert.equal(await s.graph.getAccessToken(), `${TOKEN}-dod`);
        assert.match(err.join(''), /US Government DoD tenant: using Microsoft Graph at https:\/\/dod-graph\.microsoft\.us/);
      } else {
        assert.equal(refresh.length, 0);
        assert.equal(await s.graph.getAccessToken(), TOKEN);
      }
    } finally {
      await entra.close();
    }
  }
});

test('Ctrl+C during the sign-in names what it cancelled (exit 2, no Graph call)', async () => {
  const r = await doctor(['--device-code'], {}, {}, { signIn: { interval: 0.05, pendingPolls: 10_000 } }, (em, abort) => {
    const timer = setInterval(() => {
      if (em.requestsTo('/oauth2/v2.0/devicecode').length) {
        clearInterval(timer);
        setTimeout(() => abort.abort(), 100);
      }
    }, 10);
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ppkg doctor: cancelled \(Ctrl\+C\) while checking the tenant\. Nothing more was changed\./);
  assert.doesNotMatch(r.stderr, /bulk token/);
});
