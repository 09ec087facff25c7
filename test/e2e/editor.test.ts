/**
 * Editing a project in a real VS Code, as a person does: diagnostics in the
 * Problems panel, completion, hover and a quick fix, all through keyboard and
 * mouse on the workbench page.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
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

  test('2. completion inside device.name offers %SERIAL%', async () => {
    await check('completion', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      // Cursor right after `"CTS DESK-` in the device name, then Ctrl+Space.
      await s.putCursorIn('"CTS DESK-%SERIAL%"', '"CTS DESK-'.length);
      await s.page.keyboard.press('Control+Space');
      const widget = s.page.locator('.editor-widget.suggest-widget.visible');
      await widget.waitFor({ state: 'visible', timeout: 15000 });
      const labels = await waitUntil('completion items', async () => {
        const rows = await widget.locator('.monaco-list-row').allInnerTexts();
        return rows.length ? rows : false;
      }, 15000);
      await s.screenshot('completion');
      assert.ok(labels.some((l) => l.includes('%SERIAL%')), `Completion offers ${JSON.stringify(labels)}`);
      await s.page.keyboard.press('Escape');
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
      const links = await hover.locator('a').evaluateAll((els) => els.map((e) => {
        const a = e as { getAttribute(n: string): string | null };
        return a.getAttribute('data-href') ?? a.getAttribute('href') ?? '';
      }));
      await s.screenshot('hover');
      assert.match(text, /Set up device/i, `Hover text: ${text}`);
      assert.ok(links.some((h) => /learn\.microsoft\.com|docs\.microsoft\.com/.test(h)), `Hover links: ${JSON.stringify(links)}; text: ${text}`);
      await s.page.keyboard.press('Escape');
    });
  });

  test('4. a quick fix changes the file', async () => {
    await check('quick-fix', async (s) => {
      await s.openFile(PROJECT_FILE_NAME);
      await s.putCursorIn('"CTS DESK-%SERIAL%"', 4);
      await s.page.keyboard.press('Control+.');
      const menu = s.page.locator('.action-widget');
      await menu.waitFor({ state: 'visible', timeout: 15000 });
      const items = await waitUntil('quick fixes', async () => {
        const rows = await menu.locator('.monaco-list-row').allInnerTexts();
        return rows.length ? rows : false;
      }, 15000);
      await s.screenshot('quick-fix-menu');
      const index = items.findIndex((t) => /CTS-DESK-%SERIAL%|replace|hyphen|-/i.test(t));
      assert.ok(index >= 0, `Quick fixes offered: ${JSON.stringify(items)}`);
      await menu.locator('.monaco-list-row').nth(index).click();
      await s.save();
      const text = await waitUntil('the saved file to lose the space in the device name', () => {
        const t = fs.readFileSync(s.projectFile, 'utf8');
        return !t.includes('"CTS DESK-%SERIAL%"') ? t : false;
      }, 10000);
      const m = /"name":\s*"([^"]*%SERIAL%[^"]*)"/.exec(text);
      assert.ok(m, 'The device name is still in the file');
      assert.match(m[1]!, /^[A-Za-z0-9%:-]+$/, `The fixed device name is ${m[1]}`);
    });
  });
});
