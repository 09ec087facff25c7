import type { Range } from '../model/positions';

export type Severity = 'error' | 'warning' | 'information';

/**
 * One finding about a project file. The same shape feeds the CLI (text, JSON,
 * SARIF) and the language server, so a CI failure and a squiggle always agree.
 */
export interface PpkgDiagnostic {
  range: Range;
  severity: Severity;
  /** `PPKG` + number for our rules, `JSON` + number for syntax, `SCHEMA` for schema errors. */
  code: string;
  message: string;
  /**
   * Facts a quick fix needs (for example the shortened name, the latest allowed
   * date). Never holds a secret value.
   */
  data?: Record<string, unknown>;
}

export function compareDiagnostics(a: PpkgDiagnostic, b: PpkgDiagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.code.localeCompare(b.code)
  );
}
