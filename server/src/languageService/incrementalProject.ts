/**
 * Validation after a keystroke without re-parsing the file: the previous
 * version's ProjectDocument (its jsonc tree, plain value and line index) is
 * patched for the edit, so the engine's cost no longer grows with the file.
 *
 * The same argument as incremental.ts (the JSON service's tree) makes the
 * result the document a full parse would give: the previous version parsed
 * without any syntax error or repeated key; the edit lies inside one value,
 * whose new text parses on its own without error, without repeated keys and
 * within the nesting limit, and whose last token ends exactly where the value
 * ends in the whole new text. Anything else answers undefined and the caller
 * parses the whole text.
 *
 * The previous document is consumed: its tree is patched in place.
 */
import { createScanner, parseTree, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex, type Position, type Range } from '../model/positions';
import { MAX_NESTING_DEPTH, nodeToValue, PARSE_OPTIONS, pathOfNode, type DuplicateKey, type JsonPath, type ProjectDocument } from '../model/parse';
import type { EditSpan } from './editLog';
import { commonPrefix, commonSuffix } from './incremental';
import { nestsDeeperThan } from './nesting';
import { PatchedTree } from './patchedTree';

/** A line index patched from the previous version's instead of rescanning the whole text. */
export class PatchedLineIndex extends LineIndex {
  private constructor(
    private readonly source: string,
    readonly starts: number[],
  ) {
    super('');
  }

  static of(text: string): PatchedLineIndex {
    return new PatchedLineIndex(text, scanStarts(text, 0, text.length, [0]));
  }

  /** The index of `text`, which is `old`'s text with [prefix, oldEnd) replaced so that the suffix starts at newEnd. */
  static patch(old: PatchedLineIndex, text: string, prefix: number, oldEnd: number, newEnd: number): PatchedLineIndex {
    const s = old.starts;
    // The last line start strictly before the edit: rescan from there (a \r before the edit may pair with a new \n).
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const keep = Math.max(1, lo);
    const starts = s.slice(0, keep);
    scanStarts(text, starts[keep - 1], Math.min(text.length, newEnd + 1), starts);
    const last = starts[starts.length - 1];
    const delta = newEnd - oldEnd;
    let k = lo;
    while (k < s.length && (s[k] < oldEnd + 2 || s[k] + delta <= last)) k++;
    for (; k < s.length; k++) starts.push(s[k] + delta);
    return new PatchedLineIndex(text, starts);
  }

  override positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.source.length));
    const s = this.starts;
    let low = 0;
    let high = s.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (s[mid] > o) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    return { line, character: o - s[line] };
  }

  override offsetAt(position: Position): number {
    const s = this.starts;
    if (position.line < 0) return 0;
    if (position.line >= s.length) return this.source.length;
    const start = s[position.line];
    const next = position.line + 1 < s.length ? s[position.line + 1] : this.source.length;
    return Math.max(start, Math.min(start + position.character, next));
  }

  override rangeOf(offset: number, length: number): Range {
    return { start: this.positionAt(offset), end: this.positionAt(offset + length) };
  }

  override get lineCount(): number {
    return this.starts.length;
  }
}

/** Appends the line starts after each line break in text[from, to) (a \r\n pair is one break). */
function scanStarts(text: string, from: number, to: number, out: number[]): number[] {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      out.push(i + 1);
    } else if (c === 10) out.push(i + 1);
  }
  return out;
}

/** A ProjectDocument that can be patched by reparseProject (a clean parse with a PatchedLineIndex). */
export function withPatchableLines(doc: ProjectDocument): ProjectDocument {
  if (doc.lines instanceof PatchedLineIndex) return doc;
  let lines: PatchedLineIndex | undefined;
  const text = doc.text;
  return Object.defineProperty(Object.create(doc) as ProjectDocument, 'lines', { get: () => (lines ??= PatchedLineIndex.of(text)) });
}

/**
 * The document for `newText`, patched from `old` (consumed), or undefined when only a full parse is right.
 * `span`, when the caller knows it (the client's didChange ranges, editLog.ts), bounds what changed, so
 * the two texts need not be compared; it may be wider than the change, never narrower.
 */
