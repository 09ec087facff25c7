/**
 * A jsonc tree patched after keystrokes, whose offset moves are deferred.
 *
 * Replacing one value by a value of another length moves every node after
 * it: in a 1 MB project that is tens of thousands of nodes per keystroke,
 * most of the cost of a keystroke. Validation needs the offsets of a few
 * nodes only (the ones it reports), so each replacement is recorded as a
 * shift and applied to a node when that node is located; the whole tree is
 * settled (every shift applied, once) only when something asks for it.
 *
 * The rule a shift applies is the one a full parse would give: the replaced
 * value is a complete node, so every other node lies before it (unchanged),
 * after it (moves by delta) or around it (grows by delta). A grafted
 * subtree is parsed from the text after its own replacement, so only the
 * shifts recorded after it apply to its nodes: each graft remembers how many
 * shifts came before it ("its stamp").
 */
import type { Node } from 'jsonc-parser';
import type { JsonPath, Located } from '../model/parse';

interface Shift {
  /** The replaced value's range before this shift. */
  start: number;
  end: number;
  delta: number;
}

type Mutable = { offset: number; length: number; colonOffset?: number };

/** Past this many pending shifts the tree is settled at once (settling costs nodes × shifts). */
const MAX_PENDING = 16;

export class PatchedTree {
  private shifts: Shift[] = [];
  /** Graft roots and the number of shifts recorded before each. */
  private grafts = new Map<Node, number>();

  constructor(private readonly root: Node) {}

  /** The tree with every offset current. */
  settled(): Node {
    if (this.shifts.length) this.settle();
    return this.root;
  }

  /** The node at a path with its current offsets (a positioned copy while shifts are pending), and its key. */
  locate(path: JsonPath): Located | undefined {
    let node: Node | undefined = this.root;
    let stamp = 0;
    let key: Node | undefined;
    let keyStamp = 0;
    for (const segment of path) {
      if (!node) return undefined;
      if (typeof segment === 'number' && node.type === 'array') {
        node = node.children?.[segment];
        key = undefined;
      } else {
        if (node.type !== 'object') return undefined;
        // The last property with this key wins, as it does for the value (model/parse.ts nodeAtPath).
        const name = String(segment);
        let found: Node | undefined;
        for (const prop of node.children ?? []) if (prop.children?.[0]?.value === name) found = prop;
        if (!found) return undefined;
        key = found.children![0];
        keyStamp = this.stampOf(found, stamp);
        node = found.children![1];
      }
      if (node) stamp = this.stampOf(node, stamp);
    }
    if (!node) return undefined;
    if (this.shifts.length === 0) return { node, key };
    return { node: this.positioned(node, stamp), key: key && this.positioned(key, keyStamp) };
  }

  /**
   * The deepest node whose current range holds `offset` (right bound
   * included), with every node on the way there and its stamp.
   */
  pathTo(offset: number): { node: Node; stamp: number }[] {
    const root = this.root;
    const out = [{ node: root, stamp: this.stampOf(root, 0) }];
    const r = this.current(root, out[0].stamp);
    if (offset < r.offset || offset > r.offset + r.length) return [];
    for (;;) {
      const { node, stamp } = out[out.length - 1];
      const children = node.children;
      if (!children?.length) return out;
      // Children are in order: binary search the last one starting at or before the offset.
      let lo = 0;
      let hi = children.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.current(children[mid], this.stampOf(children[mid], stamp)).offset <= offset) lo = mid + 1;
        else hi = mid;
      }
      const child = children[lo - 1];
      if (!child) return out;
      const childStamp = this.stampOf(child, stamp);
      const c = this.current(child, childStamp);
      if (offset > c.offset + c.length) return out;
      out.push({ node: child, stamp: childStamp });
    }
  }

  /** A node's current offset, length and colon offset. */
  current(node: Node, stamp: number): Mutable {
    let offset = node.offset;
    let length = node.length;
    let colonOffset = node.colonOffset;
    for (let k = stamp; k < this.shifts.length; k++) {
      const { start, end, delta } = this.shifts[k];
      if (offset >= end) {
        offset += delta;
        if (colonOffset !== undefined) colonOffset += delta;
      } else if (offset + length > start) {
        length += delta;
        if (colonOffset !== undefined && colonOffset >= end) colonOffset += delta;
      }
    }
    return { offset, length, colonOffset };
  }

  /**
   * Replaces `old` (whose current range starts at `start` and is `oldLength`
   * long) by `parsed`, a value parsed from the new text on its own (offsets
   * from 0), `delta` characters longer or shorter.
   */
  graft(old: Node, parsed: Node, start: number, oldLength: number, delta: number): void {
    const parent = old.parent!;
    shiftBy(parsed, start);
    (parsed as { parent?: Node }).parent = parent;
    const siblings = parent.children!;
    siblings[siblings.indexOf(old)] = parsed;
    if (delta !== 0) this.shifts.push({ start, end: start + oldLength, delta });
    this.grafts.set(parsed, this.shifts.length);
    if (this.shifts.length >= MAX_PENDING) this.settle();
  }

  private stampOf(node: Node, inherited: number): number {
    return this.grafts.size ? (this.grafts.get(node) ?? inherited) : inherited;
  }

  private positioned(node: Node, stamp: number): Node {
    const { offset, length, colonOffset } = this.current(node, stamp);
    return { type: node.type, value: node.value, offset, length, ...(colonOffset !== undefined ? { colonOffset } : {}) } as Node;
  }

  /** Applies every pending shift to every node, once. */
  private settle(): void {
    const stack: [Node, number][] = [[this.root, this.stampOf(this.root, 0)]];
    const pending = this.shifts.length;
    while (stack.length) {
      const [node, inherited] = stack.pop()!;
      const stamp = this.stampOf(node, inherited);
      if (stamp < pending) {
        const n = node as Mutable;
        const c = this.current(node, stamp);
        n.offset = c.offset;
        n.length = c.length;
        if (c.colonOffset !== undefined) n.colonOffset = c.colonOffset;
      }
      const children = node.children;
      if (children) for (let i = 0; i < children.length; i++) stack.push([children[i], stamp]);
    }
    this.shifts = [];
    this.grafts = new Map();
  }
}

function shiftBy(node: Node, delta: number): void {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()! as Node & Mutable;
    n.offset += delta;
    if (n.colonOffset !== undefined) n.colonOffset += delta;
    if (n.children) for (const c of n.children) stack.push(c);
  }
}
