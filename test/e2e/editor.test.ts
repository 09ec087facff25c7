/**
 * Editing a project in a real VS Code, as a person does: diagnostics in the
 * Problems panel, completion, hover and a quick fix, all through keyboard and
 * mouse on the workbench page.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitForNotification } from './support/flows';
import { PROJECT_FILE_NAME, Session, sleep, step, waitUntil } from './support/session';

describe('editing a project in VS Code (code-server)', { timeout: 240000 }, () => {
  let s: Session | undefined;
  let failed = false;
  const check = async (name: string, fn: (s: Session) => Promise<void>) => {
    if (!s) throw new Error('The VS Code session did not start (see the first failure)');
    const session = s;
    try {
      await step(session, name, () => fn(session));
    } catch (err) {
      failed = true;
      throw err;
    }
  };

  before(async () => {
    try {
      s = await Session.start({ name: 'editor' });
    } catch (err) {
      failed = true;
      throw err;
    }
  });
  after(async () => {
    await s?.stop(failed);
  });

  test('the example opens without errors in the Problems panel', async () => {
    await check('open-example', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      // Give the language server time to publish; the untouched example is clean of errors.
      await sleep(3000);
      const problems = await s.problems();
      const errors = problems.filter((p) => /^error|error:/i.test(p.label));
      assert.deepEqual(errors, [], `The untouched example shows errors: ${JSON.stringify(problems)}`);
    });
  });

  test('1. the Problems panel shows a broken device name and an expired token', async () => {
    await check('diagnostics', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      await s.replaceText('"CTS-%SERIAL%"', '"CTS DESK-%SERIAL%"');
      await s.replaceText('"2027-05-24"', '"2020-01-31"');
      const name = await s.waitForProblem(/PPKG001/);
      assert.match(name.label + name.text, /device name|character/i);
      const expired = await s.waitForProblem(/PPKG011/);
      assert.match(expired.label + expired.text, /expired/i);
      await s.screenshot('problems-panel');
    });
  });

  test('2. completion inside device.name offers %SERIAL%, and choosing it inserts it', async () => {
    await check('completion', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      // A new device name "LAB-", the cursor before its closing quote, then Ctrl+Space.
      await s.replaceText('"CTS DESK-%SERIAL%"', '"LAB-"');
      await s.page.keyboard.press('ArrowLeft');
      await s.page.keyboard.press('Control+Space');
      const widget = s.page.locator('.editor-widget.suggest-widget.visible');
      await widget.waitFor({ state: 'visible', timeout: 15000 });
      const labels = await waitUntil(
        'completion items',
        async () => {
          const rows = await widget.locator('.monaco-list-row').allInnerTexts();
          return rows.length ? rows : false;
        },
        15000,
      );
      await s.screenshot('completion');
      assert.ok(
        labels.some((l) => l.includes('%SERIAL%')),
        `Completion offers ${JSON.stringify(labels)}`,
      );
      // Choose it with the keyboard.
      await waitUntil(
        '%SERIAL% to be focused in the suggestions',
        async () => {
          const focused = await widget
            .locator('.monaco-list-row.focused')
            .innerText()
            .catch(() => '');
          if (focused.includes('%SERIAL%')) return true;
          await s.page.keyboard.press('ArrowDown');
          return false;
        },
        5000,
        150,
      );
      await s.page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: 5000 });
      const text = await waitUntil(
        'the editor to show "LAB-%SERIAL%"',
        async () => {
          const t = (await s.page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' ');
          return t.includes('"name": "LAB-%SERIAL%",') ? t : false;
        },
        5000,
      ).catch(async () => (await s.page.locator('.editor-group-container.active .view-lines').innerText()).replace(/\u00a0/g, ' '));
      assert.ok(
        text.includes('"name": "LAB-%SERIAL%",'),
        `After choosing %SERIAL% the device name line reads: ${text.split('\n').find((l) => l.includes('LAB-')) ?? '(no LAB- line)'}`,
      );
    });
  });

  test('3. hover shows the documentation (WCD term and Microsoft link)', async () => {
    await check('hover', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      // Cursor on the "device" key, then Show Hover (Ctrl+K Ctrl+I).
      await s.putCursorIn('"device"', 3);
      await s.page.keyboard.press('Control+K');
      await s.page.keyboard.press('Control+I');
      const hover = s.page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-resizable-hover .monaco-hover-content').first();
      await hover.waitFor({ state: 'visible', timeout: 15000 });
      const text = await hover.innerText();
      const links = await hover.locator('a').evaluateAll((els) =>
        els.map((e) => {
          const a = e as { getAttribute(n: string): string | null };
          return a.getAttribute('data-href') ?? a.getAttribute('href') ?? '';
        }),
      );
      await s.screenshot('hover');
      assert.match(text, /WCD/, `Hover text: ${text}`);
      assert.match(text, /Set up device/i, `Hover text: ${text}`);
      assert.ok(
        links.some((h) => /learn\.microsoft\.com|docs\.microsoft\.com/.test(h)),
        `Hover links: ${JSON.stringify(links)}; text: ${text}`,
      );
      await s.page.keyboard.press('Escape');
    });
  });

  test('4. quick fixes change the file (latest allowed expiry, shorter device name)', async () => {
    await check('quick-fix', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      // A token lifetime over 180 days (PPKG012) and a device name over 15 characters (PPKG004).
      await s.replaceText('"2020-01-31"', '"2030-01-01"');
      await s.replaceText('"LAB-%SERIAL%"', '"CTS-FRONTOFFICE-%SERIAL%"');
      await s.waitForProblem(/PPKG012/);
      await s.waitForProblem(/PPKG004/);

      const expiryFix = await applyQuickFix(s, '"2030-01-01"', 3, /Set the token expiry to (\d{4}-\d{2}-\d{2})/);
      const nameFix = await applyQuickFix(s, '"CTS-FRONTOFFICE-%SERIAL%"', 5, /Shorten the device name to "([^"]+)"/);
      await s.save();
      const text = fs.readFileSync(s.projectFile, 'utf8');
      const expiry = /"tokenExpiry":\s*"([^"]*)"/.exec(text)?.[1];
      assert.equal(expiry, expiryFix[1], 'The saved file has the expiry the quick fix promised');
      const issuedAt = /"issuedAt":\s*"([^"]*)"/.exec(text)?.[1];
      const days = (Date.parse(`${expiry}T00:00:00Z`) - Date.parse(issuedAt!)) / 86400000;
      assert.ok(days > 150 && days <= 180, `The fixed expiry ${expiry} is ${days} days after issuedAt ${issuedAt}`);
      const name = /"device":\s*\{\s*"name":\s*"([^"]*)"/.exec(text)?.[1];
      assert.equal(name, nameFix[1], 'The saved file has the device name the quick fix promised');
      assert.ok(name!.includes('%SERIAL%') || name!.includes('%RAND:'), `The shortened name ${name} lost its macro`);
      // The findings are gone from the Problems panel.
      await waitUntil(
        'PPKG012 and PPKG004 to leave the Problems panel',
        async () => {
          const all = await s.problems();
          return !all.some((p) => /PPKG012|PPKG004/.test(p.label + p.text));
        },
        20000,
        500,
      );
      await s.screenshot('quick-fixes-applied');
    });
  });

  test('ppkg: New Project writes a starter project that opens clean; Validate Workspace sums up both projects', async () => {
    await check('new-project', async (s) => {
      await s.runCommand('ppkg: New Project');
      const box = await s.quickInput();
      assert.match(box.title + box.message + box.placeholder, /project|name/i, `New Project asks: ${JSON.stringify(box)}`);
      await s.page.keyboard.type('Lab Kiosks', { delay: 5 });
      await s.page.keyboard.press('Enter');
      const file = path.join(s.workspace, 'lab-kiosks.ppkg.json');
      await waitUntil('lab-kiosks.ppkg.json to be written', () => fs.existsSync(file), 15000);
      await s.page.locator('.tabs-container .tab.active[aria-label*="lab-kiosks.ppkg.json"]').waitFor({ state: 'visible', timeout: 15000 });
      assert.match(fs.readFileSync(file, 'utf8'), /"name":\s*"Lab Kiosks"/);
      // The starter project has no errors in the Problems panel.
      await sleep(2000);
      const problems = (await s.problems()).filter((p) => /lab-kiosks/.test(p.label) || /^Error/i.test(p.label));
      assert.deepEqual(
        problems.filter((p) => /^Error/i.test(p.label)),
        [],
        `The starter project shows errors: ${JSON.stringify(problems)}`,
      );

      await s.runCommand('ppkg: Validate Workspace');
      const summary = await waitForNotification(s, /Validated \d+ project files?/, 20000);
      await s.screenshot('validate-workspace');
      assert.match(summary, /Validated 2 project files: 0 errors/, summary);
    });
  });
});

/**
 * Puts the cursor into `text`, opens the quick-fix menu (Ctrl+.), chooses the
 * entry matching `title` with the mouse and returns the title's match.
 */
