/**
 * compileProject: a validated project + resolved secrets + hashed input files
 * → customizations.xml, the package entries for the WIM writer and the image
 * properties. Pure and deterministic: no clock, no disk, no randomness.
 *
 *   project ──projectSettings──▶ settings tree ──┬─▶ customizations.xml, AnswerFile.xml
 *                                               └─▶ compileRuntime ─▶ layOut ─▶ provxml, RunTime.xml, DataAsset …
 *   project.csp ──compileCsp──────────────────────────────▲
 *
 * A package either holds every setting of the project, compiled as ICD
 * compiles it, or is not made: each setting the native backend cannot
 * compile is one located problem of the CompileError (PPKG113 and others).
 */
import { createHash } from 'node:crypto';
import type { JsonPath } from '../model/parse';
import type { Project } from '../model/project';
import { isSecretReference } from '../model/secrets';
import { buildAnswerFileXml, buildCustomizationsXml, packageConfig } from './customizations';
import { compileCsp } from './csp';
import { layOut, payloadEntries, type Layout } from './layout';
import { projectSettings } from './projectSettings';
import { compileRuntime } from './runtime';
import { bareGuid, CompileError, type CompileInputs, type PackageEntry, type CompileProblem, type CompileWarning, type ResolvedSecrets } from './types';
import { NOT_XML_CHAR } from './xmlParse';

export * from './types';
export { buildCustomizationsXml } from './customizations';
export { projectSettings } from './projectSettings';
export { assetFolder } from './provxml';
export { uuidV5, settingsGroupGuid } from '../settings/groups';

export interface CompileResult {
  customizationsXml: Buffer;
  /** Every file of the package (empty when only customizations.xml was asked for). */
  entries: PackageEntry[];
  /** Image properties before the WIM statistics, in ICD's order. */
  imageProperties: [string, string][];
  /** Image properties after the statistics (WIMBOOT). */
  trailingImageProperties: [string, string][];
  warnings: CompileWarning[];
  /** Derived from the content: the WIM timestamp of every entry. */
  timestamp: Date;
  /** Derived from the content: the 16-byte WIM header GUID. */
  guid: Buffer;
  /** The compiled groups as laid out (for the self-check and reports). */
  layout?: Layout;
  /** The hashed input files the entries were made from (for the self-check). */
  inputs: CompileInputs['files'];
}

export interface CompileOptions {
  /**
   * `package` (the native backend): the whole package, refusing what cannot
   * be compiled. `customizations`: customizations.xml only, for ICD, which
   * compiles it itself.
   */
  target?: 'package' | 'customizations';
}

/** Values that may span lines: .NET-style escaping keeps their line breaks (icdXml.ts). */
function multiLineAllowed(path: JsonPath): boolean {
  const top = String(path[0]);
  return (
    ['description', 'notes', 'additionalCustomizationsXml', 'policies', 'smiSettings', 'personalization', 'csp'].includes(top) ||
    (top === 'additionalSettings' && path[2] === 'value')
  );
}

