/**
 * The tenant features in a real VS Code (issue 9: "the preflight and the token
 * hygiene work against the emulator … from VS Code"), against two emulators
 * trusted through NODE_EXTRA_CA_CERTS (both use the throwaway test CA):
 * the Entra emulator for the device-code sign-in to Microsoft Graph and the
 * Graph emulator for a tenant whose Microsoft.Azure.SyncFabric service
 * principal is missing and which holds three package_ accounts, one of them
 * the example project's own. The session's user settings point
 * ppkg.entra.authority, ppkg.entra.graphEndpoint and ppkg.entra.graphClientId
 * at the emulators, as a person with a private cloud would.
 *
 * 7. "ppkg: Check Tenant Readiness" (command palette, device code): the report
 *    webview shows R1–R7 with their statuses, R1 failing with its fix.
 * 8. The Explorer's "Bulk-Token Accounts" view lists the tenant's package_
 *    accounts with the open project's marked; its inline revoke action asks
 *    in a modal dialog: Cancel deletes nothing, Delete Account makes exactly
 *    one DELETE /v1.0/users/{id} and the account leaves the list.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEntraEmulator, type EntraEmulator } from '../support/entraEmulator';
import { healthyTenant, startGraphEmulator, type GraphEmulator } from '../support/graphEmulator';
import { clearNotifications, waitForNotification } from './support/flows';
import type { Locator } from './support/playwright';
import { EXAMPLE, PROJECT_FILE_NAME, Session, sleep, step, waitUntil } from './support/session';

/** A Graph sign-in app of our own, to see that ppkg.entra.graphClientId reaches the sign-in. */
const GRAPH_CLIENT_ID = 'e2e0c11e-7a7e-4a2b-9d3c-5e6f7a8b9c0d';
const SYNC_FABRIC_APP_ID = '00000014-0000-0000-c000-000000000000';
const READINESS_TITLE = 'Bulk-Enrollment Readiness';
const VIEW_NAME = 'Bulk-Token Accounts';
const REVOKE_ACTION = 'Revoke (Delete Package Account)';

/** The part of playwright's Frame the check reads (support/playwright.ts types only what other files use). */
interface FrameLike {
  url(): string;
  locator(selector: string): Locator;
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86400000).toISOString();

