/**
 * The `Customizations/Common` settings as an ordered tree, so that the wizard
 * settings and the project's `additionalSettings` (WCD setting paths such as
 * `Accounts/Users/User[@UserName='x']/UserGroup`) merge into one element per
 * path, as WCD writes them.
 */

export interface SettingNode {
  name: string;
  /** Key attributes, e.g. [['UserName', 'x']]. */
  attrs: [string, string][];
  children: SettingNode[];
  text?: string;
}

export interface PathSegment {
  name: string;
  attrs: [string, string][];
}

const SEGMENT = /^([A-Za-z][A-Za-z0-9_.-]*)((?:\[@[A-Za-z][A-Za-z0-9_.-]*='[^']*'\])*)$/;

/** Splits a setting path (the schema's form) into segments; undefined when malformed. */
export function parseSettingPath(path: string): PathSegment[] | undefined {
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

/** Writes a setting path with its key attributes (inverse of parseSettingPath). */
export function formatSettingPath(segments: PathSegment[]): string {
  return segments.map((s) => s.name + s.attrs.map(([k, v]) => `[@${k}='${v}']`).join('')).join('/');
}

function sameKey(node: SettingNode, seg: PathSegment): boolean {
  if (node.name !== seg.name) return false;
  // A keyed segment matches an element carrying the same values for the given keys.
  return seg.attrs.every(([k, v]) => node.attrs.some(([nk, nv]) => nk === k && nv === v));
}

export class SettingsTree {
  readonly root: SettingNode = { name: 'Common', attrs: [], children: [] };

  /** The node at `segments`, created (appended in order) when missing. */
  ensure(segments: PathSegment[]): SettingNode {
    let node = this.root;
    for (const seg of segments) {
      let next = seg.attrs.length ? node.children.find((c) => sameKey(c, seg)) : node.children.find((c) => c.name === seg.name && c.attrs.length === 0);
      if (!next) {
        next = { name: seg.name, attrs: seg.attrs.map(([k, v]) => [k, v]), children: [] };
        node.children.push(next);
      }
      node = next;
    }
    return node;
  }

  /** Sets a leaf value. Returns true when it replaced a different value already there. */
  set(segments: PathSegment[], value: string): boolean {
    const node = this.ensure(segments);
    const replaced = node.text !== undefined && node.text !== value;
    node.text = value;
    return replaced;
  }

  /** Convenience: `set('Accounts/Azure/BPRT', v)` for paths without key attributes. */
  setPath(path: string, value: string): void {
    this.set(parseSettingPath(path)!, value);
  }
}

/** Key segment helper: `seg('User', ['UserName', 'x'])`. */
export function seg(name: string, ...attrs: [string, string][]): PathSegment {
  return { name, attrs };
}
