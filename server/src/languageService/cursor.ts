import { getLocation, type Location, type Node, type Segment } from 'jsonc-parser';
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
    previousNode = { ...local.previousNode, offset: local.previousNode.offset + base, ...(colonOffset !== undefined ? { colonOffset: colonOffset + base } : {}) };
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
