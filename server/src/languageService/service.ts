import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import type {
  ASTNode,
  CodeAction,
  CompletionList,
  Diagnostic,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  FormattingOptions,
  Hover,
  JSONDocument,
  LanguageService,
  Position,
  Range,
  SelectionRange,
  TextEdit,
} from 'vscode-json-languageservice';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { CodeLens } from 'vscode-languageserver-types';
import { parseProject, type ProjectDocument } from '../model/parse';
import { DEFAULT_EXPIRY_WARNING_DAYS, ValidationMemo } from '../validation/context';
import type { PpkgDiagnostic } from '../validation/diagnostic';
import { cachedFileProbe, nodeFileProbe, type FileProbe } from '../validation/fileProbe';
import { PROJECT_SCHEMA } from '../validation/schema';
import { validateDocument, MAX_PROJECT_CHARS, validateText } from '../validation/validate';
import type { JsonPath } from '../model/parse';
import { codeActionsFor } from './codeActions';
import { completeDomain } from './completion';
import { cursorFromLocation, plainValueAt, type CursorInfo, type DocContext } from './context';
import { locate, locateInCleanTree } from './cursor';
import { brokenSubtree, reparseAround, type Reparsed } from './incremental';
import { nestsDeeperThan } from './nesting';
import { EditLog, type EditSpan } from './editLog';
import { reparseProject, withPatchableLines } from './incrementalProject';
import { SchemaCompleter } from './schemaCompletion';
import { hoverDomain } from './hover';
import { codeLenses, documentLinks, refineSymbols } from './outline';
import { projectKey } from './projectKey';

export interface PpkgSettings {
  /** Warn when the bulk token expires within this many days (`ppkg.expiryWarningDays`). */
  expiryWarningDays?: number;
  /**
   * The backend builds use (`ppkg.buildBackend`): with `native`, settings the
   * native build cannot compile are errors (PPKG113), as `ppkg validate
   * --backend native` reports them; with `icd`, ICD compiles them.
   */
  buildBackend?: 'native' | 'icd';
}

export interface PpkgLanguageServiceOptions {
  /** The clock (tests inject one). */
  now?: () => Date;
  /**
   * File access for the file rules and links; default: the disk, each answer
   * cached for `fileCacheTtlMs` and dropped by filesChanged().
   */
  files?: FileProbe;
  /** Lists a project folder (relative paths with /) for path completion; default: a bounded walk of the disk. */
  listFiles?: (dir: string) => string[];
  /**
   * How long the default file access trusts an answer. The server passes a
   * long one when the client reports file changes (filesChanged() drops
   * everything), so unchanged installers are not stat'ed again on every
   * keystroke. Default: 30 s.
   */
  fileCacheTtlMs?: number;
}

/** How long cached file answers live when the client reports file changes. */
export const WATCHED_FILE_CACHE_TTL_MS = 30_000;
/** ... and when nothing reports them. */
export const UNWATCHED_FILE_CACHE_TTL_MS = 2000;

const SCHEMA_URI = 'ppkg://schemas/ppkg-project.schema.json';

type JsonLs = typeof import('vscode-json-languageservice');
let jsonLs: JsonLs | undefined;
/**
 * vscode-json-languageservice, loaded on first use: diagnostics (the first
 * thing a cold server sends) come from our engine alone, so start-up does
 * not pay for loading and configuring the JSON service.
 */
function loadJsonLs(): JsonLs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (jsonLs ??= require('vscode-json-languageservice') as JsonLs);
}

/**
 * One version of one document. Both parses are lazy and shared by every
 * feature asked about this version: our `parseProject` for diagnostics and
 * the domain features, vscode-json-languageservice's for its features
 * (completion, hover, symbols, selection ranges). Small facts (the package
 * ID, top-level keys, a value at a path) come from whichever parse is
 * already there.
 */
