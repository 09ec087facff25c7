import type { RuleContext } from '../context';

/**
 * Application rules (provisioning-script-to-install-app.md): commands run as
 * SYSTEM during setup with no one to click, so an MSI without a quiet switch
 * hangs until the 30-minute timeout.
 */
export function applicationRules(ctx: RuleContext): void {
  const apps = ctx.value(['applications']);
  if (!Array.isArray(apps)) return;
  apps.forEach((_, i) => {
    const installer = ctx.string(['applications', i, 'installer']);
    const commandLine = ctx.string(['applications', i, 'commandLine']);
    if (!installer || commandLine === undefined) return;
    if (/\.msi$/i.test(installer) && /msiexec/i.test(commandLine) && !/(^|\s)[/-](qn|quiet|q|passive|qb!?-?)(\s|$|\+)/i.test(commandLine)) {
      ctx.report(
        ctx.node(['applications', i, 'commandLine']),
        'warning',
        'PPKG036',
        'This msiexec command has no quiet switch. Commands run as SYSTEM during setup with nobody to click, and a dialog hangs until the 30-minute timeout. Add /qn.',
      );
    }
  });
}
