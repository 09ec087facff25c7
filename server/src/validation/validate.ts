import { parseProject, type ProjectDocument } from '../model/parse';
import { RuleContext, DEFAULT_EXPIRY_WARNING_DAYS, type ValidationOptions } from './context';
import { compareDiagnostics, escapeForDisplay, type PpkgDiagnostic } from './diagnostic';
import { nodeFileProbe } from './fileProbe';
import { RULES } from './rules';
import { validateAgainstSchema } from './schema';

/** PPKG000: the file is not well-formed JSON with comments. */
export const CODE_SYNTAX = 'PPKG000';

/**
 * The validation engine: syntax, schema, then every domain rule, on whatever
 * parsed. The CLI, the language server and the build all call this.
 */
export function validateDocument(doc: ProjectDocument, options: ValidationOptions = {}): PpkgDiagnostic[] {
  const diagnostics: PpkgDiagnostic[] = doc.syntaxProblems.map((p) => ({
    range: doc.lines.rangeOf(p.offset, p.length),
    severity: 'error' as const,
    code: CODE_SYNTAX,
    message: p.message,
  }));
  if (doc.value !== undefined && (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value))) {
    diagnostics.push({
      range: doc.lines.rangeOf(doc.root?.offset ?? 0, doc.root?.length ?? 1),
      severity: 'error',
      code: 'PPKG100',
      message: 'A project file is a JSON object { … } with at least name, id and version.',
    });
    return diagnostics;
  }
  if (doc.value === undefined) {
    if (diagnostics.length === 0) {
      diagnostics.push({
        range: doc.lines.rangeOf(0, 0),
        severity: 'error',
        code: CODE_SYNTAX,
        message: 'The file is empty. A project file is a JSON object { … }; run ppkg init for a starter.',
      });
    }
    return diagnostics;
  }
  diagnostics.push(...validateAgainstSchema(doc));
  const ctx = new RuleContext(doc, {
    ...options,
    expiryWarningDays: options.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
    files: options.files ?? nodeFileProbe,
  });
  for (const rule of RULES) {
    try {
      rule(ctx);
    } catch (err) {
      // A rule bug must not hide every other finding; surface it as one.
      ctx.diagnostics.push({
        range: doc.lines.rangeOf(0, 0),
        severity: 'error',
        code: 'PPKG999',
        message: `Internal error in a validation rule: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  diagnostics.push(...ctx.diagnostics);
  for (const d of diagnostics) d.message = escapeForDisplay(d.message);
  return diagnostics.sort(compareDiagnostics);
}

/** Larger than any real project (thousands of applications is about 1 MB); refused before parsing. */
export const MAX_PROJECT_CHARS = 16 * 1024 * 1024;

export function validateText(text: string, options: ValidationOptions = {}): { doc: ProjectDocument; diagnostics: PpkgDiagnostic[] } {
  if (text.length > MAX_PROJECT_CHARS) {
    const doc = parseProject('');
    return {
      doc,
      diagnostics: [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 'error',
          code: 'PPKG082',
          message: `The file has ${text.length} characters; a project file is at most ${MAX_PROJECT_CHARS}. Is this the right file?`,
        },
      ],
    };
  }
  const doc = parseProject(text);
  return { doc, diagnostics: validateDocument(doc, options) };
}