class VersionState {
  private jsonDoc?: JSONDocument;
  private projectDoc?: ProjectDocument;
  /** Offset of the first syntax error in the JSON service's parse (Infinity: none). */
  private firstJsonError = Infinity;
  private id?: string;
  private path?: string | null;
  private deep?: boolean;

  constructor(
    readonly uri: string,
    readonly version: number,
    readonly text: string,
    private readonly document: TextDocument,
    private readonly jsonService: () => LanguageService,
    /** An earlier version of the same document whose JSON tree a keystroke-sized edit may reuse. */
    private base?: VersionState,
    /** The previous version, whose ProjectDocument this version's may be patched from. */
    private projectBase?: VersionState,
    /** What the client changed since an earlier version, when it said so (editLog.ts). */
    private readonly changedBetween: (from: number, to: number) => EditSpan | undefined = () => undefined,
  ) {}

  /** The subtree of this version's JSON tree that holds every syntax error (a patched tree only). */
  private broken?: ASTNode;
  private brokenErrors?: Reparsed['errors'];

  /** The state whose JSON tree the next version may reuse: this one, or the one this one would have reused. */
  jsonBase(): VersionState | undefined {
    if (this.jsonDoc) return this.firstJsonError === Infinity || this.broken ? this : undefined;
    return this.base?.jsonDoc ? this.base : undefined;
  }

  get project(): ProjectDocument {
    if (!this.projectDoc) {
      const base = this.projectBase;
      this.projectBase = undefined;
      const previous = base?.projectDoc;
      const patched =
        previous && base && this.text.length <= MAX_PROJECT_CHARS
          ? reparseProject(previous, this.text, this.changedBetween(base.version, this.version))
          : undefined;
      // The previous version's tree now belongs to this version; it parses again if it is ever asked.
      if (patched && base && patched !== previous) base.projectDoc = undefined;
      this.projectDoc = patched ?? withPatchableLines(this.text.length > MAX_PROJECT_CHARS ? parseProject('') : parseProject(this.text));
    }
    return this.projectDoc;
  }

  /** The state whose ProjectDocument the next version may patch: this one, or the one this one would have patched. */
  projectSource(): VersionState | undefined {
    return this.projectDoc ? this : this.projectBase;
  }

  get hasProject(): boolean {
    return this.projectDoc !== undefined;
  }

  get json(): JSONDocument {
    if (!this.jsonDoc) {
      // The editor's TextDocument changes in place; parse this version's text.
      const current = this.document.version === this.version && this.document.getText() === this.text;
      const doc = current ? this.document : TextDocument.create(this.uri, this.document.languageId, this.version, this.text);
      const reused = this.reuseBase(doc);
      if (reused) {
        this.jsonDoc = reused.doc;
        this.broken = reused.broken;
        this.brokenErrors = reused.errors;
        this.firstJsonError = reused.errors.reduce((m, e) => Math.min(m, e.offset), Infinity);
      } else {
        const parsed = this.jsonService().parseJSONDocument(doc);
        // Not in the public type; without it, assume an error at the start (no shortcut is taken).
        const errors = (parsed as JSONDocument & { syntaxErrors?: Diagnostic[] }).syntaxErrors;
        let first = Array.isArray(errors) ? Infinity : 0;
        for (const e of errors ?? []) first = Math.min(first, doc.offsetAt(e.range.start));
        this.firstJsonError = first;
        this.jsonDoc = parsed;
        if (Array.isArray(errors) && errors.length) {
          // Errors confined to one closed object or array: the next keystrokes can patch around it.
          const found = errors.map((e) => ({
            offset: doc.offsetAt(e.range.start),
            length: doc.offsetAt(e.range.end) - doc.offsetAt(e.range.start),
            message: String(e.message),
            code: typeof e.code === 'number' ? e.code : undefined,
            severity: e.severity,
          }));
          const service = this.jsonService();
          this.broken = brokenSubtree(parsed, this.text, found, (fragment) =>
            service.parseJSONDocument(TextDocument.create('ppkg://fragment', 'json', 0, fragment)),
          );
          if (this.broken) this.brokenErrors = found;
        }
      }
    }
    return this.jsonDoc;
  }

