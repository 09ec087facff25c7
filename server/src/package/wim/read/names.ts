/**
 * File and stream names as stored (UTF-16LE), and the rule for which ones
 * are safe to extract. A provisioning package only ever holds plain names
 * (`Multivariant`, `1__AADJ.provxml`, `0_<base64>`), so anything that could
 * climb out of an extraction folder, name a drive or a device, or be
 * rewritten by Windows on the way to disk is refused rather than sanitized.
 */
import { WimReadError } from './errors';
import { limitError, type WimReadLimits } from './limits';

/** Separators, drive/stream colon, and what Windows forbids in a name; C0 controls and DEL. */
const FORBIDDEN = /[\u0000-\u001f\u007f/\\:*?"<>|]/;
/** Win32 maps these to devices whatever the extension ("NUL.txt" is NUL). */
const DEVICE_NAME = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;

/** Decode `nbytes` of UTF-16LE; undefined when it is not well-formed (a lone surrogate). */
export function decodeUtf16(buf: Buffer, at: number, nbytes: number): string | undefined {
  const s = buf.toString('utf16le', at, at + nbytes);
  return isWellFormed(s) ? s : undefined;
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function why(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is a relative path component';
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    const c = bad[0].charCodeAt(0);
    return c < 0x20 || c === 0x7f ? `contains the control character U+${c.toString(16).padStart(4, '0').toUpperCase()}` : `contains '${bad[0]}'`;
  }
  if (/[. ]$/.test(name)) return 'ends with a dot or a space, which Windows strips';
  if (DEVICE_NAME.test(name)) return 'is a Windows device name';
  return undefined;
}

/** Throws `unsafe-name` (or `limit` for length) unless `name` may be created inside `parent`. */
export function checkName(name: string | undefined, kind: 'file' | 'stream', where: string, limits: WimReadLimits): asserts name is string {
  if (name === undefined) throw new WimReadError('unsafe-name', `a ${kind} name in ${where} is not valid UTF-16`);
  if (name.length > limits.maxNameLength) {
    throw limitError(`a ${kind} name of ${name.length} UTF-16 units in ${where}`, 'maxNameLength', limits.maxNameLength);
  }
  const reason = why(name);
  if (reason) throw new WimReadError('unsafe-name', `${kind} name ${JSON.stringify(name)} in ${where} ${reason}`);
}

/** "directory 'a/b'" or "the root directory", for messages. */
export function describeDir(path: string): string {
  return path === '' ? 'the root directory' : `directory ${JSON.stringify(path)}`;
}

/** Upper-case form of each UTF-16 unit, filled in on first use (0: not yet known). */
const upcase = new Uint16Array(0x10000);

function upcaseUnit(c: number): number {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
  let u = upcase[c]!;
  if (u === 0) {
    const up = c >= 0xd800 && c <= 0xdfff ? '' : String.fromCharCode(c).toUpperCase();
    u = up.length === 1 ? up.charCodeAt(0) : c;
    upcase[c] = u;
  }
  return u;
}

/**
 * Case-folded key, one UTF-16 unit at a time (NTFS's upcase-table rule: a
 * unit whose upper case is several units stays as it is), to find names
 * that would land on the same file of a case-insensitive file system.
 */
export function caseKey(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (upcaseUnit(c) !== c) {
      const units = new Uint16Array(name.length);
      for (let j = 0; j < name.length; j++) units[j] = upcaseUnit(name.charCodeAt(j));
      return String.fromCharCode(...units);
    }
  }
  return name;
}
