/**
 * The XML data resource: UTF-16LE with a BOM (WIMGAPI needs the BOM),
 * carrying the image statistics and the package properties, on one line
 * with no declaration, in ICD's element order (docs/wim-container.md §Image XML):
 *
 *   <WIM><TOTALBYTES>…</TOTALBYTES><IMAGE INDEX="1">
 *     properties…  DIRCOUNT FILECOUNT TOTALBYTES HARDLINKBYTES
 *     CREATIONTIME LASTMODIFICATIONTIME  trailing properties…
 *   </IMAGE></WIM>
 *
 * An empty value is a start/end pair (`<AUTHOR></AUTHOR>`), as ICD writes it.
 * docs/wim-container.md §Byte layout, §Image property values (wimlib `src/xml.c`).
 */
import { fileTimeParts } from './time';

export interface ImageStats {
  /** Directories below the root. */
  dirCount: number;
  fileCount: number;
  /** Sum of the sizes of all files, duplicates included (not hard links: we write none). */
  totalBytes: number;
}

/** Elements the writer computes itself; a property may not override them. */
const COMPUTED = new Set(['DIRCOUNT', 'FILECOUNT', 'TOTALBYTES', 'HARDLINKBYTES', 'CREATIONTIME', 'LASTMODIFICATIONTIME']);
/** A conservative XML element name (the ppkg properties are all upper-case ASCII). */
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Characters XML 1.0 cannot carry at all, even escaped. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u;

export function escapeXmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

function time(tag: string, ft: bigint): string {
  const { high, low } = fileTimeParts(ft);
  const hex = (n: number) => '0x' + n.toString(16).toUpperCase().padStart(8, '0');
  return `<${tag}><HIGHPART>${hex(high)}</HIGHPART><LOWPART>${hex(low)}</LOWPART></${tag}>`;
}

type Properties = ReadonlyArray<readonly [string, string]>;

/** Check both lists together: a name may appear once in either. */
export function validateProperties(properties: Properties, trailing: Properties = []): void {
  const seen = new Set<string>();
  for (const [name, value] of [...properties, ...trailing]) {
    if (!ELEMENT_NAME.test(name)) throw new Error(`WIM image property name '${name}' is not a valid XML element name`);
    const upper = name.toUpperCase();
    if (COMPUTED.has(upper)) throw new Error(`WIM image property '${name}' is computed by the writer and cannot be set`);
    if (seen.has(upper)) throw new Error(`WIM image property '${name}' is given twice`);
    seen.add(upper);
    // The value is never echoed: properties may be user text.
    if (typeof value !== 'string') throw new Error(`WIM image property '${name}' must be a string`);
    if (NOT_XML_CHAR.test(value)) throw new Error(`WIM image property '${name}' contains a character XML cannot represent`);
  }
}

/**
 * Encode the XML. `xmlOffset` is the file offset at which the XML resource
 * will be written: the top-level TOTALBYTES holds it (wimlib `finish_write`).
 */
export function encodeXmlData(opts: {
  xmlOffset: number;
  stats: ImageStats;
  fileTime: bigint;
  properties: Properties;
  trailingProperties?: Properties;
}): Buffer {
  const trailing = opts.trailingProperties ?? [];
  validateProperties(opts.properties, trailing);
  const { stats } = opts;
  const elements = (list: Properties): string => list.map(([name, value]) => `<${name}>${escapeXmlText(value)}</${name}>`).join('');
  let s = '\ufeff<WIM>';
  s += `<TOTALBYTES>${opts.xmlOffset}</TOTALBYTES>`;
  s += '<IMAGE INDEX="1">';
  s += elements(opts.properties);
  s += `<DIRCOUNT>${stats.dirCount}</DIRCOUNT>`;
  s += `<FILECOUNT>${stats.fileCount}</FILECOUNT>`;
  s += `<TOTALBYTES>${stats.totalBytes}</TOTALBYTES>`;
  s += '<HARDLINKBYTES>0</HARDLINKBYTES>';
  s += time('CREATIONTIME', opts.fileTime);
  s += time('LASTMODIFICATIONTIME', opts.fileTime);
  s += elements(trailing);
  s += '</IMAGE></WIM>';
  return Buffer.from(s, 'utf16le');
}
