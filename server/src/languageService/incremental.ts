import { createScanner, SyntaxKind } from 'jsonc-parser';
import type { ASTNode, JSONDocument } from 'vscode-json-languageservice';

/**
 * Re-parse after a keystroke without re-parsing the whole file.
 *
 * vscode-json-languageservice parses a 1 MB project in about 75 ms; a
 * completion request right after typing would pay that on every keystroke.
 * An edit changes one small region: find the smallest value (a literal, an
 * object, an array) around it, parse only that value's new text, and put the
 * new subtree in place of the old one, shifting the offsets of what follows.
 *
 * The result is the tree a full parse would build, because:
 * - the old tree came from a parse without any syntax error, so the value
 *   starts where the parser expects a value, after unchanged text;
 * - the new text of the value parses on its own without any error, and in the
 *   whole new text its last token ends exactly where the value ends (nothing
 *   after it can merge into it: `1` followed by `2`, an unterminated string);
 * - JSON values parse the same wherever they stand, and the text after the
 *   value is unchanged, so the parse continues exactly as before.
 * Anything else (a syntax error, an edit across values, a large region)
 * answers undefined: the caller parses the whole text.
 *
 * The old tree is reused and changed in place: the old version's document
 * must not be used afterwards.
 */
export function reparseIncrementally(
  oldText: string,
  oldDoc: JSONDocument,
  newText: string,
  parseFragment: (text: string) => JSONDocument,
  newDocument: (root: ASTNode) => JSONDocument,
): JSONDocument | undefined {
  return reparseAround(oldText, oldDoc, undefined, newText, parseFragment, (root) => newDocument(root), false)?.doc;
}

/** A patched tree; `broken` is the subtree that holds every syntax error (undefined: none). */
export interface Reparsed {
  doc: JSONDocument;
  broken?: ASTNode;
  /** Offsets (in the new text) and messages of the syntax errors, all inside `broken`. */
  errors: { offset: number; length: number; message: string; code?: number; severity?: number }[];
}

/**
 * reparseIncrementally for documents being typed into, where the text is
 * broken for a while: the old tree may have syntax errors, as long as they
 * all lie in one known subtree (`broken`), and the new value's text may have
 * syntax errors too, when it is an object or an array that still ends with
 * its own closing bracket:
 *
 * - the value re-parsed is the smallest one around both the edit and the
 *   broken subtree, so all text outside it is unchanged and error-free;
 * - its parse on its own must close it with the bracket that ends it (its
 *   length is the whole fragment) and report no error at the fragment's end:
 *   the parser then never looked past that bracket, so a parse of the whole
 *   text builds the same subtree and resumes after it as before;
 * - in the whole text a token ends exactly there (nothing runs across it).
 */
export function reparseAround(
  oldText: string,
  oldDoc: JSONDocument,
  oldBroken: ASTNode | undefined,
  newText: string,
  parseFragment: (text: string) => JSONDocument,
  newDocument: (root: ASTNode, errors: Reparsed['errors']) => JSONDocument,
  /** Whether the new value may have syntax errors (false: only error-free text is patched). */
  tolerant = true,
  /** The old tree's syntax errors (all inside `oldBroken`), handed on when the text did not change. */
  oldErrors?: Reparsed['errors'],
): Reparsed | undefined {
  const root = oldDoc.root;
  if (!root) return undefined;
  const prefix = commonPrefix(oldText, newText);
  if (prefix === oldText.length && prefix === newText.length)
    return oldBroken ? (oldErrors ? { doc: oldDoc, broken: oldBroken, errors: oldErrors } : undefined) : { doc: oldDoc, errors: [] };
  const suffix = commonSuffix(oldText, newText, Math.min(oldText.length, newText.length) - prefix);
  const oldEnd = oldText.length - suffix;
  const delta = newText.length - oldText.length;
  const limit = Math.max(4096, newText.length / 8);
  const from = oldBroken ? Math.min(prefix, oldBroken.offset) : prefix;
  const to = oldBroken ? Math.max(oldEnd, oldBroken.offset + oldBroken.length) : oldEnd;

  let node: ASTNode | undefined = oldBroken && oldBroken.offset < prefix ? oldBroken : oldDoc.getNodeFromOffset(prefix, true);
  for (; node && node !== root; node = node.parent) {
    if (node.type === 'property' || (node.parent?.type === 'property' && node.parent.keyNode === node)) continue;
    if (node.offset > from || node.offset + node.length < to) continue;
    if (node.length + delta > limit) return undefined;
    // The broken subtree's end moved with the edit when the edit was inside it.
    const end = node.offset + node.length + delta;
    const parsed = parseValueAt(
      newText,
      node.offset,
      end,
      parseFragment,
      tolerant && (node.type === 'object' || node.type === 'array') ? node.type : undefined,
    );
    if (!parsed) continue;
    const parent = node.parent;
    if (parent?.type !== 'property' && parent?.type !== 'array') return undefined;
    const replacement = parsed.root;
    shiftAfter(root, node, delta);
    shiftBy(replacement, node.offset);
    (replacement as Mutable).parent = parent;
    if (parent.type === 'property') (parent as unknown as { valueNode: ASTNode }).valueNode = replacement;
    else parent.items[parent.items.indexOf(node)] = replacement;
    const errors = parsed.errors.map((e) => ({ ...e, offset: e.offset + node!.offset }));
    return { doc: newDocument(root, errors), broken: errors.length ? replacement : undefined, errors };
  }
  return undefined;
}

type Mutable = { offset: number; length: number; parent?: ASTNode; colonOffset?: number };

/**
 * The new text of one value, parsed on its own, or undefined when that would
 * not match a full parse. With `container`, the value may have syntax errors
 * inside, as long as it is still that kind of container closed by its own
 * last character (see reparseAround).
 */
