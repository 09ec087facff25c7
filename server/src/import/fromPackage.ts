/**
 * `ppkg import <file.ppkg>`: a package → a project file, with its
 * installers, dependencies, images and certificates extracted beside it.
 *
 * - With the WCD project in the package (`Multivariant/0/customizations.xml`,
 *   ICD and ppkg both ship it) the project comes from it through
 *   `importCustomizations`, and its file paths are pointed at the extracted
 *   files (`installers/…`, `images/…`, `certificates/…`).
 * - Without it, a customizations.xml is rebuilt from the compiled settings
 *   read back through the setting table (inspect/reverse.ts), and settings
 *   the table does not know become `csp` entries (OMA-URI, format, value).
 *
 * Either way secrets become references; their values are returned
 * separately (`secretValues`), for a private file the caller writes.
 * Shipped files are streamed once: into a staging folder inside the output
 * folder while being hashed; the caller moves them to their final names.
 * Names come only from the package's own file names, which the WIM reader
 * has already checked (no separators, no `..`, no device names), reduced
 * again here to a safe set.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { applyEdits, modify, parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { compileProject, projectSettings, type InputFile } from '../compile';
import { leavesOf } from '../compile/settingsTree';
import { NAMESPACE_PACKAGE_CONFIG, NAMESPACE_SETTINGS } from '../compile/types';
import { fileFields } from '../model/fields';
import type { Project } from '../model/project';
import { inspectPackageFiles, CUSTOMIZATIONS_XML, type InspectResult } from '../inspect/inspect';
import { decodeXml, PackageXmlError } from '../inspect/provxml';
import type { InstanceSeg, MappedSetting } from '../inspect/reverse';
import { recordedSha256 } from '../inspect/assetHash';
import { looksSecret } from '../inspect/secrets';
import { compiledFiles, wimFiles, type FileDigest } from '../inspect/source';
import type { WimArchive } from '../package/wim/read';
import { listAt } from '../settings/lists';
import { ImportError, importCustomizations } from './customizations';

export interface ExtractedFile {
  /** Path below the output folder, '/' separated (`installers/setup.exe`). */
  rel: string;
  size: number;
  sha256: string;
  /** The staged copy (a shipped file) or the bytes (a certificate carried in a setting). */
  from: { staged: string } | { data: Buffer };
}

export interface PackageImport {
  projectText: string;
  warnings: string[];
  secrets: string[];
  secretValues: ReadonlyMap<string, string>;
  packageName: string;
  files: ExtractedFile[];
  /** The project came from the package's customizations.xml (else from its compiled settings). */
  fromCustomizationsXml: boolean;
  inspected: InspectResult;
}

/** Folder of each kind of shipped file. */
function folderFor(kind: string): string {
  if (kind === 'CommandFile' || kind === 'Dependency') return 'installers';
  if (/Image$/.test(kind)) return 'images';
  return 'files';
}

