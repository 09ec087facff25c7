import { childElements, localName, textOf, type XElement } from '../../server/src/compile/xmlParse';

/**
 * Leaf path → text, with key attributes (`/Users/User[@UserName=x]/Password`),
 * for comparing setting trees regardless of element order. `trim` drops the
 * indentation of hand-written fixtures.
 */
export function xmlLeaves(el: XElement, options: { trim?: boolean } = {}, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of childElements(el)) {
    const key = c.attrs
      .filter(([k]) => k !== 'xmlns')
      .map(([k, v]) => `[@${k}=${v}]`)
      .join('');
    const p = `${prefix}/${localName(c.name)}${key}`;
    if (childElements(c).length) for (const [k, v] of xmlLeaves(c, options, p)) out.set(k, v);
    else out.set(p, options.trim ? textOf(c).trim() : textOf(c));
  }
  return out;
}
