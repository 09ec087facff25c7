/**
 * WCD setting paths: the vocabulary every layer shares.
 *
 * An *instance path* names one element of a customizations.xml below
 * `Customizations/Common`, with the key attributes of list elements:
 * `Accounts/Users/User[@UserName='kiosk']/Password`. Its *schema path* drops
 * the keys: `Accounts/Users/User/Password` — the form WCD's own schema (and
 * ICD's SettingsPath attribute, docs/compiled-forms.md §Details the setting table relies on) uses, and the key
 * of the setting table.
 */

export interface PathSegment {
  name: string;
  /** Key attributes, e.g. [['UserName', 'kiosk']]. */
  attrs: [string, string][];
}

const SEGMENT = /^([A-Za-z][A-Za-z0-9_.-]*)((?:\[@[A-Za-z][A-Za-z0-9_.-]*='[^']*'\])*)$/;

/** Splits an instance path into segments; undefined when malformed. */
export function parseSettingPath(path: string): PathSegment[] | undefined {
  // The compiler and the rules parse the same few dozen paths for every project: keep them (frozen, so
  // a caller that changed one would fail loudly instead of changing it for everyone).
  const known = parsedPaths.get(path);
  if (known !== undefined || parsedPaths.has(path)) return known;
  const parsed = parseUncached(path);
  if (parsedPaths.size >= MAX_PARSED_PATHS) parsedPaths.clear();
  parsedPaths.set(path, parsed && deepFreeze(parsed));
  return parsed;
}

const MAX_PARSED_PATHS = 1024;
const parsedPaths = new Map<string, PathSegment[] | undefined>();

function deepFreeze(segments: PathSegment[]): PathSegment[] {
  for (const s of segments) {
    for (const a of s.attrs) Object.freeze(a);
    Object.freeze(s.attrs);
    Object.freeze(s);
  }
  return Object.freeze(segments) as PathSegment[];
}

function parseUncached(path: string): PathSegment[] | undefined {
  // Split on '/' outside of [...] (attribute values may contain slashes).
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  let quoted = false;
  for (const ch of path) {
    if (ch === "'" && depth > 0) quoted = !quoted;
    if (!quoted && ch === '[') depth++;
    if (!quoted && ch === ']') depth--;
    if (ch === '/' && depth === 0 && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const segments: PathSegment[] = [];
  for (const part of parts) {
    const m = SEGMENT.exec(part);
    if (!m) return undefined;
    const attrs: [string, string][] = [];
    for (const a of m[2]!.matchAll(/\[@([A-Za-z][A-Za-z0-9_.-]*)='([^']*)'\]/g)) attrs.push([a[1]!, a[2]!]);
    segments.push({ name: m[1]!, attrs });
  }
  return segments;
}

/** Writes an instance path with its key attributes (inverse of parseSettingPath). */
export function formatSettingPath(segments: readonly PathSegment[]): string {
  return segments.map((s) => s.name + s.attrs.map(([k, v]) => `[@${k}='${v}']`).join('')).join('/');
}

/** The schema path of an instance: element names only. */
export function schemaPathOf(segments: readonly PathSegment[]): string {
  return segments.map((s) => s.name).join('/');
}

/** Key segment helper: `seg('User', ['UserName', 'x'])`. */
export function seg(name: string, ...attrs: [string, string][]): PathSegment {
  return { name, attrs };
}

/**
 * The order of WCD's schema. ICD's settings store is a registry hive, whose
 * subkeys enumerate sorted case-insensitively (upper-cased UTF-16 units); every
 * order observed in ICD's output and in WCD-saved customizations.xml files is
 * that order, segment by segment (docs/compiled-forms.md §Groups, files and order). Ties (names
 * equal ignoring case) fall back to ordinal order so the sort is total.
 */
export function wcdCompare(a: string, b: string): number {
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  if (ua !== ub) return ua < ub ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
