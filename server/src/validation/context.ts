import type { Node } from 'jsonc-parser';
import { locate, type JsonPath, type ProjectDocument } from '../model/parse';
import type { DiagnosticCode } from './catalog';
import type { PpkgDiagnostic, Severity } from './diagnostic';
import type { FileProbe } from './fileProbe';

export interface ValidationOptions {
  /** Absolute path of the project file; the file rules resolve paths against its folder. Without it they only check the form of paths. */
  projectPath?: string;
  /** The clock: every date rule asks it, so tests are deterministic. */
  now?: () => Date;
  /** Warn when the bulk token expires within this many days (VS Code setting `ppkg.expiryWarningDays`). */
  expiryWarningDays?: number;
  /** Filesystem access for the file rules; a cached probe in the language server. */
  files?: FileProbe;
  /**
   * The backend the project will be built with (`ppkg validate --backend`,
   * VS Code setting ppkg.buildBackend). With `native` (the default), settings
   * the native backend cannot compile are errors (PPKG113): the build would
   * refuse them. ICD compiles them itself.
   */
  backend?: 'native' | 'icd';
  /**
   * A secret's value when the caller has it (the CLI's PPKG_SECRET_*
   * variables), for rules that must open a file with it (a .pfx password).
   * Never logged, never in a message.
   */
  secretValue?: (name: string) => string | undefined;
  /**
   * What the rules kept from validating earlier versions of the same
   * document (the language server keeps one per open document, so a
   * keystroke re-checks only what it touched). Without it every validation
   * starts from nothing, which is what the CLI and the build want.
   */
  memo?: ValidationMemo;
}

/**
 * One document's kept state, a slot per rule. Rules assume that the parsed
 * values they are given are never mutated afterwards: the language server
 * patches a copy (languageService/incrementalProject.ts), so an object seen
 * before holds what it held then.
 */
export class ValidationMemo {
  private readonly slots = new Map<string, unknown>();

  slot<T>(key: string, create: () => T): T {
    let value = this.slots.get(key) as T | undefined;
    if (value === undefined) this.slots.set(key, (value = create()));
    return value;
  }
}

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/** What a domain rule sees: the parsed document, a loosely typed value and a way to report. */
export class RuleContext {
  readonly diagnostics: PpkgDiagnostic[] = [];
  readonly today: Date;

  constructor(
    readonly doc: ProjectDocument,
    readonly options: ValidationOptions & { expiryWarningDays: number; files: FileProbe },
  ) {
    this.today = (options.now ?? (() => new Date()))();
  }

  /** The rule's kept state for this document (fresh when the caller keeps none). */
  memo<T>(key: string, create: () => T): T {
    return (this.options.memo ?? (this.ownMemo ??= new ValidationMemo())).slot(key, create);
  }

  private ownMemo: ValidationMemo | undefined;

  /** The value at a path, or undefined. Rules never trust its type: the schema errors are reported separately. */
  value(path: JsonPath): unknown {
    let v: unknown = this.doc.value;
    for (const s of path) {
      if (v === null || typeof v !== 'object') return undefined;
      if (!Object.prototype.hasOwnProperty.call(v, s)) return undefined;
      v = (v as Record<string | number, unknown>)[s];
    }
    return v;
  }

  string(path: JsonPath): string | undefined {
    const v = this.value(path);
    return typeof v === 'string' ? v : undefined;
  }

  /** The node at a path, for its range (model/parse.ts locate: the offsets are current, the node may be a copy without parent or children). */
  node(path: JsonPath): Node | undefined {
    return locate(this.doc, path)?.node;
  }

  /** The key node of the property at `path` (for "this section is missing something" findings). */
  keyNode(path: JsonPath): Node | undefined {
    const found = locate(this.doc, path);
    return found ? (found.key ?? found.node) : undefined;
  }

  /**
   * Reports a finding on a node, or on the node at a path (looked up only
   * now: a clean project never builds the jsonc tree). `sub` narrows the
   * range to characters [start, end) of a string value, when the literal has
   * no escapes (so the text and the value line up).
   */
  report(
    target: Node | JsonPath | undefined,
    severity: Severity,
    code: DiagnosticCode,
    message: string,
    data?: Record<string, unknown>,
    sub?: { start: number; end: number },
  ): void {
    const node = Array.isArray(target) ? this.node(target) : target;
    if (!node) return;
    let offset = node.offset;
    let length = node.length;
    if (sub && node.type === 'string') {
      const raw = this.doc.text.slice(node.offset + 1, node.offset + node.length - 1);
      if (raw === node.value) {
        offset = node.offset + 1 + sub.start;
        length = Math.max(1, sub.end - sub.start);
      }
    }
    this.diagnostics.push({ range: this.doc.lines.rangeOf(offset, length), severity, code, message, ...(data ? { data } : {}) });
  }
}

export type Rule = (ctx: RuleContext) => void;
