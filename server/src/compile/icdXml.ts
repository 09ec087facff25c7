/**
 * XML text exactly as ICD writes it (docs/compiled-forms.md, "Byte
 * conventions"). ICD is a .NET program and its files have the marks of .NET's
 * indenting XmlWriter: CRLF line ends, two-space indentation, `<X a="…" />`
 * with a space before the slash, an element without content either
 * self-closed, written `<X></X>`, or as a start tag and an end tag on two
 * lines, and no newline after the root's end tag. Which files carry a BOM and
 * how their declaration is spelled differs per file, so callers say.
 *
 * Escaping follows .NET's writer: in attribute values & < > " and the
 * characters tab, LF and CR as character references; in text & < >, with line
 * breaks written as CRLF. Values are escaped exactly once: a WlanXml or
 * ConfigureStartPins value keeps its own markup as text
 * (a public ICD-built provxml shows `&lt;`, `&gt;` and `&quot;` in a value).
 */

export interface XmlElement {
  name: string;
  attrs?: [string, string][];
  children?: XmlNode[];
  /** How an element with no children and no text is written (default: self-closed). */
  empty?: 'self' | 'inline' | 'lines';
}
export type XmlNode = XmlElement | { text: string } | { comment: string } | { cdata: string };

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The declarations ICD writes (docs/compiled-forms.md §Byte conventions of the other files). */
export const DECLARATION = {
  /** MasterDatastore.xml, RunTime.xml, customizations.xml, AnswerFile.xml (with a BOM). */
  utf8: '<?xml version="1.0" encoding="utf-8"?>',
  /** provxml files (with a BOM). */
  provxml: '<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
  /** Multivariant.xml, CommonSettings.xml, DataAsset.xml (no BOM). */
  upper: '<?xml version="1.0" encoding="UTF-8"?>',
} as const;

export function escapeAttribute(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : c === '\t' ? '&#x9;' : c === '\n' ? '&#xA;' : '&#xD;',
  );
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')).replace(/\r\n|\r|\n/g, '\r\n');
}

function isElement(n: XmlNode): n is XmlElement {
  return (n as XmlElement).name !== undefined;
}

function startTag(el: XmlElement): string {
  let s = `<${el.name}`;
  for (const [k, v] of el.attrs ?? []) s += ` ${k}="${escapeAttribute(v)}"`;
  return s;
}

function write(el: XmlElement, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const children = el.children ?? [];
  if (children.length === 0) {
    if (el.empty === 'inline') out.push(`${pad}${startTag(el)}></${el.name}>`);
    else if (el.empty === 'lines') out.push(`${pad}${startTag(el)}>`, `${pad}</${el.name}>`);
    else out.push(`${pad}${startTag(el)} />`);
    return;
  }
  if (children.every((c) => !isElement(c) && !('comment' in c))) {
    // Text (and CDATA) only: on the element's own line.
    const body = children.map((c) => ('text' in c ? escapeText(c.text) : 'cdata' in c ? `<![CDATA[${c.cdata}]]>` : '')).join('');
    out.push(`${pad}${startTag(el)}>${body}</${el.name}>`);
    return;
  }
  out.push(`${pad}${startTag(el)}>`);
  for (const c of children) {
    if (isElement(c)) write(c, depth + 1, out);
    else if ('comment' in c) out.push(`${pad}  <!--${c.comment}-->`);
    else if ('cdata' in c) out.push(`${pad}  <![CDATA[${c.cdata}]]>`);
    else if (c.text.trim()) out.push(`${pad}  ${escapeText(c.text.trim())}`);
  }
  out.push(`${pad}</${el.name}>`);
}

/** A whole document: the declaration, CRLF, the root element, no final newline. */
export function xmlDocument(root: XmlElement, options: { bom: boolean; declaration: string }): Buffer {
  const lines: string[] = [options.declaration];
  write(root, 0, lines);
  const text = Buffer.from(lines.join('\r\n'), 'utf8');
  return options.bom ? Buffer.concat([UTF8_BOM, text]) : text;
}

/** An element as text without a declaration (for values that are XML documents, such as WlanXml). */
export function xmlFragment(root: XmlElement): string {
  const lines: string[] = [];
  write(root, 0, lines);
  return lines.join('\r\n');
}

/** Shorthand for an element. */
export function el(name: string, attrs: [string, string][] = [], children: XmlNode[] = [], empty?: XmlElement['empty']): XmlElement {
  return { name, attrs, children, ...(empty ? { empty } : {}) };
}

/** An element holding text. */
export function textEl(name: string, text: string, attrs: [string, string][] = []): XmlElement {
  return { name, attrs, children: text === '' ? [] : [{ text }], ...(text === '' ? { empty: 'inline' as const } : {}) };
}
