/**
 * Reading the XML files of a package: provxml (characteristics and parms),
 * RunTime.xml / User_RunTime.xml (the ConfigurationSet list) and
 * DataAsset.xml. The strict parser of compile/xmlParse.ts refuses DTDs and
 * entities and bounds size and depth; a file that does not parse is reported
 * by name, never a crash.
 */
import { attr, childElements, localName, parseXmlDocument, XmlParseError, type XElement } from '../compile/xmlParse';
import { PpkgError } from '../errors';
import { MAX_PACKAGE_XML_BYTES } from './source';

/** An XML file of a package that cannot be read: a damaged package (category `tool`). */
export class PackageXmlError extends PpkgError {
  constructor(message: string) {
    super('tool', message);
  }
}

/** UTF-8 (with or without a BOM) or UTF-16 LE with a BOM → text. */
export function decodeXml(data: Buffer, file: string): string {
  if (data[0] === 0xff && data[1] === 0xfe) return data.subarray(2).toString('utf16le');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data).replace(/^\ufeff/, '');
  } catch {
    throw new PackageXmlError(`${file} is not UTF-8 text`);
  }
}

export function parsePackageXml(data: Buffer, file: string): XElement {
  try {
    return parseXmlDocument(decodeXml(data, file), { maxChars: MAX_PACKAGE_XML_BYTES });
  } catch (err) {
    if (err instanceof XmlParseError) throw new PackageXmlError(`${file} is not well-formed XML (${err.message})`);
    throw err;
  }
}

/** One compiled parm with the characteristic types above it. */
export interface RawParm {
  path: string[];
  name: string;
  value: string;
  datatype: string;
  /** The `scope` attribute of the top-level characteristic, if any. */
  scope?: string;
  exec?: boolean;
}

/** Every parm of a provxml document, in document order. */
export function parmsOf(root: XElement, file: string): RawParm[] {
  if (localName(root.name) !== 'wap-provisioningdoc') throw new PackageXmlError(`${file} is not a provisioning document (its root is <${root.name}>)`);
  const out: RawParm[] = [];
  // Iterative walk: the parser already bounds depth; no recursion needed.
  const stack: { el: XElement; path: string[]; scope?: string; i: number }[] = [{ el: root, path: [], i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const kids = childElements(top.el);
    if (top.i >= kids.length) {
      stack.pop();
      continue;
    }
    const c = kids[top.i++]!;
    const name = localName(c.name);
    if (name === 'characteristic') {
      const type = attr(c, 'type') ?? '';
      const scope = top.path.length === 0 ? attr(c, 'scope') : top.scope;
      stack.push({ el: c, path: [...top.path, type], scope, i: 0 });
    } else if (name === 'parm') {
      out.push({
        path: top.path,
        name: attr(c, 'name') ?? '',
        value: attr(c, 'value') ?? '',
        datatype: attr(c, 'datatype') ?? 'string',
        ...(top.scope ? { scope: top.scope } : {}),
        ...(attr(c, 'exec') === '1' ? { exec: true } : {}),
      });
    }
  }
  return out;
}

export interface ConfigurationSet {
  /** The provxml file name (no folder). */
  file: string;
  settingsGroup: string;
}

/** The provxml files RunTime.xml (or User_RunTime.xml) lists, in order; `bad` lists entries that do not point into its own folder. */
export function configurationSets(root: XElement, folder: 'RunTime' | 'User_RunTime'): { sets: ConfigurationSet[]; bad: string[] } {
  const sets: ConfigurationSet[] = [];
  const bad: string[] = [];
  for (const c of childElements(root)) {
    if (localName(c.name) !== 'ConfigurationSet') continue;
    const data = attr(c, 'Data') ?? '';
    const m = /^\$\(_prov\)\\([A-Za-z_]+)\\([^\\/:*?"<>|]+\.provxml)$/i.exec(data);
    if (!m || m[1]!.toLowerCase() !== folder.toLowerCase() || m[2] === '.' || m[2] === '..') {
      bad.push(data);
      continue;
    }
    sets.push({ file: m[2]!, settingsGroup: attr(c, 'SettingsGroup') ?? '' });
  }
  return { sets, bad };
}

export interface DataAssetEntry {
  /** DataAsset element index (`<k>` of DataAsset/<k>/…). */
  element: number;
  kind: string;
  /** `<n>_<hash>` */
  folder: string;
  fileName: string;
  /** The WCD setting path ICD recorded (`/ProvisioningCommands/PrimaryContext/Command/0/CommandFile`). */
  setting: string;
}

/** DataAsset.xml: one Element per kind, a `Name` metadata, then one metadata per file (`<folder>\<file>` → setting). */
export function dataAssets(root: XElement): DataAssetEntry[] {
  const out: DataAssetEntry[] = [];
  for (const el of childElements(root)) {
    if (localName(el.name) !== 'Element') continue;
    const element = Number(attr(el, 'Index'));
    const metas = childElements(el).filter((m) => localName(m.name) === 'Metadata');
    const kind = metas.find((m) => attr(m, 'Key') === 'Name')?.attrs.find(([k]) => k === 'Value')?.[1] ?? '';
    for (const m of metas) {
      const key = attr(m, 'Key') ?? '';
      if (key === 'Name') continue;
      const i = key.indexOf('\\');
      if (i <= 0) continue;
      out.push({ element, kind, folder: key.slice(0, i), fileName: key.slice(i + 1), setting: attr(m, 'Value') ?? '' });
    }
  }
  return out;
}
