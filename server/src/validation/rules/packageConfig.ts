import type { RuleContext } from '../context';

const PRODUCT_KEY = /^[A-Z0-9]{5}(-[A-Z0-9]{5}){4}$/;

/** Device settings that are checked by form (docs/provisioning.md §Edition upgrade and product key; https://learn.microsoft.com/windows/configuration/wcd/wcd-editionupgrade). */
export function packageConfigRules(ctx: RuleContext): void {
  const key = ctx.string(['device', 'productKey']);
  if (key !== undefined && !PRODUCT_KEY.test(key)) {
    // A product key is a licence, not a credential: still, show its form only.
    const upper = key.toUpperCase();
    const hint = PRODUCT_KEY.test(upper) ? ' Write it in upper case.' : '';
    ctx.report(
      ctx.node(['device', 'productKey']),
      'error',
      'PPKG050',
      `The product key must have the form XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (25 letters and digits in five groups).${hint}`,
      hint ? { fixed: upper } : undefined,
    );
  }
  if (ctx.value(['protection', 'encrypt']) === true) {
    ctx.report(
      ctx.node(['protection', 'encrypt']),
      'information',
      'PPKG090',
      'Only ICD can encrypt a package: build on Windows with the ICD backend (ppkg build --backend icd). The native backend refuses this project.',
    );
  }
}
