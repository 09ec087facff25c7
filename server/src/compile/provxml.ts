/**
 * A compiled group → its provxml file (docs/compiled-forms.md, "provxml"):
 * `<wap-provisioningdoc>` without attributes, nested `<characteristic type>`
 * elements, `<parm name value datatype [exec]>` leaves; UTF-8 BOM,
 * `standalone="yes"`, ICD's byte conventions (icdXml.ts).
 *
 * Parms are written in order, and a parm shares the characteristics it has in
 * common with the parm written just before it — not with earlier ones. That
 * is what ICD does: in an ICD-compiled VPN profile, CryptographySuite appears
 * four times, interleaved with Authentication, in the order of the WCD
 * settings. The ForceSettingReload companions follow the group's parms.
 */
import { DECLARATION, xmlDocument, type XmlElement } from './icdXml';
import type { CompiledGroup, ProvParm } from './runtime';

/** `<n>_<Base64(SHA-256) with / as .>` (docs/compiled-forms.md §Data assets). */
export function assetFolder(number: number, sha256: Buffer): string {
  return `${number}_${sha256.toString('base64').replace(/\//g, '.')}`;
}

export function parmName(p: ProvParm): string {
  if (typeof p.name === 'string') return p.name;
  const a = p.name.asset;
  if (a.number === undefined) throw new Error('internal: asset not numbered before rendering');
  return `${assetFolder(a.number, a.input.sha256)}\\${a.fileName}`;
}

function parmElement(p: ProvParm): XmlElement {
  const attrs: [string, string][] = [
    ['name', parmName(p)],
    ['value', p.value],
    ['datatype', p.datatype],
  ];
  if (p.exec) attrs.push(['exec', '1']);
  return { name: 'parm', attrs };
}

/** The parms of a group followed by its ForceSettingReload companions. */
export function groupParms(group: CompiledGroup): ProvParm[] {
  const reloads = group.reloads.map((name): ProvParm => ({ path: ['Provisioning', 'ForceSettingReload'], name, value: '1', datatype: 'integer' }));
  return [...group.parms, ...reloads];
}

export function provxmlDocument(group: CompiledGroup): XmlElement {
  const root: XmlElement = { name: 'wap-provisioningdoc', children: [] };
  // The chain of characteristics the previous parm was written into.
  let open: { type: string; scope?: string; el: XmlElement }[] = [];
  for (const p of groupParms(group)) {
    let shared = 0;
    while (shared < open.length && shared < p.path.length && open[shared]!.type === p.path[shared] && (shared > 0 || open[0]!.scope === p.scope)) shared++;
    open = open.slice(0, shared);
    for (let i = shared; i < p.path.length; i++) {
      const attrs: [string, string][] = [['type', p.path[i]!]];
      if (i === 0 && p.scope) attrs.push(['scope', p.scope]);
      const c: XmlElement = { name: 'characteristic', attrs, children: [] };
      (i === 0 ? root : open[i - 1]!.el).children!.push(c);
      open.push({ type: p.path[i]!, scope: i === 0 ? p.scope : undefined, el: c });
    }
    (open.length ? open[open.length - 1]!.el : root).children!.push(parmElement(p));
  }
  return root;
}

export function provxml(group: CompiledGroup): Buffer {
  return xmlDocument(provxmlDocument(group), { bom: true, declaration: DECLARATION.provxml });
}
