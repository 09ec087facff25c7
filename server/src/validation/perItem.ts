/**
 * Findings kept per item of a list (an application, a user, a certificate).
 * After a keystroke the language server patches the previous version's
 * value, copying only the containers on the path to the edit
 * (languageService/incrementalProject.ts): every other item is the same
 * object as before, usually at the same index. A rule that derives what it
 * needs per item through PerIndex redoes only the item that changed, so
 * validating a 1 MB project costs about what a 2 KB one does.
 *
 * Findings are stored with paths relative to the item; reportEach reports
 * them under the item's current index (an item can move without changing).
 */
import type { JsonPath } from '../model/parse';
import type { RuleContext } from './context';
import type { DiagnosticCode } from './catalog';
import type { Severity } from './diagnostic';

export interface ItemFinding {
  /** Relative to the item. */
  path: JsonPath;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  data?: Record<string, unknown>;
  sub?: { start: number; end: number };
}

const isObject = (v: unknown): v is object => v !== null && typeof v === 'object';

/**
 * A value derived from each item of a list, for one rule and one variant of
 * its inputs (the backend, the file probe's state): recomputed only for an
 * item that is not the same object at the same index as in the previous
 * list, and not a known object that moved.
 *
 * The previous list is compared by identity, index by index, which costs a
 * few microseconds for thousands of items; objects that moved are found in a
 * WeakMap. `changed` tells the caller whether any value differs from the
 * previous list's at its index (by `same`), so a finding across items (two
 * applications with one name) can be kept as well.
 */
export class PerIndex<T> {
  private variant: string | undefined;
  private byObject = new WeakMap<object, T>();
  private lastItems: readonly unknown[] | undefined;
  private lastValues: T[] = [];

  constructor(private readonly same: (a: T, b: T) => boolean = Object.is) {}

  map(items: readonly unknown[], variant: string, compute: (item: unknown) => T): { values: readonly T[]; changed: boolean } {
    if (variant !== this.variant) {
      this.variant = variant;
      this.byObject = new WeakMap();
      this.lastItems = undefined;
      this.lastValues = [];
    }
    const prev = this.lastItems;
    const prevValues = this.lastValues;
    let changed = !prev || prev.length !== items.length;
    const values = new Array<T>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (prev !== undefined && i < prev.length && prev[i] === item) {
        values[i] = prevValues[i];
        continue;
      }
      let value: T;
      if (isObject(item) && this.byObject.has(item)) value = this.byObject.get(item)!;
      else {
        value = compute(item);
        if (isObject(item)) this.byObject.set(item, value);
      }
      values[i] = value;
      if (!changed && !this.same(value, prevValues[i])) changed = true;
    }
    this.lastItems = items;
    this.lastValues = values;
    return { values, changed };
  }
}

/** Reports each item's findings under `list[index]`; fix edits (data.fixes) are relative to the item as well. */
export function reportEach(ctx: RuleContext, list: string, findings: readonly (readonly ItemFinding[])[]): void {
  for (let i = 0; i < findings.length; i++) if (findings[i].length) reportItem(ctx, [list, i], findings[i]);
}

/** Reports an item's findings under the item's path; fix edits (data.fixes) are relative to the item as well. */
export function reportItem(ctx: RuleContext, at: JsonPath, findings: readonly ItemFinding[]): void {
  for (const f of findings) {
    const fixes = f.data?.fixes as { edits: { path: JsonPath }[] }[] | undefined;
    const data = fixes ? { ...f.data, fixes: fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, path: [...at, ...e.path] })) })) } : f.data;
    ctx.report([...at, ...f.path], f.severity, f.code, f.message, data, f.sub);
  }
}
