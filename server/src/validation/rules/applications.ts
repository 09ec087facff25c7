import { PerIndex, reportEach, type ItemFinding } from '../perItem';
import type { RuleContext } from '../context';

/**
 * Application rules (https://learn.microsoft.com/windows/configuration/provisioning-packages/provisioning-script-to-install-app): commands run as
 * SYSTEM during setup with no one to click, so an MSI without a quiet switch
 * hangs until the 30-minute timeout.
 */
export function applicationRules(ctx: RuleContext): void {
  const apps = ctx.value(['applications']);
  if (!Array.isArray(apps)) return;
  const quiet = ctx.memo('applications/quiet', () => new PerIndex<ItemFinding[]>());
  const { values } = quiet.map(apps, '', (app): ItemFinding[] => {
    const installer = (app as { installer?: unknown })?.installer;
    const commandLine = (app as { commandLine?: unknown })?.commandLine;
    if (typeof installer !== 'string' || !installer || typeof commandLine !== 'string') return [];
    if (!/\.msi$/i.test(installer) || !/msiexec/i.test(commandLine) || /(^|\s)[/-](qn|quiet|q|passive|qb!?-?)(\s|$|\+)/i.test(commandLine)) return [];
    return [
      {
        path: ['commandLine'],
        severity: 'warning',
        code: 'PPKG036',
        message:
          'This msiexec command has no quiet switch. Commands run as SYSTEM during setup with nobody to click, and a dialog hangs until the 30-minute timeout. Add /qn.',
      },
    ];
  });
  reportEach(ctx, 'applications', values);
}

/**
 * PPKG039: WCD keys commands and certificates by their name
 * (CommandConfig[@Name], …[@CertificateName]); two entries with one name
 * would be merged into one setting in customizations.xml.
 */
/** What makes an item's name clash with another's: its group and lower-case name (undefined: it has none). */
type NameKey = { key: string; name: string } | undefined;

const sameKey = (a: NameKey, b: NameKey) => a?.key === b?.key && a?.name === b?.name;

export function uniqueNameRules(ctx: RuleContext): void {
  const check = (
    list: string,
    label: (item: Record<string, unknown>) => string | undefined,
    group: (item: Record<string, unknown>) => string,
    what: string,
  ) => {
    const items = ctx.value([list]);
    if (!Array.isArray(items)) return;
    // Each item's key is kept per item; the clashes are kept while no key changed.
    const memo = ctx.memo(`names/${list}`, () => ({ keys: new PerIndex<NameKey>(sameKey), clashes: [] as { i: number; first: number; name: string }[] }));
    const { values: keys, changed } = memo.keys.map(items, '', (raw) => {
      if (!raw || typeof raw !== 'object') return undefined;
      const item = raw as Record<string, unknown>;
      const name = label(item);
      return name === undefined ? undefined : { key: `${group(item)}\u0000${name.toLowerCase()}`, name };
    });
    if (changed) {
      const seen = new Map<string, number>();
      memo.clashes = [];
      keys.forEach((k, i) => {
        if (!k) return;
        const first = seen.get(k.key);
        if (first === undefined) seen.set(k.key, i);
        else memo.clashes.push({ i, first, name: k.name });
      });
    }
    for (const { i, first, name } of memo.clashes) {
      ctx.report(
        [list, i, 'name'],
        'error',
        'PPKG039',
        `${list}[${first}] already has the name "${name}"; WCD tells ${what} apart by name, so the two would become one. Rename one of them.`,
      );
    }
  };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  check(
    'applications',
    (a) => text(a.name),
    () => '',
    'applications',
  );
  check(
    'certificates',
    (c) => text(c.name),
    (c) => (/\.(pfx|p12)$/i.test(text(c.file) ?? '') ? 'client' : (text(c.store) ?? 'Root')),
    'certificates of one store',
  );
}
