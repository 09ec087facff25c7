/**
 * The ppkg language server: a thin binding of PpkgLanguageService to the
 * Language Server Protocol. Runs over IPC (the VS Code client) or stdio
 * (`node dist/server.js --stdio`, for other editors). No `vscode` import.
 *
 * Custom messages, for clients other than VS Code:
 * - notification `ppkg/secretNames` `{ byProject: { "<package id>": ["wifi-key", …] } }`:
 *   the names of the secrets the client holds per project (never values);
 *   completion offers them and hover says whether a reference is set.
 * - request `ppkg/validateWorkspace` `{ folders?: string[] }` → `{ files: [{ uri, errors, warnings, information }] }`:
 *   validates every `*.ppkg.json` under the folders (default: the workspace
 *   folders) and publishes their diagnostics.
 * - code actions and code lenses refer to the client commands
 *   `ppkg.moveSecretToStorage` (arguments: MoveSecretArgs, without the value:
 *   the client reads it from the document, stores it, then applies
 *   `replacement` at `range`), `ppkg.fetchBulkToken` and `ppkg.revokeBulkToken`.
 *
 * Test hook: the environment variable PPKG_TEST_NOW (an ISO date or
 * date-time) fixes the clock for date-dependent results (token expiry). It is
 * honoured only together with PPKG_TEST=1, so a stray variable in a user's
 * environment cannot freeze the clock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { PpkgLanguageService, UNWATCHED_FILE_CACHE_TTL_MS, WATCHED_FILE_CACHE_TTL_MS, type PpkgSettings } from './languageService/service';
import {
  SECRET_NAMES_NOTIFICATION,
  VALIDATE_WORKSPACE_REQUEST,
  type SecretNamesParams,
  type ValidateWorkspaceParams,
  type ValidateWorkspaceResult,
} from './languageService/projectKey';

declare const PPKG_VERSION: string;

const DEBOUNCE_MS = 150;

function testClock(): (() => Date) | undefined {
  const fixed = process.env.PPKG_TEST === '1' ? process.env.PPKG_TEST_NOW : undefined;
  if (!fixed) return undefined;
  const t = Date.parse(fixed);
  if (Number.isNaN(t)) return undefined;
  return () => new Date(t);
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const service = new PpkgLanguageService({ now: testClock() });
  let settings: PpkgSettings = {};
  let canPullConfiguration = false;
  let workspaceFolders: string[] = [];
  const timers = new Map<string, NodeJS.Timeout>();

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    canPullConfiguration = !!params.capabilities.workspace?.configuration;
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (workspaceFolders.length === 0 && params.rootUri) workspaceFolders = [params.rootUri];
    const init = (params.initializationOptions ?? {}) as { settings?: PpkgSettings; secretNames?: SecretNamesParams['byProject'] };
    if (init.settings) settings = sanitize(init.settings);
    if (init.secretNames) service.setSecretNames(init.secretNames);
    // A client that reports file changes (workspace/didChangeWatchedFiles; VS Code's
    // does for installers and certificates) lets the file answers live long: each
    // report drops them. Otherwise re-check the disk every couple of seconds.
    service.setFileCacheTtl(params.capabilities.workspace?.didChangeWatchedFiles ? WATCHED_FILE_CACHE_TTL_MS : UNWATCHED_FILE_CACHE_TTL_MS);
    return {
      serverInfo: { name: 'ppkg-language-server', version: typeof PPKG_VERSION === 'string' ? PPKG_VERSION : '0.0.0' },
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['"', ':', '%', '/'], resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        documentLinkProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        codeLensProvider: { resolveProvider: false },
      },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'ppkg' }).catch(() => undefined);
      void refreshSettings();
    }
  });

  async function refreshSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    try {
      const [ppkg] = (await connection.workspace.getConfiguration([{ section: 'ppkg' }])) as [PpkgSettings | null];
      settings = sanitize(ppkg ?? {});
    } catch {
      // Keep the last settings.
    }
    documents.all().forEach((d) => schedule(d, 0));
  }

  connection.onDidChangeConfiguration((change) => {
    const pushed = (change.settings as { ppkg?: PpkgSettings } | undefined)?.ppkg;
    if (pushed && !canPullConfiguration) {
      settings = sanitize(pushed);
      documents.all().forEach((d) => schedule(d, 0));
    } else {
      void refreshSettings();
    }
  });

  const lastSent = new Map<string, unknown>();

  function validateNow(document: TextDocument): void {
    // The service caches per version and settings; send only what changed.
    const diagnostics = service.validate(document, settings);
    if (lastSent.get(document.uri) === diagnostics) return;
    lastSent.set(document.uri, diagnostics);
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }

  function schedule(document: TextDocument, delay = DEBOUNCE_MS): void {
    const existing = timers.get(document.uri);
    if (existing) clearTimeout(existing);
    timers.set(
      document.uri,
      setTimeout(() => {
        timers.delete(document.uri);
        const current = documents.get(document.uri);
        if (current) validateNow(current);
      }, delay),
    );
  }

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    lastSent.delete(e.document.uri);
    service.forget(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  // Files on disk changed (an installer added, a certificate renamed): re-check the open projects.
  connection.onDidChangeWatchedFiles(() => {
    service.filesChanged();
    documents.all().forEach((d) => schedule(d));
  });

  connection.onNotification(SECRET_NAMES_NOTIFICATION, (params: SecretNamesParams) => {
    if (params && typeof params.byProject === 'object' && params.byProject) service.setSecretNames(params.byProject);
  });

  connection.onRequest(VALIDATE_WORKSPACE_REQUEST, async (params: ValidateWorkspaceParams | undefined): Promise<ValidateWorkspaceResult> => {
    const folders = (params?.folders?.length ? params.folders : workspaceFolders).map((u) => URI.parse(u).fsPath);
    // Loaded on first use: start-up does not pay for the tenant module.
    const { findProjectFiles } = await import('./tenant/bulkTokenAccounts');
    const files = folders.length ? await findProjectFiles(folders.filter((f) => fs.existsSync(f))) : [];
    const result: ValidateWorkspaceResult = { files: [] };
    const openUris = new Set(documents.all().map((d) => d.uri));
    for (const file of files) {
      const uri = URI.file(path.resolve(file)).toString();
      const open = documents.get(uri);
      let doc: TextDocument;
      if (open) doc = open;
      else {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          continue;
        }
        doc = TextDocument.create(uri, 'ppkg-project', 0, text);
      }
      const diagnostics = service.validate(doc, settings);
      if (!openUris.has(uri)) service.forget(uri);
      void connection.sendDiagnostics({ uri, diagnostics });
      result.files.push({
        uri,
        errors: diagnostics.filter((d) => d.severity === 1).length,
        warnings: diagnostics.filter((d) => d.severity === 2).length,
        information: diagnostics.filter((d) => d.severity === 3).length,
      });
    }
    return result;
  });

  const withDoc = <P extends { textDocument: { uri: string } }, R>(fn: (doc: TextDocument, p: P) => R, empty: R) => (p: P) => {
    const doc = documents.get(p.textDocument.uri);
    return doc ? fn(doc, p) : empty;
  };

  connection.onCompletion(withDoc((doc, p) => service.complete(doc, p.position), null));
  connection.onHover(withDoc((doc, p) => service.hover(doc, p.position), null));
  connection.onDocumentSymbol(withDoc((doc) => service.symbols(doc), []));
  connection.onFoldingRanges(withDoc((doc) => service.folding(doc), []));
  connection.onSelectionRanges(withDoc((doc, p) => service.selectionRanges(doc, p.positions), []));
  connection.onDocumentFormatting(withDoc((doc, p) => service.format(doc, undefined, p.options), []));
  connection.onDocumentRangeFormatting(withDoc((doc, p) => service.format(doc, p.range, p.options), []));
  connection.onDocumentLinks(withDoc((doc) => service.links(doc), []));
  connection.onCodeAction(withDoc((doc, p) => service.codeActions(doc, p.range, settings), []));
  connection.onCodeLens(withDoc((doc) => service.codeLenses(doc, settings), []));

  documents.listen(connection);
  connection.listen();
}

function sanitize(s: PpkgSettings): PpkgSettings {
  const days = Number(s.expiryWarningDays);
  return Number.isFinite(days) && days >= 0 && days <= 365 ? { expiryWarningDays: Math.floor(days) } : {};
}

// Transport from the command line: --stdio, --node-ipc or --socket=<port>.
startServer(createConnection(ProposedFeatures.all));
