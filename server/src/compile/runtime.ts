/**
 * The settings tree → compiled settings groups, as ICD compiles them
 * (docs/compiled-forms.md). Every leaf is looked up in the setting table; a
 * leaf the table does not know, or whose value ICD would not accept, is a
 * located problem — the build refuses rather than leave a setting out.
 */
import type { JsonPath } from '../model/parse';
import { identityOf, settingsGroupGuid, fileStem, sortKeyOf, type InstanceSegment, type SortKey } from '../settings/groups';
import { settingAt } from '../settings/table';
import type { SettingDef } from '../settings/types';
import { compileCertificate } from './groups/certificates';
import { compileValue, describeLeaf } from './values';
import { compileWlan } from './groups/wlan';
import { leavesOf, type LeafAt, type SettingsTree } from './settingsTree';
import { secretText, type CompileInputs, type CompileProblem, type InputFile, type ResolvedSecrets } from './types';

export type ProvDatatype = 'string' | 'integer' | 'boolean' | 'binary';

/** A file the package ships as a data asset; numbered once the groups are ordered (layout.ts). */
export interface PendingAsset {
  kind: string;
  dataAssetValue: string;
  fileName: string;
  input: InputFile;
  source: JsonPath;
  /** The global file number `<n>` (assigned in RunTime order). */
  number?: number;
}

/** One compiled parm, with the characteristic path it sits under. */
export interface ProvParm {
  path: string[];
  /** The parm name, or the asset whose `<n>_<b64>\<file>` names it. */
  name: string | { asset: PendingAsset };
  value: string;
  datatype: ProvDatatype;
  exec?: boolean;
  /** `scope` on the top-level characteristic (user settings; certificates' Device). */
  scope?: 'Device' | 'User';
}

export interface CompiledGroup {
  /** Schema path of the group (or a ppkg name for csp settings). */
  group: string;
  guid: string;
  /** File-name stem: `<n>__<stem>.provxml`. */
  stem: string;
  scope: 'device' | 'user';
  sortKey: SortKey;
  /** Table groups are sorted into ICD's order; csp settings follow in project order. */
  origin: 'table' | 'csp';
  parms: ProvParm[];
  /** Parm names that get `Provisioning/ForceSettingReload/<name> = 1`. */
  reloads: string[];
  assets: PendingAsset[];
}

export interface RuntimeContext {
  secrets: ResolvedSecrets;
  inputs: CompileInputs;
  /** `{<pkgid>}` as it appears under Provisioning/Assets. */
  packageId: string;
  problems: CompileProblem[];
}

/** Instance segments of a leaf's path (with list positions). */
function instanceOf(leaf: LeafAt, depth: number): InstanceSegment[] {
  return leaf.path.slice(0, depth);
}

function instanceKey(instance: readonly InstanceSegment[]): string {
  return instance.map((s) => `${s.name}#${s.index}`).join('/');
}

/** Replaces `{Element}` placeholders with the identity (key or index) of that list element in the instance. */
export function resolveTemplate(template: string, path: readonly InstanceSegment[]): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => {
    const i = path.findIndex((s) => s.name === name);
    if (i < 0) return whole;
    return (
      identityOf(
        path
          .slice(0, i + 1)
          .map((s) => s.name)
          .join('/'),
        path[i]!,
      ) ?? whole
    );
  });
}

/**
 * Compiles every leaf the table knows, grouping leaves into ICD's settings
 * groups, and records a problem for every other leaf.
 */
export function compileRuntime(tree: SettingsTree, ctx: RuntimeContext): CompiledGroup[] {
  const leaves = leavesOf(tree);
  const byInstance = new Map<string, { def: SettingDef; instance: InstanceSegment[]; leaves: { leaf: LeafAt; def: SettingDef }[] }>();
  for (const leaf of leaves) {
    const schemaPath = leaf.path.map((s) => s.name).join('/');
    const def = settingAt(schemaPath);
    if (!def) {
      ctx.problems.push({
        path: leaf.leaf.source,
        code: 'PPKG113',
        message: `${describeLeaf(leaf)} is not a setting the native backend compiles, so a native package would leave it out. Use the csp list with its OMA-URI, or build with --backend icd on Windows.`,
      });
      continue;
    }
    const depth = def.group.split('/').length;
    const instance = instanceOf(leaf, depth);
    const key = instanceKey(instance);
    let entry = byInstance.get(key);
    if (!entry) byInstance.set(key, (entry = { def, instance, leaves: [] }));
    entry.leaves.push({ leaf, def });
  }

  const groups: CompiledGroup[] = [];
  for (const { def, instance, leaves: members } of byInstance.values()) {
    const group: CompiledGroup = {
      group: def.group,
      guid: settingsGroupGuid(def.group),
      stem: fileStem(instance),
      scope: def.scope === 'user' ? 'user' : 'device',
      sortKey: sortKeyOf(instance, def.sortAs),
      origin: 'table',
      parms: [],
      reloads: [],
      assets: [],
    };
    const before = ctx.problems.length;
    if (def.compiler === 'wlan') compileWlan(group, instance, members, ctx);
    else if (def.compiler === 'certificate') compileCertificate(group, instance, members, ctx);
    else for (const m of members) compileLeaf(group, m.leaf, m.def, ctx);
    if (ctx.problems.length === before && group.parms.length) groups.push(group);
  }
  return groups;
}

function compileLeaf(group: CompiledGroup, leaf: LeafAt, def: SettingDef, ctx: RuntimeContext): void {
  const where = describeLeaf(leaf);
  if (def.asset) {
    const projectPath = leaf.leaf.file;
    const input = projectPath !== undefined ? ctx.inputs.files.get(projectPath) : undefined;
    if (projectPath === undefined || !input) {
      ctx.problems.push({ path: leaf.leaf.source, code: 'PPKG030', message: `${where}: the file was not read before compiling.` });
      return;
    }
    const asset: PendingAsset = {
      kind: def.asset.kind,
      dataAssetValue: resolveTemplate(def.asset.dataAssetValue, leaf.path),
      fileName: baseNameOf(projectPath),
      input,
      source: leaf.leaf.source,
    };
    group.assets.push(asset);
    group.parms.push({
      path: ['Provisioning', 'Assets', ctx.packageId, resolveTemplate(def.asset.type, leaf.path)],
      name: { asset },
      value: asset.fileName,
      datatype: 'string',
    });
    return;
  }
  let text: string;
  try {
    text = secretText(leaf.leaf.value, ctx.secrets, leaf.leaf.source);
  } catch (err) {
    ctx.problems.push({ path: leaf.leaf.source, code: 'PPKG110', message: (err as Error).message });
    return;
  }
  const compiled = compileValue(def, text, where);
  if ('problem' in compiled) {
    // Never echo a secret's value in a message.
    const message = def.wcd === 'secret' ? `${where} cannot be compiled.` : compiled.problem;
    ctx.problems.push({ path: leaf.leaf.source, code: 'PPKG111', message });
    return;
  }
  const segments = resolveTemplate(def.csp, leaf.path).split('/');
  const name = segments.pop()!;
  group.parms.push({
    path: segments,
    name,
    value: compiled.value,
    datatype: def.type,
    ...(def.exec ? { exec: true } : {}),
    ...(def.scope === 'user' ? { scope: 'User' as const } : {}),
  });
  if (def.reload) group.reloads.push(name);
}

function baseNameOf(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1]!;
}
