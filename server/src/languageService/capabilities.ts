/**
 * What the client said it supports (InitializeParams.capabilities), and the
 * service's answers reshaped to fit: the service always computes the richest
 * form (snippets, markdown, code-action literals, hierarchical symbols, link
 * tooltips); the server passes each answer through here before sending it.
 */
import {
  InsertTextFormat,
  MarkupKind,
  type CodeAction,
  type Command,
  type CompletionItem,
  type CompletionList,
  type DocumentLink,
  type DocumentSymbol,
  type Hover,
  type MarkupContent,
  type SymbolInformation,
} from 'vscode-languageserver-types';
import type { ClientCapabilities } from 'vscode-languageserver-protocol';
import { APPLY_EDIT_COMMAND } from '../protocol';

export interface ClientSupport {
  snippets: boolean;
  /** Completion documentation in markdown. */
  completionMarkdown: boolean;
  hoverMarkdown: boolean;
  codeActionLiterals: boolean;
  /** CodeAction.isPreferred. */
  preferredCodeActions: boolean;
  hierarchicalSymbols: boolean;
  linkTooltips: boolean;
  /** client/registerCapability for workspace/didChangeConfiguration. */
  dynamicConfiguration: boolean;
  configuration: boolean;
  watchedFiles: boolean;
  applyEdit: boolean;
  /** Diagnostic.data round-trips (publishDiagnostics.dataSupport). */
  diagnosticData: boolean;
  /** The position encoding both sides use. Only UTF-16 is implemented, and every client must support it. */
  positionEncoding: 'utf-16';
}

export function clientSupport(caps: ClientCapabilities | undefined): ClientSupport {
  const td = caps?.textDocument;
  const has = (formats: unknown, kind: string) => Array.isArray(formats) && formats.includes(kind);
  return {
    snippets: td?.completion?.completionItem?.snippetSupport === true,
    completionMarkdown: has(td?.completion?.completionItem?.documentationFormat, MarkupKind.Markdown),
    hoverMarkdown: has(td?.hover?.contentFormat, MarkupKind.Markdown),
    codeActionLiterals: !!td?.codeAction?.codeActionLiteralSupport,
    preferredCodeActions: td?.codeAction?.isPreferredSupport === true,
    hierarchicalSymbols: td?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
    linkTooltips: td?.documentLink?.tooltipSupport === true,
    dynamicConfiguration: caps?.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    configuration: caps?.workspace?.configuration === true,
    watchedFiles: !!caps?.workspace?.didChangeWatchedFiles,
    applyEdit: caps?.workspace?.applyEdit === true,
    diagnosticData: td?.publishDiagnostics?.dataSupport === true,
    positionEncoding: 'utf-16',
  };
}

/** Everything, as VS Code offers it (the service's own tests use this). */
export const FULL_SUPPORT: ClientSupport = {
  snippets: true,
  completionMarkdown: true,
  hoverMarkdown: true,
  codeActionLiterals: true,
  preferredCodeActions: true,
  hierarchicalSymbols: true,
  linkTooltips: true,
  dynamicConfiguration: true,
  configuration: true,
  watchedFiles: true,
  applyEdit: true,
  diagnosticData: true,
  positionEncoding: 'utf-16',
};

// --- snippets ---------------------------------------------------------------

/**
 * A snippet as the plain text an editor inserts when the user accepts every
 * default: `${1:text}` → text, `${1|a,b|}` → a, `$1`/`${1}`/`$0` → nothing,
 * `\$`, `\}` and `\\` → the character. Variables (`$TM_…`) are not used by the
 * schema or by us and are left as they are.
 */
