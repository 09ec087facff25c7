import { createScanner, getLocation, SyntaxKind, type Location, type Node, type Segment } from 'jsonc-parser';
import type { ASTNode } from 'vscode-json-languageservice';

/**
 * jsonc-parser's `getLocation` (the cursor's JSON path, whether it is at a
 * property key, the literal before it), without re-scanning the document from
 * its start on every request.
 *
 * `getLocation(text, offset)` runs the parser from offset 0 to the cursor:
 * about 15 ms at 1 MB. The tree of the same version (vscode-json-
 * languageservice's, already built for completion and hover) tells where the
 * cursor's enclosing object or array starts; scanning from there gives the
 * same answer, because jsonc-parser's error recovery does not depend on what
 * encloses a value:
 *
 * - the text before that container is free of syntax errors, so both parsers
 *   agree on its path and the full scan reaches it in the state "parse a
 *   value", exactly where a scan of the text from the container starts;
 * - inside, both scans see the same tokens and recover from the same errors
 *   the same way, up to the cursor, unless the container is closed (or given
 *   up) before the cursor. Then the local scan's path is empty, and the full
 *   scan answers instead.
 *
 * `firstErrorOffset` is the offset of the first syntax error of the tree's
 * parse (Infinity when there is none).
 */
export function locate(text: string, offset: number, root: ASTNode | undefined, nodeAtOffset: ASTNode | undefined, firstErrorOffset: number): Location {
  let container: ASTNode | undefined = nodeAtOffset ?? root;
  while (container && !isUsableContainer(container, offset, firstErrorOffset)) container = container.parent;
  if (!container || container.offset === 0) return getLocation(text, offset);
  const base = container.offset;
  const local = getLocation(text.substring(base), offset - base);
  if (local.path.length === 0) return getLocation(text, offset);
  const path: Segment[] = [...pathOfAstNode(container), ...local.path];
  let previousNode: Node | undefined;
  if (local.previousNode) {
    const { colonOffset } = local.previousNode;
    previousNode = {
      ...local.previousNode,
      offset: local.previousNode.offset + base,
      ...(colonOffset !== undefined ? { colonOffset: colonOffset + base } : {}),
    };
  }
  return { path, previousNode, isAtPropertyKey: local.isAtPropertyKey, matches: (pattern) => matchesPath(path, pattern) };
}

function isUsableContainer(node: ASTNode, offset: number, firstErrorOffset: number): boolean {
  return (node.type === 'object' || node.type === 'array') && node.offset < offset && offset < node.offset + node.length && node.offset < firstErrorOffset;
}

/** The JSON path of a vscode-json-languageservice AST node (property names and item indexes). */
export function pathOfAstNode(node: ASTNode): Segment[] {
  const path: Segment[] = [];
  let current: ASTNode = node;
  while (current.parent) {
    const parent: ASTNode = current.parent;
    if (parent.type === 'property') {
      path.push(parent.keyNode.value);
      if (!parent.parent) break;
      current = parent.parent;
    } else if (parent.type === 'array') {
      path.push(parent.items.indexOf(current));
      current = parent;
    } else {
      current = parent;
    }
  }
  return path.reverse();
}

/** Location.matches of jsonc-parser, for a path built here. */
function matchesPath(segments: Segment[], pattern: Segment[]): boolean {
  let k = 0;
  for (let i = 0; k < pattern.length && i < segments.length; i++) {
    if (pattern[k] === segments[i] || pattern[k] === '*') k++;
    else if (pattern[k] !== '**') return false;
  }
  return k === pattern.length;
}

interface WalkState {
  segments: Segment[];
  previous?: Node;
  isAtPropertyKey: boolean;
}

/**
 * jsonc-parser's `getLocation(text, offset)` read off a tree without syntax
 * errors instead of parsing the text up to the cursor: the events the parse
 * would see before the cursor are those of the containers around it, the
 * property or item the cursor is in or after, and the separators between
 * them (found with one token scan). Undefined when the tree and the text do
 * not line up as expected (the caller parses then).
 *
 * Mirrors getLocation's quirks: `isAtPropertyKey` is whatever the last `{`,
 * `:` or object `,` before the cursor left (an array does not reset it), and
 * `previousNode` is the key or literal the cursor is in or right after.
 */
