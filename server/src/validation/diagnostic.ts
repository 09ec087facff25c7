import type { Range } from '../model/positions';
import type { DiagnosticCode } from './catalog';

export type Severity = 'error' | 'warning' | 'information';

/**
 * One finding about a project file. The same shape feeds the CLI (text, JSON,
 * SARIF) and the language server, so a CI failure and a squiggle always agree.
 */
export interface PpkgDiagnostic {
  range: Range;
  severity: Severity;
  /** `PPKG` + three digits, one of the rule catalog's (catalog.ts). */
  code: DiagnosticCode;
  message: string;
  /**
   * Facts a quick fix needs (for example the shortened name, the latest allowed
   * date). Never holds a secret value.
   */
  data?: Record<string, unknown>;
}

export function compareDiagnostics(a: PpkgDiagnostic, b: PpkgDiagnostic): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code);
}

/**
 * Messages quote what the admin wrote (keys, names, paths). Control
 * characters, line and paragraph separators and bidirectional overrides are
 * shown escaped, so a hostile key can neither forge a `file:line:col` line in
 * CI logs nor drive the terminal, nor hide text in a review.
 */
export function escapeForDisplay(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
