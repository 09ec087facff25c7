import * as path from 'node:path';
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Range,
  type TextEdit,
} from 'vscode-languageserver-types';
import { analyzeDeviceName, NETBIOS_LIMIT } from '../model/deviceName';
import { addDays, formatIsoDate, latestSafeExpiry, SAFE_TOKEN_LIFETIME_DAYS } from '../model/dates';
import { secretEnvVar } from '../model/secrets';
import { PROJECT_SCHEMA } from '../validation/schema';
import { cursorOf, fileFieldOf, pathEquals, secretFieldOf, topLevelKeysOf, valueAtPath, type CursorInfo, type DocContext } from './context';

/**
 * Domain completions layered over the schema completions of
 * vscode-json-languageservice: device-name macros, the latest allowed token
 * expiry, files of the project folder, stored secret names and whole-section
 * snippets. All work from the scanner position, so they keep working in
 * documents with a missing comma or an unclosed brace.
 */
export function completeDomain(ctx: DocContext, offset: number, schemaList: CompletionList | null): CompletionList {
  const cursor = cursorOf(ctx, offset);
  const items: CompletionItem[] = [];
  let schemaItems = schemaList?.items ?? [];
  const p = cursor.location.path;
  const atValue = !cursor.location.isAtPropertyKey;

  if (atValue && pathEquals(p, ['device', 'name']) && cursor.inString) {
    items.push(...macroItems(ctx, cursor));
    // The schema's examples are whole names; inside a name the macros are what helps.
    schemaItems = [];
  } else if (atValue && pathEquals(p, ['account', 'entra', 'tokenExpiry'])) {
    items.push(...expiryItems(ctx, cursor));
    // The schema example is a fixed date that may already be invalid.
    schemaItems = [];
  } else if (atValue && fileFieldOf(p)) {
    items.push(...fileItems(ctx, cursor, fileFieldOf(p)!));
  } else if (atValue && p.length >= 1 && p[p.length - 1] === 'secret' && secretFieldOf(p.slice(0, -1))) {
    items.push(...secretNameItems(ctx, cursor, secretFieldOf(p.slice(0, -1))!.suggestedName));
    schemaItems = [];
  } else if (atValue && secretFieldOf(p)) {
    items.push(...secretReferenceItems(ctx, cursor, secretFieldOf(p)!.suggestedName));
  }

  // Whole sections at the top level, next to the schema's property names.
  if (cursor.location.isAtPropertyKey || p.length <= 1) {
    const rootKeyItem = schemaItems.find(
      (i) => i.kind === CompletionItemKind.Property && ['"device"', 'device', '"applications"', 'applications', '"network"', 'network'].includes(i.label),
    );
    if (rootKeyItem && p.length <= 1) items.push(...sectionSnippets(ctx, rootKeyItem));
  }

  let latest: string | undefined;
  for (const item of schemaItems) {
    if (item.insertText?.includes('YYYY-MM-DD') || item.textEdit?.newText.includes('YYYY-MM-DD'))
      fixExpiryPlaceholder(item, (latest ??= latestSafeExpiry(ctx.now)));
  }
  const all = [...items, ...schemaItems];
  addMissingComma(ctx, all);
  return { isIncomplete: schemaList?.isIncomplete ?? false, items: all };
}

/**
 * A property typed right after another one without a comma (the commonest
 * slip while editing): accepting a property also inserts the comma after the
 * previous value, so the document stays valid.
 */
