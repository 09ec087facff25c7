import { escapeForDisplay, type PpkgDiagnostic } from '../../validation/diagnostic';

/** One compiler-style line: `file:line:col: severity CODE message` (1-based, as editors and CI annotate). */
export function formatDiagnosticLine(file: string, d: PpkgDiagnostic): string {
  return `${escapeForDisplay(file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${escapeForDisplay(d.message)}`;
}

/** Every finding as a compiler-style line, then a summary line. */
export function formatText(results: { file: string; diagnostics: PpkgDiagnostic[] }[]): string {
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  for (const r of results) {
    for (const d of r.diagnostics) {
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      lines.push(formatDiagnosticLine(r.file, d));
    }
  }
  const files = results.length;
  lines.push(`${files} file${files === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  return lines.join('\n') + '\n';
}