/** A file name reduced to characters safe on every OS; never empty, `.` or `..`. */
export function safeFileName(name: string): string {
  const s = name
    .replace(/[^A-Za-z0-9 ._()+,=@#~-]/g, '_')
    .replace(/^[. ]+|[. ]+$/g, '')
    .slice(0, 120);
  const base = s || 'file';
  return /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(base) ? `_${base}` : base;
}

export interface StagedAssets {
  /** Package path → its copy in the staging folder. */
  staged: Map<string, string>;
  /** Package path → its size and SHA-256, once written. */
  digests: Map<string, Promise<FileDigest>>;
  /** Every write has ended, written or failed: only then may the staging folder be removed. */
  settled: Promise<void>;
}

/**
 * Starts writing every shipped file (DataAsset/…) into `stagingDir`,
 * hashing it on the way: the package's data is decompressed once for the
 * whole import, the large files side by side on worker threads
 * (`WimArchive.digestFile`), while the caller reads the package's XML.
 */
export function stageAssets(wim: WimArchive, stagingDir: string, signal?: AbortSignal): StagedAssets {
  const staged = new Map<string, string>();
  const digests = new Map<string, Promise<FileDigest>>();
  let n = 0;
  // Equal content is one blob in the WIM: staged (decompressed, written) once.
  const bySha1 = new Map<string, { target: string; digest: Promise<FileDigest> }>();
  for (const e of wim.entries) {
    if (e.isDirectory || !/^DataAsset\/\d+\/[^/]+\/[^/]+$/.test(e.path)) continue;
    let stage = e.sha1 ? bySha1.get(e.sha1) : undefined;
    if (!stage) {
      const target = path.join(stagingDir, String(n++));
      stage = { target, digest: wim.digestFile(e, { writeTo: target, signal, knownSha256: recordedSha256(e.path) }) };
      stage.digest.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
      if (e.sha1) bySha1.set(e.sha1, stage);
    }
    staged.set(e.path, stage.target);
    digests.set(e.path, stage.digest);
  }
  return { staged, digests, settled: Promise.allSettled(digests.values()).then(() => undefined) };
}

/** Where each shipped and embedded file goes, one name per distinct content. */
function planFiles(result: InspectResult, staged: ReadonlyMap<string, string>, digests: ReadonlyMap<string, FileDigest>) {
  const byPackagePath = new Map<string, string>();
  const byEmbedded = new Map<MappedSetting, string>();
  const files: ExtractedFile[] = [];
  const taken = new Map<string, string>();
  const place = (folder: string, name: string, sha256: string, tag: string): { rel: string; fresh: boolean } => {
    const want = `${folder}/${safeFileName(name)}`;
    for (const rel of [want, `${folder}/${tag}/${safeFileName(name)}`]) {
      const had = taken.get(rel.toLowerCase());
      if (had === sha256) return { rel, fresh: false };
      if (had === undefined) {
        taken.set(rel.toLowerCase(), sha256);
        return { rel, fresh: true };
      }
    }
    const rel = `${folder}/${tag}-${sha256.slice(0, 8)}/${safeFileName(name)}`;
    taken.set(rel.toLowerCase(), sha256);
    return { rel, fresh: true };
  };
  for (const a of result.dataAssets) {
    const d = a.packagePath ? digests.get(a.packagePath) : undefined;
    const stagedAt = a.packagePath ? staged.get(a.packagePath) : undefined;
    if (!a.packagePath || !d || !stagedAt) continue;
    const { rel, fresh } = place(folderFor(a.kind), a.fileName, d.sha256, safeFileName(a.folder.split('_')[0] ?? 'x'));
    byPackagePath.set(a.packagePath, rel);
    if (fresh) files.push({ rel, size: d.size, sha256: d.sha256, from: { staged: stagedAt } });
  }
  for (const m of result.mapped) {
    if (!m.embedded) continue;
    const sha256 = createHash('sha256').update(m.embedded.data).digest('hex');
    const { rel, fresh } = place('certificates', m.embedded.fileName, sha256, m.embedded.store.toLowerCase());
    byEmbedded.set(m, rel);
    if (fresh) files.push({ rel, size: m.embedded.data.length, sha256, from: { data: m.embedded.data } });
  }
  return { files, byPackagePath, byEmbedded };
}

/* ------------------------------------------------- project from compiled settings */

interface XNode {
  name: string;
  attrs: [string, string][];
  children: XNode[];
  index?: number;
  text?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xmlOf(n: XNode, indent: string): string {
  const a = n.attrs.map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
  if (n.text !== undefined) return `${indent}<${n.name}${a}>${esc(n.text)}</${n.name}>`;
  return `${indent}<${n.name}${a}>\n${n.children.map((c) => xmlOf(c, indent + '  ')).join('\n')}\n${indent}</${n.name}>`;
}

/** Name attributes for the lists ICD numbers by position: WCD needs one, the package does not keep it. */
function positionName(seg: InstanceSeg, setting: MappedSetting): string {
  if (seg.name === 'CommandConfig') return `Command ${(seg.index ?? 0) + 1}`;
  // ppkg names a dependency after its file (compile/projectSettings.ts dependencyKeys).
  const file = (setting.wcdText ?? '').split(/[\\/]/).pop() ?? '';
  return file.replace(/\.[^.]*$/, '') || `${seg.name} ${(seg.index ?? 0) + 1}`;
}

function customizationsFromSettings(
  result: InspectResult,
  fileValue: (m: MappedSetting) => string | undefined,
  warnings: string[],
): { xml: string; raw: MappedSetting[] } {
  const common: XNode = { name: 'Common', attrs: [], children: [] };
  const raw: MappedSetting[] = [];
  for (const m of result.mapped) {
    const isFile = m.def?.wcd === 'file';
    const value = isFile ? fileValue(m) : m.wcdText;
    if (!m.instance || value === undefined) {
      if (m.asset || m.embedded) {
        warnings.push(
          `The package ships ${m.asset?.fileName ?? m.embedded?.fileName} through a setting ppkg does not know (${m.uri}); the file was extracted but no setting uses it.`,
        );
        continue;
      }
      if (m.def && m.label === null) warnings.push(`${m.uri} has the value ${m.compiled}, which WCD has no label for: it is kept as a csp entry.`);
      raw.push(m);
      continue;
    }
    let node = common;
    m.instance.forEach((seg, i) => {
      const schemaPath = m
        .instance!.slice(0, i + 1)
        .map((s) => s.name)
        .join('/');
      const list = listAt(schemaPath);
      let next: XNode | undefined;
      if (list && seg.key) next = node.children.find((c) => c.name === seg.name && c.attrs.some(([k, v]) => k === seg.key![0] && v === seg.key![1]));
      else if (list && seg.index !== undefined) next = node.children.find((c) => c.name === seg.name && c.index === seg.index);
      else next = node.children.find((c) => c.name === seg.name && c.text === undefined && i < m.instance!.length - 1);
      if (!next || i === m.instance!.length - 1) {
        next = {
          name: seg.name,
          attrs: seg.key ? [[seg.key[0], seg.key[1]]] : seg.index !== undefined ? [['Name', positionName(seg, m)]] : [],
          children: [],
          ...(seg.index !== undefined ? { index: seg.index } : {}),
        };
        node.children.push(next);
      }
      node = next;
    });
    node.text = value;
  }
  const i = result.model.image;
  const pc: string[] = [];
  const field = (k: string, v: string | number | null) => v !== null && v !== '' && pc.push(`    <${k}>${esc(String(v))}</${k}>`);
  field('ID', i.packageId);
  field('Name', i.name);
  field('Version', i.version);
  field('OwnerType', i.owner);
  field('Rank', i.rank);
  field('Description', i.description);
  const body = common.children.length ? `\n${common.children.map((c) => xmlOf(c, '        ')).join('\n')}\n      ` : '';
  const xml = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<WindowsCustomizations>',
    `  <PackageConfig xmlns="${NAMESPACE_PACKAGE_CONFIG}">`,
    ...pc,
    '  </PackageConfig>',
    `  <Settings xmlns="${NAMESPACE_SETTINGS}">`,
    '    <Customizations>',
    `      <Common>${body}</Common>`,
    '    </Customizations>',
    '  </Settings>',
    '</WindowsCustomizations>',
  ].join('\n');
  return { xml, raw };
}

const FORMAT: Record<string, 'int' | 'bool' | 'b64' | 'chr'> = { integer: 'int', boolean: 'bool', binary: 'b64' };

/** Raw settings → the project's csp list; credentials become secret references. */
function cspEntries(raw: MappedSetting[], secrets: string[], secretValues: Map<string, string>, warnings: string[]): unknown[] {
  const used = new Set(secrets);
  return raw.map((m) => {
    const format = FORMAT[m.datatype] ?? 'chr';
    const parm = m.uri.split('/').pop() ?? 'value';
    if (m.secret || m.secretPart !== undefined || looksSecret(parm)) {
      let name = `csp-${
        parm
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '') || 'value'
      }`;
      for (let k = 2; used.has(name); k++) name = `csp-${parm.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${k}`;
      used.add(name);
      secrets.push(name);
      secretValues.set(name, m.compiled);
      warnings.push(`The value of ${m.uri} was not copied into the project: it is now the secret "${name}".`);
      return { uri: m.uri, format, value: { secret: name } };
    }
    const value =
      format === 'int' && /^-?\d{1,15}$/.test(m.compiled)
        ? Number(m.compiled)
        : format === 'bool' && /^(true|false)$/i.test(m.compiled)
          ? /^true$/i.test(m.compiled)
          : m.compiled;
    return { uri: m.uri, format, value };
  });
}

/* ------------------------------------------- project from the package's customizations.xml */

type JsonPath = (string | number)[];

/** The import's name for each kind of file field the schema marks (x-ppkg-file); other fields are Personalization's, named by their key. */
const ROLE_OF_FIELD: Record<string, string> = { installer: 'CommandFile', dependency: 'Dependency', 'command file': 'DeviceCommandFile' };

/**
 * The file paths a project holds (model/fields.ts fileFields: the schema's
 * x-ppkg-file properties), with where they are: the application or command
 * file's index, and a certificate's store and name.
 */
function fileReferences(project: Record<string, unknown>): { at: JsonPath; value: string; role: string; index?: number; store?: string; name?: string }[] {
  return fileFields(project).map((f) => {
    const index = f.path.find((s): s is number => typeof s === 'number');
    if (f.role === 'certificate') {
      const c = (project.certificates as Record<string, unknown>[])[index!]!;
      const client = /\.(pfx|p12)$/i.test(f.value);
      return {
        at: f.path,
        value: f.value,
        role: client ? 'Client' : 'Certificate',
        store: client ? 'Client' : typeof c.store === 'string' ? c.store : 'Root',
        name: typeof c.name === 'string' ? c.name : '',
      };
    }
    const role = ROLE_OF_FIELD[f.role] ?? String(f.path[f.path.length - 1]);
    return { at: f.path, value: f.value, role, ...(index !== undefined ? { index } : {}) };
  });
}

const SETTING_OF_ROLE: Record<string, string> = {
  CommandFile: 'ProvisioningCommands/PrimaryContext/Command/CommandConfig/CommandFile',
  Dependency: 'ProvisioningCommands/PrimaryContext/Command/CommandConfig/DependencyPackages/Dependency',
  DeviceCommandFile: 'ProvisioningCommands/DeviceContext/CommandFiles/CommandFile',
};

const base = (p: string) => p.split(/[\\/]/).pop() ?? p;

function pointAtExtracted(
  projectText: string,
  result: InspectResult,
  assetRel: ReadonlyMap<string, string>,
  embeddedRel: ReadonlyMap<MappedSetting, string>,
  warnings: string[],
): string {
  const errors: ParseError[] = [];
  const project = parseJsonc(projectText, errors, { allowTrailingComma: true }) as Record<string, unknown>;
  if (errors.length || !project) return projectText;
  const relOf = (m: MappedSetting) => (m.asset?.packagePath ? assetRel.get(m.asset.packagePath) : embeddedRel.get(m));
  const fileSettings = result.mapped.filter((m) => relOf(m) !== undefined);
  const usedTrusted = new Map<string, number>();
  let text = projectText;
  for (const ref of fileReferences(project)) {
    let target: string | undefined;
    if (ref.role === 'Certificate' || ref.role === 'Client') {
      const ofStore = fileSettings.filter((m) => m.embedded?.store === ref.store);
      if (ref.role === 'Client') {
        const m = ofStore.find((x) => x.embedded!.key === ref.name) ?? ofStore[0];
        target = m ? relOf(m) : undefined;
      } else {
        // Trusted certificates carry no name once compiled: the n-th of a store is the n-th of the project.
        const n = usedTrusted.get(ref.store!) ?? 0;
        usedTrusted.set(ref.store!, n + 1);
        const m = ofStore[n];
        target = m ? relOf(m) : undefined;
      }
    } else {
      const setting = SETTING_OF_ROLE[ref.role] ?? `Personalization/${ref.role}`;
      const same = fileSettings.filter((m) => m.asset && m.asset.fileName === base(ref.value) && m.def?.path === setting);
      const distinct = [...new Set(same.map(relOf))];
      if (distinct.length === 1) target = distinct[0];
      else if (distinct.length > 1) {
        const at = same.find((m) => m.instance?.some((s) => (s.name === 'CommandConfig' || s.name === 'CommandFile') && s.index === ref.index));
        target = at ? relOf(at) : distinct[0];
      }
    }
    if (target === undefined) {
      warnings.push(
        `The package's customizations.xml names the file "${ref.value}", which the package does not ship: copy it next to the project and fix ${ref.at.join('.')}.`,
      );
      continue;
    }
    if (target === ref.value) continue;
    text = applyEdits(text, modify(text, ref.at, target, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } }));
  }
  return text;
}

