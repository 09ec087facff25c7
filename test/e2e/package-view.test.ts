/**
 * Reading a package in a real VS Code: opening a .ppkg shows its inspect
 * view (read-only, secrets masked); "ppkg: Compare with Project" opens the
 * diff of the project's and the package's inspect texts and says they are
 * the same; "ppkg: Import as Project" writes the project with its files and
 * puts the secrets into SecretStorage, never into a file, the project or a
 * log.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildProject } from '../../server/src/package/build';
import { findInLogs, waitForNotification } from './support/flows';
import { Session, step, waitUntil } from './support/session';

const EXAMPLE = path.resolve(__dirname, '../../examples/bulk-enrollment');

interface FrameLike {
  locator(sel: string): { count(): Promise<number>; innerText(o?: { timeout?: number }): Promise<string> };
}

describe('reading a package in VS Code (code-server)', { timeout: 300000 }, () => {
  let s: Session | undefined;
  let failed = false;
  const tag = randomBytes(4).toString('hex');
  const secrets: Record<string, string> = {
    'bulk-token': `e2e-bprt-sentinel-${tag}`,
    'wifi-key': `e2e-wifi-sentinel-${tag}`,
    'local-admin-password': `e2e-admin-sentinel-${tag}`,
  };
  let packageFile = '';

  before(async () => {
    try {
      // A package built from the example, with sentinel secrets.
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-e2e-pkg-'));
      fs.cpSync(EXAMPLE, tmp, { recursive: true });
      const built = await buildProject({
        projectPath: path.join(tmp, 'cts-desktops.ppkg.json'),
        outDir: path.join(tmp, 'out'),
        secrets: { get: async (n) => secrets[n], howToSet: () => '' },
      });
      s = await Session.start({ name: 'package-view' });
      packageFile = path.join(s.workspace, 'cts.ppkg');
      fs.copyFileSync(built.packagePath, packageFile);
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
  after(async () => {
    await s?.stop(failed);
  });

  test('9. a .ppkg opens as its inspect view; Compare with Project and Import as Project', async () => {
    if (!s) throw new Error('The VS Code session did not start');
    const session = s;
    const p = session.page;
    try {
      await step(session, 'open-package', async () => {
        await session.dismissQuickInput();
        await p.keyboard.press('Control+P');
        await p.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10000 });
        await p.keyboard.type('cts.ppkg', { delay: 5 });
        await p.locator('.quick-input-widget .monaco-list-row', { hasText: 'cts.ppkg' }).first().waitFor({ state: 'visible', timeout: 15000 });
        await p.keyboard.press('Enter');
        await p.locator('.tabs-container .tab.active[aria-label*="cts.ppkg"]').waitFor({ state: 'visible', timeout: 20000 });
      });
      // The view is a webview: the frame whose <pre id="inspect"> holds the text.
      const text = await step(session, 'inspect-view', () =>
        waitUntil(
          'the package view to show the inspect text',
          async () => {
            for (const f of (p as unknown as { frames(): FrameLike[] }).frames()) {
              if (
                !(await f
                  .locator('pre#inspect')
                  .count()
                  .catch(() => 0))
              )
                continue;
              const t = await f
                .locator('pre#inspect')
                .innerText({ timeout: 2000 })
                .catch(() => '');
              if (/Risks/.test(t)) return t;
            }
            return false;
          },
          30000,
          500,
        ),
      );
      await session.screenshot('package-view');
      fs.writeFileSync(path.join(session.resultsDir, 'package-view.txt'), text);
      assert.match(text, /Name\s+CTS Desktops/);
      assert.match(text, /Package ID\s+\{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13\}/);
      assert.match(text, /2 commands run as SYSTEM during setup/);
      assert.match(text, /Accounts\/Azure\/BPRT = •••• \([0-9a-f]{8}\)/);
      assert.match(text, /cts-agent\.msi \(55 bytes, sha256 [0-9a-f]{64}\)/);
      for (const v of Object.values(secrets)) assert.ok(!text.includes(v), 'a secret reached the package view');

      const compared = await step(session, 'compare', async () => {
        await session.runCommand('ppkg: Compare with Project');
        const q = await session.quickInput();
        assert.ok(
          q.items.some((i) => /cts-desktops\.ppkg\.json/.test(i)),
          `the pick lists ${JSON.stringify(q.items)}`,
        );
        await p.keyboard.type('cts-desktops', { delay: 5 });
        await p.keyboard.press('Enter');
        return waitForNotification(session, /cts\.ppkg (is what|and) cts-desktops\.ppkg\.json/, 60000, /failed|cannot/i);
      });
      await session.screenshot('compare');
      assert.match(compared, /cts\.ppkg is what cts-desktops\.ppkg\.json builds: no differences/);
      await p.locator('.tabs-container .tab[aria-label*="cts-desktops.ppkg.json ↔ cts.ppkg"]').first().waitFor({ state: 'visible', timeout: 15000 });
      // The diff view marks no line: the project's unset secrets are shown alike on both sides, and the
      // inspect texts are plain text (no project validation attaches to them).
      await p.locator('.editor-group-container.active .monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 15000 });
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(
        await p
          .locator('.editor-group-container.active .monaco-diff-editor .line-insert, .editor-group-container.active .monaco-diff-editor .line-delete')
          .count(),
        0,
        'the diff view marks lines as changed',
      );
      assert.deepEqual(await session.problems(), [], 'the comparison put problems in the Problems panel');

      const imported = await step(session, 'import', async () => {
        await session.runCommand('ppkg: Import as Project');
        const q = await session.quickInput();
        assert.match(q.title + q.message, /Import as Project|Project file to write/);
        await p.keyboard.press('Enter');
        return waitForNotification(session, /Imported cts\.ppkg|Import as Project failed/, 60000);
      });
      await session.screenshot('imported');
      assert.match(imported, /Imported cts\.ppkg as cts-desktops\.ppkg\.json; its 3 secrets are in SecretStorage/);
      const out = path.join(session.workspace, 'cts-desktops');
      const project = fs.readFileSync(path.join(out, 'cts-desktops.ppkg.json'), 'utf8');
      assert.match(project, /"installer": "installers\/cts-agent\.msi"/);
      assert.deepEqual(fs.readFileSync(path.join(out, 'installers/cts-agent.msi')), fs.readFileSync(path.join(EXAMPLE, 'installers/cts-agent.msi')));
      assert.ok(!fs.existsSync(path.join(out, 'cts-desktops.secrets.env')), 'the secrets file was left on disk');
      for (const v of Object.values(secrets)) assert.ok(!project.includes(v), 'a secret reached the imported project');
      const leaks = findInLogs(session, Object.values(secrets));
      assert.deepEqual(leaks, [], `Secret values appear in logs: ${JSON.stringify(leaks)}`);
    } catch (err) {
      failed = true;
      await session.screenshot('failure');
      throw err;
    }
  });
});
