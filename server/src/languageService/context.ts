import { findNodeAtOffset, getLocation, type Location, type Node } from 'jsonc-parser';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fieldAt } from '../model/fields';
import { pathOfNode, type JsonPath, type ProjectDocument } from '../model/parse';
import type { FileProbe } from '../validation/fileProbe';

/**
 * Everything a feature needs about one document at one version. `project`,
 * `projectId` and `secretNames` may be getters that parse on first use: a
 * feature that does not read them (completion at most slots) costs no parse
 * of ours.
 */
export interface DocContext {
  readonly document: TextDocument;
  readonly text: string;
  readonly project: ProjectDocument;
  /** File system path of the project file; undefined for untitled documents. */
  readonly projectPath?: string;
  /** projectKey() of the package ID (may be empty). */
  readonly projectId: string;
  readonly now: Date;
  /** Names of the secrets stored for this project (never values). */
  readonly secretNames: ReadonlySet<string>;
  readonly files: FileProbe;
  /** Lists the project folder for path completion. */
  readonly listFiles: (dir: string) => string[];
  /** Where the cursor is; default: cursorAt(text, offset). The service answers from its cached tree. */
  readonly cursor?: (offset: number) => CursorInfo;
  /** The plain value at a path (undefined when absent); default: read from `project.value`. */
  readonly valueAt?: (path: JsonPath) => unknown;
  /** The keys of the top-level object, in order; default: read from `project.root`. */
  readonly topLevelKeys?: () => string[];
}

/** The cursor of a context (the service's fast path when it has one). */
export function cursorOf(ctx: DocContext, offset: number): CursorInfo {
  return ctx.cursor ? ctx.cursor(offset) : cursorAt(ctx.text, offset);
}

/** The plain value at a path of a context's document. */
export function valueAtPath(ctx: DocContext, path: JsonPath): unknown {
  if (ctx.valueAt) return ctx.valueAt(path);
  return plainValueAt(ctx.project.value, path);
}

/** The keys of a context's top-level object. */
export function topLevelKeysOf(ctx: DocContext): string[] {
  if (ctx.topLevelKeys) return ctx.topLevelKeys();
  const root = ctx.project.root;
  return root?.type === 'object' ? (root.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
}

export function plainValueAt(value: unknown, path: JsonPath): unknown {
  let v = value;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      if (typeof segment !== 'number') return undefined;
      v = v[segment];
    } else {
      if (!Object.prototype.hasOwnProperty.call(v, segment)) return undefined;
      v = (v as Record<string, unknown>)[String(segment)];
    }
  }
  return v;
}

/** Where the cursor is, from the scanner (robust in broken documents) and the tree. */
export interface CursorInfo {
  offset: number;
  location: Location;
  /** The literal the cursor is in or touches (string, number, boolean, null), if any. */
  literal?: Node;
  /** True when the cursor is strictly inside a string literal's quotes (or after an unterminated opening quote). */
  inString: boolean;
}

export function cursorAt(text: string, offset: number): CursorInfo {
  return cursorFromLocation(text, offset, getLocation(text, offset));
}

/** CursorInfo from a jsonc-parser Location (of `getLocation` or an equivalent). */
export function cursorFromLocation(text: string, offset: number, location: Location): CursorInfo {
  const prev = location.previousNode;
  let literal: Node | undefined;
  let inString = false;
  if (prev && prev.type !== 'object' && prev.type !== 'array' && prev.type !== 'property' && offset >= prev.offset && offset <= prev.offset + prev.length) {
    literal = prev;
    if (prev.type === 'string') {
      const closed = prev.length >= 2 && text[prev.offset + prev.length - 1] === '"';
      inString = offset > prev.offset && (offset < prev.offset + prev.length || !closed);
    }
  }
  return { offset, location, literal, inString };
}

/** The path of the deepest node of the parsed tree at an offset, and that node. */
export function nodeAndPathAt(project: ProjectDocument, offset: number): { node?: Node; path: JsonPath; isKey: boolean } {
  if (!project.root) return { path: [], isKey: false };
  const node = findNodeAtOffset(project.root, offset, true);
  if (!node) return { path: [], isKey: false };
  const isKey = node.parent?.type === 'property' && node.parent.children?.[0] === node;
  const valueNode = isKey ? node.parent?.children?.[1] : node;
  if (isKey && !valueNode) {
    const parentPath = node.parent?.parent ? pathOfNode(node.parent.parent) : [];
    return { node, path: [...parentPath, String(node.value)], isKey };
  }
  return { node, path: pathOfNode(valueNode ?? node), isKey };
}

export function pathEquals(path: JsonPath, pattern: (string | number | '*')[]): boolean {
  if (path.length !== pattern.length) return false;
  return pattern.every((p, i) => (p === '*' ? typeof path[i] === 'number' : p === path[i]));
}

/**
 * The field at `path` holds a secret reference: its description and the
 * suggested secret name, from the schema's x-ppkg-secret annotations
 * (model/fields.ts), as validation and the build read them.
 */
export function secretFieldOf(path: JsonPath): { suggestedName: string; what: string } | undefined {
  return fieldAt(path, { reference: true }).secret;
}

/** The role of the file a path field points at (the schema's x-ppkg-file: installer, dependency, certificate, …), or undefined. */
export function fileFieldOf(path: JsonPath): string | undefined {
  return fieldAt(path).file?.role;
}

/** Every secret name the document references, in order, without duplicates. */
export function referencedSecretNames(project: ProjectDocument): string[] {
  const out: string[] = [];
  const walk = (n: Node | undefined) => {
    if (!n) return;
    if (n.type === 'property' && n.children?.[0]?.value === 'secret' && n.children[1]?.type === 'string') {
      const v = String(n.children[1].value);
      if (v && !out.includes(v)) out.push(v);
    }
    n.children?.forEach(walk);
  };
  walk(project.root);
  return out;
}
