/**
 * What a person does with the ppkg commands, through the command palette,
 * quick picks, input boxes and notifications; and the inspection of a built
 * package with wimlib's tools (docs/wim-container.md §Checked, and how).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, sleep, waitUntil, type Session } from './session';

/** "ppkg: Set Secret": pick the secret by name, type the value into the password box. */
export async function setSecretViaUi(s: Session, name: string, value: string): Promise<void> {
  const p = s.page;
  await s.runCommand('ppkg: Set Secret');
  const pick = await s.quickInput();
  assert.ok(
    pick.items.some((i) => i.includes(name)),
    `Set Secret offers ${JSON.stringify(pick.items)}, not "${name}"`,
  );
  await p.keyboard.type(name, { delay: 5 });
  const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: 5000 });
  await row.click();
  // The value box: a password input titled after the secret.
  await waitUntil(
    `the input box for the value of "${name}"`,
    async () => {
      const title = await p
        .locator('.quick-input-widget .quick-input-title')
        .innerText()
        .catch(() => '');
      const type = await p
        .locator('.quick-input-widget .quick-input-box input')
        .getAttribute('type')
        .catch(() => null);
      return title.includes(name) && type === 'password';
    },
    10000,
  );
  await p.keyboard.type(value, { delay: 2 });
  await p.keyboard.press('Enter');
  await waitForNotification(s, new RegExp(`Stored the secret "${name}"`), 15000);
}

/** Waits for a notification (toast or notification center) matching `re`; fails early on one matching `fail`. */
export async function waitForNotification(s: Session, re: RegExp, timeoutMs: number, fail?: RegExp): Promise<string> {
  let seen: string[] = [];
  try {
    return await waitUntil(
      `a notification matching ${re}`,
      async () => {
        seen = await s.notifications();
        const bad = fail ? seen.find((t) => fail.test(t)) : undefined;
        if (bad) throw new FatalNotification(bad);
        return seen.find((t) => re.test(t));
      },
      timeoutMs,
      300,
    );
  } catch (err) {
    if (err instanceof FatalNotification) throw new Error(`VS Code reported: ${err.message}`);
    const msg = (err as Error).message;
    if (/last error: VS Code reported/.test(msg)) throw new Error(msg.replace(/^.*last error: /, '').replace(/\)$/, ''));
    throw new Error(`${msg}; notifications shown: ${JSON.stringify(seen)}`);
  }
}
class FatalNotification extends Error {}

/** Closes all notification toasts (Escape on a focused toast is unreliable; use the command). */
export async function clearNotifications(s: Session): Promise<void> {
  await s.runCommand('Notifications: Clear All Notifications');
  await sleep(300);
}

/** "ppkg: Build Package" on the active project; waits for the result notification. */
export async function buildViaUi(s: Session, timeoutMs = 60000): Promise<string> {
  await s.runCommand('ppkg: Build Package');
  return waitForNotification(s, /Built .*\.ppkg/, timeoutMs, /Build failed|failed/i);
}

/** All *.ppkg files under `dir`. */
export function findPackages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ppkg')) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export interface ExtractedPackage {
  dir: string;
  files: string[];
  customizationsXml: string;
}

/** wimverify, then wimapply into a temp folder; returns the tree and Multivariant/0/customizations.xml. */
export function verifyAndExtract(pkg: string, resultsDir: string): ExtractedPackage {
  const verify = run('wimverify', [pkg], { timeoutMs: 60000 });
  fs.writeFileSync(path.join(resultsDir, 'wimverify.log'), `${verify.stdout}\n${verify.stderr}`);
  assert.equal(verify.status, 0, `wimverify rejects ${pkg}: ${verify.stderr || verify.stdout}`);
  assert.match(verify.stdout + verify.stderr, /successfully verified/);
  const info = run('wiminfo', [pkg, '1'], { timeoutMs: 30000 });
  fs.writeFileSync(path.join(resultsDir, 'wiminfo.log'), `${info.stdout}\n${info.stderr}`);
  assert.equal(info.status, 0, `wiminfo fails on ${pkg}: ${info.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-e2e-wimapply-'));
  const target = path.join(dir, 'tree');
  const apply = run('wimapply', [pkg, '1', target], { timeoutMs: 60000 });
  assert.equal(apply.status, 0, `wimapply fails on ${pkg}: ${apply.stderr || apply.stdout}`);
  const files: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else files.push(r);
    }
  };
  walk(target, '');
  files.sort();
  fs.writeFileSync(path.join(resultsDir, 'package-tree.txt'), files.join('\n') + '\n');
  const cx = path.join(target, 'Multivariant', '0', 'customizations.xml');
  assert.ok(fs.existsSync(cx), `The package has no Multivariant/0/customizations.xml; it holds ${JSON.stringify(files)}`);
  const customizationsXml = fs.readFileSync(cx, 'utf8').replace(/^\uFEFF/, '');
  return { dir, files, customizationsXml };
}

/** The tree every package of the example must hold (docs/compiled-forms.md §Package layout). */
export function assertExampleTree(files: string[]): void {
  for (const f of [
    'Multivariant/Multivariant.xml',
    'Multivariant/0/MasterDatastore.xml',
    'Multivariant/0/Prov/RunTime.xml',
    'Multivariant/0/customizations.xml',
    'DataAsset/DataAsset.xml',
  ]) {
    assert.ok(files.includes(f), `The package lacks ${f}; it holds ${JSON.stringify(files)}`);
  }
  assert.ok(
    files.some((f) => /^Multivariant\/0\/Prov\/RunTime\/\d+__.+\.provxml$/.test(f)),
    'The package has no runtime provxml files',
  );
  for (const installer of ['cts-agent.msi', 'set-wallpaper.cmd', 'wallpaper.png']) {
    assert.ok(
      files.some((f) => f.startsWith('DataAsset/') && f.endsWith(`/${installer}`)),
      `The package lacks the installer ${installer}: ${JSON.stringify(files)}`,
    );
  }
}

/** The text of `<tag>…</tag>` in an XML string (first match), unescaped for the basic entities. */
export function xmlValue(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Which log files of the session (VS Code's logs folder, code-server's log, the browser console) contain any of `values`. */
export function findInLogs(s: Session, values: string[]): string[] {
  const hits: string[] = [];
  const check = (file: string, text: string) => {
    for (const v of values) if (text.includes(v)) hits.push(`${file} contains ${v.slice(0, 12)}…`);
  };
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) check(full, fs.readFileSync(full, 'latin1'));
    }
  };
  walk(path.join(s.userDataDir, 'logs'));
  if (fs.existsSync(s.codeServerLog)) check(s.codeServerLog, fs.readFileSync(s.codeServerLog, 'utf8'));
  check('browser console', s.consoleLines.join('\n'));
  return hits;
}
