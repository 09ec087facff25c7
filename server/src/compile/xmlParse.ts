/**
 * A small, strict, non-validating XML parser for the documents ppkg reads:
 * WCD `customizations.xml` (ppkg import) and the raw `Targets`/`Variant` XML a
 * project carries (additionalCustomizationsXml).
 *
 * Why not xmlbuilder2's reader: it accepts mismatched tags, keeps DOCTYPEs and
 * recurses per nesting level (a deep document overflows the stack). This one
 * is iterative, refuses every DTD (`<!DOCTYPE`, `<!ENTITY`: no entity can be
 * declared, so an entity-expansion bomb cannot expand), knows only the five
 * predefined entities and character references, limits size and depth, and
 * reports line:column on every error.
 */
import { PpkgError } from '../errors';

export interface XElement {
  type: 'element';
  name: string;
  attrs: [string, string][];
  children: XNode[];
  line: number;
}
export type XNode = XElement | { type: 'text'; text: string } | { type: 'cdata'; text: string } | { type: 'comment'; text: string };

/** XML that is not well-formed or over a limit: the input is wrong (a customizations.xml, a package's XML). */
export class XmlParseError extends PpkgError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super('project', `line ${line}, column ${column}: ${message}`);
  }
}

export interface XmlParseLimits {
  /** Characters; larger input is refused before parsing. */
  maxChars?: number;
  /** Element nesting. */
  maxDepth?: number;
}

export const DEFAULT_MAX_XML_CHARS = 8 * 1024 * 1024;
export const DEFAULT_MAX_XML_DEPTH = 256;

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
/** Characters XML 1.0 cannot carry, even escaped. */
export const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u;

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  error(message: string, at = this.i): XmlParseError {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < this.s.length; k++) {
      if (this.s.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return new XmlParseError(message, line, col);
  }
  lineAt(at: number): number {
    let line = 1;
    for (let k = 0; k < at; k++) if (this.s.charCodeAt(k) === 10) line++;
    return line;
  }
  startsWith(t: string): boolean {
    return this.s.startsWith(t, this.i);
  }
  skipSpace(): void {
    while (this.i < this.s.length && /[ \t\r\n]/.test(this.s[this.i]!)) this.i++;
  }
  name(): string {
    const start = this.i;
    if (!NAME_START.test(this.s[this.i] ?? '')) throw this.error('a name was expected');
    this.i++;
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i]!)) this.i++;
    return this.s.slice(start, this.i);
  }
  until(t: string, what: string): string {
    const end = this.s.indexOf(t, this.i);
    if (end < 0) throw this.error(`unterminated ${what}`);
    const body = this.s.slice(this.i, end);
    this.i = end + t.length;
    return body;
  }
}

const DTD_MESSAGE =
  'the document has a DOCTYPE or ENTITY declaration. WCD never writes one, and ppkg refuses them so that no entity expansion (a "billion laughs" bomb) or external entity can be triggered. Remove the <!DOCTYPE …> block.';

function decodeEntities(c: Cursor, raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,32});?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw c.error('a "&" must be written &amp;', at);
    switch (body) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(body) ?? /^#([0-9]{1,7})$/.exec(body);
    if (num) {
      const cp = parseInt(num[1]!, body[1] === 'x' ? 16 : 10);
      const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      if (!ch || NOT_XML_CHAR.test(ch)) throw c.error(`&${body}; is not a character XML allows`, at);
      return ch;
    }
    throw c.error(`unknown entity &${body}; (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)`, at);
  });
}

