import { PerItem, reportItem, type ItemFinding } from '../perItem';
import type { RuleContext } from '../context';

/**
 * Application rules (provisioning-script-to-install-app.md): commands run as
 * SYSTEM during setup with no one to click, so an MSI without a quiet switch
 * hangs until the 30-minute timeout.
 */
const quietFindings = new PerItem();

export function applicationRules(ctx: RuleContext): void {
  const apps = ctx.value(['applications']);
  if (!Array.isArray(apps)) return;
  apps.forEach((app, i) => {
    const findings = quietFindings.findings(app, '', (): ItemFinding[] => {
      const installer = (app as { installer?: unknown })?.installer;
      const commandLine = (app as { commandLine?: unknown })?.commandLine;
      if (typeof installer !== 'string' || !installer || typeof commandLine !== 'string') return [];
      if (!/\.msi$/i.test(installer) || !/msiexec/i.test(commandLine) || /(^|\s)[/-](qn|quiet|q|passive|qb!?-?)(\s|$|\+)/i.test(commandLine)) return [];
      return [
        {
          path: ['commandLine'],
          severity: 'warning',
          code: 'PPKG036',
          message: 'This msiexec command has no quiet switch. Commands run as SYSTEM during setup with nobody to click, and a dialog hangs until the 30-minute timeout. Add /qn.',
        },
      ];
    });
    if (findings.length) reportItem(ctx, ['applications', i], findings);
  });
}

/**
 * PPKG039: WCD keys commands and certificates by their name
 * (CommandConfig[@Name], …[@CertificateName]); two entries with one name
 * would be merged into one setting in customizations.xml.
 */
export function uniqueNameRules(ctx: RuleContext): void {
  const check = (list: string, label: (item: Record<string, unknown>) => string | undefined, group: (item: Record<string, unknown>) => string, what: string) => {
    const items = ctx.value([list]);
    if (!Array.isArray(items)) return;
    const seen = new Map<string, number>();
    items.forEach((raw, i) => {
      if (!raw || typeof raw !== 'object') return;
      const item = raw as Record<string, unknown>;
      const name = label(item);
      if (name === undefined) return;
      const key = `${group(item)}\u0000${name.toLowerCase()}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.report([list, i, 'name'], 'error', 'PPKG039', `${list}[${first}] already has the name "${name}"; WCD tells ${what} apart by name, so the two would become one. Rename one of them.`);
    });
  };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  check('applications', (a) => text(a.name), () => '', 'applications');
  check('certificates', (c) => text(c.name), (c) => (/\.(pfx|p12)$/i.test(text(c.file) ?? '') ? 'client' : text(c.store) ?? 'Root'), 'certificates of one store');
}
