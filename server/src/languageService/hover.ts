import { MarkupKind, type Hover, type MarkupContent, type MarkedString } from 'vscode-languageserver-types';
import { analyzeDeviceName, DNS_LIMIT, EXAMPLE_SERIAL, MIN_SERIAL_CHARS, NETBIOS_LIMIT } from '../model/deviceName';
import { daysBetween, latestSafeExpiry, MAX_TOKEN_LIFETIME_DAYS, parseIsoDate } from '../model/dates';
import { nodeAtPath } from '../model/parse';
import { secretEnvVar } from '../model/secrets';
import { nodeAndPathAt, pathEquals, secretFieldOf, type DocContext } from './context';

/**
 * Hover = the schema's markdown (WCD term, what it does on the device, the
 * Microsoft link) from vscode-json-languageservice, plus live facts: the
 * device name's worst-case expansion, the days left on the bulk token, and
 * whether a referenced secret is set. Never a secret value.
 */
export function hoverDomain(ctx: DocContext, offset: number, schemaHover: Hover | null): Hover | null {
  const { node, path } = nodeAndPathAt(ctx.project, offset);
  const extra: string[] = [];

  if (pathEquals(path, ['device', 'name'])) {
    const v = nodeAtPath(ctx.project.root, ['device', 'name']);
    if (v?.type === 'string' && typeof v.value === 'string') extra.push(deviceNameFacts(v.value));
  } else if (pathEquals(path, ['account', 'entra', 'tokenExpiry'])) {
    const v = nodeAtPath(ctx.project.root, ['account', 'entra', 'tokenExpiry']);
    if (v?.type === 'string') extra.push(expiryFacts(ctx, String(v.value)));
  }

  // A secret reference: hovering the object, its "secret" key or the name.
  const secretPath = path[path.length - 1] === 'secret' ? path.slice(0, -1) : path;
  const refNode = nodeAtPath(ctx.project.root, [...secretPath, 'secret']);
  if (refNode?.type === 'string' && (secretFieldOf(secretPath) || path[path.length - 1] === 'secret')) {
    extra.push(secretFacts(ctx, String(refNode.value), secretFieldOf(secretPath)?.what));
  }

  if (extra.length === 0 && !schemaHover) return null;
  const base = schemaHover ? markdownOf(schemaHover.contents) : '';
  const value = [base, ...extra].filter(Boolean).join('\n\n---\n\n');
  const range =
    schemaHover?.range ?? (node ? { start: ctx.document.positionAt(node.offset), end: ctx.document.positionAt(node.offset + node.length) } : undefined);
  return { contents: { kind: MarkupKind.Markdown, value }, ...(range ? { range } : {}) };
}

function markdownOf(contents: MarkupContent | MarkedString | MarkedString[]): string {
  if (Array.isArray(contents)) return contents.map((c) => markdownOf(c)).join('\n\n');
  if (typeof contents === 'string') return contents;
  if ('kind' in contents) return contents.value;
  return '```' + contents.language + '\n' + contents.value + '\n```';
}

export function deviceNameFacts(name: string): string {
  const a = analyzeDeviceName(name);
  if (a.parts.some((p) => p.kind === 'bad')) return `**Device name:** contains a malformed macro; see the problem list.`;
  const lines: string[] = [];
  const worst = a.worstCaseWithoutSerial;
  if (a.hasSerial) {
    lines.push(
      `**Device name:** ${worst} fixed character${worst === 1 ? '' : 's'}${a.randDigits ? ` (including ${a.randDigits} random digit${a.randDigits === 1 ? '' : 's'})` : ''}, ` +
        `leaving **${a.serialBudget} of ${NETBIOS_LIMIT}** for %SERIAL%. Serial ${EXAMPLE_SERIAL} gives \`${a.example}\`.`,
    );
    if (a.serialBudget < MIN_SERIAL_CHARS)
      lines.push(`Fewer than ${MIN_SERIAL_CHARS} serial characters: devices whose serials end alike will get the same name.`);
  } else {
    lines.push(`**Device name:** expands to at most **${worst} of ${NETBIOS_LIMIT}** characters${a.randDigits ? `, e.g. \`${a.example}\`` : ''}.`);
  }
  if (worst > NETBIOS_LIMIT)
    lines.push(`Over the ${NETBIOS_LIMIT}-character NetBIOS limit${worst > DNS_LIMIT ? ` and the ${DNS_LIMIT}-character DNS limit` : ''}.`);
  if (a.randDigits > 0 || a.hasSerial) lines.push('Names made from macros are not guaranteed to be unique.');
  return lines.join(' ');
}

function expiryFacts(ctx: DocContext, text: string): string {
  const expiry = parseIsoDate(text);
  if (!expiry) return `**Bulk token:** "${text}" is not a YYYY-MM-DD date. The latest allowed expiry from today is ${latestSafeExpiry(ctx.now)}.`;
  const days = daysBetween(ctx.now, expiry);
  if (days <= 0)
    return `**Bulk token:** expired ${days === 0 ? 'today' : `${-days} day${days === -1 ? '' : 's'} ago`} (${text}). Fetch a new one with **ppkg: Fetch Bulk Token** and rebuild.`;
  return `**Bulk token:** **${days} day${days === 1 ? '' : 's'} left** (stops working at 00:00 UTC on ${text}). Tokens live at most ${MAX_TOKEN_LIFETIME_DAYS} days.`;
}

function secretFacts(ctx: DocContext, name: string, what: string | undefined): string {
  const set = ctx.secretNames.has(name);
  const subject = what ? `The ${what} is the secret **${name}**` : `Secret **${name}**`;
  return set
    ? `${subject}: **set** in VS Code's SecretStorage for this project. The CLI reads \`${secretEnvVar(name)}\`.`
    : `${subject}: **not set** in VS Code's SecretStorage for this project. Run **ppkg: Set Secret** (the CLI reads \`${secretEnvVar(name)}\`).`;
}
