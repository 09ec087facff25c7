/**
 * The image's directory tree, built from the flat entry list.
 *
 * Directories are implied by the paths. Children are kept in the order ICD
 * writes them (docs/wim-container.md §Dentries), which also makes the output
 * independent of the order of the caller's entries:
 *   - the root: `Multivariant`, `CommonSettings`, `DataAsset`, then anything
 *     else collated;
 *   - every other directory: its files, then its subdirectories, each group
 *     collated (case-insensitive UTF-16 comparison with a case-sensitive
 *     tie-break, wimlib's `collate_dentry_names`), so `10__x` precedes `1__x`.
 */
import type { WimFileEntry } from './types';

export interface WimFileNode {
  kind: 'file';
  name: string;
  /** Image path, as the caller gave it; used in error messages. */
  path: string;
  source: WimFileEntry['source'];
  /** Filled in by the writer once the content has been streamed. */
  size: number;
  sha1: Buffer | undefined;
}

export interface WimDirNode {
  kind: 'dir';
  name: string;
  path: string;
  children: WimNode[];
}

export type WimNode = WimFileNode | WimDirNode;

/** NTFS's limit on one path component, in UTF-16 code units. */
const MAX_NAME_UNITS = 255;
/** Characters Windows refuses in a file name; an image holding them cannot be applied there. */
const FORBIDDEN_IN_NAME = /[\u0000-\u001f\\:*?"<>|]/;
/** A lone surrogate cannot round-trip through UTF-8 readers (wimlib, 7-Zip). */
const LONE_SURROGATE = /\p{Cs}/u;

let upcaseTable: Uint16Array | undefined;

/**
 * Per-code-unit uppercase map, the shape of the NTFS/wimlib upcase table:
 * each UTF-16 unit maps to one unit (multi-unit expansions such as 'ß' → 'SS'
 * keep the unit unchanged, as NTFS does).
 */
function upcase(): Uint16Array {
  if (!upcaseTable) {
    upcaseTable = new Uint16Array(0x10000);
    for (let c = 0; c < 0x10000; c++) {
      const up = c >= 0xd800 && c <= 0xdfff ? '' : String.fromCharCode(c).toUpperCase();
      upcaseTable[c] = up.length === 1 ? up.charCodeAt(0) : c;
    }
  }
  return upcaseTable;
}

function compareUnits(a: string, b: string, ignoreCase: boolean): number {
  const up = ignoreCase ? upcase() : undefined;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (up) {
      x = up[x]!;
      y = up[y]!;
    }
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/** wimlib's dentry collation: case-insensitive first, then case-sensitive. */
export function collateNames(a: string, b: string): number {
  return compareUnits(a, b, true) || compareUnits(a, b, false);
}

function splitImagePath(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0) throw new Error('WIM entry has an empty path');
  if (path.startsWith('/')) throw new Error(`WIM entry path '${path}' must not start with '/'`);
  const parts = path.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') {
      throw new Error(`WIM entry path '${path}' has an empty, '.' or '..' component`);
    }
    if (FORBIDDEN_IN_NAME.test(part)) {
      throw new Error(`WIM entry path '${path}' has a character Windows does not allow in file names`);
    }
    if (LONE_SURROGATE.test(part)) throw new Error(`WIM entry path '${path}' is not valid Unicode`);
    if (part.length > MAX_NAME_UNITS) throw new Error(`WIM entry path '${path}' has a name longer than ${MAX_NAME_UNITS} characters`);
  }
  return parts;
}

function caseKey(name: string): string {
  const up = upcase();
  let key = '';
  for (let i = 0; i < name.length; i++) key += String.fromCharCode(up[name.charCodeAt(i)]!);
  return key;
}

/**
 * Build the sorted tree. Throws (naming the paths) on duplicate paths, on a
 * path used both as a file and as a directory, and on names that differ only
 * in case, which Windows could not extract side by side.
 */
export function buildTree(entries: readonly WimFileEntry[]): WimDirNode {
  const root: WimDirNode = { kind: 'dir', name: '', path: '', children: [] };
  // Per directory: case-folded name → node, to find parents and catch collisions.
  const index = new Map<WimDirNode, Map<string, WimNode>>([[root, new Map()]]);

  for (const entry of entries) {
    const parts = splitImagePath(entry.path);
    let dir = root;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const isLast = i === parts.length - 1;
      const siblings = index.get(dir)!;
      const key = caseKey(name);
      const existing = siblings.get(key);
      const here = parts.slice(0, i + 1).join('/');
      if (existing) {
        if (existing.name !== name) {
          throw new Error(`WIM entry paths '${existing.path}' and '${here}' differ only in case`);
        }
        if (isLast) throw new Error(`WIM entry path '${entry.path}' is listed twice or is also a directory`);
        if (existing.kind !== 'dir') throw new Error(`WIM entry path '${existing.path}' is a file but '${entry.path}' uses it as a directory`);
        dir = existing;
        continue;
      }
      const node: WimNode = isLast
        ? { kind: 'file', name, path: entry.path, source: entry.source, size: 0, sha1: undefined }
        : { kind: 'dir', name, path: here, children: [] };
      siblings.set(key, node);
      dir.children.push(node);
      if (node.kind === 'dir') {
        index.set(node, new Map());
        dir = node;
      }
    }
  }
  sortTree(root, true);
  return root;
}

/** The root's first children, in ICD's order (docs/wim-container.md §Dentries). */
const ROOT_ORDER = ['Multivariant', 'CommonSettings', 'DataAsset'].map(caseKey);

function rootRank(node: WimNode): number {
  const i = ROOT_ORDER.indexOf(caseKey(node.name));
  return i < 0 ? ROOT_ORDER.length : i;
}

/** ICD's order inside a directory other than the root: files, then subdirectories. */
function compareChildren(a: WimNode, b: WimNode): number {
  if (a.kind !== b.kind) return a.kind === 'file' ? -1 : 1;
  return collateNames(a.name, b.name);
}

function compareRootChildren(a: WimNode, b: WimNode): number {
  return rootRank(a) - rootRank(b) || collateNames(a.name, b.name);
}

function sortTree(dir: WimDirNode, isRoot: boolean): void {
  dir.children.sort(isRoot ? compareRootChildren : compareChildren);
  for (const c of dir.children) if (c.kind === 'dir') sortTree(c, false);
}

/** Files in dentry order (depth-first over the sorted tree): the order their data is written. */
export function filesInOrder(root: WimDirNode): WimFileNode[] {
  const out: WimFileNode[] = [];
  const visit = (dir: WimDirNode): void => {
    for (const c of dir.children) {
      if (c.kind === 'file') out.push(c);
      else visit(c);
    }
  };
  visit(root);
  return out;
}

/** Number of directories below the root: ICD's DIRCOUNT leaves the root out (docs/wim-container.md §Image XML). */
export function countDirs(root: WimDirNode): number {
  let n = 0;
  for (const c of root.children) if (c.kind === 'dir') n += 1 + countDirs(c);
  return n;
}
