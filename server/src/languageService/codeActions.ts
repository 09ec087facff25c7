import { findNodeAtOffset, modify, type FormattingOptions, type Node } from 'jsonc-parser';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver-types';
import { nodeAtPath, type JsonPath } from '../model/parse';
import type { DocContext } from './context';
import { COMMANDS, type MoveSecretArgs } from './projectKey';
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
          actions.push(fix(ctx, `Set the token expiry to ${data.latestExpiry} (the latest allowed date)`, d, [replaceNode(ctx, node, JSON.stringify(data.latestExpiry))], true));
        }
        break;
      }
      case 'PPKG014': {
        if (typeof data.latestExpiry === 'string' && !ctx.project.syntaxProblems.length) {
          actions.push(fix(ctx, `Add the token expiry ${data.latestExpiry} (the latest allowed date)`, d, modifyEdits(ctx, ['account', 'entra', 'tokenExpiry'], data.latestExpiry), true));
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
          actions.push(fix(ctx, `Change the path to "${data.actualPath}" (as it is on disk)`, d, [replaceNode(ctx, at, JSON.stringify(data.actualPath))], true));
        }
        break;
      }
      case 'PPKG101': {
        if (at?.type === 'string' && typeof data.suggestion === 'string') {
          const siblings = at.parent?.parent?.children ?? [];
          if (siblings.some((p) => p.children?.[0]?.value === data.suggestion)) break;
          actions.push(fix(ctx, `Rename "${String(data.property ?? at.value)}" to "${data.suggestion}"`, d, [replaceNode(ctx, at, JSON.stringify(data.suggestion))], true));
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
        if (!ctx.project.syntaxProblems.length) actions.push(fix(ctx, 'Remove the key of the Open network', d, modifyEdits(ctx, ['network', 'wifi', 'key'], undefined), false));
        break;
      }
    }
  }
  return actions;
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