describe('tenant readiness and bulk-token accounts in VS Code (code-server) against the Entra and Graph emulators', { timeout: 240000 }, () => {
  let s: Session | undefined;
  let entra: EntraEmulator | undefined;
  let graph: GraphEmulator | undefined;
  let failed = false;
  // The example project's own account (account.entra.packageUser), and two others.
  const example = fs.readFileSync(path.join(EXAMPLE, PROJECT_FILE_NAME), 'utf8');
  const mine = /"packageUser":\s*"([^"]+)"/.exec(example)?.[1] ?? '';
  const other = 'package_0a1b2c3d-1111-4222-8333-944455556666@contoso.onmicrosoft.com';
  const third = 'package_7f8e9d0c-aaaa-4bbb-8ccc-dddeeeffff00@contoso.onmicrosoft.com';

  before(async () => {
    try {
      assert.match(mine, /^package_/, 'The example project records no packageUser');
      entra = await startEntraEmulator({ signIn: { pendingPolls: 1, interval: 0.5 } });
      graph = await startGraphEmulator(
        healthyTenant({
          syncFabric: null, // R1 fails
          users: [
            { id: 'pu-mine', userPrincipalName: mine, displayName: 'Package account (this project)', createdDateTime: daysAgo(20) },
            { id: 'pu-other', userPrincipalName: other, displayName: 'Package account', createdDateTime: daysAgo(40) },
            { id: 'pu-third', userPrincipalName: third, displayName: 'Package account', createdDateTime: daysAgo(10) },
            { id: 'u-alice', userPrincipalName: 'alice@contoso.onmicrosoft.com', displayName: 'Alice', createdDateTime: daysAgo(400) },
          ],
        }),
      );
      s = await Session.start({
        name: 'tenant',
        env: { NODE_EXTRA_CA_CERTS: entra.caFile },
        userSettings: {
          'ppkg.entra.authority': entra.authority,
          'ppkg.entra.graphEndpoint': graph.url,
          'ppkg.entra.graphClientId': GRAPH_CLIENT_ID,
          // As in token.test.ts: with this on, the extension host trusts only
          // the OS store and drops NODE_EXTRA_CA_CERTS.
          'http.systemCertificates': false,
        },
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
      await graph?.close();
      await entra?.close();
    }
  });

  /** Picks "Sign in with a device code" in the sign-in quick pick; waits for the code to be shown. */
  async function signInWithDeviceCode(session: Session): Promise<void> {
    const p = session.page;
    const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: /device code/i }).first();
    await row.waitFor({ state: 'visible', timeout: 15000 });
    await row.click();
    await waitForNotification(session, /enter the code/i, 30000, /could not|failed|error/i);
  }

  test('7. Check Tenant Readiness shows R1–R7, R1 failing with its fix', async () => {
    if (!s || !entra || !graph) throw new Error('The VS Code session or the emulators did not start');
    const session = s;
    const p = session.page;
    try {
      await step(session, 'open', () => session.openFile(PROJECT_FILE_NAME));
      await step(session, 'readiness', async () => {
        await session.runCommand('ppkg: Check Tenant Readiness');
        await signInWithDeviceCode(session);
        await session.screenshot('readiness-device-code');
        await p
          .locator(`.tabs-container .tab.active[aria-label*="${READINESS_TITLE}"]`)
          .waitFor({ state: 'visible', timeout: 60000 })
          .catch(async (err: Error) => {
            throw new Error(`${err.message}; notifications shown: ${JSON.stringify(await session.notifications())}`);
          });
      });

      // The report is a webview: an iframe (the webview host page) holding
      // another iframe (#active-frame) with the HTML. Playwright sees every
      // frame of the page; the report is the frame whose body has the sections.
      const sections = await step(session, 'readiness-report', () =>
        waitUntil(
          'the readiness webview to show its checks',
          async () => {
            const frames = (p as unknown as { frames(): FrameLike[] }).frames();
            for (const f of frames) {
              const rows = f.locator('section.check');
              if ((await rows.count().catch(() => 0)) < 7) continue;
              const heading = await f
                .locator('h1')
                .innerText({ timeout: 2000 })
                .catch(() => '');
              const summary = await f
                .locator('p.summary')
                .innerText({ timeout: 2000 })
                .catch(() => '');
              const checks = await rows.evaluateAll((els) =>
                els.map((e) => {
                  const el = e as { className: string; innerText: string; querySelector(sel: string): { innerText: string } | null };
                  return {
                    status: el.className.replace(/\bcheck\b/, '').trim(),
                    title: (el.querySelector('h2')?.innerText ?? '').replace(/\s+/g, ' ').trim(),
                    fix: (el.querySelector('p.fix')?.innerText ?? '').trim(),
                    text: el.innerText,
                  };
                }),
              );
              return { heading, summary, checks, url: f.url() };
            }
            return false;
          },
          30000,
          500,
        ),
      );
      await session.screenshot('readiness-report');
      fs.writeFileSync(path.join(session.resultsDir, 'readiness-report.json'), JSON.stringify(sections, null, 2));

      assert.match(sections.heading, /Bulk-enrollment readiness for admin@contoso\.example/);
      assert.match(sections.summary, /6 passed, 0 warning\(s\), 1 failed, 0 could not be checked/);
      const byCheck = new Map(sections.checks.map((c) => [/\b(R[1-7])\b/.exec(c.title)?.[1] ?? '?', c]));
      assert.deepEqual(
        [...byCheck.keys()].sort(),
        ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'],
        `The report shows ${JSON.stringify(sections.checks.map((c) => c.title))}`,
      );
      // The reference's order (R1 → R2 → R4 → R3 → R5 → R7 → R6).
      assert.deepEqual(
        sections.checks.map((c) => /\b(R[1-7])\b/.exec(c.title)?.[1]),
        ['R1', 'R2', 'R4', 'R3', 'R5', 'R7', 'R6'],
      );
      const r1 = byCheck.get('R1')!;
      assert.equal(r1.status, 'fail');
      assert.match(r1.title, /❌ R1 · Microsoft\.Azure\.SyncFabric service principal\s+Blocks bulk enrollment/);
      assert.match(r1.text, /is missing from the tenant/);
      assert.match(r1.fix, /^Fix:/);
      assert.ok(r1.fix.includes(`New-MgServicePrincipal -AppId "${SYNC_FABRIC_APP_ID}"`), `R1's fix reads: ${r1.fix}`);
      // VS Code's words: no CLI command in the report (no VS Code command writes to the tenant; the PowerShell line is the fix).
      assert.doesNotMatch(r1.fix, /ppkg doctor|--fix/, `R1's fix reads: ${r1.fix}`);
      for (const id of ['R2', 'R3', 'R4', 'R5', 'R6', 'R7']) {
        const c = byCheck.get(id)!;
        assert.equal(c.status, 'pass', `${id}: ${c.text}`);
        assert.match(c.title, /✅ .*Ready$/, `${id}: ${c.title}`);
        assert.equal(c.fix, '', `${id} shows a fix although it passes`);
      }

      // The sign-in went to the emulator, with the configured app and read-only Graph scopes.
      const dc = entra!.requestsTo('/oauth2/v2.0/devicecode');
      assert.equal(dc.length, 1, 'One device-code sign-in for the readiness check');
      assert.equal(dc[0]!.form?.client_id, GRAPH_CLIENT_ID, 'ppkg.entra.graphClientId did not reach the sign-in');
      assert.match(dc[0]!.form?.scope ?? '', /https:\/\/graph\.microsoft\.com\/Policy\.Read\.All/);
      assert.doesNotMatch(dc[0]!.form?.scope ?? '', /ReadWrite/, 'The readiness check asks for a write scope');
      assert.ok(
        graph!.requests.some((r) => r.route === 'servicePrincipal' && r.status === 404),
        'The Graph emulator was not asked for SyncFabric',
      );
      assert.ok(
        graph!.requests.every((r) => r.method === 'GET' || r.route === 'checkMemberGroups'),
        `The readiness check wrote to the tenant: ${JSON.stringify(graph!.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`))}`,
      );
    } catch (err) {
      failed = true;
      throw err;
    }
  });

  test('8. Bulk-Token Accounts lists package_ accounts, marks the project’s, revokes one behind a modal', async () => {
    if (!s || !entra || !graph) throw new Error('The VS Code session or the emulators did not start');
    const session = s;
    const p = session.page;
    const g = graph;
    try {
      await clearNotifications(session);
      // The project editor active again (the report took the editor), so the view can mark its account.
      await step(session, 'open-project', () => session.openFile(PROJECT_FILE_NAME));

      const header = p.locator(`.part.sidebar .pane-header[aria-label^="${VIEW_NAME}"]`).first();
      const rows = () => p.locator(`.part.sidebar .pane:has(.pane-header[aria-label^="${VIEW_NAME}"]) .pane-body .monaco-list-row`);
      const readRows = async () =>
        rows().evaluateAll((els) =>
          els.map((e) => {
            const el = e as { getAttribute(n: string): string | null; innerText: string };
            return { label: el.getAttribute('aria-label') ?? '', text: (el.innerText ?? '').replace(/\s+/g, ' ').trim() };
          }),
        );

      await step(session, 'accounts-view', async () => {
        await header.waitFor({ state: 'visible', timeout: 30000 }).catch(async (err: Error) => {
          const shown = await p
            .locator('.part.sidebar .pane-header')
            .allInnerTexts()
            .catch(() => [] as string[]);
          throw new Error(`The Explorer shows no "${VIEW_NAME}" view (${err.message}); its views: ${JSON.stringify(shown)}`);
        });
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
        await waitUntil(`the "${VIEW_NAME}" view to expand`, async () => (await header.getAttribute('aria-expanded')) === 'true', 10000);
        // Before signing in: the welcome content with its button.
        const signInButton = p
          .locator(`.part.sidebar .pane:has(.pane-header[aria-label^="${VIEW_NAME}"]) .welcome-view-content .monaco-button`, {
            hasText: 'Sign In and List Accounts',
          })
          .first();
        await signInButton.waitFor({ state: 'visible', timeout: 15000 });
        await session.screenshot('accounts-welcome');
        await signInButton.click();
        await signInWithDeviceCode(session);
        await waitUntil('the accounts to be listed', async () => (await readRows()).filter((r) => /package_/.test(r.text)).length === 3, 60000, 500).catch(
          async (err: Error) => {
            throw new Error(
              `${err.message}; the view shows ${JSON.stringify(await readRows())}; notifications: ${JSON.stringify(await session.notifications())}`,
            );
          },
        );
      });
      await session.screenshot('accounts-listed');

      const listed = await readRows();
      fs.writeFileSync(path.join(session.resultsDir, 'accounts-view.json'), JSON.stringify(listed, null, 2));
      const texts = listed.map((r) => r.text);
      assert.ok(!texts.some((t) => t.includes('alice@')), `The view lists a non-package account: ${JSON.stringify(texts)}`);
      const rowOf = (upn: string) => listed.find((r) => r.text.includes(upn) || r.label.includes(upn));
      for (const upn of [mine, other, third]) assert.ok(rowOf(upn), `The view does not list ${upn}: ${JSON.stringify(texts)}`);
      assert.match(rowOf(mine)!.text, /this project/, `The project's account is not marked: ${rowOf(mine)!.text}`);
      assert.match(rowOf(mine)!.text, /\d+ days left/);
      for (const upn of [other, third]) {
        assert.doesNotMatch(rowOf(upn)!.text, /this project/, `${upn} is marked as this project's`);
        assert.match(rowOf(upn)!.text, /\d+ days left/);
      }
      // Only the listing's read scope was asked for.
      const dc = entra.requestsTo('/oauth2/v2.0/devicecode');
      assert.equal(dc.length, 2, 'One more device-code sign-in for the listing');
      assert.match(dc[1]!.form?.scope ?? '', /User\.Read\.All/);
      assert.doesNotMatch(dc[1]!.form?.scope ?? '', /ReadWrite/, 'Listing the accounts asks for a write scope');
      assert.ok(
        g.requests.some((r) => r.route === 'users'),
        'The view did not read /users',
      );

      const deletesBefore = () => g.requests.filter((r) => r.method === 'DELETE');
      assert.deepEqual(deletesBefore(), []);

      /** Hovers the account's row and clicks its inline revoke action; returns the modal dialog's text. */
      const openRevoke = async (upn: string): Promise<string> => {
        const row = rows().filter({ hasText: upn }).first();
        await row.hover();
        const action = row.locator(`.actions .action-label[aria-label="${REVOKE_ACTION}"]`).first();
        await action.waitFor({ state: 'visible', timeout: 10000 });
        await action.click();
        const dialog = p.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 15000 });
        await sleep(300);
        return (await dialog.innerText()).replace(/\s+/g, ' ').trim();
      };
      const dialogButton = (name: string) => p.locator('.monaco-dialog-box .dialog-buttons .monaco-button', { hasText: name }).first();

      // Cancel: nothing is deleted.
      await step(session, 'revoke-cancel', async () => {
        const text = await openRevoke(other);
        await session.screenshot('revoke-confirmation');
        assert.match(text, new RegExp(`Delete ${other.replace(/[.]/g, '\\.')}\\?`), `The confirmation reads: ${text}`);
        assert.match(text, /revokes its bulk token/);
        assert.ok(await dialogButton('Delete Account').isVisible(), `The dialog has no "Delete Account" button: ${text}`);
        await dialogButton('Cancel').click();
        await p.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: 10000 });
      });
      await sleep(2000);
      assert.deepEqual(
        deletesBefore().map((r) => r.url),
        [],
        'Cancelling the confirmation deleted an account',
      );
      assert.deepEqual(g.deletedUserIds, []);
      assert.equal(entra.requestsTo('/oauth2/v2.0/devicecode').length, 2, 'Cancelling the confirmation signed in');

      // Confirm: exactly that one account is deleted (after a sign-in with the write scope).
      await step(session, 'revoke-confirm', async () => {
        await clearNotifications(session);
        await openRevoke(other);
        await dialogButton('Delete Account').click();
        await p.locator('.monaco-dialog-box').waitFor({ state: 'hidden', timeout: 10000 });
        await waitForNotification(session, new RegExp(`Deleted ${other.replace(/[.]/g, '\\.')}: its bulk token is revoked`), 60000, /Could not delete/);
        await waitUntil(
          `${other} to leave the view`,
          async () => {
            const now = (await readRows()).map((r) => r.text);
            return now.filter((t) => /package_/.test(t)).length === 2 && !now.some((t) => t.includes(other));
          },
          30000,
          500,
        );
      });
      await session.screenshot('revoked');

      const deletes = g.requests.filter((r) => r.method === 'DELETE');
      assert.deepEqual(
        deletes.map((r) => `${r.method} ${r.url} ${r.status}`),
        ['DELETE /v1.0/users/pu-other 204'],
        'Expected exactly one DELETE, of the confirmed account',
      );
      assert.deepEqual(g.deletedUserIds, ['pu-other']);
      const dc3 = entra.requestsTo('/oauth2/v2.0/devicecode');
      assert.equal(dc3.length, 3, 'The revoke signs in once more, for the write scope');
      assert.match(dc3[2]!.form?.scope ?? '', /User\.ReadWrite\.All/);
      const after = (await readRows()).map((r) => r.text);
      assert.ok(
        after.some((t) => t.includes(mine) && /this project/.test(t)),
        `After the revoke the project's account is still listed and marked: ${JSON.stringify(after)}`,
      );
      assert.ok(after.some((t) => t.includes(third)));
    } catch (err) {
      failed = true;
      throw err;
    }
  });
});
