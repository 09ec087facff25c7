/**
 * compileProject: a validated project + resolved secrets + hashed input files
 * → customizations.xml, the package entries for the WIM writer and the image
 * properties. Pure and deterministic: no clock, no disk, no randomness.
 */
import { createHash } from 'node:crypto';
import type { WimFileEntry } from '../package/wim';
import type { JsonPath } from '../model/parse';
import type { Project } from '../model/project';
import { isSecretReference } from '../model/secrets';
import { buildCustomizationsXml, packageConfig } from './customizations';
import { buildPayload, OWNER_ALTITUDE } from './payload';
import { bareGuid, CompileError, type CompileInputs, type CompileWarning, type ResolvedSecrets } from './types';
import { NOT_XML_CHAR } from './xmlParse';

export * from './types';
export { buildCustomizationsXml } from './customizations';
export { wlanProfileXml, SETTINGS_GROUPS, assetFolder, uuidV5 } from './payload';

export interface CompileResult {
  customizationsXml: Buffer;
  entries: WimFileEntry[];
  imageProperties: [string, string][];
  warnings: CompileWarning[];
  /** Derived from the content: the WIM timestamp of every entry. */
  timestamp: Date;
  /** Derived from the content: the 16-byte WIM header GUID. */
  guid: Buffer;
}

/** Fields whose text lands in XML attributes (provxml `value`, key attributes): no line breaks or tabs, which XML would turn into spaces. */
const MULTI_LINE_OK = new Set(['description', 'additionalCustomizationsXml']);

function checkStrings(project: Project, secrets: ResolvedSecrets): void {
  const walk = (v: unknown, path: JsonPath): void => {
    if (typeof v === 'string') {
      if (NOT_XML_CHAR.test(v)) throw new CompileError('This value contains a control character that XML cannot carry. Remove it.', path, 'PPKG100');
      const top = path[0];
      const multiline = MULTI_LINE_OK.has(String(top)) || (top === 'additionalSettings' && path[2] === 'value');
      if (!multiline && /[\r\n\t]/.test(v)) throw new CompileError('This value contains a line break or tab, which the package cannot carry (XML turns it into a space). Remove it.', path, 'PPKG100');
      return;
    }
    if (isSecretReference(v)) {
      const value = secrets.get(v.secret);
      if (value !== undefined && (NOT_XML_CHAR.test(value) || /[\r\n\t]/.test(value))) {
        // Never echo the value.
        throw new CompileError(`The secret "${v.secret}" contains a line break, tab or control character, which the package cannot carry. Set it again without it.`, path, 'PPKG100');
      }
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(project, []);
}

/** ALTITUDE = owner base + Rank: a working hypothesis, unverified (ppkg-format.md §6, §12 #8). */
export function altitude(project: Project): number {
  const pc = packageConfig(project);
  return (OWNER_ALTITUDE[pc.owner] ?? 5000) + pc.rank;
}

export function imageProperties(project: Project): [string, string][] {
  const pc = packageConfig(project);
  const bare = bareGuid(project.id);
  return [
    ['NAME', pc.name],
    ['PACKAGEID', pc.id],
    ['VERSION', pc.version],
    ['ALTITUDE', String(altitude(project))],
    ['RESETCLEAR', '0'],
    // PackageStack's NOTES form (§6). The ICD/OS VERSION and TargetSkus are copied, not meaningful here.
    ['NOTES', `VERSION=10.0.26100.1;Source=Classic;;TargetSkus=WindowsCommon,Desktop;EncryptPackage=False;SignPackage=False;PackageID=${bare};`],
  ];
}

/** The fallback WIM timestamp when the project records no token issue time. */
export const FIXED_TIMESTAMP = new Date('2000-01-01T00:00:00Z');

export function compileProject(project: Project, resolvedSecrets: ResolvedSecrets, inputs: CompileInputs): CompileResult {
  const warnings: CompileWarning[] = [];
  checkStrings(project, resolvedSecrets);
  const filePath = inputs.customizationsPath ?? ((p: string) => p.replace(/\//g, '\\'));
  const customizationsXml = buildCustomizationsXml(project, { secrets: resolvedSecrets, filePath, warnings });
  const entries = buildPayload(project, { secrets: resolvedSecrets, inputs, customizationsXml, warnings });

  // Deterministic identity: a digest of every entry's path and content.
  const digest = createHash('sha256').update('ppkg-package-v1\0');
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of sorted) {
    digest.update(e.path).update('\0');
    if (e.source.kind === 'buffer') digest.update(createHash('sha256').update(e.source.data).digest());
    else {
      const f = [...inputs.files.values()].find((x) => x.path === (e.source as { path: string }).path);
      digest.update(f ? f.sha256 : Buffer.from(e.source.path));
    }
  }
  const props = imageProperties(project);
  for (const [k, v] of props) digest.update(`${k}=${v}\0`);
  const guid = digest.digest().subarray(0, 16);

  // The timestamp: when the bulk token was issued (project content), else a fixed date. Never the clock.
  const issued = project.account?.entra?.issuedAt ? Date.parse(project.account.entra.issuedAt) : NaN;
  const timestamp = Number.isNaN(issued) || issued < Date.UTC(1990, 0, 1) ? FIXED_TIMESTAMP : new Date(Math.floor(issued / 1000) * 1000);

  return { customizationsXml, entries, imageProperties: props, warnings, timestamp, guid };
}
