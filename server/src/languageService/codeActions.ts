import { findNodeAtOffset, modify, type Node } from 'jsonc-parser';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver-types';
import { nodeAtPath, type JsonPath } from '../model/parse';
import type { DocContext } from './context';
import { COMMANDS, type MoveSecretArgs } from '../protocol';
import { detectFormatting } from '../model/formatting';

/**
 * Quick fixes, computed from the engine's findings (their `data` carries the
 * facts: the shorter name, the latest date, the secret name, the real path).
 * Every fix is a plain text edit except moving a secret, which the client
 * executes because only it may write to SecretStorage.
 */
export function codeActionsFor(ctx: DocContext, range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const root = ctx.project.root;
  if (!root) return actions;
  const wanted = diagnostics.filter((d) => overlaps(d.range, range));
  for (const d of wanted) {
    const data = (d.data ?? {}) as Record<string, unknown>;
    actions.push(...ruleProvidedFixes(ctx, d, data.fixes));
    const at = findNodeAtOffset(root, ctx.document.offsetAt(d.range.start), false);
    switch (d.code) {
      case 'PPKG003':
      case 'PPKG004':
      case 'PPKG005': {
        const node = nodeAtPath(root, ['device', 'name']);
        if (typeof data.suggestedName === 'string' && node) {
          actions.push(fix(ctx, `Shorten the device name to "${data.suggestedName}"`, d, [replaceNode(ctx, node, JSON.stringify(data.suggestedName))], true));
        }
        break;
      }
      case 'PPKG010':
      case 'PPKG012': {
        const node = nodeAtPath(root, ['account', 'entra', 'tokenExpiry']);
        if (typeof data.latestExpiry === 'string' && node) {
          actions.push(
            fix(
              ctx,
              `Set the token expiry to ${data.latestExpiry} (the latest allowed date)`,
              d,
              [replaceNode(ctx, node, JSON.stringify(data.latestExpiry))],
              true,
            ),
          );
        }
        break;
      }
      case 'PPKG014': {
        if (typeof data.latestExpiry === 'string' && !ctx.project.syntaxProblems.length) {
          actions.push(
            fix(
              ctx,
              `Add the token expiry ${data.latestExpiry} (the latest allowed date)`,
              d,
              modifyEdits(ctx, ['account', 'entra', 'tokenExpiry'], data.latestExpiry),
              true,
            ),
          );
        }
        actions.push(fetchTokenAction(ctx, d));
        break;
      }
      case 'PPKG011':
      case 'PPKG013':
        // Moving the date of an expired token would hide the problem, not fix it: fetch a new token.
        actions.push(fetchTokenAction(ctx, d));
        break;
      case 'PPKG070': {
        const p = Array.isArray(data.path) ? (data.path as JsonPath) : undefined;
        const node = p ? nodeAtPath(root, p) : undefined;
        if (node?.type === 'string' && typeof data.secretName === 'string') {
          const name = uniqueSecretName(ctx, data.secretName);
          const replacement = `{ "secret": ${JSON.stringify(name)} }`;
          const what = /The (.+?) is written in plain text/.exec(typeof d.message === 'string' ? d.message : '')?.[1] ?? 'secret';
          const args: MoveSecretArgs = {
            uri: ctx.document.uri,
            version: ctx.document.version,
            range: rangeOf(ctx, node),
            secretName: name,
            projectId: ctx.projectId,
            path: p!,
            what,
            replacement,
          };
          actions.push({
            title: `Move the ${what} to SecretStorage as "${name}"`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            isPreferred: true,
            command: { title: 'Move to SecretStorage', command: COMMANDS.moveSecretToStorage, arguments: [args] },
          });
        }
        break;
      }
      case 'PPKG040':
      case 'PPKG041': {
        if (ctx.project.syntaxProblems.length) break;
        const account = nodeAtPath(root, ['account']);
        if (account && account.type !== 'object') break;
        const value = { user: 'localadmin', password: { secret: uniqueSecretName(ctx, 'local-admin-password') } };
        actions.push(fix(ctx, 'Add a local administrator account (password as a secret)', d, modifyEdits(ctx, ['account', 'localAdmin'], value), true));
        break;
      }
      case 'PPKG035': {
        if (at?.type === 'string' && typeof data.actualPath === 'string') {
          actions.push(
            fix(ctx, `Change the path to "${data.actualPath}" (as it is on disk)`, d, [replaceNode(ctx, at, JSON.stringify(data.actualPath))], true),
          );
        }
        break;
      }
      case 'PPKG101': {
        if (at?.type === 'string' && typeof data.suggestion === 'string') {
          const siblings = at.parent?.parent?.children ?? [];
          if (siblings.some((p) => p.children?.[0]?.value === data.suggestion)) break;
          actions.push(
            fix(ctx, `Rename "${String(data.property ?? at.value)}" to "${data.suggestion}"`, d, [replaceNode(ctx, at, JSON.stringify(data.suggestion))], true),
          );
        }
        break;
      }
      case 'PPKG050': {
        if (at?.type === 'string' && typeof data.fixed === 'string') {
          actions.push(fix(ctx, 'Write the product key in upper case', d, [replaceNode(ctx, at, JSON.stringify(data.fixed))], true));
        }
        break;
      }
      case 'PPKG036': {
        if (at?.type === 'string' && ctx.text[at.offset + at.length - 1] === '"') {
          const end = ctx.document.positionAt(at.offset + at.length - 1);
          actions.push(fix(ctx, 'Add /qn (install silently)', d, [{ range: { start: end, end }, newText: ' /qn' }], true));
        }
        break;
      }
      case 'PPKG022': {
        if (!ctx.project.syntaxProblems.length)
          actions.push(fix(ctx, 'Remove the key of the Open network', d, modifyEdits(ctx, ['network', 'wifi', 'key'], undefined), false));
        break;
      }
    }
  }
  return actions;
}

