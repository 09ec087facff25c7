import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex } from './positions';

/** A project file never nests deeper than a handful of levels; anything past this is hostile or broken. */
export const MAX_NESTING_DEPTH = 64;

export type JsonPath = (string | number)[];

export interface SyntaxProblem {
  offset: number;
  length: number;
  message: string;
}

export interface DuplicateKey {
  /** The property node whose key repeats an earlier key of the same object. */
  property: Node;
  key: string;
}

/**
 * A project file parsed once: the jsonc-parser tree (every node carries its
 * offset and length), a plain value for the schema validator, and what went
 * wrong while parsing. Everything downstream works from this.
 */
export interface ProjectDocument {
  text: string;
  lines: LineIndex;
  root: Node | undefined;
  value: unknown;
  syntaxProblems: SyntaxProblem[];
  duplicateKeys: DuplicateKey[];
}

const PARSE_ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'Invalid character',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'Property name expected',
  ValueExpected: 'Value expected',
  ColonExpected: 'Colon expected',
  CommaExpected: 'Comma expected',
  CloseBraceExpected: 'Closing brace } expected',
  CloseBracketExpected: 'Closing bracket ] expected',
  EndOfFileExpected: 'End of file expected',
  InvalidCommentToken: 'Invalid comment',
  UnexpectedEndOfComment: 'Unterminated comment',
  UnexpectedEndOfString: 'Unterminated string',
  UnexpectedEndOfNumber: 'Unterminated number',
  InvalidUnicode: 'Invalid unicode escape sequence',
  InvalidEscapeCharacter: 'Invalid escape character in string',
  InvalidCharacter: 'Invalid character in string',
};

export function parseProject(input: string): ProjectDocument {
  // A byte order mark is legal at the start of the file; blank it rather than
  // cut it so that every offset still matches the editor's text.
  const text = input;
  let parseText = input.charCodeAt(0) === 0xfeff ? ' ' + input.slice(1) : input;
  const syntaxProblems: SyntaxProblem[] = [];

  // jsonc-parser descends recursively, so a file nested 100,000 levels deep
  // would overflow the stack. Find the first token past the limit with the
  // (iterative) scanner and parse only what comes before it.
  const tooDeep = findExcessiveNesting(parseText);
  if (tooDeep !== undefined) {
    syntaxProblems.push({
      offset: tooDeep,
      length: 1,
      message: `Nesting deeper than ${MAX_NESTING_DEPTH} levels; the rest of the file is ignored. A project file needs only a few levels.`,
    });
    parseText = parseText.slice(0, tooDeep);
  }

  const errors: ParseError[] = [];
  const root = parseTree(parseText, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  for (const e of errors) {
    const name = printParseErrorCode(e.error);
    syntaxProblems.push({ offset: e.offset, length: Math.max(e.length, 1), message: PARSE_ERROR_TEXT[name] ?? name });
  }

  const duplicateKeys: DuplicateKey[] = [];
  const value = root ? nodeToValue(root, duplicateKeys) : undefined;
  return { text, lines: new LineIndex(text), root, value, syntaxProblems, duplicateKeys };
}

function findExcessiveNesting(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_NESTING_DEPTH) return scanner.getTokenOffset();
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/**
 * Like jsonc-parser's getNodeValue, but safe for hostile keys: `__proto__`
 * becomes an ordinary own property instead of replacing the prototype, and
 * repeated keys are recorded (the last one wins, as in JSON.parse).
 */
function nodeToValue(node: Node, duplicates: DuplicateKey[]): unknown {
  switch (node.type) {
    case 'array':
      return (node.children ?? []).map((c) => nodeToValue(c, duplicates));
    case 'object': {
      const obj: Record<string, unknown> = {};
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || typeof keyNode.value !== 'string') continue;
        const key = keyNode.value;
        if (seen.has(key)) duplicates.push({ property: prop, key });
        seen.add(key);
        Object.defineProperty(obj, key, {
          value: valueNode ? nodeToValue(valueNode, duplicates) : undefined,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return obj;
    }
    case 'null':
      return null;
    default:
      return node.value;
  }
}

/** The value node at a path, or undefined when the path does not exist. */
export function nodeAtPath(root: Node | undefined, path: JsonPath): Node | undefined {
  let node = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === 'number' && node.type === 'array') {
      node = node.children?.[segment];
    } else {
      if (node.type !== 'object') return undefined;
      // The last property with this key wins, as it does for the value.
      const key = String(segment);
      let found: Node | undefined;
      for (const prop of node.children ?? []) {
        if (prop.children?.[0]?.value === key) found = prop.children[1];
      }
      node = found;
    }
  }
  return node;
}

/** The key node of the property that holds `valueNode`, if it is an object member. */
export function keyNodeOf(valueNode: Node): Node | undefined {
  const parent = valueNode.parent;
  if (parent?.type === 'property') return parent.children?.[0];
  return undefined;
}

/** The JSON path of a node, from the root. */
export function pathOfNode(node: Node): JsonPath {
  const path: JsonPath = [];
  let current: Node | undefined = node;
  while (current?.parent) {
    const parent: Node = current.parent;
    if (parent.type === 'property') {
      path.unshift(parent.children![0].value as string);
      current = parent.parent;
    } else if (parent.type === 'array') {
      path.unshift(parent.children!.indexOf(current));
      current = parent;
    } else {
      current = parent;
    }
  }
  return path;
}

/** Decodes a JSON Pointer (as ajv reports instance paths) into a path. */
export function pathFromPointer(pointer: string): JsonPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}
