import type { RuleContext } from '../context';

/** PPKG080: a repeated property; JSON keeps the last one silently, which hides edits in review. */
export function structureRules(ctx: RuleContext): void {
  for (const dup of ctx.doc.duplicateKeys) {
    ctx.report(dup.property.children?.[0], 'error', 'PPKG080', `"${dup.key}" is set twice in the same object; only the last one counts. Remove one.`);
  }
}