/** One edit of a rule-provided fix: set the value at a path (creating what is missing), or remove it. */
export interface RuleFixEdit {
  path: (string | number)[];
  value?: unknown;
  remove?: true;
}

/** A fix a rule attaches to its diagnostic as `data.fixes` (see codeActionsFor). */
export interface RuleFix {
  title: string;
  edits: RuleFixEdit[];
  isPreferred?: boolean;
}

function isRuleFix(f: unknown): f is RuleFix {
  if (!f || typeof f !== 'object') return false;
  const fix = f as Record<string, unknown>;
  return (
    typeof fix.title === 'string' &&
    fix.title.length > 0 &&
    Array.isArray(fix.edits) &&
    fix.edits.length > 0 &&
    fix.edits.every((e) => {
      if (!e || typeof e !== 'object') return false;
      const edit = e as Record<string, unknown>;
      return (
        Array.isArray(edit.path) &&
        edit.path.every((s) => typeof s === 'string' || (typeof s === 'number' && Number.isInteger(s))) &&
        (edit.remove === undefined || edit.remove === true)
      );
    })
  );
}

/**
 * Fixes a rule describes itself (`data.fixes`): each edit sets or removes the
 * value at a JSON path with jsonc-parser's `modify`, which keeps comments and
 * the document's indentation. A fix's edits apply one after the other; the
 * client gets one text edit covering what changed. Skipped while the
 * document has a syntax error (a path into broken JSON is guesswork).
 */
export function ruleProvidedFixes(ctx: DocContext, d: Diagnostic, fixes: unknown): CodeAction[] {
  if (!Array.isArray(fixes) || fixes.length === 0 || ctx.project.syntaxProblems.length) return [];
  const out: CodeAction[] = [];
  const formattingOptions = detectFormatting(ctx.text);
  for (const f of fixes) {
    if (!isRuleFix(f)) continue;
    let text = ctx.text;
    try {
      for (const e of f.edits) {
        const edits = modify(text, e.path, e.remove ? undefined : e.value, { formattingOptions, isArrayInsertion: false });
        text = applyJsoncEdits(text, edits);
      }
    } catch {
      continue; // a path through a value of the wrong type: no fix rather than a wrong one
    }
    if (text === ctx.text) continue;
    out.push(fix(ctx, f.title, d, [wholeChange(ctx, text)], f.isPreferred === true));
  }
  return out;
}

function applyJsoncEdits(text: string, edits: { offset: number; length: number; content: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  return out;
}

/** One text edit turning the document's text into `next` (the span between their common prefix and suffix). */
function wholeChange(ctx: DocContext, next: string): TextEdit {
  const old = ctx.text;
  let start = 0;
  const max = Math.min(old.length, next.length);
  while (start < max && old.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && old.charCodeAt(old.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++;
  return { range: { start: ctx.document.positionAt(start), end: ctx.document.positionAt(old.length - end) }, newText: next.slice(start, next.length - end) };
}

function fetchTokenAction(ctx: DocContext, d: Diagnostic): CodeAction {
  return {
    title: 'Fetch a new bulk token (ppkg: Fetch Bulk Token)',
    kind: CodeActionKind.QuickFix,
    diagnostics: [d],
    command: { title: 'Fetch Bulk Token', command: COMMANDS.fetchBulkToken, arguments: [ctx.document.uri] },
  };
}

/** A secret name not yet used by another field of this project. */
function uniqueSecretName(ctx: DocContext, base: string): string {
  const used = new Set<string>();
  const walk = (n: Node | undefined) => {
    if (!n) return;
    if (n.type === 'property' && n.children?.[0]?.value === 'secret' && n.children[1]?.type === 'string') used.add(String(n.children[1].value));
    n.children?.forEach(walk);
  };
  walk(ctx.project.root);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

function fix(ctx: DocContext, title: string, d: Diagnostic, edits: TextEdit[], preferred: boolean): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [ctx.document.uri]: edits } } };
}

function rangeOf(ctx: DocContext, node: Node): Range {
  return { start: ctx.document.positionAt(node.offset), end: ctx.document.positionAt(node.offset + node.length) };
}

function replaceNode(ctx: DocContext, node: Node, newText: string): TextEdit {
  return { range: rangeOf(ctx, node), newText };
}

function modifyEdits(ctx: DocContext, path: JsonPath, value: unknown): TextEdit[] {
  const edits = modify(ctx.text, path, value, { formattingOptions: detectFormatting(ctx.text) });
  return edits.map((e) => ({ range: { start: ctx.document.positionAt(e.offset), end: ctx.document.positionAt(e.offset + e.length) }, newText: e.content }));
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(a.start, b.end) && before(b.start, a.end);
}