/** Parses nodes until the end of input (fragment mode) or the document's root element closes. */
function parseNodes(c: Cursor, limits: Required<XmlParseLimits>, fragment: boolean): XNode[] {
  const top: XNode[] = [];
  const stack: XElement[] = [];
  const add = (n: XNode) => (stack.length ? stack[stack.length - 1]!.children : top).push(n);
  let rootSeen = false;
  while (c.i < c.s.length) {
    if (c.startsWith('<!--')) {
      c.i += 4;
      add({ type: 'comment', text: c.until('-->', 'comment') });
    } else if (c.startsWith('<![CDATA[')) {
      if (!stack.length && !fragment) throw c.error('CDATA outside the root element');
      c.i += 9;
      add({ type: 'cdata', text: c.until(']]>', 'CDATA section') });
    } else if (c.startsWith('<!')) {
      if (/^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i.test(c.s.slice(c.i, c.i + 10))) throw c.error(DTD_MESSAGE);
      throw c.error('unexpected "<!"');
    } else if (c.startsWith('<?')) {
      c.i += 2;
      c.until('?>', 'processing instruction');
    } else if (c.startsWith('</')) {
      const at = c.i;
      c.i += 2;
      const name = c.name();
      c.skipSpace();
      if (c.s[c.i] !== '>') throw c.error('">" expected');
      c.i++;
      const open = stack.pop();
      if (!open) throw c.error(`closing tag </${name}> without an opening tag`, at);
      if (open.name !== name) throw c.error(`closing tag </${name}> does not match <${open.name}> (line ${open.line})`, at);
      if (!stack.length && !fragment) rootSeen = true;
    } else if (c.s[c.i] === '<') {
      const at = c.i;
      if (!stack.length && !fragment && rootSeen) throw c.error('a second root element');
      c.i++;
      const el: XElement = { type: 'element', name: c.name(), attrs: [], children: [], line: c.lineAt(at) };
      for (;;) {
        const before = c.i;
        c.skipSpace();
        if (c.startsWith('/>') || c.s[c.i] === '>') break;
        if (c.i === before) throw c.error('space expected between attributes');
        const an = c.name();
        c.skipSpace();
        if (c.s[c.i] !== '=') throw c.error(`"=" expected after attribute ${an}`);
        c.i++;
        c.skipSpace();
        const q = c.s[c.i];
        if (q !== '"' && q !== "'") throw c.error('a quoted attribute value was expected');
        c.i++;
        const vAt = c.i;
        const raw = c.until(q, 'attribute value');
        if (raw.includes('<')) throw c.error('"<" in an attribute value', vAt);
        if (el.attrs.some(([k]) => k === an)) throw c.error(`attribute ${an} is repeated`);
        // Attribute-value normalization: literal white space becomes a space.
        el.attrs.push([an, decodeEntities(c, raw.replace(/[\t\r\n]/g, ' '), vAt)]);
      }
      add(el);
      if (c.startsWith('/>')) {
        c.i += 2;
        if (!stack.length && !fragment) rootSeen = true;
      } else {
        c.i++;
        if (stack.length >= limits.maxDepth) throw c.error(`elements nest deeper than ${limits.maxDepth} levels`, at);
        stack.push(el);
      }
    } else {
      const at = c.i;
      let end = c.s.indexOf('<', c.i);
      if (end < 0) end = c.s.length;
      const raw = c.s.slice(c.i, end);
      c.i = end;
      if (!stack.length && !fragment) {
        if (raw.trim()) throw c.error('text outside the root element', at);
        continue;
      }
      add({ type: 'text', text: decodeEntities(c, raw.replace(/\r\n?/g, '\n'), at) });
    }
  }
  if (stack.length) throw c.error(`<${stack[stack.length - 1]!.name}> (line ${stack[stack.length - 1]!.line}) is never closed`);
  return top;
}

function prepare(text: string, limits: XmlParseLimits): { c: Cursor; l: Required<XmlParseLimits> } {
  const l = { maxChars: limits.maxChars ?? DEFAULT_MAX_XML_CHARS, maxDepth: limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH };
  if (text.length > l.maxChars) throw new XmlParseError(`the document has ${text.length} characters; at most ${l.maxChars} are accepted`, 1, 1);
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const bad = NOT_XML_CHAR.exec(s);
  const c = new Cursor(s);
  if (bad) throw c.error(`character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`, bad.index);
  return { c, l };
}

/** Parses a whole document and returns its root element. */
export function parseXmlDocument(text: string, limits: XmlParseLimits = {}): XElement {
  const { c, l } = prepare(text, limits);
  const nodes = parseNodes(c, l, false);
  const root = nodes.find((n): n is XElement => n.type === 'element');
  if (!root) throw new XmlParseError('the document has no root element', 1, 1);
  return root;
}

/** Parses a fragment (several top-level elements, text and comments allowed). */
export function parseXmlFragment(text: string, limits: XmlParseLimits = {}): XNode[] {
  const { c, l } = prepare(text, limits);
  return parseNodes(c, l, true);
}

/** The local part of a possibly prefixed name. */
export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export function attr(el: XElement, name: string): string | undefined {
  return el.attrs.find(([k]) => k === name)?.[1];
}

export function childElements(el: XElement): XElement[] {
  return el.children.filter((n): n is XElement => n.type === 'element');
}

/** Concatenated text and CDATA of an element's direct children. */
export function textOf(el: XElement): string {
  return el.children.map((n) => (n.type === 'text' || n.type === 'cdata' ? n.text : '')).join('');
}