export function reparseProject(old: ProjectDocument, newText: string, span?: EditSpan): ProjectDocument | undefined {
  if (old.syntaxProblems.length || old.duplicateKeys.length || old.value === undefined) return undefined;
  const oldText = old.text;
  if (oldText === newText) return old;
  const common = Math.min(oldText.length, newText.length);
  const prefix = span ? Math.min(span.prefix, common) : commonPrefix(oldText, newText);
  const suffix = span ? Math.min(span.suffix, common - prefix) : commonSuffix(oldText, newText, common - prefix);
  const oldEnd = oldText.length - suffix;
  const delta = newText.length - oldText.length;
  let tree = trees.get(old);
  if (!tree) {
    const root = old.root;
    if (!root) return undefined;
    tree = new PatchedTree(root);
  }
  const limit = Math.max(4096, newText.length / 8);

  // From the deepest node at the edit up to (not including) the root: the first value that holds the edit and parses alone.
  const chain = tree.pathTo(prefix);
  for (let i = chain.length - 1; i >= 1; i--) {
    const { node, stamp } = chain[i];
    if (node.type === 'property') continue;
    if (node.parent?.type === 'property' && node.parent.children?.[0] === node) continue; // a key
    const at = tree.current(node, stamp);
    if (at.offset > prefix || at.offset + at.length < oldEnd) continue;
    if (at.length + delta > limit) return undefined;
    const start = at.offset;
    const end = at.offset + at.length + delta;
    const depth = depthOf(node);
    const parsed = parseValueAt(newText, start, end, MAX_NESTING_DEPTH - depth);
    if (!parsed) continue;
    const path = pathOfNode(node);
    const duplicates: DuplicateKey[] = [];
    const value = nodeToValue(parsed, duplicates);
    if (duplicates.length) return undefined;
    const newValue = replaceAt(old.value, path, value);
    if (newValue === NOT_FOUND) return undefined;
    // Graft the new subtree; what follows moves when it is next looked at (patchedTree.ts).
    tree.graft(node, parsed, start, at.length, delta);
    const oldLines = old.lines;
    const lines =
      oldLines instanceof PatchedLineIndex ? PatchedLineIndex.patch(oldLines, newText, prefix, oldEnd, oldEnd + delta) : PatchedLineIndex.of(newText);
    const patchedTree = tree;
    const doc: ProjectDocument = {
      text: newText,
      lines,
      get root() {
        return patchedTree.settled();
      },
      locate: (p) => patchedTree.locate(p),
      value: newValue,
      syntaxProblems: [],
      duplicateKeys: [],
    };
    trees.set(doc, tree);
    return doc;
  }
  return undefined;
}

/** The tree behind each patched document (the next keystroke patches it again). */
const trees = new WeakMap<ProjectDocument, PatchedTree>();

function depthOf(node: Node): number {
  let d = 0;
  for (let n: Node | undefined = node; n; n = n.parent) if (n.type === 'object' || n.type === 'array') d++;
  return d;
}

/** The new text of one value parsed on its own, or undefined when that would not match a full parse. */
function parseValueAt(text: string, start: number, end: number, depthLeft: number): Node | undefined {
  if (end <= start) return undefined;
  const scanner = createScanner(text, false);
  scanner.setPosition(start);
  for (;;) {
    const kind = scanner.scan();
    if (kind === SyntaxKind.EOF || scanner.getTokenError() !== 0) return undefined;
    const tokenEnd = scanner.getTokenOffset() + scanner.getTokenLength();
    if (tokenEnd === end) break;
    if (tokenEnd > end) return undefined;
  }
  const fragment = text.substring(start, end);
  if (nestsDeeperThan(fragment, depthLeft)) return undefined;
  const errors: ParseError[] = [];
  const parsed = parseTree(fragment, errors, PARSE_OPTIONS);
  if (errors.length || !parsed || parsed.offset !== 0 || parsed.length !== fragment.length) return undefined;
  return parsed;
}

const NOT_FOUND = Symbol('not found');

/** A copy of `value` with the value at `path` replaced: only the containers along the path are copied. */
function replaceAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    if (typeof head !== 'number' || head >= value.length) return NOT_FOUND;
    const inner = replaceAt(value[head], rest, replacement);
    if (inner === NOT_FOUND) return NOT_FOUND;
    const copy = value.slice();
    copy[head] = inner;
    return copy;
  }
  if (value === null || typeof value !== 'object') return NOT_FOUND;
  const key = String(head);
  if (!Object.prototype.hasOwnProperty.call(value, key)) return NOT_FOUND;
  const inner = replaceAt((value as Record<string, unknown>)[key], rest, replacement);
  if (inner === NOT_FOUND) return NOT_FOUND;
  // Spread copies own properties as data properties, "__proto__" included (no prototype change).
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  Object.defineProperty(copy, key, { value: inner, enumerable: true, writable: true, configurable: true });
  return copy;
}
