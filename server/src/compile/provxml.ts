/**
 * provxml documents (ppkg-format.md §4): `<wap-provisioningdoc>` without a
 * namespace or version, nested `<characteristic type>` elements and
 * `<parm name value datatype>` leaves; UTF-8 BOM, `standalone="yes"`, CRLF.
 */
import { attrs, newDocument, toBytes } from './xml';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';

export type Datatype = 'string' | 'boolean' | 'integer';
export interface Parm {
  kind: 'parm';
  name: string;
  value: string;
  datatype: Datatype;
}
export interface Characteristic {
  kind: 'characteristic';
  type: string;
  scope?: 'Device' | 'User';
  children: ProvNode[];
}
export type ProvNode = Parm | Characteristic;

export function characteristic(type: string, children: ProvNode[], scope?: 'Device' | 'User'): Characteristic {
  return { kind: 'characteristic', type, scope, children };
}

export function parm(name: string, value: string, datatype: Datatype = 'string'): Parm {
  return { kind: 'parm', name, value, datatype };
}

/** Nested characteristics along `path`, with `leaves` in the innermost one. */
export function nested(path: string[], leaves: ProvNode[], scope?: 'Device' | 'User'): Characteristic {
  let node: ProvNode[] = leaves;
  for (let i = path.length - 1; i >= 0; i--) node = [characteristic(path[i]!, node, i === 0 ? scope : undefined)];
  return node[0] as Characteristic;
}

function render(parent: XMLBuilder, n: ProvNode): void {
  if (n.kind === 'parm') {
    // Boolean values are lower case (§4).
    parent.ele('parm', attrs({ name: n.name, value: n.value, datatype: n.datatype }));
    return;
  }
  const el = parent.ele('characteristic', attrs(n.scope ? { type: n.type, scope: n.scope } : { type: n.type }));
  n.children.forEach((c) => render(el, c));
}

export function provxml(top: Characteristic[]): Buffer {
  const doc = newDocument(true);
  const root = doc.ele('wap-provisioningdoc');
  top.forEach((c) => render(root, c));
  return toBytes(doc);
}
