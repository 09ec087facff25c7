/**
 * Where each document changed, as the client said. A keystroke's didChange
 * names the range it replaced, so the language service need not compare two
 * 1 MB texts to find it (languageService/incrementalProject.ts patches the
 * previous version's tree from that span).
 *
 * A span keeps the unchanged prefix and suffix lengths; composing two spans
 * takes the smaller of each, which is exact for one edit and safe (a wider
 * region than needed) for several.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';

/** Everything but `prefix` characters at the start and `suffix` at the end may have changed. */
export interface EditSpan {
  prefix: number;
  suffix: number;
}

/** No change at all (the neutral element of composing). */
const UNCHANGED: EditSpan = { prefix: Infinity, suffix: Infinity };

export function composeSpans(a: EditSpan, b: EditSpan): EditSpan {
  return { prefix: Math.min(a.prefix, b.prefix), suffix: Math.min(a.suffix, b.suffix) };
}

/** How many version steps are remembered per document; older ones are found by comparing texts. */
const KEPT_STEPS = 64;

export class EditLog {
  private readonly steps = new Map<string, { from: number; to: number; span: EditSpan }[]>();

  /** Applies content changes as TextDocument.update does (the same function, one change at a time) and records what they touched. */
  update(document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number): TextDocument {
    const from = document.version;
    let span = UNCHANGED;
    for (const change of changes) {
      if ('range' in change) {
        const a = document.offsetAt(change.range.start);
        const b = document.offsetAt(change.range.end);
        span = composeSpans(span, { prefix: Math.min(a, b), suffix: document.getText().length - Math.max(a, b) });
      } else {
        span = { prefix: 0, suffix: 0 };
      }
      document = TextDocument.update(document, [change], version);
    }
    // Versions only grow, one step after the other (LSP); a client that breaks that loses the shortcut, not correctness.
    let steps = this.steps.get(document.uri) ?? [];
    if (version <= from) steps = [];
    this.steps.set(document.uri, steps);
    if (version > from) steps.push({ from, to: version, span });
    if (steps.length > KEPT_STEPS) steps.shift();
    return document;
  }

  /** What changed from version `from` to version `to`, or undefined when a step between them is not known. */
  between(uri: string, from: number, to: number): EditSpan | undefined {
    // The same version twice may still be two texts (a document opened again): let the texts be compared.
    if (from >= to) return undefined;
    const steps = this.steps.get(uri);
    if (!steps) return undefined;
    let i = steps.findIndex((s) => s.from === from);
    if (i < 0) return undefined;
    let span = UNCHANGED;
    for (let at = from; at !== to; i++) {
      const step = steps[i];
      if (!step || step.from !== at) return undefined;
      span = composeSpans(span, step.span);
      at = step.to;
    }
    return span;
  }

  forget(uri: string): void {
    this.steps.delete(uri);
  }
}
