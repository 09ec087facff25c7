/**
 * One real VS Code session for an e2e check file: a fresh code-server
 * (VS Code 1.100 web workbench, from the e2e cache) with its own user-data and
 * extensions folders, the packaged dist/ppkg.vsix installed into them, a copy
 * of examples/bulk-enrollment as the workspace, and headless Debian Chromium
 * driven by playwright-core looking at it.
 *
 * Every process started here is killed in stop(), and again (SIGKILL, whole
 * process group) when the test process exits for any reason.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadPlaywright, type BrowserContext, type Page } from './playwright';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const EXAMPLE = path.join(ROOT, 'examples', 'bulk-enrollment');
export const PROJECT_FILE_NAME = 'cts-desktops.ppkg.json';
export const VSIX = process.env.PPKG_E2E_VSIX ?? path.join(ROOT, 'dist', 'ppkg.vsix');

const CACHE = process.env.PPKG_E2E_CACHE ?? path.join(ROOT, '.e2e');
const CODE_SERVER = process.env.PPKG_E2E_CODE_SERVER ?? path.join(CACHE, 'code-server', 'node_modules', '.bin', 'code-server');
export const RESULTS = process.env.PPKG_E2E_RESULTS ?? path.join(ROOT, 'test-results', `e2e-${new Date().toISOString().replace(/[:.]/g, '-')}`);

// ---------------------------------------------------------------------------
// Process bookkeeping: whatever happens, nothing started here outlives the file.
const groups = new Set<number>();
let exitHookInstalled = false;
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* gone */
  }
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const pid of groups) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}
/** Starts a child in its own process group, remembered for cleanup. */
export function spawnTracked(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): ChildProcess {
  installExitHook();
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  if (child.pid) {
    groups.add(child.pid);
    // A watchdog outlives even a SIGKILL of this process: when it is gone, the group goes too.
    const watchdog = spawn(
      'bash',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null && kill -0 -${child.pid} 2>/dev/null; do sleep 1; done; kill -KILL -- -${child.pid} 2>/dev/null; exit 0`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();
  }
  child.once('exit', () => {
    if (child.pid) groups.delete(child.pid);
  });
  return child;
}
export async function stopTracked(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(pid, 'SIGKILL');
    groups.delete(pid);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') killGroup(pid, 'SIGKILL');
  // The group may still hold grandchildren (extension host, language server).
  killGroup(pid, 'SIGKILL');
  groups.delete(pid);
}

// ---------------------------------------------------------------------------
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  fn: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  timeoutMs = 15000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(everyMs);
  }
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 60000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------
export interface SessionOptions {
  /** Names the results folder of this session. */
  name: string;
  /** Extra user settings (merged over the quiet defaults). */
  userSettings?: Record<string, unknown>;
  /** Written to <workspace>/.vscode/settings.json. */
  workspaceSettings?: Record<string, unknown>;
  /** Extra environment for code-server (and so the extension host and the language server). */
  env?: Record<string, string>;
  /** Install dist/ppkg.vsix (default true). */
  installVsix?: boolean;
  /** Extra code-server arguments. */
  codeServerArgs?: string[];
  /**
   * `payload` pairs for the workbench URL (extension development / tests);
   * `{authority}` in a value becomes code-server's 127.0.0.1:<port>.
   */
  urlPayload?: [string, string][];
  /**
   * More user settings, computed from the manifest (package.json) of the
   * installed extension, after the VSIX is installed and before VS Code starts.
   */
  settingsFromManifest?: (manifest: ExtensionManifest) => Record<string, unknown>;
  /** Skip opening the browser (e.g. only code-server is needed). */
  noBrowser?: boolean;
}

const QUIET_USER_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
  'workbench.colorTheme': 'Default Light Modern',
  // Typing is done as a person with these settings would: nothing inserted
  // behind their back (closing quotes), suggestions only when asked (Ctrl+Space).
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoSurround': 'never',
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.hover.delay': 300,
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'files.hotExit': 'off',
};

export interface ExtensionManifest {
  name?: string;
  publisher?: string;
  contributes?: { configuration?: { properties?: Record<string, unknown> } | { properties?: Record<string, unknown> }[] };
}

export interface Problem {
  /** The row's accessible label, as a screen reader would read it. */
  label: string;
  /** The visible text of the row. */
  text: string;
}

export class Session {
  readonly base: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly projectFile: string;
  readonly resultsDir: string;
  readonly codeServerLog: string;
  port = 0;
  codeServer?: ChildProcess;
  context?: BrowserContext;
  private _page?: Page;
  private shots = 0;
  readonly consoleLines: string[] = [];

  private constructor(readonly options: SessionOptions) {
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), `ppkg-e2e-${options.name}-`));
    this.userDataDir = path.join(this.base, 'user-data');
    this.extensionsDir = path.join(this.base, 'extensions');
    // The repository's layout, so the example's "$schema": "../../schemas/…" resolves as in the repo.
    this.workspace = path.join(this.base, 'examples', 'bulk-enrollment');
    this.projectFile = path.join(this.workspace, PROJECT_FILE_NAME);
    this.resultsDir = path.join(RESULTS, options.name);
    this.codeServerLog = path.join(this.base, 'code-server.log');
  }

  get page(): Page {
    if (!this._page) throw new Error('The browser is not open');
    return this._page;
  }

  static async start(options: SessionOptions): Promise<Session> {
    const s = new Session(options);
    fs.mkdirSync(s.resultsDir, { recursive: true });
    try {
      await s.boot();
    } catch (err) {
      await s.stop(true);
      throw err;
    }
    return s;
  }

  private async boot(): Promise<void> {
    const o = this.options;
    if (!fs.existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run npm run test:e2e`);
    fs.cpSync(EXAMPLE, this.workspace, { recursive: true, filter: (src) => !/[\\/]ppkg-out([\\/]|$)/.test(src) });
    fs.cpSync(path.join(ROOT, 'schemas'), path.join(this.base, 'schemas'), { recursive: true });
    fs.mkdirSync(path.join(this.userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(this.extensionsDir, { recursive: true });
    fs.writeFileSync(path.join(this.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_USER_SETTINGS, ...o.userSettings }, null, 2));
    if (o.workspaceSettings) {
      fs.mkdirSync(path.join(this.workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(this.workspace, '.vscode', 'settings.json'), JSON.stringify(o.workspaceSettings, null, 2));
    }

    this.port = await freePort();
    const config = path.join(this.base, 'config.yaml');
    fs.writeFileSync(config, `bind-addr: 127.0.0.1:${this.port}\nauth: none\ncert: false\n`);
    if (o.installVsix !== false) {
      if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} does not exist: npm run package first (run.sh does)`);
      const r = run(
        CODE_SERVER,
        [
          '--config',
          path.join(this.base, 'config.yaml'),
          '--install-extension',
          VSIX,
          '--force',
          '--extensions-dir',
          this.extensionsDir,
          '--user-data-dir',
          this.userDataDir,
        ],
        { timeoutMs: 90000 },
      );
      fs.appendFileSync(this.codeServerLog, `--install-extension ${VSIX}\n${r.stdout}\n${r.stderr}\n`);
      if (r.status !== 0) throw new Error(`code-server --install-extension failed (${r.status}): ${r.stdout}${r.stderr}`);
      const installed = fs.readdirSync(this.extensionsDir).filter((d) => d.startsWith('ppkg.ppkg'));
      if (installed.length === 0) throw new Error(`The VSIX did not install into ${this.extensionsDir}: ${r.stdout}${r.stderr}`);
      if (o.settingsFromManifest) {
        const manifest = JSON.parse(fs.readFileSync(path.join(this.extensionsDir, installed[0]!, 'package.json'), 'utf8')) as ExtensionManifest;
        const extra = o.settingsFromManifest(manifest);
        const file = path.join(this.userDataDir, 'User', 'settings.json');
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...extra }, null, 2));
      }
    }

    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    // The test runner's variables must not leak into the extension host.
    delete env.NODE_TEST_CONTEXT;
    delete env.NODE_OPTIONS;
    for (const k of Object.keys(env)) if (k.startsWith('PPKG_SECRET_')) delete env[k];
    this.codeServer = spawnTracked(
      CODE_SERVER,
      [
        '--config',
        config,
        '--user-data-dir',
        this.userDataDir,
        '--extensions-dir',
        this.extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        ...(o.codeServerArgs ?? []),
        this.workspace,
      ],
      { env, cwd: this.base, logFile: this.codeServerLog },
    );
    const cs = this.codeServer;
    await waitUntil(
      'code-server to answer /healthz',
      async () => {
        if (cs.exitCode !== null) throw new Error(`code-server exited with ${cs.exitCode}; log: ${fs.readFileSync(this.codeServerLog, 'utf8').slice(-2000)}`);
        return (await httpStatus(`http://127.0.0.1:${this.port}/healthz`)) === 200;
      },
      60000,
      300,
    );

    if (o.noBrowser) return;
    const { chromium } = loadPlaywright();
    this.context = await chromium.launchPersistentContext(path.join(this.base, 'chromium-profile'), {
      executablePath: process.env.PPKG_E2E_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
      viewport: { width: 1400, height: 900 },
      timeout: 60000,
      // The workbench reads the clipboard for paste; allow it like a person would.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    this._page = this.context.pages()[0] ?? (await this.context.newPage());
    this._page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') this.consoleLines.push(`[${m.type()}] ${m.text()}`);
    });
    this._page.on('pageerror', (e) => this.consoleLines.push(`[pageerror] ${e.message}`));
    let url = `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`;
    if (o.urlPayload) {
      const payload = o.urlPayload.map(([k, v]) => [k, v.replace(/\{authority\}/g, `127.0.0.1:${this.port}`)]);
      url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    }
    await this.page.goto(url, { timeout: 60000, waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 90000 });
    // The Explorer shows the workspace when the workbench is really up.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: 60000 });
  }

  /** Saves a screenshot into the results folder; returns its path. */
  async screenshot(label: string): Promise<string | undefined> {
    if (!this._page) return undefined;
    const file = path.join(this.resultsDir, `${String(++this.shots).padStart(2, '0')}-${label.replace(/[^A-Za-z0-9_-]+/g, '_')}.png`);
    try {
      await this._page.screenshot({ path: file, timeout: 10000 });
      return file;
    } catch {
      return undefined;
    }
  }

  /** Copies code-server's and VS Code's logs (extension host, output channels such as the language server's) into the results folder. */
  saveLogs(): void {
    try {
      fs.mkdirSync(this.resultsDir, { recursive: true });
      if (fs.existsSync(this.codeServerLog)) fs.copyFileSync(this.codeServerLog, path.join(this.resultsDir, 'code-server.log'));
      const logs = path.join(this.userDataDir, 'logs');
      if (fs.existsSync(logs)) fs.cpSync(logs, path.join(this.resultsDir, 'vscode-logs'), { recursive: true });
      if (this.consoleLines.length) fs.writeFileSync(path.join(this.resultsDir, 'browser-console.log'), this.consoleLines.join('\n') + '\n');
      if (fs.existsSync(this.projectFile)) fs.copyFileSync(this.projectFile, path.join(this.resultsDir, PROJECT_FILE_NAME));
    } catch (err) {
      console.error(`[e2e] could not save logs: ${(err as Error).message}`);
    }
  }

  /** Closes the browser and code-server (and its extension host and language server). Saves logs when `failed`. */
  async stop(failed: boolean): Promise<void> {
    if (failed) {
      await this.screenshot('final-state');
      this.saveLogs();
      console.error(`[e2e] ${this.options.name}: screenshots and logs in ${this.resultsDir}`);
    }
    try {
      await Promise.race([this.context?.close(), sleep(10000)]);
    } catch {
      /* already gone */
    }
    if (this.codeServer) await stopTracked(this.codeServer);
    // Logs are in the results folder by now; the session folder goes either way.
    if (!process.env.PPKG_E2E_KEEP) fs.rmSync(this.base, { recursive: true, force: true, maxRetries: 3 });
    else console.error(`[e2e] ${this.options.name}: session folder kept: ${this.base}`);
  }

  // -------------------------------------------------------------------------
  // What a person does: keyboard and mouse on the page, reading what is shown.

  /** Runs a command from the command palette (F1), by its title as shown, e.g. "ppkg: Build Package". */
  async runCommand(title: string): Promise<void> {
    const p = this.page;
    await this.dismissQuickInput();
    await p.keyboard.press('F1');
    const input = p.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    await p.keyboard.type(title, { delay: 5 });
    const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 10000 }).catch(async () => {
      const shown = await p.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
      throw new Error(`The command palette shows no "${title}" (it shows: ${JSON.stringify(shown.slice(0, 10))})`);
    });
    await row.click();
  }

  /** Closes a leftover quick input (Escape) if one is open. */
  async dismissQuickInput(): Promise<void> {
    const w = this.page.locator('.quick-input-widget');
    if (await w.isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await w.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    }
  }

  /** Waits for the quick input to show (input box or pick) and returns its title/prompt text. */
  async quickInput(timeoutMs = 15000): Promise<{ title: string; message: string; placeholder: string; items: string[] }> {
    const w = this.page.locator('.quick-input-widget');
    await w.waitFor({ state: 'visible', timeout: timeoutMs });
    await sleep(200);
    const title =
      (await w
        .locator('.quick-input-title')
        .innerText()
        .catch(() => '')) ?? '';
    const message =
      (await w
        .locator('.quick-input-message')
        .innerText()
        .catch(() => '')) ?? '';
    const placeholder =
      (await w
        .locator('.quick-input-box input')
        .getAttribute('placeholder')
        .catch(() => '')) ?? '';
    const items = await w
      .locator('.monaco-list-row')
      .allInnerTexts()
      .catch(() => [] as string[]);
    return { title, message, placeholder, items };
  }

  /** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab. */
  async openFile(name: string): Promise<void> {
    const p = this.page;
    await this.dismissQuickInput();
    await p.keyboard.press('Control+P');
    await p.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10000 });
    await p.keyboard.type(name, { delay: 5 });
    await p.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15000 });
    await p.keyboard.press('Enter');
    const active = p.locator(`.tabs-container .tab.active[aria-label*="${name}"]`);
    try {
      await active.waitFor({ state: 'visible', timeout: 10000 });
    } catch {
      // With a webview focused, Quick Open's Enter can land without switching
      // tabs when the file is already open: click its tab, as a person would.
      await p.locator(`.tabs-container .tab[aria-label*="${name}"]`).first().click({ timeout: 5000 });
      await active.waitFor({ state: 'visible', timeout: 10000 });
    }
    await this.focusEditor();
  }

  async focusEditor(): Promise<void> {
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click({ timeout: 10000 });
  }

  /**
   * Selects the first occurrence of `text` in the active editor with the
   * Find widget (Ctrl+F, type, Enter, Escape): the match stays selected.
   * Options: start at the top of the file.
   */
  async selectText(text: string): Promise<void> {
    const p = this.page;
    await this.focusEditor();
    await p.keyboard.press('Control+Home');
    await p.keyboard.press('Control+F');
    const find = p.locator('.editor-group-container.active .find-widget.visible textarea, .editor-group-container.active .find-widget.visible input').first();
    await find.waitFor({ state: 'visible', timeout: 10000 });
    await p.keyboard.press('Control+A');
    await p.keyboard.type(text, { delay: 5 });
    await waitUntil(
      `the Find widget to find "${text}"`,
      async () => {
        const count = await p
          .locator('.editor-group-container.active .find-widget .matchesCount')
          .innerText()
          .catch(() => '');
        return /^1 of|^\d+ of/.test(count.trim()) ? count : false;
      },
      10000,
    );
    await p.keyboard.press('Escape');
    await p
      .locator('.editor-group-container.active .find-widget.visible')
      .waitFor({ state: 'hidden', timeout: 5000 })
      .catch(() => undefined);
  }

  /** Replaces the first occurrence of `from` with `to` by selecting it and typing. */
  async replaceText(from: string, to: string): Promise<void> {
    await this.selectText(from);
    await this.page.keyboard.type(to, { delay: 10 });
  }

  /** Moves the cursor into the first occurrence of `text`, `offset` characters after its start. */
  async putCursorIn(text: string, offset: number): Promise<void> {
    await this.selectText(text);
    const p = this.page;
    await p.keyboard.press('ArrowLeft'); // collapses the selection to its start
    for (let i = 0; i < offset; i++) await p.keyboard.press('ArrowRight');
  }

  async save(): Promise<void> {
    await this.page.keyboard.press('Control+S');
    await waitUntil('the editor to have no unsaved changes', async () => !(await this.page.locator('.tabs-container .tab.active.dirty').count()), 10000);
  }

  /** Opens the Problems panel (Ctrl+Shift+M) and returns what it lists. */
  async problems(): Promise<Problem[]> {
    const p = this.page;
    const panel = p.locator('.markers-panel');
    if (!(await panel.isVisible().catch(() => false))) {
      await p.keyboard.press('Control+Shift+M');
      await panel.waitFor({ state: 'visible', timeout: 10000 });
    }
    return p.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
      els.map((e) => {
        const el = e as { getAttribute(n: string): string | null; innerText: string };
        return { label: el.getAttribute('aria-label') ?? '', text: (el.innerText ?? '').replace(/\s+/g, ' ').trim() };
      }),
    );
  }

  /** Waits until the Problems panel lists a row matching `re` (label or text). */
  async waitForProblem(re: RegExp, timeoutMs = 30000): Promise<Problem> {
    let last: Problem[] = [];
    try {
      return await waitUntil(
        `a problem matching ${re}`,
        async () => {
          last = await this.problems();
          return last.find((x) => re.test(x.label) || re.test(x.text));
        },
        timeoutMs,
        500,
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}; the Problems panel shows: ${JSON.stringify(
          last.map((x) => x.label || x.text),
          null,
          1,
        )}`,
      );
    }
  }

  /** The visible notification toasts' texts. */
  async notifications(): Promise<string[]> {
    return (
      await this.page
        .locator('.notifications-toasts .notification-toast')
        .allInnerTexts()
        .catch(() => [] as string[])
    ).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The texts of all notifications, including those only in the notification center. */
  async allNotifications(): Promise<string[]> {
    const toasts = await this.notifications();
    const center = (
      await this.page
        .locator('.notifications-center .notification-list-item')
        .allInnerTexts()
        .catch(() => [] as string[])
    ).map((t) => t.replace(/\s+/g, ' ').trim());
    return [...toasts, ...center];
  }

  /** Text of the status bar items. */
  async statusBar(): Promise<string[]> {
    return (
      await this.page
        .locator('.part.statusbar .statusbar-item')
        .allInnerTexts()
        .catch(() => [] as string[])
    )
      .map((t) => t.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
  }
}

/**
 * Runs a check step; on failure saves a screenshot named after it before
 * rethrowing, so the results folder shows what a person would have seen.
 */
export async function step<T>(s: Session | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    const v = await fn();
    if (s && process.env.PPKG_E2E_SCREENSHOTS === 'all') await s.screenshot(`${name}-ok`);
    return v;
  } catch (err) {
    if (s) {
      const shot = await s.screenshot(`${name}-FAILED`);
      if (shot) console.error(`[e2e] screenshot: ${shot}`);
    }
    throw err;
  }
}
