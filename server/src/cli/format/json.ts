import type { PpkgDiagnostic } from '../../validation/diagnostic';

/** `[{ file, range, severity, code, message }]`, 0-based positions as in LSP. The quick-fix `data` is an editor detail and is left out. */
export function formatJson(results: { file: string; diagnostics: PpkgDiagnostic[] }[]): string {
  const out = results.flatMap((r) => r.diagnostics.map((d) => ({ file: r.file, range: d.range, severity: d.severity, code: d.code, message: d.message })));
  return JSON.stringify(out, null, 2) + '\n';
}
