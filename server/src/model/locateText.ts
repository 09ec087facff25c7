/**
 * The node at a path, found by scanning the text instead of building the
 * jsonc tree. `ppkg validate` over hundreds of files with one finding each
 * spent more time building trees (to place those findings) than checking the
 * files; scanning to one value allocates nothing but the answer.
 *
 * Only for text that parses without an error (the fast path of parseProject):
 * then the offsets, lengths and values are the ones parseTree gives, and, as
 * in nodeAtPath, the last property with a repeated key wins. A test holds
 * this equal to nodeAtPath for every path of many documents.
 */
import { createScanner, SyntaxKind, type JSONScanner, type Node, type NodeType } from 'jsonc-parser';
import type { JsonPath, Located } from './parse';

export function locateInText(text: string, path: JsonPath): Located | undefined {
  const scanner = createScanner(text, true);
  let found: Located | undefined;
  next(scanner);
  // `matched`: how many segments of `path` the value being read is at (-1: off the path).
  const readValue = (matched: number, key: Node | undefined): void => {
    const start = scanner.getTokenOffset();
    const kind = scanner.getToken();
    let type: NodeType;
    let value: unknown;
    if (kind === SyntaxKind.OpenBraceToken) {
      type = 'object';
      next(scanner);
      while (scanner.getToken() !== SyntaxKind.CloseBraceToken && scanner.getToken() !== SyntaxKind.EOF) {
        const keyNode: Node = { type: 'string', value: scanner.getTokenValue(), offset: scanner.getTokenOffset(), length: scanner.getTokenLength() };
        next(scanner); // the key
        next(scanner); // the colon
        const onPath = matched >= 0 && matched < path.length && typeof keyNode.value === 'string' && String(path[matched]) === keyNode.value;
        readValue(onPath ? matched + 1 : -1, keyNode);
        if (scanner.getToken() === SyntaxKind.CommaToken) next(scanner);
      }
    } else if (kind === SyntaxKind.OpenBracketToken) {
      type = 'array';
      next(scanner);
      let index = 0;
      while (scanner.getToken() !== SyntaxKind.CloseBracketToken && scanner.getToken() !== SyntaxKind.EOF) {
        const onPath = matched >= 0 && matched < path.length && path[matched] === index;
        readValue(onPath ? matched + 1 : -1, undefined);
        index++;
        if (scanner.getToken() === SyntaxKind.CommaToken) next(scanner);
      }
    } else {
      [type, value] = literal(scanner, kind);
    }
    const end = scanner.getTokenOffset() + scanner.getTokenLength();
    if (matched === path.length) {
      const node = { type, offset: start, length: end - start, ...(type === 'object' || type === 'array' ? {} : { value }) } as Node;
      found = { node, ...(key ? { key } : {}) };
    }
    next(scanner);
  };
  readValue(0, undefined);
  return found;
}

function next(scanner: JSONScanner): void {
  scanner.scan();
}

function literal(scanner: JSONScanner, kind: SyntaxKind): [NodeType, unknown] {
  switch (kind) {
    case SyntaxKind.StringLiteral:
      return ['string', scanner.getTokenValue()];
    case SyntaxKind.NumericLiteral:
      return ['number', Number(scanner.getTokenValue())];
    case SyntaxKind.TrueKeyword:
      return ['boolean', true];
    case SyntaxKind.FalseKeyword:
      return ['boolean', false];
    default:
      return ['null', null];
  }
}
