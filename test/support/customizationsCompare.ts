/**
 * A customizations.xml as the ordered list of what it says, for comparing a
 * rebuilt file with the original "setting for setting and in order":
 * PackageConfig fields, then every leaf of Customizations (Common, Targets,
 * Variant) as `path = value`, with key attributes in the path.
 *
 * Not compared, because they mean nothing to ICD: formatting, and the display
 * `Name` attribute WCD's editor writes next to a key (User[@UserName][@Name],
 * WLANConfig[@SSID][@Name]) or on a file (CommandFile, Dependency) — ICD
 * drops every such Name from AnswerFile.xml. OwnerType is case-insensitive
 * (PackageConfig.xsd).
 */
import { wcdCompare } from '../../server/src/settings/wcdPath';
import { childElements, localName, parseXmlDocument, textOf, type XElement } from '../../server/src/compile/xmlParse';

function keyAttrs(el: XElement): [string, string][] {
  const attrs = el.attrs.filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'));
  const name = attrs.find(([k]) => k === 'Name')?.[1];
  const display = name !== undefined && (attrs.some(([k, v]) => k !== 'Name' && v === name) || ['CommandFile', 'Dependency'].includes(localName(el.name)));
  return display ? attrs.filter(([k]) => k !== 'Name') : attrs;
}

function leaves(el: XElement, prefix: string, order: 'document' | 'schema', out: string[]): void {
  let children = childElements(el);
  if (order === 'schema')
    children = children
      .map((c, i) => ({ c, i }))
      .sort((a, b) => wcdCompare(localName(a.c.name), localName(b.c.name)) || a.i - b.i)
      .map((x) => x.c);
  for (const c of children) {
    const p = `${prefix}/${localName(c.name)}${keyAttrs(c)
      .map(([k, v]) => `[@${k}='${v}']`)
      .join('')}`;
    if (childElements(c).length) leaves(c, p, order, out);
    else out.push(`${p} = ${textOf(c)}`);
  }
}

export function settingsList(xml: string, order: 'document' | 'schema' = 'document'): string[] {
  const root = parseXmlDocument(xml.replace(/^\ufeff/, ''));
  const out: string[] = [];
  for (const part of childElements(root)) {
    const name = localName(part.name);
    if (name === 'PackageConfig') {
      const fields = childElements(part).map((f) => [localName(f.name), localName(f.name) === 'OwnerType' ? textOf(f).toLowerCase() : textOf(f)] as const);
      for (const [k, v] of fields.sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`PackageConfig/${k} = ${v}`);
    } else if (name === 'Settings') {
      // WCD's schema order governs Common; Targets and Variant keep their own (TargetRefs, then Settings).
      for (const customizations of childElements(part)) {
        for (const c of childElements(customizations))
          leaves(c, `${localName(customizations.name)}/${localName(c.name)}`, localName(c.name) === 'Common' ? order : 'document', out);
      }
    }
  }
  return out;
}
