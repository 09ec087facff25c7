/**
 * Fetching the bulk token in a real VS Code: "ppkg: Fetch Bulk Token" from
 * the command palette against the Entra emulator (HTTPS on 127.0.0.1 with the
 * throwaway test CA, trusted through NODE_EXTRA_CA_CERTS in code-server's
 * environment), signing in with a device code. The token lands in
 * SecretStorage, the project records expiry/issuedAt/packageUser/tenant, and
 * "ppkg: Build Package" puts the emulator's sentinel BPRT into the package.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startEntraEmulator, type EntraEmulator } from '../support/entraEmulator';
import { buildViaUi, findInLogs, findPackages, setSecretViaUi, verifyAndExtract, waitForNotification, xmlValue } from './support/flows';
import { PROJECT_FILE_NAME, Session, step, waitUntil, type ExtensionManifest } from './support/session';

/**
 * The settings of the installed extension that move the sign-in (and the
 * bulk-token service) to another host: whatever ppkg.entra.* property the
 * manifest declares for an authority or endpoint URL.
 */
function endpointSettings(em: EntraEmulator, manifest: ExtensionManifest): { settings: Record<string, string>; declared: string[] } {
  const conf = manifest.contributes?.configuration;
  const props = Object.assign({}, ...(Array.isArray(conf) ? conf : conf ? [conf] : []).map((c) => c.properties ?? {})) as Record<string, unknown>;
  const declared = Object.keys(props).filter((k) => k.startsWith('ppkg.entra.'));
  const settings: Record<string, string> = {};
  for (const key of declared) {
    const leaf = key.slice('ppkg.entra.'.length);
    if (/bulk/i.test(leaf) && /endpoint|url/i.test(leaf)) settings[key] = em.bulkEndpoint;
    else if (/authority/i.test(leaf)) settings[key] = em.authority;
    else if (/login|endpoint|host|url/i.test(leaf) && !/graph/i.test(leaf)) settings[key] = em.url;
  }
  return { settings, declared };
}