function checkStrings(project: Project, secrets: ResolvedSecrets, problems: CompileProblem[]): void {
  const walk = (v: unknown, path: JsonPath): void => {
    if (typeof v === 'string') {
      if (NOT_XML_CHAR.test(v)) problems.push({ path, code: 'PPKG100', message: 'This value contains a control character that XML cannot carry. Remove it.' });
      else if (!multiLineAllowed(path) && /[\r\n\t]/.test(v))
        problems.push({ path, code: 'PPKG100', message: 'This value contains a line break or tab, which this setting cannot carry on one line. Remove it.' });
      return;
    }
    if (isSecretReference(v)) {
      const value = secrets.get(v.secret);
      if (value !== undefined && (NOT_XML_CHAR.test(value) || /[\r\n\t]/.test(value))) {
        // Never echo the value.
        problems.push({
          path,
          code: 'PPKG100',
          message: `The secret "${v.secret}" contains a line break, tab or control character, which the package cannot carry. Set it again without it.`,
        });
      }
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(project, []);
}

/** Owner bases of ALTITUDE (docs/wim-container.md §Image property values). */
export const OWNER_ALTITUDE: Record<string, number> = {
  Microsoft: 0,
  SiliconVendor: 1000,
  OEM: 2000,
  SystemIntegrator: 3000,
  MobileOperator: 4000,
  ITAdmin: 5000,
};

/** ALTITUDE = owner base + Rank: OEM/0 → 2000, SystemIntegrator/r → 3000 + r, ITAdmin/r → 5000 + r in ICD-built packages (8/8). */
export function altitude(project: Project): number {
  const pc = packageConfig(project);
  return (OWNER_ALTITUDE[pc.owner] ?? 5000) + pc.rank;
}

/**
 * The image properties in ICD's order (docs/wim-container.md §Image property values): NAME,
 * DESCRIPTION, NOTES, AUTHOR, VERSION, ALTITUDE, RESETCLEAR, PACKAGEID, then
 * (after the statistics) WIMBOOT. NOTES does not carry PackageConfig Notes;
 * its tool version and source are those of an ICD command-line build.
 */
export function imageProperties(project: Project): { leading: [string, string][]; trailing: [string, string][] } {
  const pc = packageConfig(project);
  const bare = bareGuid(project.id);
  return {
    leading: [
      ['NAME', pc.name],
      ['DESCRIPTION', project.description ?? ''],
      ['NOTES', `VERSION=10.0.26100.1;Source=Classic;;TargetSkus=WindowsCommon,Desktop;EncryptPackage=False;SignPackage=False;PackageID=${bare};`],
      ['AUTHOR', ''],
      ['VERSION', pc.version],
      ['ALTITUDE', String(altitude(project))],
      ['RESETCLEAR', '0'],
      ['PACKAGEID', pc.id],
    ],
    trailing: [['WIMBOOT', '0']],
  };
}

/** The fallback WIM timestamp when the project records no token issue time. */
export const FIXED_TIMESTAMP = new Date('2000-01-01T00:00:00Z');

export function compileProject(project: Project, resolvedSecrets: ResolvedSecrets, inputs: CompileInputs, options: CompileOptions = {}): CompileResult {
  const target = options.target ?? 'package';
  const warnings: CompileWarning[] = [];
  const problems: CompileProblem[] = [];
  checkStrings(project, resolvedSecrets, problems);
  const settings = projectSettings(project);
  problems.push(...settings.problems);
  const filePath = inputs.customizationsPath ?? ((p: string) => p.replace(/\//g, '\\'));
  const xmlOptions = { secrets: resolvedSecrets, filePath };

  let entries: PackageEntry[] = [];
  let layout: Layout | undefined;
  if (target === 'package') {
    const ctx = { secrets: resolvedSecrets, inputs, packageId: `{${bareGuid(project.id)}}`, problems };
    const groups = [...compileRuntime(settings.tree, ctx), ...compileCsp(project.csp ?? [], ctx)];
    if (project.additionalCustomizationsXml?.trim()) {
      problems.push({
        path: ['additionalCustomizationsXml'],
        code: 'PPKG113',
        message:
          'Multivariant settings (Targets/Variant) are not compiled by the native backend, so a native package would leave them out. Build with --backend icd on Windows, or move the settings into the project.',
      });
    }
    if (problems.length) throw CompileError.of(problems);
    layout = layOut(groups);
    entries = payloadEntries(layout);
  } else if (problems.length) {
    throw CompileError.of(problems);
  }

  const customizationsXml = buildCustomizationsXml(project, settings.tree, xmlOptions);
  if (target === 'package') {
    entries.push({ path: 'Multivariant/0/customizations.xml', source: { kind: 'buffer', data: customizationsXml } });
    entries.push({ path: 'CommonSettings/1/AnswerFile.xml', source: { kind: 'buffer', data: buildAnswerFileXml(project, settings.tree, xmlOptions) } });
  }

  // Deterministic identity: a digest of every entry's path and content.
  const props = imageProperties(project);
  const digest = createHash('sha256').update('ppkg-package-v2\0');
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of sorted) {
    digest.update(e.path).update('\0');
    if (e.source.kind === 'buffer') digest.update(createHash('sha256').update(e.source.data).digest());
    else {
      const f = [...inputs.files.values()].find((x) => x.path === (e.source as { path: string }).path);
      digest.update(f ? f.sha256 : Buffer.from(e.source.path));
    }
  }
  for (const [k, v] of [...props.leading, ...props.trailing]) digest.update(`${k}=${v}\0`);
  const guid = digest.digest().subarray(0, 16);

  // The timestamp: when the bulk token was issued (project content), else a fixed date. Never the clock.
  const issued = project.account?.entra?.issuedAt ? Date.parse(project.account.entra.issuedAt) : NaN;
  const timestamp = Number.isNaN(issued) || issued < Date.UTC(1990, 0, 1) ? FIXED_TIMESTAMP : new Date(Math.floor(issued / 1000) * 1000);

  return {
    customizationsXml,
    entries,
    imageProperties: props.leading,
    trailingImageProperties: props.trailing,
    warnings,
    timestamp,
    guid,
    inputs: inputs.files,
    ...(layout ? { layout } : {}),
  };
}