export function snippetToText(snippet: string): string {
  let out = '';
  let i = 0;
  const n = snippet.length;
  // A stack of open placeholders, so nested `${1:a ${2:b}}` keep their text.
  let depth = 0;
  while (i < n) {
    const c = snippet[i];
    if (c === '\\' && i + 1 < n && '$}\\,|'.includes(snippet[i + 1])) {
      out += snippet[i + 1];
      i += 2;
      continue;
    }
    if (c === '$') {
      const tab = /^\$(\d+)/.exec(snippet.slice(i, i + 12));
      if (tab) {
        i += tab[0].length;
        continue;
      }
      const open = /^\$\{(\d+)(:|\||\})/.exec(snippet.slice(i, i + 14));
      if (open) {
        i += open[0].length;
        if (open[2] === '}') continue;
        if (open[2] === '|') {
          // Choice: the first option, then skip to the closing `|}`.
          let choice = '';
          while (i < n && snippet[i] !== ',' && !(snippet[i] === '|' && snippet[i + 1] === '}')) {
            if (snippet[i] === '\\' && i + 1 < n) i++;
            choice += snippet[i++];
          }
          while (i < n && !(snippet[i] === '|' && snippet[i + 1] === '}')) i++;
          i += 2;
          out += choice;
          continue;
        }
        depth++;
        continue;
      }
    }
    if (c === '}' && depth > 0) {
      depth--;
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Markdown shown as plain text: code fences and emphasis dropped, links as "text (url)". */
export function markdownToText(md: string): string {
  return md
    .replace(/^```[^\n]*\n?/gm, '')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[^\\])`([^`]*)`/g, '$1$2')
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function plainDocumentation(doc: CompletionItem['documentation']): CompletionItem['documentation'] {
  if (!doc || typeof doc === 'string') return doc;
  return doc.kind === MarkupKind.Markdown ? markdownToText(doc.value) : doc.value;
}

export function adaptCompletion(list: CompletionList | null, s: ClientSupport): CompletionList | null {
  if (!list || (s.snippets && s.completionMarkdown)) return list;
  return { ...list, items: list.items.map((item) => adaptCompletionItem(item, s)) };
}

function adaptCompletionItem(item: CompletionItem, s: ClientSupport): CompletionItem {
  const out: CompletionItem = { ...item };
  if (!s.snippets && item.insertTextFormat === InsertTextFormat.Snippet) {
    if (out.insertText !== undefined) out.insertText = snippetToText(out.insertText);
    if (out.textEdit) out.textEdit = { ...out.textEdit, newText: snippetToText(out.textEdit.newText) };
    out.insertTextFormat = InsertTextFormat.PlainText;
  }
  if (!s.completionMarkdown && out.documentation !== undefined) out.documentation = plainDocumentation(out.documentation);
  return out;
}

export function adaptHover(hover: Hover | null, s: ClientSupport): Hover | null {
  if (!hover || s.hoverMarkdown) return hover;
  const c = hover.contents;
  const value =
    typeof c === 'string'
      ? c
      : Array.isArray(c)
        ? c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n\n')
        : 'kind' in c
          ? (c as MarkupContent).kind === MarkupKind.Markdown
            ? markdownToText(c.value)
            : c.value
          : c.value;
  return { ...hover, contents: { kind: MarkupKind.PlainText, value: markdownToText(value) } };
}

/**
 * Code-action literals for clients that take them; otherwise Commands: an
 * edit becomes the server command APPLY_EDIT_COMMAND (the server sends it
 * back as workspace/applyEdit), a client command stays as it is.
 */
export function adaptCodeActions(actions: CodeAction[], s: ClientSupport): (CodeAction | Command)[] {
  if (s.codeActionLiterals) {
    if (s.preferredCodeActions) return actions;
    return actions.map(({ isPreferred: _drop, ...rest }) => rest);
  }
  const out: Command[] = [];
  for (const a of actions) {
    if (a.edit) {
      if (!s.applyEdit) continue;
      out.push({ title: a.title, command: APPLY_EDIT_COMMAND, arguments: [a.edit] });
    } else if (a.command) {
      out.push({ ...a.command, title: a.title });
    }
  }
  return out;
}

export function adaptSymbols(symbols: DocumentSymbol[], uri: string, s: ClientSupport): DocumentSymbol[] | SymbolInformation[] {
  if (s.hierarchicalSymbols) return symbols;
  const flat: SymbolInformation[] = [];
  const walk = (list: DocumentSymbol[], container: string | undefined) => {
    for (const sym of list) {
      flat.push({ name: sym.name, kind: sym.kind, location: { uri, range: sym.range }, ...(container !== undefined ? { containerName: container } : {}) });
      if (sym.children?.length) walk(sym.children, sym.name);
    }
  };
  walk(symbols, undefined);
  return flat;
}

export function adaptLinks(links: DocumentLink[], s: ClientSupport): DocumentLink[] {
  if (s.linkTooltips) return links;
  return links.map(({ tooltip: _drop, ...rest }) => rest);
}