  /** The JSON tree of the base version patched for this version's edit, when the edit allows it. */
  private reuseBase(doc: TextDocument): Reparsed | undefined {
    const base = this.base;
    this.base = undefined;
    if (!base?.jsonDoc || (base.firstJsonError !== Infinity && !base.broken)) return undefined;
    const service = this.jsonService();
    const reused = reparseAround(
      base.text,
      base.jsonDoc,
      base.broken,
      this.text,
      (fragment) => service.parseJSONDocument(TextDocument.create('ppkg://fragment', 'json', 0, fragment)),
      (root, errors) =>
        service.newJSONDocument(
          root,
          errors.map((e): Diagnostic => ({
            range: { start: doc.positionAt(e.offset), end: doc.positionAt(e.offset + e.length) },
            message: e.message,
            severity: (e.severity ?? 1) as Diagnostic['severity'],
            ...(e.code !== undefined ? { code: e.code } : {}),
          })),
          [],
        ),
      true,
      base.brokenErrors,
    );
    // The base's tree now belongs to this version; the base parses again if it is ever asked.
    if (reused && reused.doc !== base.jsonDoc) {
      base.jsonDoc = undefined;
      base.broken = undefined;
      base.brokenErrors = undefined;
    }
    return reused;
  }

  /** The JSON service's parse of this version (built now if needed), when it has no syntax error. */
  get cleanJson(): JSONDocument | undefined {
    const json = this.json;
    return this.firstJsonError === Infinity ? json : undefined;
  }

  /** The JSON service's tree, when it is already built and has no syntax error (then it agrees with ours). */
  private cleanJsonRoot(): ASTNode | undefined | null {
    if (!this.jsonDoc || this.firstJsonError !== Infinity) return null;
    return this.jsonDoc.root;
  }

  /** True when the text nests too deep for the JSON service's recursive parse and formatter (see nesting.ts). */
  get tooDeep(): boolean {
    return (this.deep ??= nestsDeeperThan(this.text));
  }

  /** File system path of the project file (undefined for untitled documents). */
  get projectPath(): string | undefined {
    if (this.path === undefined) this.path = projectPathOf(this.uri) ?? null;
    return this.path ?? undefined;
  }

  /** projectKey() of the package ID. */
  get projectId(): string {
    if (this.id === undefined) this.id = projectKey(this.valueAt(['id']));
    return this.id;
  }

  valueAt(path: JsonPath): unknown {
    const root = this.projectDoc ? null : this.cleanJsonRoot();
    if (root === null) return plainValueAt(this.project.value, path);
    let node: ASTNode | undefined = root;
    for (const segment of path) {
      node = node ? childOf(node, segment) : undefined;
    }
    return node ? astValue(node) : undefined;
  }

  topLevelKeys(): string[] {
    const root = this.projectDoc ? null : this.cleanJsonRoot();
    if (root === null) {
      const r = this.project.root;
      return r?.type === 'object' ? (r.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
    }
    return root?.type === 'object' ? root.properties.map((p) => p.keyNode.value) : [];
  }

  cursor(offset: number): CursorInfo {
    const json = this.json;
    const location =
      (this.firstJsonError === Infinity ? locateInCleanTree(this.text, offset, json.root) : undefined) ??
      locate(this.text, offset, json.root, json.getNodeFromOffset(offset, true), this.firstJsonError);
    return cursorFromLocation(this.text, offset, location);
  }
}

/** A DocContext over one VersionState: what a feature does not read is never computed. */
class VersionContext implements DocContext {
  private names?: Set<string>;

  constructor(
    readonly document: TextDocument,
    private readonly state: VersionState,
    readonly now: Date,
    readonly files: FileProbe,
    readonly listFiles: (dir: string) => string[],
    private readonly secretNamesByProject: Record<string, string[]>,
  ) {}

