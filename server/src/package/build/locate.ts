/**
 * Locating build findings on the project file: a JSON path becomes a range
 * (the nearest node that exists), and compile problems become one located
 * diagnostic per setting.
 */
import { nodeAtPath, type JsonPath, type ProjectDocument } from '../../model/parse';
import type { Range } from '../../model/positions';
import type { DiagnosticCode } from '../../validation/catalog';
import { compareDiagnostics, type PpkgDiagnostic } from '../../validation/diagnostic';

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export type Diag = (p: JsonPath, code: DiagnosticCode, message: string, severity?: PpkgDiagnostic['severity']) => PpkgDiagnostic;

export function locator(doc: ProjectDocument): { rangeOf: (p: JsonPath) => Range; diag: Diag } {
  const rangeOf = (p: JsonPath): Range => {
    for (let k = p.length; k >= 0; k--) {
      const node = nodeAtPath(doc.root, p.slice(0, k));
      if (node) return doc.lines.rangeOf(node.offset, node.length);
    }
    return START;
  };
  const diag: Diag = (p, code, message, severity = 'error') => ({ range: rangeOf(p), severity, code, message });
  return { rangeOf, diag };
}

/** What a compile failure may carry: one problem (path, code) or many (`problems`). */
export interface CompileProblemLike {
  path: (string | number)[];
  code: DiagnosticCode;
  message: string;
}

/**
 * Every problem of a CompileError as a located diagnostic, one per setting
 * (the first problem of a setting wins), sorted by position. A CompileError
 * without `problems` gives its own single diagnostic.
 */
export function compileDiagnostics(
  err: { path?: JsonPath; code?: DiagnosticCode; message: string; problems?: CompileProblemLike[] },
  diag: Diag,
): PpkgDiagnostic[] {
  const problems: CompileProblemLike[] = err.problems?.length ? err.problems : [{ path: err.path ?? [], code: err.code ?? 'PPKG111', message: err.message }];
  const seen = new Set<string>();
  const out: PpkgDiagnostic[] = [];
  for (const p of problems) {
    const key = JSON.stringify(p.path);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diag(p.path, p.code || 'PPKG111', p.message));
  }
  return out.sort(compareDiagnostics);
}
