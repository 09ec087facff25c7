/**
 * XML output helpers. Every XML file ppkg writes is UTF-8 with a BOM and CRLF
 * line ends (docs/compiled-forms.md §Byte conventions verified on Windows: a provxml without the BOM fails on Windows
 * with 0xC00CEE2D). Text is escaped by xmlbuilder2; never concatenate XML.
 */
import type * as Xmlbuilder2 from 'xmlbuilder2';
import type { XMLBuilder, XMLBuilderCreateOptions } from 'xmlbuilder2/lib/interfaces';
import type { XNode } from './xmlParse';

let xmlbuilder2: typeof Xmlbuilder2 | undefined;

/**
 * A new XML document. xmlbuilder2 (with the DOM and YAML libraries it
 * brings, about 10 ms to set up) is loaded on first use, not at every CLI
 * start: inspecting a package or validating a project writes no XML.
 */
export function createXml(options?: XMLBuilderCreateOptions): XMLBuilder {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  xmlbuilder2 ??= require('xmlbuilder2') as typeof Xmlbuilder2;
  return options ? xmlbuilder2.create(options) : xmlbuilder2.create();
}

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * xmlbuilder2 (4.0.3) leaves an "&" alone when it already looks like an
 * entity (`&lt;`, `&amp;`, …), in text and in attributes: a password
 * `a&amp;b` would come out as `a&b` after parsing, and an embedded XML value
 * (WlanXml) would lose a level of escaping. Every value passed to it goes
 * through `amp`, so its "&amp;" survives untouched and everything else is
 * escaped by xmlbuilder2 itself: the value is escaped exactly once.
 */
export function amp(s: string): string {
  return s.replace(/&/g, '&amp;');
}

/** Attribute map with every value through `amp`. */
export function attrs(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = amp(v);
  return out;
}

export function newDocument(standalone = false): XMLBuilder {
  return createXml(standalone ? { version: '1.0', encoding: 'utf-8', standalone: true } : { version: '1.0', encoding: 'utf-8' });
}

/** Serializes with the BOM and CRLF. `wellFormed` makes xmlbuilder2 refuse characters XML cannot carry. */
export function toBytes(doc: XMLBuilder, pretty = true): Buffer {
  const text = doc.end({ prettyPrint: pretty, indent: '  ', newline: '\r\n', wellFormed: true });
  return Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]);
}

/** An element without declaration, compact: for XML embedded as a value (WlanXml). */
export function toFragmentString(doc: XMLBuilder): string {
  return doc.end({ headless: true, prettyPrint: false, wellFormed: true });
}

/**
 * Appends parsed nodes (from xmlParse) under `parent`. Elements without their
 * own `xmlns` inherit the parent's default namespace (xmlbuilder2 does that),
 * so re-emitted WCD settings stay unprefixed. White-space-only text between
 * elements is dropped; pretty printing re-indents.
 */
export function appendNodes(parent: XMLBuilder, nodes: XNode[]): void {
  for (const n of nodes) {
    if (n.type === 'comment') parent.com(n.text);
    else if (n.type === 'cdata') parent.dat(n.text);
    else if (n.type === 'text') {
      if (n.text.trim()) parent.txt(amp(n.text));
    } else {
      const ns = n.attrs.find(([k]) => k === 'xmlns')?.[1];
      const plain: Record<string, string> = {};
      for (const [k, v] of n.attrs) if (k !== 'xmlns' && !k.startsWith('xmlns:')) plain[k] = amp(v);
      const child = ns !== undefined ? parent.ele(ns, n.name, plain) : parent.ele(n.name, plain);
      for (const [k, v] of n.attrs) if (k.startsWith('xmlns:')) child.att('http://www.w3.org/2000/xmlns/', k, v);
      const hasElements = n.children.some((c) => c.type === 'element' || c.type === 'comment');
      if (!hasElements) {
        const text = n.children.map((c) => (c.type === 'text' || c.type === 'cdata' ? c.text : '')).join('');
        if (text) child.txt(amp(text));
      } else appendNodes(child, n.children);
    }
  }
}