function parseValueAt(
  text: string,
  start: number,
  end: number,
  parseFragment: (text: string) => JSONDocument,
  container?: 'object' | 'array',
): { root: ASTNode; errors: Reparsed['errors'] } | undefined {
  if (end <= start) return undefined;
  // In the whole text, a token must end exactly at `end` (nothing merges across it).
  const scanner = createScanner(text, false);
  scanner.setPosition(start);
  let scanErrors = false;
  let lastKind: SyntaxKind;
  for (;;) {
    const kind = (lastKind = scanner.scan());
    if (kind === SyntaxKind.EOF) return undefined;
    if (scanner.getTokenError() !== 0) scanErrors = true;
    const tokenEnd = scanner.getTokenOffset() + scanner.getTokenLength();
    if (tokenEnd === end) break;
    if (tokenEnd > end) return undefined;
  }
  const fragmentText = text.substring(start, end);
  const fragment = parseFragment(fragmentText);
  const syntaxErrors = (
    fragment as JSONDocument & {
      syntaxErrors?: {
        range: { start: { line: number; character: number }; end: { line: number; character: number } };
        message: string;
        code?: number;
        severity?: number;
      }[];
    }
  ).syntaxErrors;
  const value = fragment.root;
  if (!Array.isArray(syntaxErrors) || !value || value.offset !== 0 || value.length !== end - start) return undefined;
  if (syntaxErrors.length === 0 && !scanErrors) return { root: value, errors: [] };
  if (!container || value.type !== container) return undefined;
  // The value must end with its own closing bracket as a token (not, say, inside a string running to the line
  // end), and that bracket must close the value itself, not a child that swallowed it while recovering.
  if (lastKind !== (container === 'object' ? SyntaxKind.CloseBraceToken : SyntaxKind.CloseBracketToken)) return undefined;
  const children = value.type === 'object' ? value.properties : value.type === 'array' ? value.items : [];
  if (children.some((c) => c.offset + c.length > fragmentText.length - 1)) return undefined;
  // Error positions are in the fragment's lines: back to offsets (the fragment is small).
  const lineStarts = [0];
  for (let i = 0; i < fragmentText.length; i++) if (fragmentText.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const offsetOf = (p: { line: number; character: number }) => (lineStarts[p.line] ?? fragmentText.length) + p.character;
  const errors: Reparsed['errors'] = [];
  for (const e of syntaxErrors) {
    const offset = offsetOf(e.range.start);
    // An error at the end of the fragment (end of file) means the parser looked past the closing bracket.
    if (offset >= fragmentText.length) return undefined;
    errors.push({ offset, length: Math.max(0, offsetOf(e.range.end) - offset), message: e.message, code: e.code, severity: e.severity });
  }
  return { root: value, errors };
}

/** Every node after `old` moves by `delta`; the nodes around it grow by `delta`. `old` itself is left alone. */
function shiftAfter(root: ASTNode, old: ASTNode, delta: number): void {
  const oldStart = old.offset;
  const oldEnd = old.offset + old.length;
  const visit = (node: ASTNode): void => {
    if (node === old) return;
    const n = node as Mutable;
    if (node.offset >= oldEnd) {
      shiftBy(node, delta);
      return;
    }
    if (node.offset + node.length <= oldStart) return;
    // Encloses the edited value.
    n.length += delta;
    // A property without a colon (in a broken subtree) has colonOffset -1: not an offset.
    if (n.colonOffset !== undefined && n.colonOffset >= oldEnd) n.colonOffset += delta;
    for (const child of node.children ?? []) visit(child);
  };
  visit(root);
}

function shiftBy(node: ASTNode, delta: number): void {
  const n = node as Mutable;
  n.offset += delta;
  if (n.colonOffset !== undefined && n.colonOffset >= 0) n.colonOffset += delta;
  for (const child of node.children ?? []) shiftBy(child, delta);
}

const CHUNK = 4096;

export function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= max && a.substring(i, i + CHUNK) === b.substring(i, i + CHUNK)) i += CHUNK;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i + CHUNK <= max && a.substring(a.length - i - CHUNK, a.length - i) === b.substring(b.length - i - CHUNK, b.length - i)) i += CHUNK;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/**
 * After a full parse with syntax errors: the smallest object or array (not
 * the root) that holds every error, when parsing its text on its own closes
 * it with its own bracket and gives exactly the same errors (none of them
 * belongs to an enclosing value). The next keystroke can then patch around
 * it (reparseAround's `oldBroken`); undefined otherwise.
 */
export function brokenSubtree(doc: JSONDocument, text: string, errors: Reparsed['errors'], parseFragment: (text: string) => JSONDocument): ASTNode | undefined {
  const root = doc.root;
  if (!root || errors.length === 0) return undefined;
  const first = Math.min(...errors.map((e) => e.offset));
  const last = Math.max(...errors.map((e) => e.offset));
  let node: ASTNode | undefined = doc.getNodeFromOffset(first, true);
  for (; node && node !== root; node = node.parent) {
    if (node.type !== 'object' && node.type !== 'array') continue;
    const end = node.offset + node.length;
    if (node.offset > first || end - 1 < last) continue;
    if (node.length > Math.max(4096, text.length / 8)) return undefined;
    const alone = parseValueAt(text, node.offset, end, parseFragment, node.type);
    if (!alone) return undefined;
    const key = (e: { offset: number; message: string }) => `${e.offset} ${e.message}`;
    const own = alone.errors.map((e) => key({ offset: e.offset + node!.offset, message: e.message })).sort();
    const all = errors.map(key).sort();
    return own.length === all.length && own.every((k, i) => k === all[i]) ? node : undefined;
  }
  return undefined;
}
