/**
 * Two inspect models → a setting-level diff: image properties, settings
 * added, removed and changed (keyed by WCD setting path, else OMA-URI, and
 * scope), and shipped files compared by SHA-256. Secrets are compared by
 * fingerprint, never by value; a secret whose value is unknown (a project's
 * unset secret) is not a difference. docs/inspect.md documents the JSON.
 */
import type { InspectModel, InspectSetting } from '../inspect/model';

export const DIFF_FORMAT = 'ppkg-diff';
export const DIFF_VERSION = 1;

export type Change = 'added' | 'removed' | 'changed';

export interface DiffSide {
  /** The file as named on the command line. */
  label: string;
  kind: 'package' | 'project';
}

export interface SettingChange {
  change: Change;
  scope: 'device' | 'user';
  /** WCD setting path, or OMA-URI when the table does not know it. */
  setting: string;
  /** Values as inspect shows them (secrets masked); absent on the side that lacks the setting. */
  a?: string;
  b?: string;
}

export interface FileChange {
  change: Change;
  /** The setting that ships the file. */
  setting: string;
  a?: { name: string; size: number; sha256: string };
  b?: { name: string; size: number; sha256: string };
}

export interface DiffResult {
  format: typeof DIFF_FORMAT;
  version: typeof DIFF_VERSION;
  a: DiffSide;
  b: DiffSide;
  /** True when there is no difference at all (exit 0). */
  same: boolean;
  image: { property: string; a: string | null; b: string | null }[];
  settings: SettingChange[];
  files: FileChange[];
  /** What was not compared, and why (unset secrets). */
  notes: string[];
}

const IMAGE_FIELDS: [keyof InspectModel['image'], string][] = [
  ['name', 'Name'],
  ['packageId', 'Package ID'],
  ['version', 'Version'],
  ['description', 'Description'],
  ['owner', 'Owner'],
  ['rank', 'Rank'],
];

function keyed(settings: InspectSetting[]): Map<string, InspectSetting> {
  const out = new Map<string, InspectSetting>();
  const seen = new Map<string, number>();
  for (const s of settings) {
    const base = `${s.scope}|${s.path ?? s.uri}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.set(n ? `${base}#${n}` : base, s);
  }
  return out;
}

function shown(s: InspectSetting): string {
  if (s.label !== undefined) return s.label === null ? `${s.compiledValue} (no WCD label)` : s.label;
  return s.value;
}

function fileOf(s: InspectSetting) {
  return s.file ? { name: s.file.name, size: s.file.size, sha256: s.file.sha256 } : undefined;
}

export function diffModels(a: InspectModel, b: InspectModel, sides: { a: DiffSide; b: DiffSide }): DiffResult {
  const image: DiffResult['image'] = [];
  for (const [field, property] of IMAGE_FIELDS) {
    const va = a.image[field] as string | number | null;
    const vb = b.image[field] as string | number | null;
    if (va !== vb) image.push({ property, a: va === null ? null : String(va), b: vb === null ? null : String(vb) });
  }
  const settings: SettingChange[] = [];
  const files: FileChange[] = [];
  const unknownSecrets = new Set<string>();
  const ka = keyed(a.settings);
  const kb = keyed(b.settings);
  const name = (s: InspectSetting) => s.path ?? s.uri;
  const record = (change: Change, sa: InspectSetting | undefined, sb: InspectSetting | undefined) => {
    const s = (sa ?? sb)!;
    if (s.file || sa?.file || sb?.file) {
      files.push({ change, setting: name(s), ...(sa ? { a: fileOf(sa) } : {}), ...(sb ? { b: fileOf(sb) } : {}) });
      return;
    }
    settings.push({ change, scope: s.scope, setting: name(s), ...(sa ? { a: shown(sa) } : {}), ...(sb ? { b: shown(sb) } : {}) });
  };
  for (const [k, sa] of ka) {
    const sb = kb.get(k);
    if (!sb) {
      record('removed', sa, undefined);
      continue;
    }
    if (sa.secret || sb.secret) {
      const fa = sa.secret?.fingerprint;
      const fb = sb.secret?.fingerprint;
      if (fa === null || fb === null) {
        unknownSecrets.add(name(sa));
        continue;
      }
      if (fa !== fb && fa !== null && fb !== null) record('changed', sa, sb);
      else if (sa.datatype !== sb.datatype) record('changed', sa, sb);
      continue;
    }
    if (sa.file || sb.file) {
      if (sa.file?.sha256 !== sb.file?.sha256 || sa.file?.name !== sb.file?.name) record('changed', sa, sb);
      continue;
    }
    if (sa.compiledValue !== sb.compiledValue || sa.datatype !== sb.datatype) record('changed', sa, sb);
  }
  for (const [k, sb] of kb) if (!ka.has(k)) record('added', undefined, sb);
  const notes: string[] = [];
  if (unknownSecrets.size)
    notes.push(`Not compared, because the project's secret is not set (set PPKG_SECRET_<NAME> to compare it): ${[...unknownSecrets].join(', ')}.`);
  return {
    format: DIFF_FORMAT,
    version: DIFF_VERSION,
    a: sides.a,
    b: sides.b,
    same: !image.length && !settings.length && !files.length,
    image,
    settings,
    files,
    notes,
  };
}
