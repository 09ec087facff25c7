/**
 * A real Language Server Protocol client for the bundled server: spawns
 * `node dist/server.js --stdio` (run `node esbuild.mjs` first; `npm test`
 * does) and talks JSON-RPC over its stdin/stdout. One server per test file.
 *
 * The clock is fixed with PPKG_TEST=1 + PPKG_TEST_NOW (see server.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams, Range, TextEdit } from 'vscode-languageserver-protocol';

export const ROOT = path.resolve(__dirname, '../..');
export const SERVER = path.join(ROOT, 'dist/server.js');
/** The fixed "today" of every LSP test. */
export const TEST_NOW = '2026-11-26T12:00:00.000Z';

export interface StartOptions {
  settings?: { expiryWarningDays?: number; buildBackend?: string };
  now?: string;
  workspaceFolders?: string[];
  initializationOptions?: unknown;
  /** Replaces the client capabilities (default: VS Code-like, with snippets, markdown and code-action literals). */
  capabilities?: object;
  /** Node options for the server process (e.g. a heap limit). */
  nodeArgs?: string[];
}

export class LspClient {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every workspace/applyEdit the server sent (answered as applied). */
  readonly appliedEdits: unknown[] = [];
  /** Every client/registerCapability the server sent. */
  readonly registrations: unknown[] = [];
  /** The server's InitializeResult. */
  initializeResult: { capabilities: Record<string, unknown> } | undefined;
  private waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private versions = new Map<string, number>();
  private texts = new Map<string, string>();
  settings: { expiryWarningDays?: number; buildBackend?: string };
  stderr = '';

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
    settings: { expiryWarningDays?: number; buildBackend?: string },
  ) {
    this.settings = settings;
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run "node esbuild.mjs" (npm test does) before the LSP tests.`);
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), SERVER, '--stdio'], {
      env: { ...process.env, PPKG_TEST: '1', PPKG_TEST_NOW: options.now ?? TEST_NOW },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection, options.settings ?? {});
    child.stderr!.on('data', (b: Buffer) => (client.stderr += b.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      client.diagnostics.set(p.uri, p);
      client.waiters = client.waiters.filter((w) => {
        if (w.uri === p.uri && (w.version === undefined || w.version === p.version)) {
          w.resolve(p);
          return false;
        }
        return true;
      });
    });
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((i) => (i.section === 'ppkg' ? client.settings : null)),
    );
    connection.onRequest('client/registerCapability', (p: unknown) => {
      client.registrations.push(p);
      return null;
    });
    connection.onRequest('workspace/applyEdit', (p: unknown) => {
      client.appliedEdits.push(p);
      return { applied: true };
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: (options.workspaceFolders ?? []).map((f) => ({ uri: f, name: path.basename(f) })),
      initializationOptions: options.initializationOptions,
      capabilities: options.capabilities ?? {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, applyEdit: true },
        textDocument: {
          synchronization: { dynamicRegistration: false },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
          hover: { contentFormat: ['markdown'] },
          publishDiagnostics: { versionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, isPreferredSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          documentLink: { tooltipSupport: true },
        },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  waitForDiagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const have = this.diagnostics.get(uri);
    if (have && (version === undefined || have.version === version)) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        uri,
        version,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  /** Opens a document and returns its first diagnostics. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    this.diagnostics.delete(uri);
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    const wait = this.waitForDiagnostics(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'ppkg-project', version: 1, text } });
    return (await wait).diagnostics;
  }

  /** Applies edits incrementally (as VS Code does) and returns the new diagnostics. */
  async edit(uri: string, edits: TextEdit[], options: { wait?: boolean } = {}): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    // Send each edit as its own content change, last in the document first, so ranges stay valid.
    const sorted = [...edits].sort((a, b) => cmp(b.range.start, a.range.start));
    let text = this.texts.get(uri)!;
    for (const e of sorted) text = applyEdits(text, [e]);
    this.texts.set(uri, text);
    const wait = options.wait === false ? undefined : this.waitForDiagnostics(uri, version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: sorted.map((e) => ({ range: e.range, text: e.newText })),
    });
    return wait ? (await wait).diagnostics : [];
  }

  async replaceAll(uri: string, text: string): Promise<Diagnostic[]> {
    const old = this.texts.get(uri)!;
    return this.edit(uri, [{ range: { start: { line: 0, character: 0 }, end: positionAt(old, old.length) }, newText: text }]);
  }

  close(uri: string): Promise<void> {
    this.texts.delete(uri);
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  text(uri: string): string {
    return this.texts.get(uri)!;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // The server may already be gone.
    }
    this.connection.dispose();
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.child.kill();
          resolve();
        }, 2000);
        this.child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

function cmp(a: { line: number; character: number }, b: { line: number; character: number }): number {
  return a.line - b.line || a.character - b.character;
}

export function offsetAt(text: string, pos: { line: number; character: number }): number {
  let line = 0;
  let i = 0;
  while (line < pos.line && i < text.length) {
    const n = text.indexOf('\n', i);
    if (n < 0) return text.length;
    i = n + 1;
    line++;
  }
  return Math.min(i + pos.character, text.length);
}

export function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g) ?? []).length;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const withOffsets = edits
    .map((e) => ({ start: offsetAt(text, e.range.start), end: offsetAt(text, e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of withOffsets) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The position of the n-th (0-based) occurrence of `needle` in `text`, plus `delta` characters. */
export function pos(text: string, needle: string, delta = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${nth}) not in the text`);
  }
  return positionAt(text, at + delta);
}

/** Expands a snippet's placeholders to their defaults, as an editor would when the user accepts them. */
export function expandSnippet(s: string): string {
  let out = s;
  for (let i = 0; i < 5; i++) out = out.replace(/\$\{\d+:([^{}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1');
  return out.replace(/\$\{?\d+\}?/g, '');
}

export type { Diagnostic, Range };

/** A throwaway project folder: the bulk-enrollment example plus a few extra files for path completion. */
export function makeFixture(): { dir: string; uri: (rel: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppkg-lsp-'));
  cpSync(path.join(ROOT, 'examples/bulk-enrollment'), dir, { recursive: true });
  mkdirSync(path.join(dir, 'certificates'), { recursive: true });
  writeFileSync(path.join(dir, 'certificates/client.pfx'), 'not really a pfx');
  writeFileSync(path.join(dir, 'notes.txt'), 'notes');
  mkdirSync(path.join(dir, '.git'), { recursive: true });
  writeFileSync(path.join(dir, '.git/config'), '');
  return { dir, uri: (rel) => pathToFileURL(path.join(dir, rel)).toString(), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
