/**
 * The image XML (wimlib `src/xml.c`, docs/wim-container.md §Byte layout, §Image property values): UTF-16LE,
 * normally with a BOM, one `<WIM>` holding an `<IMAGE INDEX="n">` per
 * image. A provisioning package keeps its identity there (NAME, PACKAGEID,
 * VERSION, ALTITUDE, NOTES, …).
 *
 * A small scanner rather than an XML library: it checks that the document
 * is well-formed enough to trust (tags balance, entities are the five
 * predefined ones or character references, no DOCTYPE, so no entity
 * expansion), and collects the text-only children of IMAGE INDEX="1" in
 * document order. Linear in the size of the text, which is capped.
 */
import { WimReadError } from './errors';

const MAX_NESTING = 256;

export interface ImageXml {
  /** The document as text, without the BOM. */
  text: string;
  /** Text-only children of `<IMAGE INDEX="1">`, in order, entities decoded. */
  properties: [string, string][];
}

function corrupt(what: string): WimReadError {
  return new WimReadError('corrupt', `WIM image XML ${what}`);
}

export function decodeXmlData(buf: Buffer): ImageXml {
  if (buf.length % 2 !== 0) throw corrupt(`has an odd number of bytes (${buf.length}); it must be UTF-16LE`);
  let text: string;
  try {
    text = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    throw corrupt('is not valid UTF-16LE');
  }
  return { text, properties: scan(text) };
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("[^"<]*"|'[^'<]*')/y;
const SPACE = /\s*/y;

function decodeEntities(s: string, at: number): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&<]{0,10});?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw corrupt(`has a bare '&' near character ${at}`);
    switch (body) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const n = /^#x([0-9A-Fa-f]{1,6})$/.exec(body) ? parseInt(body.slice(2), 16) : /^#([0-9]{1,7})$/.test(body) ? parseInt(body.slice(1), 10) : NaN;
    if (!(n >= 1 && n <= 0x10ffff) || (n >= 0xd800 && n <= 0xdfff)) throw corrupt(`has an unknown entity &${body}; near character ${at}`);
    return String.fromCodePoint(n);
  });
}

interface Open {
  name: string;
  /** Collecting: this element is a child of IMAGE INDEX="1". */
  property: boolean;
  hasChildElement: boolean;
  text: string;
}

function scan(xml: string): [string, string][] {
  const props: [string, string][] = [];
  const stack: Open[] = [];
  let imageDepth = -1; // stack depth of IMAGE INDEX="1" while inside it
  let seenImage1 = false;
  let sawRoot = false;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > i) {
      const raw = xml.slice(i, textEnd);
      if (stack.length === 0) {
        if (raw.trim() !== '') throw corrupt(`has text outside its root element near character ${i}`);
      } else {
        const top = stack[stack.length - 1]!;
        if (top.property) top.text += decodeEntities(raw, i);
        else if (raw.includes('&')) decodeEntities(raw, i);
      }
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) throw corrupt('has an unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) throw corrupt('has an unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0 || stack.length === 0) throw corrupt('has a misplaced or unterminated CDATA section');
      const top = stack[stack.length - 1]!;
      if (top.property) top.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      throw corrupt('has a DOCTYPE or other declaration, which WIM XML never has');
    } else if (xml.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      if (!m) throw corrupt(`has a malformed end tag near character ${i}`);
      SPACE.lastIndex = i + 2 + m[0].length;
      SPACE.exec(xml);
      if (xml[SPACE.lastIndex] !== '>') throw corrupt(`has a malformed end tag near character ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw corrupt(`closes <${m[0]}> ${open ? `while <${open.name}> is open` : 'that was never opened'}`);
      if (open.property && !open.hasChildElement) props.push([open.name, open.text]);
      if (stack.length === imageDepth) imageDepth = -1;
      i = SPACE.lastIndex + 1;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) throw corrupt(`has a malformed tag near character ${i}`);
      let j = i + 1 + m[0].length;
      const attrs = new Map<string, string>();
      for (;;) {
        ATTR.lastIndex = j;
        const a = ATTR.exec(xml);
        if (!a) break;
        if (attrs.has(a[1]!)) throw corrupt(`repeats attribute ${a[1]} near character ${i}`);
        attrs.set(a[1]!, decodeEntities(a[2]!.slice(1, -1), j));
        j = ATTR.lastIndex;
      }
      SPACE.lastIndex = j;
      SPACE.exec(xml);
      j = SPACE.lastIndex;
      const selfClosing = xml.startsWith('/>', j);
      if (!selfClosing && xml[j] !== '>') throw corrupt(`has a malformed tag <${m[0]}> near character ${i}`);
      i = j + (selfClosing ? 2 : 1);

      if (stack.length === 0) {
        if (sawRoot) throw corrupt('has more than one root element');
        sawRoot = true;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.hasChildElement = true;
      const property = imageDepth >= 0 && stack.length === imageDepth + 1;
      const isImage1 = stack.length === 1 && m[0] === 'IMAGE' && attrs.get('INDEX')?.trim() === '1';
      if (selfClosing) {
        if (property) props.push([m[0], '']);
        continue;
      }
      if (stack.length >= MAX_NESTING) throw corrupt(`nests elements deeper than ${MAX_NESTING}`);
      if (isImage1 && !seenImage1) {
        seenImage1 = true;
        imageDepth = stack.length;
      }
      stack.push({ name: m[0], property, hasChildElement: false, text: '' });
    }
  }
  if (stack.length > 0) throw corrupt(`ends with <${stack[stack.length - 1]!.name}> still open`);
  if (!sawRoot && xml.trim() !== '') throw corrupt('has no root element');
  return props;
}
