import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import {
  getLanguageService,
  type CodeAction,
  type CompletionList,
  type Diagnostic,
  type DocumentLink,
  type DocumentSymbol,
  type FoldingRange,
  type FormattingOptions,
  type Hover,
  type JSONDocument,
  type LanguageService,
  type Position,
  type Range,
  type SelectionRange,
  type TextEdit,
} from 'vscode-json-languageservice';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeLens } from 'vscode-languageserver-types';
import { parseProject, type ProjectDocument } from '../model/parse';
import { DEFAULT_EXPIRY_WARNING_DAYS } from '../validation/context';
import type { PpkgDiagnostic } from '../validation/diagnostic';
import { cachedFileProbe, nodeFileProbe, type FileProbe } from '../validation/fileProbe';
import { PROJECT_SCHEMA } from '../validation/schema';
import { validateDocument, MAX_PROJECT_CHARS, validateText } from '../validation/validate';
import { codeActionsFor } from './codeActions';
import { completeDomain } from './completion';
import type { DocContext } from './context';
import { hoverDomain } from './hover';
import { codeLenses, documentLinks, refineSymbols } from './outline';
import { projectKey } from './projectKey';

export interface PpkgSettings {
  /** Warn when the bulk token expires within this many days (`ppkg.expiryWarningDays`). */
  expiryWarningDays?: number;
}

export interface PpkgLanguageServiceOptions {
  /** The clock (tests inject one). */
  now?: () => Date;
  /** File access for the file rules and links; default: the disk, cached for 2 s. */
  files?: FileProbe;
  /** Lists a project folder (relative paths with /) for path completion; default: a bounded walk of the disk. */
  listFiles?: (dir: string) => string[];
}

const SCHEMA_URI = 'ppkg://schemas/ppkg-project.schema.json';
const SCHEMA_TEXT = JSON.stringify(PROJECT_SCHEMA);

/**
 * The editor features for `*.ppkg.json`, with no editor attached: the server
 * (and tests) call it with a TextDocument. Schema-driven features come from
 * vscode-json-languageservice configured with our schema; diagnostics come
 * from our own engine (validateDocument), never from the JSON service.
 */
export class PpkgLanguageService {
  private readonly json: LanguageService;
  private readonly now: () => Date;
  private files: FileProbe;
  private listFiles: (dir: string) => string[];
  private readonly ownFileAccess: boolean;
  private readonly cache = new Map<string, { version: number; text: string; json: JSONDocument; project: ProjectDocument }>();
  private readonly diagnosticsCache = new Map<string, { version: number; key: string; diagnostics: Diagnostic[] }>();
  private secretNames: Record<string, string[]> = {};

  constructor(options: PpkgLanguageServiceOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.ownFileAccess = !options.files && !options.listFiles;
    this.files = options.files ?? cachedFileProbe(nodeFileProbe, 2000);
    this.listFiles = options.listFiles ?? cachedLister(2000);
    this.json = getLanguageService({
      // Whatever "$schema" a project names (a relative path, a URL), it is a
      // ppkg project: answer every schema request with the bundled schema.
      schemaRequestService: async () => SCHEMA_TEXT,
      workspaceContext: { resolveRelativePath: (rel, resource) => new URL(rel, resource).toString() },
      clientCapabilities: {
        textDocument: {
          completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'], commitCharactersSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    this.json.configure({ validate: false, allowComments: true, schemas: [{ uri: SCHEMA_URI, fileMatch: ['*'], schema: PROJECT_SCHEMA }] });
  }

  /** Replaces the known secret names (per projectKey). Names only: the server never sees values. */
  setSecretNames(byProject: Record<string, string[]>): void {
    this.secretNames = Object.fromEntries(Object.entries(byProject).map(([k, v]) => [projectKey(k), v.filter((n) => typeof n === 'string')]));
  }

  /** Files changed on disk: drop the cached answers and the cached findings. */
  filesChanged(): void {
    if (this.ownFileAccess) {
      this.files = cachedFileProbe(nodeFileProbe, 2000);
      this.listFiles = cachedLister(2000);
    }
    this.diagnosticsCache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
    this.diagnosticsCache.delete(uri);
  }

  private parsed(document: TextDocument) {
    const hit = this.cache.get(document.uri);
    if (hit && hit.version === document.version && hit.text.length === document.getText().length) return hit;
    const text = document.getText();
    const entry = {
      version: document.version,
      text,
      json: this.json.parseJSONDocument(document),
      project: text.length > MAX_PROJECT_CHARS ? parseProject('') : parseProject(text),
    };
    this.cache.set(document.uri, entry);
    return entry;
  }

  context(document: TextDocument): DocContext {
    const { text, project } = this.parsed(document);
    const id = projectKey((project.value as { id?: unknown } | undefined)?.id);
    return {
      document,
      text,
      project,
      projectPath: projectPathOf(document.uri),
      projectId: id,
      now: this.now(),
      secretNames: new Set(this.secretNames[id] ?? []),
      files: this.files,
      listFiles: this.listFiles,
    };
  }

  /** The engine's findings as LSP diagnostics (cached per document version and settings). */
  validate(document: TextDocument, settings: PpkgSettings = {}): Diagnostic[] {
    const warn = settings.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    const key = `${warn}:${this.now().toISOString().slice(0, 10)}`;
    const hit = this.diagnosticsCache.get(document.uri);
    if (hit && hit.version === document.version && hit.key === key) return hit.diagnostics;
    const options = { projectPath: projectPathOf(document.uri), now: this.now, expiryWarningDays: warn, files: this.files };
    const text = document.getText();
    const found = text.length > MAX_PROJECT_CHARS ? validateText(text, options).diagnostics : validateDocument(this.parsed(document).project, options);
    const diagnostics = found.map(toLspDiagnostic);
    this.diagnosticsCache.set(document.uri, { version: document.version, key, diagnostics });
    return diagnostics;
  }

  async complete(document: TextDocument, position: Position): Promise<CompletionList> {
    const { json } = this.parsed(document);
    const schemaList = await this.json.doComplete(document, position, json);
    return completeDomain(this.context(document), document.offsetAt(position), schemaList);
  }

  async hover(document: TextDocument, position: Position): Promise<Hover | null> {
    const { json } = this.parsed(document);
    const schemaHover = await this.json.doHover(document, position, json);
    return hoverDomain(this.context(document), document.offsetAt(position), schemaHover);
  }

  codeActions(document: TextDocument, range: Range, settings: PpkgSettings = {}): CodeAction[] {
    // Recomputed from the engine rather than trusting the client's copy, so
    // fixes work in editors that drop diagnostic data.
    return codeActionsFor(this.context(document), range, this.validate(document, settings));
  }

  symbols(document: TextDocument): DocumentSymbol[] {
    const { json } = this.parsed(document);
    return refineSymbols(this.context(document), this.json.findDocumentSymbols2(document, json, { resultLimit: 5000 }));
  }

  folding(document: TextDocument): FoldingRange[] {
    return this.json.getFoldingRanges(document, { rangeLimit: 5000 });
  }

  selectionRanges(document: TextDocument, positions: Position[]): SelectionRange[] {
    const { json } = this.parsed(document);
    return this.json.getSelectionRanges(document, positions, json);
  }

  format(document: TextDocument, range: Range | undefined, options: FormattingOptions): TextEdit[] {
    // keepLines: blank lines between sections and one-line objects such as
    // { "secret": "wifi-key" } stay as written, so formatting makes small diffs.
    return this.json.format(document, range, { keepLines: true, ...options });
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