function withoutPathWarnings(warnings: string[]): string[] {
  // Absolute paths of the machine that built the package: the files are extracted, so those warnings do not apply.
  return warnings.filter((w) => !/is an absolute path on the machine that made the file/.test(w));
}

/**
 * Reads the package (its shipped files being staged and hashed by
 * `stageAssets`) and makes the project. Throws ImportError for a package
 * whose customizations.xml cannot be read.
 */
export async function planPackageImport(wim: WimArchive, staged: StagedAssets): Promise<PackageImport> {
  const inspected = await inspectPackageFiles(wimFiles(wim, staged.digests), { secrets: { show: false } });
  const digests = new Map<string, FileDigest>();
  for (const [p, d] of staged.digests) digests.set(p, await d);
  const { files, byPackagePath, byEmbedded } = planFiles(inspected, staged.staged, digests);
  const embedded = wim.entries.find((e) => !e.isDirectory && e.path === CUSTOMIZATIONS_XML);
  const warnings: string[] = [];
  if (embedded) {
    try {
      const text = decodeXml(await wim.readFile(embedded, { maxBytes: 8 * 1024 * 1024 }), CUSTOMIZATIONS_XML);
      const r = importCustomizations(text);
      let projectText = pointAtExtracted(
        r.projectText.replace(
          /^\/\/ Imported from a WCD customizations\.xml by `ppkg import`\./,
          '// Imported from a provisioning package (its customizations.xml) by `ppkg import`.',
        ),
        inspected,
        byPackagePath,
        byEmbedded,
        warnings,
      );
      // The csp list is not part of customizations.xml: compiled settings the project does not make are added as csp entries.
      const secrets = [...r.secrets];
      const secretValues = new Map(r.secretValues);
      const missing = await missingSettings(projectText, secretValues, files, inspected);
      if (missing.length) {
        projectText = applyEdits(
          projectText,
          modify(projectText, ['csp'], cspEntries(missing, secrets, secretValues, warnings), {
            formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' },
          }),
        );
        warnings.push(
          `${missing.length} compiled setting${missing.length === 1 ? ' is' : 's are'} not in the package's customizations.xml (a csp list, or added after WCD): kept as csp entries.`,
        );
      }
      const t = withTokenExpiry(projectText, inspected, withoutPathWarnings(r.warnings));
      return { ...r, secrets, secretValues, projectText: t.text, warnings: [...t.warnings, ...warnings], files, fromCustomizationsXml: true, inspected };
    } catch (err) {
      if (!(err instanceof ImportError) && !(err instanceof PackageXmlError)) throw err;
      warnings.push(`The package's customizations.xml cannot be read (${err.message}); the project was rebuilt from the compiled settings instead.`);
    }
  } else warnings.push('The package has no customizations.xml: the project was rebuilt from its compiled settings.');
  warnings.push('List names a package does not keep were made up (Command 1, …), and trusted certificates are named by thumbprint; review them.');
  const fileValue = (m: MappedSetting) => {
    const rel = m.asset?.packagePath ? byPackagePath.get(m.asset.packagePath) : byEmbedded.get(m);
    return rel?.replace(/\//g, '\\');
  };
  const { xml, raw } = customizationsFromSettings(inspected, fileValue, warnings);
  let r;
  try {
    r = importCustomizations(xml);
  } catch (err) {
    if (err instanceof ImportError) throw new ImportError(`The package's settings could not be turned into a project: ${err.message}`);
    throw err;
  }
  const secrets = [...r.secrets];
  const secretValues = new Map(r.secretValues);
  let projectText = r.projectText.replace(
    /^\/\/ Imported from a WCD customizations\.xml by `ppkg import`\./,
    '// Rebuilt from the compiled settings of a provisioning package by `ppkg import`.',
  );
  if (raw.length) {
    const csp = cspEntries(raw, secrets, secretValues, warnings);
    projectText = applyEdits(projectText, modify(projectText, ['csp'], csp, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } }));
    warnings.push(
      `${raw.length} setting${raw.length === 1 ? ' is' : 's are'} kept as csp entries (OMA-URI, format, value): the setting table has no WCD setting, or no WCD label for the value.`,
    );
  }
  const t = withTokenExpiry(projectText, inspected, r.warnings);
  return {
    projectText: t.text,
    warnings: [...t.warnings, ...warnings],
    secrets,
    secretValues,
    packageName: r.packageName,
    files,
    fromCustomizationsXml: false,
    inspected,
  };
}

