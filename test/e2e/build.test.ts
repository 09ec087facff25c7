/**
 * Building a package in a real VS Code: "ppkg: Set Secret" for each secret the
 * example references, then "ppkg: Build Package", both from the command
 * palette; the .ppkg must pass wimverify and extract with wimapply, with the
 * secrets from SecretStorage in its customizations.xml.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertExampleTree,
  buildViaUi,
  clearNotifications,
  findInLogs,
  findPackages,
  setSecretViaUi,
  verifyAndExtract,
  waitForNotification,
  xmlValue,
} from './support/flows';
import { PROJECT_FILE_NAME, Session, step } from './support/session';

describe('building a package in VS Code (code-server)', { timeout: 300000 }, () => {
  let s: Session | undefined;
  let failed = false;
  const tag = randomBytes(4).toString('hex');
  const secrets = {
    'wifi-key': `e2e-wifi-key-${tag}`,
    'bulk-token': `e2e-bprt-sentinel-${tag}`,
    'local-admin-password': `e2e-admin-pw-${tag}`,
  };

  before(async () => {
    try {
      s = await Session.start({ name: 'build' });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
  after(async () => {
    await s?.stop(failed);
  });

  test('5. Set Secret then Build Package produce a .ppkg that wimverify accepts and wimapply extracts', async () => {
    if (!s) throw new Error('The VS Code session did not start');
    const session = s;
    try {
      await step(session, 'open', () => session.openFile(PROJECT_FILE_NAME));
      // Without the secrets, the build refuses and says how to set them; nothing is written.
      const refusal = await step(session, 'build-without-secrets', async () => {
        await session.runCommand('ppkg: Build Package');
        return waitForNotification(session, /Build failed/i, 60000);
      });
      assert.match(refusal, /Set Secret/, `The refusal does not say how to set the secrets: ${refusal}`);
      assert.deepEqual(findPackages(session.workspace), [], 'A package was written without its secrets');
      await clearNotifications(session);

      for (const [name, value] of Object.entries(secrets)) {
        await step(session, `set-secret-${name}`, () => setSecretViaUi(session, name, value));
      }
      const message = await step(session, 'build', () => buildViaUi(session));
      await session.screenshot('built');
      assert.match(message, /Built CTS Desktops\.ppkg/);

      const packages = findPackages(session.workspace);
      assert.equal(packages.length, 1, `Expected one .ppkg in the workspace, found ${JSON.stringify(packages)}`);
      const pkg = packages[0]!;
      // The README: by default the output goes beside the project, in ppkg-out/<project>.
      assert.equal(pkg, path.join(session.workspace, 'ppkg-out', 'cts-desktops', 'CTS Desktops.ppkg'));
      const x = verifyAndExtract(pkg, session.resultsDir);
      assertExampleTree(x.files);
      assert.equal(xmlValue(x.customizationsXml, 'Name'), 'CTS Desktops');
      assert.equal(xmlValue(x.customizationsXml, 'ID'), '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}');
      assert.equal(xmlValue(x.customizationsXml, 'ComputerName'), 'CTS-%SERIAL%');
      assert.equal(xmlValue(x.customizationsXml, 'BPRT'), secrets['bulk-token']);
      assert.equal(xmlValue(x.customizationsXml, 'SecurityKey'), secrets['wifi-key']);
      assert.equal(xmlValue(x.customizationsXml, 'Password'), secrets['local-admin-password']);
      fs.rmSync(x.dir, { recursive: true, force: true });

      // The secrets went to SecretStorage, not into the project file, and into no log
      // (extension host, the ppkg output channel, the language server, code-server, the browser console).
      const project = fs.readFileSync(session.projectFile, 'utf8');
      for (const v of Object.values(secrets)) assert.ok(!project.includes(v), 'A secret value reached the project file');
      const leaks = findInLogs(session, Object.values(secrets));
      assert.deepEqual(leaks, [], `Secret values appear in logs: ${JSON.stringify(leaks)}`);
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
