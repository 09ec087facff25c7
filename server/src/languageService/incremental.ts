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
  const root = oldDoc.root;
  if (!root) return undefined;
  const prefix = commonPrefix(oldText, newText);
  if (prefix === oldText.length && prefix === newText.length) return oldDoc;
  const suffix = commonSuffix(oldText, newText, Math.min(oldText.length, newText.length) - prefix);
  const oldEnd = oldText.length - suffix;
  const delta = newText.length - oldText.length;
  const limit = Math.max(4096, newText.length / 8);

  let node: ASTNode | undefined = oldDoc.getNodeFromOffset(prefix, true);
  for (; node && node !== root; node = node.parent) {
    if (node.type === 'property' || (node.parent?.type === 'property' && node.parent.keyNode === node)) continue;
    if (node.offset > prefix || node.offset + node.length < oldEnd) continue;
    if (node.length + delta > limit) return undefined;
    const replacement = parseValueAt(newText, node.offset, node.offset + node.length + delta, parseFragment);
    if (!replacement) continue;
    const parent = node.parent;
    if (parent?.type !== 'property' && parent?.type !== 'array') return undefined;
    shiftAfter(root, node, delta);
    shiftBy(replacement, node.offset);
    (replacement as Mutable).parent = parent;
    if (parent.type === 'property') (parent as unknown as { valueNode: ASTNode }).valueNode = replacement;
    else parent.items[parent.items.indexOf(node)] = replacement;
    return newDocument(root);
  }
  return undefined;
}

type Mutable = { offset: number; length: number; parent?: ASTNode; colonOffset?: number };

/** The new text of one value, parsed on its own, or undefined when that would not match a full parse. */
function parseValueAt(text: string, start: number, end: number, parseFragment: (text: string) => JSONDocument): ASTNode | undefined {
  if (end <= start) return undefined;
  // In the whole text, a token must end exactly at `end` (nothing merges across it), without scan errors.
  const scanner = createScanner(text, false);
  scanner.setPosition(start);
  for (;;) {
    const kind = scanner.scan();
    if (kind === SyntaxKind.EOF || scanner.getTokenError() !== 0) return undefined;
    const tokenEnd = scanner.getTokenOffset() + scanner.getTokenLength();
    if (tokenEnd === end) break;
    if (tokenEnd > end) return undefined;
  }
  const fragment = parseFragment(text.substring(start, end));
  const errors = (fragment as JSONDocument & { syntaxErrors?: unknown[] }).syntaxErrors;
  const value = fragment.root;
  if (!Array.isArray(errors) || errors.length > 0 || !value || value.offset !== 0 || value.length !== end - start) return undefined;
  return value;
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
    if (n.colonOffset !== undefined && n.colonOffset >= oldEnd) n.colonOffset += delta;
    for (const child of node.children ?? []) visit(child);
  };
  visit(root);
}

function shiftBy(node: ASTNode, delta: number): void {
  const n = node as Mutable;
  n.offset += delta;
  if (n.colonOffset !== undefined) n.colonOffset += delta;
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
