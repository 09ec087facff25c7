/**
 * A setting's value as WCD writes it, compiled to what goes into the
 * package, and a setting's name for messages. The runtime compiler, the
 * group compilers (Wi-Fi, certificates) and validation's settings rule share
 * these, so a value the build refuses is refused the same way while editing.
 */
import type { SettingDef } from '../settings/types';
import type { LeafAt } from './settingsTree';

/** The leaf's WCD path with its key attributes, as WCD shows it (Name keys left out). */
export function describeLeaf(leaf: LeafAt): string {
  return leaf.path
    .map(
      (s) =>
        s.name +
        s.attrs
          .filter(([k]) => k !== 'Name')
          .map(([k, v]) => `[@${k}='${v}']`)
          .join(''),
    )
    .join('/');
}

/** WCD's text of a setting → the compiled value, or a problem in WCD's words. */
export function compileValue(def: SettingDef, text: string, where: string): { value: string } | { problem: string } {
  switch (def.wcd) {
    case 'bool':
      if (/^(true|false)$/i.test(text.trim())) return { value: text.trim().toLowerCase() };
      return { problem: `${where} takes True or False, not "${text}".` };
    case 'int': {
      const t = text.trim();
      if (/^-?\d+$/.test(t) && Number(t) >= -2147483648 && Number(t) <= 4294967295) return { value: t };
      if (/^-?\d+(\s+-?\d+)+$/.test(t)) {
        // WCD's editor takes a list; how ICD compiles one is not observed (docs/compiled-forms.md §Not yet seen in an ICD-built package).
        return {
          problem: `${where} lists several codes ("${text}"). The compiled form of a list is unknown, so the native backend compiles one code only: keep one, or build with --backend icd on Windows.`,
        };
      }
      return { problem: `${where} takes a whole number, not "${text}".` };
    }
    case 'choice': {
      const choice = def.choices?.find((c) => c.label === text) ?? def.choices?.find((c) => c.label.toLowerCase() === text.trim().toLowerCase());
      if (choice) return { value: choice.value };
      const labels = (def.choices ?? []).map((c) => `"${c.label}"`).join(', ');
      const csp =
        def.csp && !def.compiler && !def.asset
          ? ` For another value use the csp list with ./${def.scope === 'user' ? 'User' : 'Device'}/Vendor/MSFT/${def.csp.replace(/\{[A-Za-z]+\}/g, '<key>')}.`
          : '';
      return { problem: `${where} is "${text}", which the native backend cannot compile: it knows the values ${labels}.${csp}` };
    }
    default:
      return { value: text };
  }
}
