import type { RuleContext } from '../context';

/** Account rules (windows-provisioning.md §6 rules 7 and 8). */
export function accountRules(ctx: RuleContext): void {
  const hasLocalAdmin = ctx.value(['account', 'localAdmin']) !== undefined;
  if (hasLocalAdmin) return;
  if (ctx.value(['account', 'entra']) !== undefined) {
    ctx.report(
      ctx.keyNode(['account', 'entra']),
      'warning',
      'PPKG040',
      'Entra join without a local administrator: if the join fails (no network, an expired token), nobody can sign in to the device. Add account.localAdmin.',
    );
  }
  if (ctx.value(['oobe', 'hide']) === true) {
    ctx.report(
      ctx.node(['oobe', 'hide']),
      'warning',
      'PPKG041',
      'Hide OOBE skips Windows setup, so the package must create a local account or the device is unusable. Add account.localAdmin.',
    );
  }
}
