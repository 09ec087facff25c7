/**
 * The `Customizations/Common` settings as an ordered tree: what the project
 * says, in WCD's vocabulary, before any secret is resolved. Both outputs are
 * made from it — customizations.xml (customizations.ts) and the compiled
 * runtime settings (runtime.ts) — so they cannot disagree.
 *
 * Every leaf remembers the project property it came from, so that a setting
 * the native backend cannot compile is reported on that property.
 */
import type { JsonPath } from '../model/parse';
import type { SecretValue } from '../model/project';
import { formatSettingPath, parseSettingPath, seg, wcdCompare, type PathSegment } from '../settings/wcdPath';

export { formatSettingPath, parseSettingPath, seg, type PathSegment };

export interface SettingLeaf {
  /** The text WCD writes, or a secret reference resolved when compiling. */
  value: SecretValue;
  /** For a file setting: the path as written in the project (relative to the project file). */
  file?: string;
  /** The project property this leaf came from. */
  source: JsonPath;
}

export interface SettingNode {
  name: string;
  /** Key and display attributes, e.g. [['UserName', 'x'], ['Name', 'x']]. */
  attrs: [string, string][];
  children: SettingNode[];
  leaf?: SettingLeaf;
}

function sameKey(node: SettingNode, s: PathSegment): boolean {
  if (node.name !== s.name) return false;
  // A keyed segment matches an element carrying the same values for the given keys.
  return s.attrs.every(([k, v]) => node.attrs.some(([nk, nv]) => nk === k && nv === v));
}

export class SettingsTree {
  readonly root: SettingNode = { name: 'Common', attrs: [], children: [] };

  /** The node at `segments`, created (appended in order) when missing. */
  ensure(segments: readonly PathSegment[], from: SettingNode = this.root): SettingNode {
    let node = from;
    for (const s of segments) {
      let next = s.attrs.length ? node.children.find((c) => sameKey(c, s)) : node.children.find((c) => c.name === s.name && c.attrs.length === 0);
      if (!next) {
        next = { name: s.name, attrs: s.attrs.map(([k, v]) => [k, v]), children: [] };
        node.children.push(next);
      }
      node = next;
    }
    return node;
  }

  /**
   * A new list element under `parent` (never merged with an existing one):
   * list instances are told apart by position, as ICD numbers them.
   */
  append(parent: readonly PathSegment[], element: PathSegment, from?: SettingNode): SettingNode {
    const p = this.ensure(parent, from);
    const node: SettingNode = { name: element.name, attrs: element.attrs.map(([k, v]) => [k, v]), children: [] };
    p.children.push(node);
    return node;
  }

  /**
   * Sets a leaf. Returns the leaf that was there before (the same setting
   * stated twice), which the caller reports.
   */
  set(segments: readonly PathSegment[], leaf: SettingLeaf, from?: SettingNode): SettingLeaf | undefined {
    const node = this.ensure(segments, from);
    const before = node.leaf;
    node.leaf = leaf;
    return before;
  }
}

/**
 * The children of a node in WCD's schema order: siblings by element name
 * (wcdPath.wcdCompare); instances of the same list element keep their order.
 */
export function orderedChildren(node: SettingNode): SettingNode[] {
  return node.children
    .map((c, i) => ({ c, i }))
    .sort((a, b) => wcdCompare(a.c.name, b.c.name) || a.i - b.i)
    .map((x) => x.c);
}

/** Every leaf with its instance path (with each list element's position), in schema order. */
export interface LeafAt {
  leaf: SettingLeaf;
  /** Segments from Common down to the leaf; `index` is the position among same-named siblings. */
  path: (PathSegment & { index: number })[];
  node: SettingNode;
}

/**
 * Every leaf, in ICD's order (`icd`), or in the order the settings were
 * written (`written`: the same leaves with the same paths and indexes,
 * since ICD's order keeps same-named siblings in written order; cheaper, for
 * checks that do not care about order).
 */
export function leavesOf(tree: SettingsTree, order: 'icd' | 'written' = 'icd'): LeafAt[] {
  const out: LeafAt[] = [];
  const walk = (node: SettingNode, path: (PathSegment & { index: number })[]): void => {
    const counts = new Map<string, number>();
    for (const c of order === 'icd' ? orderedChildren(node) : node.children) {
      const index = counts.get(c.name) ?? 0;
      counts.set(c.name, index + 1);
      const here = [...path, { name: c.name, attrs: c.attrs, index }];
      if (c.leaf && c.children.length === 0) out.push({ leaf: c.leaf, path: here, node: c });
      walk(c, here);
    }
  };
  walk(tree.root, []);
  return out;
}
