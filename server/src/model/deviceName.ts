/**
 * The device name grammar of WCD's "Device name" (Accounts/ComputerAccount/
 * ComputerName): literal text plus the macros %SERIAL% and %RAND:x%.
 * Shared by the validation rules, hover and quick fixes.
 */

/** NetBIOS, Active Directory join and the wizard's own limit. */
export const NETBIOS_LIMIT = 15;
/** DNS host name hard limit (DevDetail DNSComputerName). */
export const DNS_LIMIT = 63;
/** Fewer serial characters than this left after truncation makes collisions likely on real serials (often 8–12 characters). */
export const MIN_SERIAL_CHARS = 8;
/** The example serial number used in messages: a plausible 10-character serial. */
export const EXAMPLE_SERIAL = 'PF3K8Z21QX';

/** Characters Windows rejects in a computer name (docs/provisioning.md §Device name), besides space; `%` only as part of a macro. */
export const FORBIDDEN_CHARACTERS = '{|}~[\\]^\':;<=>?@!"#$`()+/.,*&';

export type NamePart =
  | { kind: 'text'; text: string; start: number; end: number }
  | { kind: 'serial'; start: number; end: number }
  | { kind: 'rand'; digits: number; start: number; end: number }
  | { kind: 'bad'; text: string; start: number; end: number; reason: string };

export interface DeviceNameAnalysis {
  parts: NamePart[];
  /** UTF-8 bytes of the literal text (Windows counts bytes). */
  staticBytes: number;
  /** Digits of all %RAND:x% macros. */
  randDigits: number;
  hasSerial: boolean;
  /** Longest possible name without the serial (it is cut to fit). */
  worstCaseWithoutSerial: number;
  /** Characters left for the serial within the 15-character limit. */
  serialBudget: number;
  /** The name with each %RAND:x% shown as x nines and %SERIAL% as the example serial cut to fit. */
  example: string;
}

const MACRO = /%([^%]*)%/y;

export function analyzeDeviceName(name: string): DeviceNameAnalysis {
  const parts: NamePart[] = [];
  let text = '';
  let textStart = 0;
  const flushText = (end: number) => {
    if (text) parts.push({ kind: 'text', text, start: textStart, end });
    text = '';
  };
  let i = 0;
  while (i < name.length) {
    if (name[i] !== '%') {
      if (!text) textStart = i;
      text += name[i];
      i++;
      continue;
    }
    flushText(i);
    MACRO.lastIndex = i;
    const m = MACRO.exec(name);
    if (!m) {
      // A lone % or an unterminated macro such as %SERIAL.
      const rest = name.slice(i);
      const looksLike = /^%(SERIAL|RAND)/i.test(rest);
      const end = looksLike ? i + (/^%[A-Za-z]+(:\d*)?/.exec(rest)?.[0].length ?? 1) : i + 1;
      parts.push({
        kind: 'bad',
        text: name.slice(i, end),
        start: i,
        end,
        reason: looksLike ? `The macro "${name.slice(i, end)}" is not closed with %.` : 'A % sign is allowed only as part of a macro (%SERIAL% or %RAND:x%).',
      });
      i = end;
      continue;
    }
    const body = m[1];
    const start = i;
    const end = i + m[0].length;
    i = end;
    if (body === 'SERIAL') {
      parts.push({ kind: 'serial', start, end });
    } else if (/^RAND:\d+$/.test(body)) {
      const digits = Number(body.slice(5));
      if (digits < 1 || digits >= NETBIOS_LIMIT) {
        parts.push({ kind: 'bad', text: m[0], start, end, reason: `%RAND:x% takes 1 to ${NETBIOS_LIMIT - 1} digits; ${digits} is outside that range.` });
      } else {
        parts.push({ kind: 'rand', digits, start, end });
      }
    } else if (/^(serial|rand(:.*)?)$/i.test(body) && body.toUpperCase() !== body) {
      parts.push({ kind: 'bad', text: m[0], start, end, reason: `Macros are written in upper case: ${m[0].toUpperCase()}.` });
    } else if (/^RAND(:.*)?$/.test(body)) {
      parts.push({
        kind: 'bad',
        text: m[0],
        start,
        end,
        reason: `"${m[0]}" is malformed: write %RAND:x% with x digits from 1 to ${NETBIOS_LIMIT - 1}, for example %RAND:5%.`,
      });
    } else {
      parts.push({ kind: 'bad', text: m[0], start, end, reason: `"${m[0]}" is not a macro Windows knows. Use %SERIAL% or %RAND:x%.` });
    }
  }
  flushText(i);

  let staticBytes = 0;
  let randDigits = 0;
  let hasSerial = false;
  for (const p of parts) {
    if (p.kind === 'text' || p.kind === 'bad') staticBytes += Buffer.byteLength(p.text, 'utf8');
    else if (p.kind === 'rand') randDigits += p.digits;
    else hasSerial = true;
  }
  const worstCaseWithoutSerial = staticBytes + randDigits;
  const serialBudget = Math.max(0, NETBIOS_LIMIT - worstCaseWithoutSerial);
  const serialShown = hasSerial ? EXAMPLE_SERIAL.slice(Math.max(0, EXAMPLE_SERIAL.length - serialBudget)) : '';
  const example = parts.map((p) => (p.kind === 'rand' ? '9'.repeat(p.digits) : p.kind === 'serial' ? serialShown : p.text)).join('');
  return { parts, staticBytes, randDigits, hasSerial, worstCaseWithoutSerial, serialBudget, example };
}

/**
 * A shorter name that fits 15 characters: first fewer random digits (keeping
 * at least 3, or 8 serial characters), then the end of the longest literal is
 * trimmed. Undefined when the name already fits or cannot be fixed this way.
 */
export function suggestShorterName(name: string): string | undefined {
  const a = analyzeDeviceName(name);
  if (a.parts.some((p) => p.kind === 'bad')) return undefined;
  const target = a.hasSerial ? NETBIOS_LIMIT - MIN_SERIAL_CHARS : NETBIOS_LIMIT;
  let over = a.worstCaseWithoutSerial - target;
  if (over <= 0) return undefined;
  const parts = a.parts.map((p) => ({ ...p }));
  for (const p of parts) {
    if (p.kind === 'rand' && over > 0) {
      const cut = Math.min(over, Math.max(0, p.digits - 3));
      p.digits -= cut;
      over -= cut;
    }
  }
  while (over > 0) {
    const texts = parts.filter((p): p is Extract<NamePart, { kind: 'text' }> => p.kind === 'text' && p.text.replace(/-+$/, '').length > 1);
    if (texts.length === 0) return undefined;
    const longest = texts.reduce((x, y) => (y.text.length > x.text.length ? y : x));
    // Keep a trailing separator such as the dash in "CTS-".
    const sep = /-+$/.exec(longest.text)?.[0] ?? '';
    const core = longest.text.slice(0, longest.text.length - sep.length);
    longest.text = core.slice(0, -1) + sep;
    over -= 1;
  }
  const result = parts.map((p) => (p.kind === 'rand' ? `%RAND:${p.digits}%` : p.kind === 'serial' ? '%SERIAL%' : p.kind === 'text' ? p.text : '')).join('');
  return result === name ? undefined : result;
}
