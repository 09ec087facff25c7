/**
 * Findings kept per part of the project. After a keystroke the language
 * server patches the previous version's value, copying only the containers
 * on the path to the edit (languageService/incrementalProject.ts): every
 * other application, user or certificate is the same object as before. A rule
 * that keys what it found for one such object on the object itself redoes
 * only the part that changed, so validating a 1 MB project costs about what
 * a 2 KB one does.
 *
 * Findings are stored with paths relative to the part; the caller reports
 * them under the part's current path (its index can change without the
 * object changing).
 */
import type { JsonPath } from '../model/parse';
import type { RuleContext } from './context';
import type { Severity } from './diagnostic';

export interface ItemFinding {
  /** Relative to the item. */
  path: JsonPath;
  severity: Severity;
  code: string;
  message: string;
  data?: Record<string, unknown>;
  sub?: { start: number; end: number };
}

/** A cache of findings per item object, for one rule (and one variant of its options). */
export class PerItem {
  private readonly byVariant = new Map<string, WeakMap<object, ItemFinding[]>>();

  /** The item's findings, computed once per item object and variant. */
  findings(item: unknown, variant: string, compute: () => ItemFinding[]): ItemFinding[] {
    if (item === null || typeof item !== 'object') return compute();
    let cache = this.byVariant.get(variant);
    if (!cache) this.byVariant.set(variant, (cache = new WeakMap()));
    let found = cache.get(item);
    if (!found) cache.set(item, (found = compute()));
    return found;
  }
}

/** Reports an item's findings under the item's path; fix edits (data.fixes) are relative to the item as well. */
export function reportItem(ctx: RuleContext, at: JsonPath, findings: readonly ItemFinding[]): void {
  for (const f of findings) {
    const fixes = f.data?.fixes as { edits: { path: JsonPath }[] }[] | undefined;
    const data = fixes ? { ...f.data, fixes: fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, path: [...at, ...e.path] })) })) } : f.data;
    ctx.report([...at, ...f.path], f.severity, f.code, f.message, data, f.sub);
  }
}
