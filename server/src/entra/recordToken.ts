/**
 * Records a fetched bulk token's non-secret facts in a project file:
 * `account.entra.tokenExpiry`, `issuedAt`, `packageUser`, `tenant`, and makes
 * sure `account.entra.token` is a secret reference. Comments, order and
 * formatting of everything else are kept (jsonc-parser edits, not a rewrite).
 * The token itself never enters the file. Pure text in, text out: the token
 * flow (tokenFlow.ts) reads and writes the project through its host.
 */
import { applyEdits, modify, type FormattingOptions, type Node } from 'jsonc-parser';
import { PpkgError } from '../errors';
import { detectFormatting } from '../model/formatting';
import { nodeAtPath, parseProject } from '../model/parse';
import { isSecretReference } from '../model/secrets';
import { cmd } from './host';

export const DEFAULT_TOKEN_SECRET = 'bulk-token';

export interface TokenFacts {
  tokenExpiry: string;
  issuedAt: string;
  packageUser: string;
  tenant: string;
}

/** Thrown when the project cannot be edited safely (syntax errors, wrong shapes): category `project`. */
export class RecordTokenError extends PpkgError {
  override readonly name = 'RecordTokenError';
  constructor(message: string) {
    super('project', message);
  }
}

/**
 * The secret name the project uses for the bulk token: the existing
 * `{ "secret": name }`, or `bulk-token` when there is none yet. Throws
 * RecordTokenError when the project cannot take the facts.
 */
export function tokenSecretName(text: string): string {
  const root = checkedRoot(text);
  const tokenNode = nodeAtPath(root, ['account', 'entra', 'token']);
  const value = tokenNode ? nodeValue(tokenNode) : undefined;
  return isSecretReference(value) && value.secret.trim() !== '' ? value.secret : DEFAULT_TOKEN_SECRET;
}

/** Pure: the project text with the facts recorded. */
export function recordTokenFacts(text: string, facts: TokenFacts): string {
  const secret = tokenSecretName(text);
  const formattingOptions = detectFormatting(text);
  let out = text;
  const set = (path: string[], value: unknown) => {
    out = setProperty(out, path, value, formattingOptions);
  };
  const root = checkedRoot(out);
  if (!nodeAtPath(root, ['account'])) set(['account'], {});
  if (!nodeAtPath(checkedRoot(out), ['account', 'entra'])) set(['account', 'entra'], {});
  set(['account', 'entra', 'tokenExpiry'], facts.tokenExpiry);
  const tokenNode = nodeAtPath(checkedRoot(out), ['account', 'entra', 'token']);
  const current = tokenNode ? nodeValue(tokenNode) : undefined;
  // A plain-string token (a BPRT pasted into the file) is replaced by the reference.
  if (!(isSecretReference(current) && current.secret === secret)) set(['account', 'entra', 'token'], { secret });
  set(['account', 'entra', 'issuedAt'], facts.issuedAt);
  set(['account', 'entra', 'packageUser'], facts.packageUser);
  set(['account', 'entra', 'tenant'], facts.tenant);
  return out;
}

/**
 * Sets `path` to `value`. Replacing a value or filling an empty object goes
 * through jsonc-parser's `modify`. Appending to a non-empty object is done by
 * hand, because `modify` re-formats the previous property as well: the new
 * property goes on its own line after the last one (after any comment ending
 * that line), with the same indentation.
 */
function setProperty(text: string, path: string[], value: unknown, fmt: FormattingOptions): string {
  const root = checkedRoot(text);
  const parent = nodeAtPath(root, path.slice(0, -1));
  const last = parent?.children?.[parent.children.length - 1];
  // Replacing a value: inline, so that the surrounding layout stays as it is.
  const existing = nodeAtPath(root, path);
  if (existing) return text.slice(0, existing.offset) + inlineJson(value) + text.slice(existing.offset + existing.length);
  if (!parent || !last) return applyEdits(text, modify(text, path, value, { formattingOptions: fmt }));
  const eol = fmt.eol ?? '\n';
  const end = last.offset + last.length;
  const lineStart = text.lastIndexOf('\n', last.offset) + 1;
  const lineEndAt = text.indexOf('\n', end);
  const lineEnd = lineEndAt === -1 ? text.length : lineEndAt > 0 && text[lineEndAt - 1] === '\r' ? lineEndAt - 1 : lineEndAt;
  const rest = text.slice(end, lineEnd);
  const unit = fmt.insertSpaces === false ? '\t' : ' '.repeat(fmt.tabSize ?? 2);
  const key = JSON.stringify(path[path.length - 1]);
  const multiLine = /^(\s*,)?\s*(\/\/.*)?$/.exec(rest);
  if (multiLine) {
    // Multi-line object: a new line with the last property's indentation
    // (a trailing comma already there is reused).
    const indent = /^[ \t]*/.exec(text.slice(lineStart, last.offset))?.[0] ?? '';
    const body = JSON.stringify(value, null, unit)
      .split('\n')
      .join(eol + indent);
    const trailing = multiLine[1] ? ',' : '';
    return text.slice(0, end) + (trailing ? '' : ',') + rest + eol + indent + `${key}: ${body}${trailing}` + text.slice(lineEnd);
  }
  // Single-line object: stay on the line.
  return text.slice(0, end) + `, ${key}: ${JSON.stringify(value)}` + text.slice(end);
}

/** JSON on one line, spaced as people write it: `{ "secret": "bulk-token" }`. */
function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

function checkedRoot(text: string): Node {
  const doc = parseProject(text);
  if (doc.syntaxProblems.length > 0 || !doc.root) {
    throw new RecordTokenError(`The project file has syntax errors; fix them (${cmd('validate')} shows where) before fetching a token.`);
  }
  if (doc.root.type !== 'object') throw new RecordTokenError('The project file is not a JSON object.');
  for (const path of [['account'], ['account', 'entra']]) {
    const node = nodeAtPath(doc.root, path);
    if (node && node.type !== 'object') throw new RecordTokenError(`"${path.join('.')}" in the project file is not an object; fix it before fetching a token.`);
  }
  return doc.root;
}

function nodeValue(node: Node): unknown {
  if (node.type === 'object') {
    const obj: Record<string, unknown> = {};
    for (const prop of node.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k && typeof k.value === 'string' && v) obj[k.value] = nodeValue(v);
    }
    return obj;
  }
  if (node.type === 'array') return (node.children ?? []).map(nodeValue);
  return node.value;
}