/**
 * The package's raw compiled settings (no WCD setting, or no WCD label)
 * that the project does not compile to: the project is compiled with the
 * extracted files and mapped back like the package.
 */
async function missingSettings(
  projectText: string,
  secretValues: ReadonlyMap<string, string>,
  files: readonly ExtractedFile[],
  pkg: InspectResult,
): Promise<MappedSetting[]> {
  const candidates = pkg.mapped.filter((m) => (!m.instance || m.wcdText === undefined) && !m.asset && !m.embedded);
  if (!candidates.length) return [];
  const errors: ParseError[] = [];
  const project = parseJsonc(projectText, errors, { allowTrailingComma: true }) as Project;
  if (errors.length || !project) return candidates;
  const byRel = new Map(files.map((f) => [f.rel, f]));
  const inputs = new Map<string, InputFile>();
  const settings = projectSettings(project);
  for (const leaf of leavesOf(settings.tree)) {
    const p = leaf.leaf.file;
    const f = p !== undefined ? byRel.get(p) : undefined;
    if (!p || !f) continue;
    const data = 'data' in f.from ? f.from.data : undefined;
    inputs.set(p, { ...(data ? { data } : { path: (f.from as { staged: string }).staged }), size: f.size, sha256: Buffer.from(f.sha256, 'hex') });
  }
  let mine: MappedSetting[];
  try {
    const compiled = compileProject(project, secretValues, { files: inputs }, { target: 'package' });
    mine = (await inspectPackageFiles(compiledFiles(compiled))).mapped;
  } catch {
    return [];
  }
  const key = (m: MappedSetting) => `${m.scope}|${m.uri}|${m.compiled}|${m.datatype}`;
  const have = new Map<string, number>();
  for (const m of mine) have.set(key(m), (have.get(key(m)) ?? 0) + 1);
  return candidates.filter((m) => {
    const n = have.get(key(m)) ?? 0;
    if (n) have.set(key(m), n - 1);
    return n === 0;
  });
}

