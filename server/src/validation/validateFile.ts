import { promises as fs } from 'node:fs';
import { LineIndex } from '../model/positions';
import type { ProjectDocument } from '../model/parse';
import type { ValidationOptions } from './context';
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
 */
export async function validateFile(path: string, options: ValidationOptions = {}): Promise<FileValidation> {
  const stat = await fs.stat(path);
  if (!stat.isFile()) throw new Error(`${path} is not a file`);
  if (stat.size > MAX_PROJECT_CHARS * 4) {
    return { path, diagnostics: [atStart('PPKG082', `The file is ${stat.size} bytes; a project file is a few kilobytes. Is this the right file?`)] };
  }
  const bytes = await fs.readFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const pos = new LineIndex(prefix).positionAt(prefix.length);
    return {
      path,
      diagnostics: [{ range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, severity: 'error', code: 'PPKG082', message: `The file is not valid UTF-8 (byte 0x${bytes[bad]?.toString(16).padStart(2, '0')} at offset ${bad}). Save it as UTF-8.` }],
    };
  }
  const { doc, diagnostics } = validateText(text, { ...options, projectPath: options.projectPath ?? path });
  return { path, text, doc, diagnostics };
}

function atStart(code: string, message: string): PpkgDiagnostic {
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 'error', code, message };
}

/** Offset of the first byte that breaks UTF-8 decoding. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  const ok = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