describe('fetching the bulk token in VS Code (code-server) against the Entra emulator', { timeout: 300000 }, () => {
  let s: Session | undefined;
  let em: EntraEmulator | undefined;
  let failed = false;
  let endpoint: { settings: Record<string, string>; declared: string[] } = { settings: {}, declared: [] };
  const tag = randomBytes(4).toString('hex');
  const bprt = `0.AAAA-e2e-emulator-bprt-sentinel-${tag}`;

  before(async () => {
    try {
      em = await startEntraEmulator({ bulkToken: bprt, signIn: { pendingPolls: 1, interval: 0.5 }, bulk: { inProgressPolls: 1 } });
      const emulator = em;
      s = await Session.start({
        name: 'token',
        env: { NODE_EXTRA_CA_CERTS: em.caFile },
        settingsFromManifest: (manifest) => {
          endpoint = endpointSettings(emulator, manifest);
          return endpoint.settings;
        },
        // VS Code's extension host replaces Node's CA list with the OS
        // certificates (@vscode/proxy-agent) when this is on, which drops
        // NODE_EXTRA_CA_CERTS; off, Node's list plus the test CA applies. A
        // person would add their CA to the OS store instead.
        userSettings: { 'http.systemCertificates': false },
      });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
  after(async () => {
    try {
      await s?.stop(failed);
    } finally {
      await em?.close();
    }
  });

  test('6. Fetch Bulk Token stores a token that the build then uses', async () => {
    if (!s || !em) throw new Error('The VS Code session or the emulator did not start');
    const session = s;
    const emulator = em;
    try {
      assert.ok(
        Object.keys(endpoint.settings).length > 0,
        `The extension declares no setting to point the sign-in at another Entra endpoint (ppkg.entra.* has only ${JSON.stringify(endpoint.declared)}), so ppkg: Fetch Bulk Token can only talk to the real Microsoft clouds and cannot be tested against the emulator.`,
      );
      const before = fs.readFileSync(session.projectFile, 'utf8');
      await step(session, 'open', () => session.openFile(PROJECT_FILE_NAME));
      await step(session, 'set-secrets', async () => {
        await setSecretViaUi(session, 'wifi-key', `e2e-wifi-key-${tag}`);
        await setSecretViaUi(session, 'local-admin-password', `e2e-admin-pw-${tag}`);
      });

      let expiry = '';
      await step(session, 'fetch-token', async () => {
        const p = session.page;
        await session.runCommand('ppkg: Fetch Bulk Token');
        // 1. The expiry, proposed as the latest allowed date: accept it.
        const box = await session.quickInput();
        expiry = await p.locator('.quick-input-widget .quick-input-box input').inputValue();
        assert.match(expiry, /^\d{4}-\d{2}-\d{2}$/, `The expiry box proposes "${expiry}" (${JSON.stringify(box)})`);
        await p.keyboard.press('Enter');
        // 2. How to sign in: with a device code.
        const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: /device code/i }).first();
        await row.waitFor({ state: 'visible', timeout: 10000 });
        await row.click();
        // 3. The device code is shown; the emulator approves it after one poll.
        await waitForNotification(session, /enter the code/i, 30000, /fail|error|could not/i);
        await session.screenshot('device-code');
        const done = await waitForNotification(session, /Bulk token stored/i, 90000, /fail|error|could not/i);
        assert.match(done, new RegExp(`expires ${expiry}`));
      });
      await session.screenshot('token-stored');

      // The emulator saw the device-code sign-in and the bulk-token protocol.
      assert.ok(emulator.requestsTo('/oauth2/v2.0/devicecode').length >= 1, 'No device-code request reached the emulator');
      assert.ok(emulator.requestsTo('/webapp/bulkaadjtoken/begin').length >= 1, 'No bulk-token begin reached the emulator');
      assert.equal(emulator.packageUsers.length, 1);

      // The project file records the facts (saved by the command), never the token.
      const text = await waitUntil(
        'the project file to record the new token facts',
        () => {
          const t = fs.readFileSync(session.projectFile, 'utf8');
          return t !== before && t.includes(emulator.packageUsers[0]!) ? t : false;
        },
        15000,
      );
      assert.ok(!text.includes(bprt), 'The bulk token reached the project file');
      assert.equal(/"tokenExpiry":\s*"([^"]*)"/.exec(text)?.[1], expiry);
      assert.equal(/"packageUser":\s*"([^"]*)"/.exec(text)?.[1], emulator.packageUsers[0]);
      const issuedAt = /"issuedAt":\s*"([^"]*)"/.exec(text)?.[1];
      assert.ok(issuedAt && Math.abs(Date.parse(issuedAt) - Date.now()) < 10 * 60000, `issuedAt is ${issuedAt}`);
      const tenant = /"tenant":\s*"([^"]*)"/.exec(text)?.[1];
      assert.ok(tenant === emulator.domain || tenant === emulator.tenantId, `tenant is ${tenant}`);
      assert.match(text, /"token":\s*\{\s*"secret":\s*"bulk-token"\s*\}/, 'The token reference changed');

      // The build takes the fetched token from SecretStorage.
      const built = await step(session, 'build', () => buildViaUi(session));
      assert.match(built, /Built CTS Desktops\.ppkg/);
      const packages = findPackages(session.workspace);
      assert.equal(packages.length, 1, `Expected one .ppkg, found ${JSON.stringify(packages)}`);
      const x = verifyAndExtract(packages[0]!, session.resultsDir);
      assert.equal(xmlValue(x.customizationsXml, 'BPRT'), bprt, 'The package does not carry the fetched bulk token');
      const leaks = findInLogs(session, [bprt]);
      assert.deepEqual(leaks, [], `The bulk token appears in logs: ${JSON.stringify(leaks)}`);
      fs.rmSync(x.dir, { recursive: true, force: true });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
