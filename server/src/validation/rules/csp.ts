/**
 * The csp list (docs/project-format.md, "OMA-URI settings"): each entry must
 * be an OMA-URI the package can carry, its value must fit its format, and a
 * node set twice would leave only one value on the device.
 */
import { cspValueText, parseCspUri } from '../../compile/csp';
import { isSecretReference } from '../../model/secrets';
import type { RuleContext } from '../context';

export function cspRules(ctx: RuleContext): void {
  const list = ctx.value(['csp']);
  if (!Array.isArray(list)) return;
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    const uri = ctx.string(['csp', i, 'uri']);
    const format = ctx.string(['csp', i, 'format']);
    if (uri !== undefined) {
      const parsed = parseCspUri(uri);
      if ('error' in parsed) ctx.report(['csp', i, 'uri'], 'error', 'PPKG060', parsed.error);
      else {
        // ./Vendor/MSFT/X and ./Device/Vendor/MSFT/X are the same device node.
        const key = `${parsed.scope}:${[...parsed.path, parsed.parm].join('/').toLowerCase()}`;
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.report(
            ['csp', i, 'uri'],
            'error',
            'PPKG062',
            `This OMA-URI is also set by csp[${first}]; the device would keep only one of the values. Remove one.`,
          );
        } else seen.set(key, i);
      }
    }
    const value = (entry as { value?: unknown } | undefined)?.value;
    if (format !== undefined && value !== undefined && !isSecretReference(value)) {
      const ok = cspValueText(format as never, value);
      if ('error' in ok) ctx.report(['csp', i, 'value'], 'error', 'PPKG061', ok.error);
    }
  });
}
