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
import { performance } from 'node:perf_hooks';
import {
  createConnection,
  DidChangeConfigurationNotification,
  ProposedFeatures,
  ResponseError,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { PpkgLanguageService, UNWATCHED_FILE_CACHE_TTL_MS, WATCHED_FILE_CACHE_TTL_MS, type PpkgSettings } from './languageService/service';
import {
  adaptCodeActions,
  adaptCompletion,
  adaptHover,
  adaptLinks,
  adaptSymbols,
  clientSupport,
  FULL_SUPPORT,
  type ClientSupport,
} from './languageService/capabilities';
import { GuardedStreamReader } from './languageService/transport';
import { Debouncer } from './languageService/debounce';
import {
  APPLY_EDIT_COMMAND,
  SECRET_NAMES_NOTIFICATION,
  VALIDATE_WORKSPACE_REQUEST,
  type SecretNamesParams,
  type ValidateWorkspaceParams,
  type ValidateWorkspaceResult,
} from './protocol';

declare const PPKG_VERSION: string;

function testClock(): (() => Date) | undefined {
  const fixed = process.env.PPKG_TEST === '1' ? process.env.PPKG_TEST_NOW : undefined;
  if (!fixed) return undefined;
  const t = Date.parse(fixed);
  if (Number.isNaN(t)) return undefined;
  return () => new Date(t);
}

export function startServer(connection: Connection): void {
  const service = new PpkgLanguageService({ now: testClock() });
  // The service applies each didChange itself, so it knows which part of a large document an edit touched.
  const documents = new TextDocuments<TextDocument>({
    create: TextDocument.create,
    update: (document, changes, version) => service.update(document, changes, version),
  });
  let settings: PpkgSettings = {};
  let canPullConfiguration = false;
  let workspaceFolders: string[] = [];
  let support: ClientSupport = FULL_SUPPORT;
  const debouncer = new Debouncer();

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    support = clientSupport(params.capabilities);
    canPullConfiguration = support.configuration;
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (workspaceFolders.length === 0 && params.rootUri) workspaceFolders = [params.rootUri];
    const init = (params.initializationOptions ?? {}) as { settings?: PpkgSettings; secretNames?: SecretNamesParams['byProject'] };
    if (init.settings) settings = sanitize(init.settings);
    if (init.secretNames) service.setSecretNames(init.secretNames);
    // A client that reports file changes (workspace/didChangeWatchedFiles; VS Code's
    // does for installers and certificates) lets the file answers live long: each
    // report drops them. Otherwise re-check the disk every couple of seconds.
    service.setFileCacheTtl(support.watchedFiles ? WATCHED_FILE_CACHE_TTL_MS : UNWATCHED_FILE_CACHE_TTL_MS);
    return {
      serverInfo: { name: 'ppkg-language-server', version: typeof PPKG_VERSION === 'string' ? PPKG_VERSION : '0.0.0' },
      capabilities: {
        // Positions count UTF-16 code units, the encoding every client supports (LSP 3.17 general.positionEncodings).
        positionEncoding: support.positionEncoding,
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
        // Quick fixes as plain Commands (clients without code-action literals) run this, and the server applies the edit.
        ...(!support.codeActionLiterals && support.applyEdit ? { executeCommandProvider: { commands: [APPLY_EDIT_COMMAND] } } : {}),
      },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfiguration) {
      // Only a client that allows dynamic registration is asked for it (client/registerCapability).
      if (support.dynamicConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'ppkg' }).catch(() => undefined);
      void refreshSettings();
    }
  });

  async function refreshSettings(): Promise<void> {
    if (!canPullConfiguration) return;
    try {
      const [ppkg] = (await connection.workspace.getConfiguration([{ section: 'ppkg' }])) as [PpkgSettings | null];
      // A client with nothing under "ppkg" (Helix passes its settings as initializationOptions) keeps those.
      if (ppkg && typeof ppkg === 'object') settings = sanitize(ppkg);
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
    let diagnostics;
    const t0 = performance.now();
    try {
      diagnostics = service.validate(document, settings);
    } catch (err) {
      // Never let one document's validation take the server down.
      connection.console.error(`ppkg: validation of ${document.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return;
    }
    debouncer.record(document.uri, performance.now() - t0);
    if (lastSent.get(document.uri) === diagnostics) return;
    lastSent.set(document.uri, diagnostics);
    void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  }

  /** Validates after the document's debounce (it follows what validating this document costs), or after `delay`. */
  function schedule(document: TextDocument, delay?: number): void {
    debouncer.schedule(document.uri, delay, () => {
      const current = documents.get(document.uri);
      if (current) validateNow(current);
    });
  }

  documents.onDidOpen((e) => {
    // Opened again without a close: nothing kept from the earlier text applies.
    service.forget(e.document.uri);
    schedule(e.document, 0);
  });
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    debouncer.forget(e.document.uri);
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
    const { findProjectFiles } = await import('./fs/projectFiles');
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

  /**
   * A request about an open document: the handler's answer, or its empty
   * answer for a document the server does not have. Anything the handler
   * throws becomes an error response (-32803 RequestFailed), never a crash.
   */
  const withDoc =
    <P extends { textDocument: { uri: string } }, R>(fn: (doc: TextDocument, p: P) => R | Promise<R>, empty: R) =>
    async (p: P): Promise<R | ResponseError<void>> => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return empty;
      try {
        return await fn(doc, p);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return new ResponseError<void>(-32803, `ppkg: ${message}`);
      }
    };

  connection.onCompletion(withDoc(async (doc, p) => adaptCompletion(await service.complete(doc, p.position), support), null));
  connection.onHover(withDoc(async (doc, p) => adaptHover(await service.hover(doc, p.position), support), null));
  connection.onDocumentSymbol(withDoc((doc) => adaptSymbols(service.symbols(doc), doc.uri, support), []));
  connection.onFoldingRanges(withDoc((doc) => service.folding(doc), []));
  connection.onSelectionRanges(withDoc((doc, p) => service.selectionRanges(doc, p.positions), []));
  connection.onDocumentFormatting(withDoc((doc, p) => service.format(doc, undefined, p.options), []));
  connection.onDocumentRangeFormatting(withDoc((doc, p) => service.format(doc, p.range, p.options), []));
  connection.onDocumentLinks(withDoc((doc) => adaptLinks(service.links(doc), support), []));
  connection.onCodeAction(withDoc((doc, p) => adaptCodeActions(service.codeActions(doc, p.range, settings), support), []));
  connection.onCodeLens(withDoc((doc) => service.codeLenses(doc, settings), []));
  connection.onExecuteCommand(async (p) => {
    if (p.command !== APPLY_EDIT_COMMAND) return new ResponseError<void>(-32602, `Unknown command ${p.command}.`);
    const edit = p.arguments?.[0] as WorkspaceEdit | undefined;
    if (!edit || typeof edit !== 'object' || (!edit.changes && !edit.documentChanges))
      return new ResponseError<void>(-32602, `${APPLY_EDIT_COMMAND} takes one WorkspaceEdit.`);
    const result = await connection.workspace.applyEdit({ label: 'ppkg quick fix', edit });
    return result.applied
      ? null
      : new ResponseError<void>(-32803, `The client did not apply the edit${result.failureReason ? `: ${result.failureReason}` : ''}.`);
  });

  documents.listen(connection);
  connection.listen();
}

/** The settings the server uses, from whatever the client sent (unknown values are dropped, not trusted). */
function sanitize(s: PpkgSettings): PpkgSettings {
  const days = Number(s.expiryWarningDays);
  const out: PpkgSettings = Number.isFinite(days) && days >= 0 && days <= 365 ? { expiryWarningDays: Math.floor(days) } : {};
  if (s.buildBackend === 'native' || s.buildBackend === 'icd') out.buildBackend = s.buildBackend;
  return out;
}

// Transport from the command line: --stdio (through the guarded reader), --node-ipc or --socket=<port>.
if (process.argv.includes('--stdio')) {
  const writer = new StreamMessageWriter(process.stdout);
  const reader = new GuardedStreamReader(process.stdin, writer, (m) => process.stderr.write(`ppkg: ${m}\n`));
  startServer(createConnection(ProposedFeatures.all, reader, writer));
} else {
  startServer(createConnection(ProposedFeatures.all));
}
