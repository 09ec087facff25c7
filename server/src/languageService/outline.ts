import * as path from 'node:path';
import { URI } from 'vscode-uri';
import type { Node } from 'jsonc-parser';
import type { CodeLens, DocumentLink, DocumentSymbol } from 'vscode-languageserver-types';
import { daysBetween, parseIsoDate } from '../model/dates';
import { fileFields } from '../model/fields';
import { nodeAtPath } from '../model/parse';
import { PROJECT_SCHEMA, wcdTerm } from '../validation/schema';
import { isContainedPath } from '../validation/rules/files';
import { COMMANDS } from '../protocol';
import type { DocContext } from './context';

/**
 * Outline: the schema service's symbols, with the WCD page name as detail of
 * each section and applications/certificates named by their "name".
 */
export function refineSymbols(ctx: DocContext, symbols: DocumentSymbol[]): DocumentSymbol[] {
  const props = (PROJECT_SCHEMA.properties ?? {}) as Record<string, Record<string, unknown>>;
  return hideSecretValues(symbols).map((s) => {
    const schema = props[s.name];
    const term = schema ? wcdTerm(schema) : undefined;
    const out: DocumentSymbol = { ...s, ...(term ? { detail: term } : {}) };
    if ((s.name === 'applications' || s.name === 'certificates') && s.children) {
      const list = nodeAtPath(ctx.project.root, [s.name]);
      out.children = s.children.map((child, i) => {
        const item = list?.type === 'array' ? list.children?.[i] : undefined;
        const name = item ? nodeAtPath(item, ['name']) : undefined;
        return name?.type === 'string' && String(name.value).trim()
          ? { ...child, name: String(name.value), detail: `${s.name === 'applications' ? 'Application' : 'Certificate'} ${i + 1}` }
          : child;
      });
    }
    return out;
  });
}

/**
 * The JSON service shows a string property's value as its detail. For the
 * fields that hold secrets that would put a plain-text token or password in
 * the Outline view and the breadcrumbs: show what it is instead.
 */
const SECRET_KEYS = new Set(['key', 'token', 'password', 'value']);
function hideSecretValues(symbols: DocumentSymbol[]): DocumentSymbol[] {
  return symbols.map((s) => {
    const children = s.children ? hideSecretValues(s.children) : undefined;
    const hidden = SECRET_KEYS.has(s.name) && !s.children?.length ? { detail: 'plain text: move it to a secret' } : {};
    return { ...s, ...hidden, ...(children ? { children } : {}) };
  });
}

/** Links on every file path the schema marks (x-ppkg-file: installers, dependencies, certificates, …) when the file exists, and on a relative $schema. */
export function documentLinks(ctx: DocContext): DocumentLink[] {
  if (!ctx.projectPath || !ctx.project.root) return [];
  const dir = path.dirname(ctx.projectPath);
  const links: DocumentLink[] = [];
  const add = (node: Node | undefined, tooltip: string) => {
    if (node?.type !== 'string' || typeof node.value !== 'string' || !node.value || !isContainedPath(node.value)) return;
    const target = path.resolve(dir, node.value.replace(/\\/g, '/'));
    if (!ctx.files.stat(target)?.isFile) return;
    links.push({
      range: { start: ctx.document.positionAt(node.offset + 1), end: ctx.document.positionAt(node.offset + node.length - 1) },
      target: URI.file(target).toString(),
      tooltip,
    });
  };
  const root = ctx.project.root;
  add(nodeAtPath(root, ['$schema']), 'Open the project schema');
  for (const f of fileFields(ctx.project.value)) add(nodeAtPath(root, f.path), `Open the ${f.role}`);
  return links;
}

/** The bulk token's days left above `tokenExpiry`, with Fetch and Revoke. */
export function codeLenses(ctx: DocContext, expiryWarningDays: number): CodeLens[] {
  const node = nodeAtPath(ctx.project.root, ['account', 'entra', 'tokenExpiry']);
  const anchor = node?.parent ?? node;
  if (!node || !anchor) return [];
  const range = { start: ctx.document.positionAt(anchor.offset), end: ctx.document.positionAt(anchor.offset + anchor.length) };
  const expiry = node.type === 'string' ? parseIsoDate(String(node.value)) : undefined;
  const lenses: CodeLens[] = [];
  let title: string;
  if (!expiry) title = 'Bulk token: no valid expiry date';
  else {
    const days = daysBetween(ctx.now, expiry);
    title =
      days <= 0
        ? `Bulk token expired ${days === 0 ? 'today' : `${-days} day${days === -1 ? '' : 's'} ago`}`
        : `Bulk token: ${days} day${days === 1 ? '' : 's'} left${days <= expiryWarningDays ? ' (expires soon)' : ''}`;
  }
  lenses.push({ range, command: { title, command: '' } });
  lenses.push({ range, command: { title: 'Fetch a new bulk token', command: COMMANDS.fetchBulkToken, arguments: [ctx.document.uri] } });
  if (nodeAtPath(ctx.project.root, ['account', 'entra', 'packageUser'])) {
    lenses.push({ range, command: { title: 'Revoke', command: COMMANDS.revokeBulkToken, arguments: [ctx.document.uri] } });
  }
  return lenses;
}
