import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError } from 'jsonc-parser';
import { locateInText } from './locateText';
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
  /**
   * The node at a path, with its current offsets, without settling the whole
   * tree: a document patched after a keystroke defers moving the offsets of
   * everything after the edit until something asks for `root`
   * (languageService/incrementalProject.ts). Absent: look in `root`.
   */
  locate?(path: JsonPath): Located | undefined;
}

/** A node found by path, and the key node of the property that holds it (when it is an object member). */
export interface Located {
  node: Node;
  key?: Node;
}

/**
 * The node at `path` and its key, as `locate` gives them: the validation
 * engine asks this (and never `root`) for the ranges of its findings, so a
 * keystroke in a large project does not move every offset in its tree.
 */
export function locate(doc: ProjectDocument, path: JsonPath): Located | undefined {
  return doc.locate ? doc.locate(path) : locateIn(doc.root, path);
}

function locateIn(root: Node | undefined, path: JsonPath): Located | undefined {
  const node = nodeAtPath(root, path);
  return node ? { node, key: keyNodeOf(node) } : undefined;
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
  return fastParse(input) ?? fullParse(input);
}

export const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };

/** A byte order mark is legal at the start of the file; blank it rather than cut it so that every offset still matches the editor's text. */
function treeText(input: string): string {
  return input.charCodeAt(0) === 0xfeff ? ' ' + input.slice(1) : input;
}

/**
 * The common case, a well-formed file without repeated keys: one character
 * pass blanks comments and trailing commas and checks depth and keys, then
 * JSON.parse builds the value (it defines "__proto__" as an ordinary own
 * property). The jsonc tree with offsets, which only a finding or an editor
 * feature needs, is built the first time someone asks for it. Anything
 * unusual returns undefined and takes the full path, which recovers from
 * errors and reports them precisely.
 */
function fastParse(text: string): ProjectDocument | undefined {
  const cleaned = blankJsoncExtras(text);
  if (cleaned === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(cleaned);
  } catch {
    return undefined;
  }
  let root: Node | undefined | null = null;
  let lines: LineIndex | undefined;
  return {
    text,
    get lines() {
      return (lines ??= new LineIndex(text));
    },
    get root() {
      if (root === null) root = parseTree(treeText(text), [], PARSE_OPTIONS);
      return root;
    },
    // Until something needs the whole tree, a finding's node is found by scanning the text (locateText.ts).
    locate(path: JsonPath): Located | undefined {
      if (root !== null) return locateIn(root, path);
      return locateInText(treeText(text), path);
    },
    value,
    syntaxProblems: [],
    duplicateKeys: [],
  };
}

function fullParse(input: string): ProjectDocument {
  const text = input;
  let parseText = treeText(input);
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
  const root = parseTree(parseText, errors, PARSE_OPTIONS);
  for (const e of errors) {
    const name = printParseErrorCode(e.error);
    syntaxProblems.push({ offset: e.offset, length: Math.max(e.length, 1), message: PARSE_ERROR_TEXT[name] ?? name });
  }

  const duplicateKeys: DuplicateKey[] = [];
  const value = root ? nodeToValue(root, duplicateKeys) : undefined;
  return { text, lines: new LineIndex(text), root, value, syntaxProblems, duplicateKeys };
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const SLASH = 47;
const STAR = 42;
const COLON = 58;
const BACKSLASH = 92;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/**
 * The text with comments, trailing commas and a BOM replaced by spaces, so
 * JSON.parse accepts it; undefined when the text needs the full parser:
 * nesting past the limit, a repeated key, an unterminated string or comment,
 * unbalanced brackets. It does not validate JSON: JSON.parse does that next.
 */
function blankJsoncExtras(text: string): string | undefined {
  const blanks: number[] = []; // [start, end) pairs
  const containers: (string[] | null)[] = []; // the keys seen per object (objects here have few); null for an array
  let expectKey = false;
  let lastSignificant = -1; // the last character that is neither white space nor in a comment
  const n = text.length;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    blanks.push(0, 1);
    i = 1;
  }
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === LF || c === CR || c === TAB) {
      i++;
      continue;
    }
    if (c === SLASH) {
      const next = text.charCodeAt(i + 1);
      let end: number;
      if (next === SLASH) {
        end = i + 2;
        while (end < n && text.charCodeAt(end) !== LF && text.charCodeAt(end) !== CR) end++;
      } else if (next === STAR) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) return undefined;
        end = close + 2;
      } else return undefined;
      blanks.push(i, end);
      i = end;
      continue;
    }
    if (c === QUOTE) {
      // Jump from quote to quote; a quote preceded by an odd run of
      // backslashes is escaped. Control characters inside strings are left
      // for JSON.parse to refuse.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        if (j < 0) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(j - 1 - backslashes) === BACKSLASH) backslashes++;
        if ((backslashes & 1) === 0) break;
        j = text.indexOf('"', j + 1);
      }
      const keys = containers[containers.length - 1];
      if (expectKey && keys) {
        let key = text.slice(i + 1, j);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            return undefined;
          }
        }
        if (keys.includes(key)) return undefined;
        keys.push(key);
        expectKey = false;
      }
      lastSignificant = j;
      i = j + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (containers.length >= MAX_NESTING_DEPTH) return undefined;
      containers.push(c === OPEN_BRACE ? [] : null);
      expectKey = c === OPEN_BRACE;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      const top = containers.pop();
      if (top === undefined || (top === null) !== (c === CLOSE_BRACKET)) return undefined;
      if (lastSignificant >= 0 && text.charCodeAt(lastSignificant) === COMMA) blanks.push(lastSignificant, lastSignificant + 1);
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = containers[containers.length - 1] !== null && containers.length > 0;
    } else if (c === COLON) {
      expectKey = false;
    }
    lastSignificant = i;
    i++;
  }
  if (containers.length !== 0) return undefined;
  if (blanks.length === 0) return text;
  const parts: string[] = [];
  let from = 0;
  for (let k = 0; k < blanks.length; k += 2) {
    parts.push(text.slice(from, blanks[k]), ' '.repeat(blanks[k + 1] - blanks[k]));
    from = blanks[k + 1];
  }
  parts.push(text.slice(from));
  return parts.join('');
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
export function nodeToValue(node: Node, duplicates: DuplicateKey[]): unknown {
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
        const v = valueNode ? nodeToValue(valueNode, duplicates) : undefined;
        if (key === '__proto__') Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[key] = v;
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