async function applyQuickFix(s: Session, text: string, offset: number, title: RegExp): Promise<RegExpExecArray> {
  await s.putCursorIn(text, offset);
  await s.page.keyboard.press('Control+.');
  const menu = s.page.locator('.action-widget');
  await menu.waitFor({ state: 'visible', timeout: 15000 }).catch(async () => {
    const hint = await s.page
      .locator('.monaco-editor-overlaymessage')
      .innerText()
      .catch(() => '');
    throw new Error(`No quick-fix menu at ${text}${hint ? ` (VS Code says: ${hint})` : ''}`);
  });
  const items = await waitUntil(
    'quick fixes',
    async () => {
      const rows = await menu.locator('.monaco-list-row').allInnerTexts();
      return rows.length ? rows : false;
    },
    15000,
  );
  await s.screenshot(`quick-fix-menu-${offset}`);
  const index = items.findIndex((t) => title.test(t));
  assert.ok(index >= 0, `At ${text} the quick fixes are ${JSON.stringify(items)}; none matches ${title}`);
  const m = title.exec(items[index]!)!;
  // The menu blocks the pointer until the mouse moves; choose with the keyboard like most people do.
  await waitUntil(
    `the quick fix "${m[0]}" to be focused`,
    async () => {
      const focused = await menu
        .locator('.monaco-list-row.focused')
        .getAttribute('aria-label')
        .catch(() => null);
      if (focused && title.test(focused)) return true;
      await s.page.keyboard.press('ArrowDown');
      return false;
    },
    5000,
    150,
  );
  await s.page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 5000 });
  await waitUntil(
    `the editor to show the fix "${m[0]}"`,
    async () => !(await s.page.locator('.editor-group-container.active .view-lines').innerText()).includes(text.replace(/"/g, '')),
    5000,
  ).catch(() => undefined);
  return m;
}
