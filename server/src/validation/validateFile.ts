import * as fs from 'node:fs';
import { decodeProjectBytes, InvalidUtf8Error } from '../model/projectText';
import type { ProjectDocument } from '../model/parse';
import type { ValidationOptions } from './context';
import type { DiagnosticCode } from './catalog';
import type { PpkgDiagnostic } from './diagnostic';
import { MAX_PROJECT_CHARS, validateText } from './validate';

export interface FileValidation {
  path: string;
  text?: string;
  doc?: ProjectDocument;
  diagnostics: PpkgDiagnostic[];
}

/**
 * Reads and validates a project file from disk. Bytes that are not UTF-8 and
 * oversized files become diagnostics with a location, not exceptions; only an
 * unreadable path throws (the caller reports it as an I/O failure).
 *
 * The reads are synchronous: a project file is a few kilobytes, and `ppkg
 * validate` over 500 of them spent more time in promise and thread-pool
 * round trips than in reading.
 */
export async function validateFile(path: string, options: ValidationOptions = {}): Promise<FileValidation> {
  const stat = fs.statSync(path);
  if (!stat.isFile()) throw new Error(`${path} is not a file`);
  if (stat.size > MAX_PROJECT_CHARS * 4) {
    return { path, diagnostics: [atStart('PPKG082', `The file is ${stat.size} bytes; a project file is a few kilobytes. Is this the right file?`)] };
  }
  const bytes = fs.readFileSync(path);
  let text: string;
  try {
    text = decodeProjectBytes(bytes);
  } catch (err) {
    if (!(err instanceof InvalidUtf8Error)) throw err;
    const pos = err.position;
    return {
      path,
      diagnostics: [
        {
          range: { start: pos, end: { line: pos.line, character: pos.character + 1 } },
          severity: 'error',
          code: 'PPKG082',
          message: `The file is not valid UTF-8 (byte 0x${err.byte.toString(16).padStart(2, '0')} at offset ${err.offset}). Save it as UTF-8.`,
        },
      ],
    };
  }
  const { doc, diagnostics } = validateText(text, { ...options, projectPath: options.projectPath ?? path });
  return { path, text, doc, diagnostics };
}

function atStart(code: DiagnosticCode, message: string): PpkgDiagnostic {
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code, message };
}
