/**
 * playwright-core is not a dependency of the project: run.sh installs it into
 * the e2e cache (.e2e/pw) and passes its folder in PPKG_E2E_PLAYWRIGHT. These
 * are the few parts of its API the checks use, typed here so that
 * `tsc -p . --noEmit` passes on a clone where the cache does not exist.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Keyboard {
  press(key: string, options?: { delay?: number }): Promise<void>;
  type(text: string, options?: { delay?: number }): Promise<void>;
  insertText(text: string): Promise<void>;
  down(key: string): Promise<void>;
  up(key: string): Promise<void>;
}

export interface Mouse {
  move(x: number, y: number, options?: { steps?: number }): Promise<void>;
  click(x: number, y: number, options?: { button?: 'left' | 'right' | 'middle'; clickCount?: number }): Promise<void>;
}

export interface BoundingBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Locator {
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  filter(options: { hasText?: string | RegExp }): Locator;
  count(): Promise<number>;
  click(options?: { timeout?: number; button?: 'left' | 'right'; force?: boolean; position?: { x: number; y: number } }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number; position?: { x: number; y: number }; force?: boolean }): Promise<void>;
  fill(value: string, options?: { timeout?: number }): Promise<void>;
  inputValue(options?: { timeout?: number }): Promise<string>;
  focus(options?: { timeout?: number }): Promise<void>;
  press(key: string, options?: { timeout?: number }): Promise<void>;
  waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  isVisible(): Promise<boolean>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  allInnerTexts(): Promise<string[]>;
  allTextContents(): Promise<string[]>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  boundingBox(options?: { timeout?: number }): Promise<BoundingBox | null>;
  evaluateAll<R>(fn: (els: unknown[]) => R): Promise<R>;
  screenshot(options?: { path?: string }): Promise<Buffer>;
}

export interface ConsoleMessage {
  type(): string;
  text(): string;
}

export interface Page {
  goto(url: string, options?: { timeout?: number; waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' | 'commit' }): Promise<unknown>;
  locator(selector: string, options?: { hasText?: string | RegExp }): Locator;
  keyboard: Keyboard;
  mouse: Mouse;
  screenshot(options?: { path?: string; fullPage?: boolean; timeout?: number }): Promise<Buffer>;
  evaluate<R>(expression: string): Promise<R>;
  waitForTimeout(ms: number): Promise<void>;
  waitForFunction(expression: string, arg?: unknown, options?: { timeout?: number; polling?: number | 'raf' }): Promise<unknown>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  on(event: 'console', listener: (msg: ConsoleMessage) => void): void;
  on(event: 'pageerror', listener: (err: Error) => void): void;
  on(event: 'popup', listener: (page: Page) => void): void;
  url(): string;
  close(): Promise<void>;
  bringToFront(): Promise<void>;
}

export interface BrowserContext {
  newPage(): Promise<Page>;
  pages(): Page[];
  close(): Promise<void>;
  on(event: 'page', listener: (page: Page) => void): void;
  grantPermissions(permissions: string[], options?: { origin?: string }): Promise<void>;
}

export interface LaunchPersistentOptions {
  executablePath: string;
  headless: boolean;
  args: string[];
  viewport?: { width: number; height: number };
  timeout?: number;
  ignoreHTTPSErrors?: boolean;
  permissions?: string[];
}

export interface ChromiumType {
  launchPersistentContext(userDataDir: string, options: LaunchPersistentOptions): Promise<BrowserContext>;
}

export function loadPlaywright(): { chromium: ChromiumType } {
  const dir = process.env.PPKG_E2E_PLAYWRIGHT;
  if (!dir) throw new Error('PPKG_E2E_PLAYWRIGHT is not set: run the e2e suite with `npm run test:e2e` (test/e2e/run.sh), which installs playwright-core.');
  const req = createRequire(path.join(dir, 'package.json'));
  return req(dir) as { chromium: ChromiumType };
}