/**
 * The bulk token's expiry, when the token states it (a JWT-like BPRT),
 * goes into account.entra.tokenExpiry; otherwise the import's warning to
 * set it stays.
 */
function withTokenExpiry(text: string, pkg: InspectResult, warnings: string[]): { text: string; warnings: string[] } {
  const expires = pkg.model.risks.bulkToken.expires;
  if (!expires) return { text, warnings };
  const errors: ParseError[] = [];
  const project = parseJsonc(text, errors, { allowTrailingComma: true }) as Project;
  if (errors.length || !project?.account?.entra || project.account.entra.tokenExpiry) return { text, warnings };
  // tokenExpiry is a day (the token stops working at 00:00 UTC of it): the day the token's exp falls in, or the next when exp is later than midnight.
  const d = new Date(expires);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + (d.getTime() % 86_400_000 ? 1 : 0))).toISOString().slice(0, 10);
  const edited = applyEdits(text, modify(text, ['account', 'entra', 'tokenExpiry'], day, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } }));
  return {
    text: edited,
    warnings: [
      ...warnings.filter((w) => !/The bulk token's expiry is not in customizations\.xml/.test(w)),
      `The bulk token states its expiry: account.entra.tokenExpiry is set to ${day}.`,
    ],
  };
}

/** A staging folder name inside the output folder (removed when the import ends). */
export function stagingName(): string {
  return `.ppkg-import-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** `PPKG_SECRET_<NAME>='value'` lines (single-quoted for a POSIX shell's `set -a; . file`). */
export function secretsFileText(values: ReadonlyMap<string, string>, envName: (n: string) => string): string {
  const lines = ['# Secrets of the imported package. Never commit this file; delete it once the secrets are stored elsewhere.'];
  for (const [name, value] of values) lines.push(`${envName(name)}='${value.replace(/'/g, `'\\''`)}'`);
  return lines.join('\n') + '\n';
}
