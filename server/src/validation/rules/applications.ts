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

/**
 * PPKG039: WCD keys commands and certificates by their name
 * (CommandConfig[@Name], …[@CertificateName]); two entries with one name
 * would be merged into one setting in customizations.xml.
 */
export function uniqueNameRules(ctx: RuleContext): void {
  const check = (list: string, label: (i: number) => string | undefined, group: (i: number) => string, what: string) => {
    const items = ctx.value([list]);
    if (!Array.isArray(items)) return;
    const seen = new Map<string, number>();
    items.forEach((_, i) => {
      const name = label(i);
      if (name === undefined) return;
      const key = `${group(i)}\u0000${name.toLowerCase()}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.report([list, i, 'name'], 'error', 'PPKG039', `${list}[${first}] already has the name "${name}"; WCD tells ${what} apart by name, so the two would become one. Rename one of them.`);
    });
  };
  check('applications', (i) => ctx.string(['applications', i, 'name']), () => '', 'applications');
  check(
    'certificates',
    (i) => ctx.string(['certificates', i, 'name']),
    (i) => (/\.(pfx|p12)$/i.test(ctx.string(['certificates', i, 'file']) ?? '') ? 'client' : ctx.string(['certificates', i, 'store']) ?? 'Root'),
    'certificates of one store',
  );
}