  get text(): string {
    return this.state.text;
  }

  get project(): ProjectDocument {
    return this.state.project;
  }

  get projectPath(): string | undefined {
    return this.state.projectPath;
  }

  get projectId(): string {
    return this.state.projectId;
  }

  get secretNames(): ReadonlySet<string> {
    return (this.names ??= new Set(this.secretNamesByProject[this.state.projectId] ?? []));
  }

  cursor(offset: number): CursorInfo {
    return this.state.cursor(offset);
  }

  valueAt(path: JsonPath): unknown {
    return this.state.valueAt(path);
  }

  topLevelKeys(): string[] {
    return this.state.topLevelKeys();
  }
}

function childOf(node: ASTNode, segment: string | number): ASTNode | undefined {
  if (node.type === 'array') return typeof segment === 'number' ? node.items[segment] : undefined;
  if (node.type !== 'object') return undefined;
  // The last property with this key wins, as in parseProject and JSON.parse.
  let found: ASTNode | undefined;
  for (const p of node.properties) if (p.keyNode.value === String(segment)) found = p.valueNode;
  return found;
}

function astValue(node: ASTNode): unknown {
  switch (node.type) {
    case 'array':
      return node.items.map(astValue);
    case 'object': {
      const obj: Record<string, unknown> = {};
      for (const p of node.properties) {
        Object.defineProperty(obj, p.keyNode.value, {
          value: p.valueNode ? astValue(p.valueNode) : undefined,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return obj;
    }
    case 'property':
      return undefined;
    default:
      return node.value;
  }
}

/**
 * The editor features for `*.ppkg.json`, with no editor attached: the server
 * (and tests) call it with a TextDocument. Schema-driven features come from
 * vscode-json-languageservice configured with our schema; diagnostics come
 * from our own engine (validateDocument), never from the JSON service.
 */
export class PpkgLanguageService {
  private jsonService?: LanguageService;
  private schemaCompleter?: SchemaCompleter;
  private readonly now: () => Date;
  private files: FileProbe;
  private listFiles: (dir: string) => string[];
  private readonly ownFileAccess: boolean;
  private fileCacheTtlMs: number;
  private readonly cache = new Map<string, VersionState>();
  private readonly diagnosticsCache = new Map<string, { version: number; key: string; diagnostics: Diagnostic[] }>();
  /** Where each open document changed, version by version, as the client said. */
  private readonly edits = new EditLog();
  /** What the rules kept from each open document's earlier versions. */
  private readonly memos = new Map<string, ValidationMemo>();
  private secretNames: Record<string, string[]> = {};

  constructor(options: PpkgLanguageServiceOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.ownFileAccess = !options.files && !options.listFiles;
    this.fileCacheTtlMs = options.fileCacheTtlMs ?? WATCHED_FILE_CACHE_TTL_MS;
    this.files = options.files ?? cachedFileProbe(nodeFileProbe, this.fileCacheTtlMs);
    this.listFiles = options.listFiles ?? cachedLister(UNWATCHED_FILE_CACHE_TTL_MS);
  }

  /** vscode-json-languageservice with our schema, made on first use. */
  private json(): LanguageService {
    if (!this.jsonService) {
      const schemaText = JSON.stringify(PROJECT_SCHEMA);
      const service = loadJsonLs().getLanguageService({
        // Whatever "$schema" a project names (a relative path, a URL), it is a
        // ppkg project: answer every schema request with the bundled schema.
        schemaRequestService: async () => schemaText,
        workspaceContext: { resolveRelativePath: (rel, resource) => new URL(rel, resource).toString() },
        clientCapabilities: {
          textDocument: {
            completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'], commitCharactersSupport: true } },
            hover: { contentFormat: ['markdown', 'plaintext'] },
          },
        },
      });
      service.configure({ validate: false, allowComments: true, schemas: [{ uri: SCHEMA_URI, fileMatch: ['*'], schema: PROJECT_SCHEMA }] });
      this.jsonService = service;
    }
    return this.jsonService;
  }

  /** Replaces the known secret names (per projectKey). Names only: the server never sees values. */
  setSecretNames(byProject: Record<string, string[]>): void {
    this.secretNames = Object.fromEntries(Object.entries(byProject).map(([k, v]) => [projectKey(k), v.filter((n) => typeof n === 'string')]));
  }

  /** How long the default file access trusts an answer (see PpkgLanguageServiceOptions.fileCacheTtlMs). */
  setFileCacheTtl(ms: number): void {
    if (!this.ownFileAccess || ms === this.fileCacheTtlMs) return;
    this.fileCacheTtlMs = ms;
    this.files = cachedFileProbe(nodeFileProbe, ms);
    this.diagnosticsCache.clear();
  }

  /** Files changed on disk: drop the cached answers and the cached findings. */
  filesChanged(): void {
    if (this.ownFileAccess) {
      this.files = cachedFileProbe(nodeFileProbe, this.fileCacheTtlMs);
      this.listFiles = cachedLister(UNWATCHED_FILE_CACHE_TTL_MS);
    }
    this.diagnosticsCache.clear();
  }

  /**
   * Applies a didChange to a document (the server's TextDocuments calls this
   * in place of TextDocument.update), remembering where it changed so the
   * next validation patches only that part.
   */
  update(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    return this.edits.update(document, changes, version);
  }

  forget(uri: string): void {
    this.edits.forget(uri);
    this.cache.delete(uri);
    this.diagnosticsCache.delete(uri);
    this.memos.delete(uri);
  }

  private state(document: TextDocument): VersionState {
    const text = document.getText();
    const hit = this.cache.get(document.uri);
    if (hit && hit.version === document.version && hit.text.length === text.length) return hit;
    const entry = new VersionState(
      document.uri,
      document.version,
      text,
      document,
      () => this.json(),
      hit?.jsonBase(),
      hit?.projectSource(),
      (from, to) => this.edits.between(document.uri, from, to),
    );
    this.cache.set(document.uri, entry);
    return entry;
  }

  context(document: TextDocument): DocContext {
    return this.contextOf(document, this.state(document));
  }

  private contextOf(document: TextDocument, state: VersionState): DocContext {
    return new VersionContext(document, state, this.now(), this.files, this.listFiles, this.secretNames);
  }

  /** The engine's findings as LSP diagnostics (cached per document version and settings). */
  validate(document: TextDocument, settings: PpkgSettings = {}): Diagnostic[] {
    const warn = settings.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    const backend = settings.buildBackend ?? 'native';
    const key = `${warn}:${backend}:${this.now().toISOString().slice(0, 10)}`;
    const hit = this.diagnosticsCache.get(document.uri);
    if (hit && hit.version === document.version && hit.key === key) return hit.diagnostics;
    let memo = this.memos.get(document.uri);
    if (!memo) this.memos.set(document.uri, (memo = new ValidationMemo()));
    const options = { projectPath: projectPathOf(document.uri), now: this.now, expiryWarningDays: warn, files: this.files, memo, backend };
    const text = document.getText();
    const found = text.length > MAX_PROJECT_CHARS ? validateText(text, options).diagnostics : validateDocument(this.state(document).project, options);
    const diagnostics = found.map(toLspDiagnostic);
    this.diagnosticsCache.set(document.uri, { version: document.version, key, diagnostics });
    return diagnostics;
  }

  async complete(document: TextDocument, position: Position): Promise<CompletionList> {
    const state = this.state(document);
    if (state.tooDeep) return { isIncomplete: false, items: [] };
    const offset = document.offsetAt(position);
    // doComplete's answer straight from the schema where that is known to be the same; json-ls otherwise.
    const clean = state.cleanJson;
    const fast = clean && (this.schemaCompleter ??= new SchemaCompleter(PROJECT_SCHEMA)).complete(document, state.text, offset, clean);
    const schemaList = fast ?? (await this.json().doComplete(document, position, state.json));
    return completeDomain(this.contextOf(document, state), offset, schemaList);
  }

  async hover(document: TextDocument, position: Position): Promise<Hover | null> {
    const state = this.state(document);
    if (state.tooDeep) return null;
    const schemaHover = await this.json().doHover(document, position, state.json);
    return hoverDomain(this.contextOf(document, state), document.offsetAt(position), schemaHover);
  }

  codeActions(document: TextDocument, range: Range, settings: PpkgSettings = {}): CodeAction[] {
    // Recomputed from the engine rather than trusting the client's copy, so
    // fixes work in editors that drop diagnostic data.
    return codeActionsFor(this.context(document), range, this.validate(document, settings));
  }

  symbols(document: TextDocument): DocumentSymbol[] {
    const state = this.state(document);
    if (state.tooDeep) return [];
    return refineSymbols(this.contextOf(document, state), this.json().findDocumentSymbols2(document, state.json, { resultLimit: 5000 }));
  }

  folding(document: TextDocument): FoldingRange[] {
    if (this.state(document).tooDeep) return [];
    return this.json().getFoldingRanges(document, { rangeLimit: 5000 });
  }

  selectionRanges(document: TextDocument, positions: Position[]): SelectionRange[] {
    const state = this.state(document);
    if (state.tooDeep) return positions.map((p) => ({ range: { start: p, end: p } }));
    return this.json().getSelectionRanges(document, positions, state.json);
  }

  format(document: TextDocument, range: Range | undefined, options: FormattingOptions): TextEdit[] {
    if (this.state(document).tooDeep) return [];
    // keepLines: blank lines between sections and one-line objects such as
    // { "secret": "wifi-key" } stay as written, so formatting makes small diffs.
    return this.json().format(document, range, { keepLines: true, ...options });
  }

  links(document: TextDocument): DocumentLink[] {
    return documentLinks(this.context(document));
  }

  codeLenses(document: TextDocument, settings: PpkgSettings = {}): CodeLens[] {
    return codeLenses(this.context(document), settings.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS);
  }
}

export function projectPathOf(uri: string): string | undefined {
  try {
    const u = URI.parse(uri);
    return u.scheme === 'file' ? u.fsPath : undefined;
  } catch {
    return undefined;
  }
}

const SEVERITY = { error: 1, warning: 2, information: 3 } as const;

export function toLspDiagnostic(d: PpkgDiagnostic): Diagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'ppkg',
    message: d.message,
    ...(d.data ? { data: d.data } : {}),
  };
}

const SKIP_DIRS = new Set(['node_modules', 'ppkg-out', '.ppkg-out', 'dist', 'out']);

/** Files under `dir` (relative, with /), breadth first, skipping dot folders and build output; at most 2,000. */
export function listProjectFiles(dir: string, maxFiles = 2000, maxDepth = 6): string[] {
  const out: string[] = [];
  let level: string[] = [''];
  for (let depth = 0; depth <= maxDepth && level.length && out.length < maxFiles; depth++) {
    const next: string[] = [];
    for (const rel of level) {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => a.name.localeCompare(b.name));
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) next.push(r);
        } else if (e.isFile() && out.length < maxFiles) out.push(r);
      }
    }
    level = next;
  }
  return out;
}

function cachedLister(ttlMs: number): (dir: string) => string[] {
  const cache = new Map<string, { at: number; files: string[] }>();
  return (dir) => {
    const hit = cache.get(dir);
    if (hit && Date.now() - hit.at < ttlMs) return hit.files;
    const files = listProjectFiles(dir);
    if (cache.size > 100) cache.clear();
    cache.set(dir, { at: Date.now(), files });
    return files;
  };
}
