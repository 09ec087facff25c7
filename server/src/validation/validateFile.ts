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

/**
 * Offset of the first byte of the first sequence that is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF),
 * so the diagnostic points at the start of a broken character rather than
 * the byte after it.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let continuation: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) continuation = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      continuation = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      continuation = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    for (let k = 1; k <= continuation; k++) {
      const next = b[i + k];
      if (next === undefined) return i;
      if (k === 1 ? next < lo || next > hi : (next & 0xc0) !== 0x80) return i;
    }
    i += continuation + 1;
  }
  return -1;
}