function addMissingComma(ctx: DocContext, items: CompletionItem[]): void {
  for (const item of items) {
    if (item.kind !== CompletionItemKind.Property && item.kind !== CompletionItemKind.Snippet) continue;
    const edit = item.textEdit && 'range' in item.textEdit ? item.textEdit : undefined;
    if (!edit) continue;
    let i = ctx.document.offsetAt(edit.range.start) - 1;
    while (i >= 0 && /\s/.test(ctx.text[i])) i--;
    if (i < 0) continue;
    const ch = ctx.text[i];
    // The end of a value: a string, an object or list, a number or a literal. Not after a comment.
    const lineStart = ctx.text.lastIndexOf('\n', i) + 1;
    if (ctx.text.slice(lineStart, i + 1).includes('//')) continue;
    if (!/["}\]0-9el]/.test(ch)) continue;
    const at = ctx.document.positionAt(i + 1);
    item.additionalTextEdits = [...(item.additionalTextEdits ?? []), { range: { start: at, end: at }, newText: ',' }];
  }
}

function replaceRange(ctx: DocContext, from: number, to: number): Range {
  return { start: ctx.document.positionAt(from), end: ctx.document.positionAt(to) };
}

/** The range a whole-value completion replaces: the literal under the cursor, or nothing. */
function valueRange(ctx: DocContext, cursor: CursorInfo): Range {
  if (cursor.literal) {
    let end = cursor.literal.offset + cursor.literal.length;
    // An unterminated string runs to the end of the line in jsonc-parser; stop at the cursor line.
    const lineEnd = ctx.text.indexOf('\n', cursor.offset);
    if (lineEnd >= 0 && end > lineEnd) end = cursor.offset;
    return replaceRange(ctx, cursor.literal.offset, end);
  }
  return replaceRange(ctx, cursor.offset, cursor.offset);
}

function macroItems(ctx: DocContext, cursor: CursorInfo): CompletionItem[] {
  const node = cursor.literal!;
  const contentStart = node.offset + 1;
  const before = ctx.text.slice(contentStart, cursor.offset);
  // An odd number of % before the cursor: the admin is typing a macro; replace it.
  const pct = (before.match(/%/g) ?? []).length;
  const from = pct % 2 === 1 ? contentStart + before.lastIndexOf('%') : cursor.offset;
  const range = replaceRange(ctx, from, cursor.offset);
  const current = typeof node.value === 'string' ? node.value : '';
  const cut = from - contentStart;
  const withMacro = (m: string) => current.slice(0, cut) + m + current.slice(cursor.offset - contentStart);
  const describe = (m: string) => {
    const a = analyzeDeviceName(withMacro(m));
    const budget = a.hasSerial ? ` ${a.serialBudget} character${a.serialBudget === 1 ? '' : 's'} left for the serial number.` : '';
    return `With it: "${withMacro(m)}" expands to at most ${a.hasSerial ? Math.max(a.worstCaseWithoutSerial, NETBIOS_LIMIT) : a.worstCaseWithoutSerial} characters, e.g. \`${a.example}\`.${budget}`;
  };
  const serial: CompletionItem = {
    label: '%SERIAL%',
    kind: CompletionItemKind.Variable,
    detail: 'Device serial number',
    documentation: {
      kind: MarkupKind.Markdown,
      value: `**%SERIAL%**: the device's serial number. Windows cuts it from the left so the whole name fits ${NETBIOS_LIMIT} characters; devices whose serials end alike get the same name.\n\n${describe('%SERIAL%')}`,
    },
    filterText: '%SERIAL%',
    textEdit: { range, newText: '%SERIAL%' },
    sortText: '0',
  };
  const rand: CompletionItem = {
    label: '%RAND:x%',
    kind: CompletionItemKind.Variable,
    detail: 'x random digits',
    documentation: {
      kind: MarkupKind.Markdown,
      value: `**%RAND:x%**: x random digits (1 to ${NETBIOS_LIMIT - 1}). Names made from random digits are not guaranteed to be unique.\n\n${describe('%RAND:5%')} (with x = 5)`,
    },
    filterText: '%RAND:',
    insertTextFormat: InsertTextFormat.Snippet,
    textEdit: { range, newText: '%RAND:${1:5}%' },
    sortText: '1',
  };
  return [serial, rand];
}

function expiryItems(ctx: DocContext, cursor: CursorInfo): CompletionItem[] {
  const issuedNode = findIssuedAt(ctx);
  const from = issuedNode ?? ctx.now;
  const latest = latestSafeExpiry(from);
  const range = valueRange(ctx, cursor);
  const basis = issuedNode ? `the token was issued (${formatIsoDate(issuedNode)})` : 'today';
  const items: CompletionItem[] = [
    {
      label: latest,
      kind: CompletionItemKind.Value,
      detail: `Latest allowed bulk token expiry (${SAFE_TOKEN_LIFETIME_DAYS} days after ${basis})`,
      documentation: {
        kind: MarkupKind.Markdown,
        value: `Entra ID issues bulk tokens for less than 180 days. **${latest}** is ${SAFE_TOKEN_LIFETIME_DAYS} days after ${basis}, the latest date the token service accepts. The token stops working at 00:00 UTC of that date.`,
      },
      filterText: JSON.stringify(latest),
      textEdit: { range, newText: JSON.stringify(latest) },
      preselect: true,
      sortText: '0',
    },
  ];
  const ninety = formatIsoDate(addDays(from, 90));
  items.push({
    label: ninety,
    kind: CompletionItemKind.Value,
    detail: `90 days after ${basis}`,
    filterText: JSON.stringify(ninety),
    textEdit: { range, newText: JSON.stringify(ninety) },
    sortText: '1',
  });
  return items;
}

function findIssuedAt(ctx: DocContext): Date | undefined {
  const v = valueAtPath(ctx, ['account', 'entra', 'issuedAt']);
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t);
}

const INSTALLER_EXT = /\.(msi|exe|cmd|bat|ps1|msix|msixbundle|appx|appxbundle|cab|zip)$/i;
const CERT_EXT = /\.(cer|crt|pfx|p12)$/i;

function fileItems(ctx: DocContext, cursor: CursorInfo, kind: string): CompletionItem[] {
  if (!ctx.projectPath) return [];
  const dir = path.dirname(ctx.projectPath);
  const own = path.basename(ctx.projectPath);
  let files = ctx.listFiles(dir).filter((f) => f !== own && !f.endsWith('.ppkg.json') && !f.endsWith('.ppkg'));
  if (kind === 'certificate') files = files.filter((f) => CERT_EXT.test(f));
  const range = valueRange(ctx, cursor);
  return files.map((f, i) => {
    const preferred = kind === 'installer' ? INSTALLER_EXT.test(f) : true;
    return {
      label: f,
      kind: CompletionItemKind.File,
      detail:
        kind === 'certificate'
          ? /\.(pfx|p12)$/i.test(f)
            ? 'Client certificate (needs a password secret)'
            : 'Root or CA certificate'
          : `File in the project folder`,
      filterText: JSON.stringify(f),
      textEdit: { range, newText: JSON.stringify(f) } satisfies TextEdit,
      sortText: `${preferred ? '0' : '1'}${String(i).padStart(5, '0')}`,
    };
  });
}

function secretNameItems(ctx: DocContext, cursor: CursorInfo, suggested: string): CompletionItem[] {
  const range = valueRange(ctx, cursor);
  const names = [...ctx.secretNames].sort();
  const items: CompletionItem[] = names.map((n) => ({
    label: n,
    kind: CompletionItemKind.Constant,
    detail: 'Stored in SecretStorage for this project',
    documentation: {
      kind: MarkupKind.Markdown,
      value: `The secret **${n}** is set in VS Code's SecretStorage for this project. The CLI reads \`${secretEnvVar(n)}\`.`,
    },
    filterText: JSON.stringify(n),
    textEdit: { range, newText: JSON.stringify(n) },
    sortText: n === suggested ? '0' : '1' + n,
    preselect: n === suggested,
  }));
  if (!ctx.secretNames.has(suggested)) {
    items.push({
      label: suggested,
      kind: CompletionItemKind.Constant,
      detail: 'Suggested name (not set yet: ppkg: Set Secret)',
      documentation: { kind: MarkupKind.Markdown, value: `Not stored yet. Set it with **ppkg: Set Secret**; the CLI reads \`${secretEnvVar(suggested)}\`.` },
      filterText: JSON.stringify(suggested),
      textEdit: { range, newText: JSON.stringify(suggested) },
      sortText: '2',
    });
  }
  return items;
}

function secretReferenceItems(ctx: DocContext, cursor: CursorInfo, suggested: string): CompletionItem[] {
  if (cursor.inString) return [];
  const range = valueRange(ctx, cursor);
  const names = [...new Set([suggested, ...[...ctx.secretNames].sort()])];
  return names.map((n, i) => {
    const stored = ctx.secretNames.has(n);
    const text = `{ "secret": ${JSON.stringify(n)} }`;
    return {
      label: text,
      kind: CompletionItemKind.Reference,
      detail: stored ? 'Secret stored in SecretStorage' : 'Secret reference (not set yet: ppkg: Set Secret)',
      filterText: text,
      textEdit: { range, newText: text },
      sortText: `0${i}`,
    };
  });
}

type Json = unknown;

/** JSON text of a snippet body, keeping `${n:…}` placeholders, tab-indented like vscode-json-languageservice. */
function snippetText(body: Json): string {
  return JSON.stringify(body, null, '\t');
}

/** Shifts every placeholder number in a snippet by `by`. */
function renumber(snippet: string, by: number): string {
  return snippet.replace(/\$\{(\d+)(?=[:}|])/g, (_, n) => `\${${Number(n) + by}`).replace(/\$(\d+)(?!\d)/g, (_, n) => `$${Number(n) + by}`);
}

function schemaAt(pointer: string[]): Record<string, unknown> {
  let s: unknown = PROJECT_SCHEMA;
  for (const k of pointer) s = (s as Record<string, unknown>)[k];
  return s as Record<string, unknown>;
}

function firstSnippetBody(schema: Record<string, unknown>): Json {
  const snippets = schema.defaultSnippets as { body: Json }[] | undefined;
  return snippets?.[0]?.body;
}

interface Section {
  key: string;
  label: string;
  body: (latest: string) => string;
}

const SECTIONS: Section[] = [
  {
    key: 'device',
    label: 'Set up device (device name)',
    body: () => snippetText({ name: '${1:PC-%SERIAL%}', sharedUse: false, removePreinstalledSoftware: false }),
  },
  {
    key: 'network',
    label: 'Set up network (Wi-Fi)',
    body: () => snippetText({ wifi: firstSnippetBody(schemaAt(['properties', 'network', 'properties', 'wifi'])) }),
  },
  {
    key: 'account',
    label: 'Account management (Entra join with a bulk token + local administrator)',
    body: (latest) => {
      const entra = snippetText(firstSnippetBody(schemaAt(['properties', 'account', 'properties', 'entra']))).replace('YYYY-MM-DD', latest);
      const admin = renumber(snippetText(firstSnippetBody(schemaAt(['properties', 'account', 'properties', 'localAdmin']))), 2);
      const indent = (s: string) => s.split('\n').join('\n\t');
      return `{\n\t"entra": ${indent(entra)},\n\t"localAdmin": ${indent(admin)}\n}`;
    },
  },
  {
    key: 'applications',
    label: 'Add applications (one installer)',
    body: () => snippetText([firstSnippetBody(schemaAt(['properties', 'applications', 'items']))]),
  },
  {
    key: 'certificates',
    label: 'Add certificates (one root certificate)',
    body: () => snippetText([firstSnippetBody(schemaAt(['properties', 'certificates', 'items']))]),
  },
];

function sectionSnippets(ctx: DocContext, keyItem: CompletionItem): CompletionItem[] {
  const present = new Set(topLevelKeysOf(ctx));
  const edit = keyItem.textEdit && 'range' in keyItem.textEdit ? keyItem.textEdit : undefined;
  const range = edit?.range;
  const trailingComma = (edit?.newText ?? keyItem.insertText ?? '').endsWith(',') ? ',' : '';
  const latest = latestSafeExpiry(ctx.now);
  return SECTIONS.filter((s) => !present.has(s.key)).map((s, i) => {
    const newText = `"${s.key}": ${s.body(latest)}${trailingComma}`;
    const item: CompletionItem = {
      label: `${s.key} section`,
      kind: CompletionItemKind.Snippet,
      detail: s.label,
      documentation: {
        kind: MarkupKind.Markdown,
        value: `Inserts the whole **${s.label}** section:\n\n\`\`\`json\n${newText.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '')}\n\`\`\``,
      },
      insertTextFormat: InsertTextFormat.Snippet,
      filterText: `"${s.key}"`,
      sortText: `~section${i}`,
    };
    if (range) item.textEdit = { range, newText };
    else item.insertText = newText;
    return item;
  });
}

/** The schema's Entra snippet has a YYYY-MM-DD placeholder; offer the latest allowed date instead. */
function fixExpiryPlaceholder(item: CompletionItem, latest: string): CompletionItem {
  const fix = (s: string) => s.replace('${1:YYYY-MM-DD}', '${1:' + latest + '}');
  if (item.insertText?.includes('YYYY-MM-DD')) item.insertText = fix(item.insertText);
  if (item.textEdit && item.textEdit.newText.includes('YYYY-MM-DD')) item.textEdit = { ...item.textEdit, newText: fix(item.textEdit.newText) };
  return item;
}
