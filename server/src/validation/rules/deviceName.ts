import {
  analyzeDeviceName,
  DNS_LIMIT,
  EXAMPLE_SERIAL,
  FORBIDDEN_CHARACTERS,
  MIN_SERIAL_CHARS,
  NETBIOS_LIMIT,
  suggestShorterName,
} from '../../model/deviceName';
import type { RuleContext } from '../context';

/**
 * Device name rules (docs/provisioning.md §Device name): Windows validates the name
 * only on the device, where a bad name fails the whole package at setup.
 */
export function deviceNameRules(ctx: RuleContext): void {
  const name = ctx.string(['device', 'name']);
  const node = ['device', 'name'];
  if (name === undefined) return;
  const a = analyzeDeviceName(name);

  let hasBadCharacters = false;
  for (const part of a.parts) {
    if (part.kind === 'bad') {
      ctx.report(node, 'error', 'PPKG006', part.reason, undefined, part);
      continue;
    }
    if (part.kind !== 'text') continue;
    // Code points, not UTF-16 units: "💻" is one character (two units), flagged like "☕".
    let i = 0;
    for (const ch of part.text) {
      const at = i;
      i += ch.length;
      const code = ch.codePointAt(0)!;
      const forbidden =
        ch === ' ' ||
        FORBIDDEN_CHARACTERS.includes(ch) ||
        code < 0x20 ||
        code > 0xffff ||
        (code >= 0xd800 && code <= 0xdfff) ||
        /\p{Extended_Pictographic}/u.test(ch);
      if (!forbidden) continue;
      hasBadCharacters = true;
      const shown =
        ch === ' '
          ? 'a space'
          : code < 0x20
            ? `control character U+${code.toString(16).padStart(4, '0').toUpperCase()}`
            : code >= 0xd800 && code <= 0xdfff
              ? `a broken character (lone surrogate U+${code.toString(16).toUpperCase()})`
              : `"${ch}"`;
      ctx.report(
        node,
        'error',
        'PPKG001',
        `The device name contains ${shown}. Windows allows letters, digits and "-" only (no spaces or punctuation), so the package would fail on the device.`,
        undefined,
        {
          start: part.start + at,
          end: part.start + at + ch.length,
        },
      );
    }
  }

  const onlyDigits = a.parts.every((p) => (p.kind === 'text' && /^[0-9]+$/.test(p.text)) || p.kind === 'rand');
  if (onlyDigits && a.parts.length > 0) {
    ctx.report(
      node,
      'error',
      'PPKG002',
      `The device name "${name}" can only expand to digits. Windows rejects names made only of digits; add a letter, for example "PC-${name}".`,
    );
  }

  // With a malformed macro the length is meaningless; the PPKG006 finding comes first.
  if (a.parts.some((p) => p.kind === 'bad')) return;

  if (a.worstCaseWithoutSerial > DNS_LIMIT) {
    ctx.report(
      node,
      'error',
      'PPKG003',
      `The device name can be ${a.worstCaseWithoutSerial} characters long; the DNS limit is ${DNS_LIMIT}.`,
      withSuggestion(name),
    );
  } else if (a.worstCaseWithoutSerial > NETBIOS_LIMIT) {
    const expansion =
      a.randDigits > 0
        ? ` "${name}" expands to up to ${a.worstCaseWithoutSerial} characters, e.g. "${a.example}".`
        : ` "${name}" has ${a.worstCaseWithoutSerial} characters.`;
    ctx.report(
      node,
      'warning',
      'PPKG004',
      `Device name longer than ${NETBIOS_LIMIT} characters:${expansion} The wizard, NetBIOS and Active Directory join allow ${NETBIOS_LIMIT}.`,
      withSuggestion(name),
    );
  }

  if (a.hasSerial && !hasBadCharacters && a.serialBudget === 0) {
    // No room at all: Windows cuts the whole serial number, so every device gets the same name.
    ctx.report(
      node,
      'error',
      'PPKG005',
      `No room left for %SERIAL%: the rest of the name already takes ${a.worstCaseWithoutSerial} of ${NETBIOS_LIMIT} characters, so Windows cuts the whole serial number and every device gets the same name "${a.example}". Shorten the fixed part.`,
      withSuggestion(name),
    );
  } else if (a.hasSerial && !hasBadCharacters && a.worstCaseWithoutSerial <= NETBIOS_LIMIT && a.serialBudget < MIN_SERIAL_CHARS) {
    ctx.report(
      node,
      'warning',
      'PPKG005',
      `Only ${a.serialBudget} character${a.serialBudget === 1 ? '' : 's'} left for %SERIAL%: Windows cuts the serial number from the left to fit ${NETBIOS_LIMIT} characters, so serial ${EXAMPLE_SERIAL} gives "${a.example}", and devices whose serials end alike get the same name.`,
      withSuggestion(name),
    );
  }
}

function withSuggestion(name: string): Record<string, unknown> | undefined {
  const suggestion = suggestShorterName(name);
  return suggestion ? { suggestedName: suggestion } : undefined;
}