export function locateInCleanTree(text: string, offset: number, root: ASTNode | undefined): Location | undefined {
  const state: WalkState = { segments: [], isAtPropertyKey: false };
  try {
    if (root) walkValue(text, root, offset, state);
  } catch (e) {
    if (e === MISMATCH) return undefined;
    throw e;
  }
  const path = state.segments;
  return { path, previousNode: state.previous, isAtPropertyKey: state.isAtPropertyKey, matches: (pattern) => matchesPath(path, pattern) };
}

const MISMATCH = new Error('tree and text disagree');

/** The events of one value up to the position; true when the walk stops inside it (or right before it). */
function walkValue(text: string, node: ASTNode, pos: number, st: WalkState): boolean {
  if (node.type !== 'object' && node.type !== 'array') {
    if (pos < node.offset) return true;
    st.previous = literalNode(node.value, node.offset, node.length, node.type);
    return pos <= node.offset + node.length;
  }
  if (pos <= node.offset) return true;
  st.previous = undefined;
  const close = node.offset + node.length - 1;
  if (node.type === 'object') {
    st.isAtPropertyKey = true;
    st.segments.push('');
    const props = node.properties;
    const k = lastStartingAtOrBefore(props, pos);
    if (k >= 0) {
      const p = props[k];
      const key = p.keyNode;
      st.previous = literalNode(key.value, key.offset, key.length, 'property');
      st.segments[st.segments.length - 1] = key.value;
      if (pos <= key.offset + key.length) return true;
      if (p.colonOffset === undefined || !p.valueNode) throw MISMATCH;
      if (pos <= p.colonOffset) return true;
      st.isAtPropertyKey = false;
      st.previous = undefined;
      if (walkValue(text, p.valueNode, pos, st)) return true;
      if (k < props.length - 1) {
        if (pos <= commaAfter(text, p.valueNode.offset + p.valueNode.length)) return true;
        st.isAtPropertyKey = true;
        st.segments[st.segments.length - 1] = '';
        st.previous = undefined;
      }
    }
  } else {
    st.segments.push(0);
    const items = node.items;
    const j = lastStartingAtOrBefore(items, pos);
    if (j >= 0) {
      st.segments[st.segments.length - 1] = j;
      if (j > 0) {
        st.previous = undefined;
        for (let i = j - 1; i >= 0; i--) {
          const last = lastKeyEvent(items[i]);
          if (last !== undefined) {
            st.isAtPropertyKey = last;
            break;
          }
        }
      }
      const item = items[j];
      if (walkValue(text, item, pos, st)) return true;
      if (j < items.length - 1) {
        if (pos <= commaAfter(text, item.offset + item.length)) return true;
        st.segments[st.segments.length - 1] = j + 1;
        st.previous = undefined;
      }
    }
  }
  if (pos <= close) return true;
  st.previous = undefined;
  st.segments.pop();
  return false;
}

/** What the last `{`, `:` or object `,` inside a complete value set isAtPropertyKey to (undefined: none there). */
function lastKeyEvent(node: ASTNode): boolean | undefined {
  if (node.type === 'object') {
    const last = node.properties[node.properties.length - 1];
    if (!last) return true;
    return (last.valueNode && lastKeyEvent(last.valueNode)) ?? false;
  }
  if (node.type === 'array') {
    for (let i = node.items.length - 1; i >= 0; i--) {
      const e = lastKeyEvent(node.items[i]);
      if (e !== undefined) return e;
    }
  }
  return undefined;
}

function literalNode(value: unknown, offset: number, length: number, type: Node['type']): Node {
  return { value, offset, length, type, parent: undefined, colonOffset: undefined } as Node;
}

/** Index of the last node starting at or before `pos` (nodes in text order), -1 when none. */
function lastStartingAtOrBefore(nodes: readonly ASTNode[], pos: number): number {
  let lo = 0;
  let hi = nodes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid].offset <= pos) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function commaAfter(text: string, end: number): number {
  const scanner = createScanner(text, true);
  scanner.setPosition(end);
  if (scanner.scan() !== SyntaxKind.CommaToken) throw MISMATCH;
  return scanner.getTokenOffset();
}
