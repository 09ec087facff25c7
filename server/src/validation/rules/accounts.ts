import type { RuleContext } from '../context';

/** A local account the package creates: the wizard's administrator or an entry of `users`. */
function localAccounts(ctx: RuleContext): { admin: boolean; any: boolean } {
  const users = ctx.value(['users']);
  const list = Array.isArray(users) ? users : [];
  const localAdmin = ctx.value(['account', 'localAdmin']) !== undefined;
  return {
    admin: localAdmin || list.some((u) => u && typeof u === 'object' && (u as { group?: unknown }).group === 'Administrators'),
    any: localAdmin || list.length > 0,
  };
}

/**
 * Account rules (docs/provisioning.md §Local accounts and hidden setup, and Microsoft's
 * warning for Active Directory join): a device whose join fails needs a
 * local account to be reachable at all.
 */
export function accountRules(ctx: RuleContext): void {
  const accounts = localAccounts(ctx);
  const entra = ctx.value(['account', 'entra']) !== undefined;
  const ad = ctx.value(['account', 'activeDirectory']) !== undefined;

  if (entra && ad) {
    ctx.report(
      ctx.keyNode(['account', 'activeDirectory']),
      'error',
      'PPKG044',
      'A device joins either Active Directory or Microsoft Entra ID: the wizard offers one or the other. Remove account.activeDirectory or account.entra.',
    );
  }
  if (entra && !accounts.admin) {
    ctx.report(
      ctx.keyNode(['account', 'entra']),
      'warning',
      'PPKG040',
      'Entra join without a local administrator: if the join fails (no network, an expired token), nobody can sign in to the device. Add account.localAdmin.',
    );
  }
  if (ad && !accounts.any) {
    ctx.report(
      ctx.keyNode(['account', 'activeDirectory']),
      'warning',
      'PPKG042',
      'Active Directory join without a local account: Microsoft warns that if the join fails (no line of sight to a domain controller, a wrong password), the device cannot be signed in to. Add account.localAdmin.',
    );
  }
  if (ad) {
    const name = ctx.string(['device', 'name']);
    if (name === undefined) {
      ctx.report(
        ctx.keyNode(['account', 'activeDirectory']),
        'warning',
        'PPKG046',
        'Active Directory join without a device name: every device joins with the name Windows made up at setup. Set device.name (for example CORP-%SERIAL%).',
      );
    }
  }
  if (ctx.value(['oobe', 'hide']) === true && !accounts.any) {
    ctx.report(
      ctx.node(['oobe', 'hide']),
      'warning',
      'PPKG041',
      'Hide OOBE skips Windows setup, so the package must create a local account or the device is unusable. Add account.localAdmin.',
    );
  }
}
