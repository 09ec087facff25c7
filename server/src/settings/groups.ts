/**
 * Settings groups: their SettingsGroup GUID, the file-name stem of an
 * instance, and ICD's order (docs/compiled-forms.md, "Groups, files and
 * order").
 */
import { createHash } from 'node:crypto';
import { listAt } from './lists';
import { wcdCompare, type PathSegment } from './wcdPath';

/** RFC 9562's DNS namespace, in which ICD derives every SettingsGroup. */
export const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** A name-based version-5 UUID (SHA-1), lower case. */
export function uuidV5(name: string, namespace = DNS_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The SettingsGroup of a group: UUID v5 in the DNS namespace of "_" + the
 * group's schema path with "/" as "_". The rule reproduces all 65 GUIDs seen
 * in ICD-built packages (checked in test/unit/settings-table.test.ts).
 */
export function settingsGroupGuid(groupPath: string): string {
  return uuidV5('_' + groupPath.replace(/\//g, '_'));
}

/**
 * One list element on the way to a group instance: its key value and its
 * 0-based position among same-named siblings in document order.
 */
export interface InstanceSegment extends PathSegment {
  index: number;
}

/** How ICD names a list instance: its key value, or its position. */
export function identityOf(schemaPath: string, s: InstanceSegment): string | undefined {
  const list = listAt(schemaPath);
  if (!list) return undefined;
  if (list.identity === 'index') return String(s.index);
  return s.attrs.find(([k]) => k === list.key)?.[1] ?? '';
}

/**
 * The file-name stem of a group instance: the group's segments joined by
 * "_", each list element replaced by its key value or index
 * (`Accounts_Users_kiosk`, `ProvisioningCommands_PrimaryContext_Command_0_CommandLine`).
 */
export function fileStem(instance: readonly InstanceSegment[]): string {
  const parts: string[] = [];
  instance.forEach((s, i) => {
    const schemaPath = instance
      .slice(0, i + 1)
      .map((x) => x.name)
      .join('/');
    parts.push(identityOf(schemaPath, s) ?? s.name);
  });
  return parts.map(fileSafe).join('_');
}

/**
 * Keys (user names, SSIDs, certificate names) can hold characters a file name
 * cannot; ICD's handling of them is unobserved, so they become "_".
 */
export function fileSafe(s: string): string {
  // Characters Windows refuses in file names, and % (an environment
  // variable to some of the engine's path handling).
  const cleaned = s.replace(/[<>:"/\\|?*%\u0000-\u001f]/g, '_').replace(/[. ]+$/, '');
  return cleaned || '_';
}

/** ICD's order of group instances: segment by segment in schema order, list instances by position. */
export type SortKey = readonly { name: string; index: number }[];

export function sortKeyOf(instance: readonly InstanceSegment[], sortAs?: string): SortKey {
  const key = instance.map((s) => ({ name: s.name, index: s.index }));
  if (!sortAs) return key;
  // docs/compiled-forms.md §Groups, files and order: ICD sorts Policies/ApplicationManagement/AllowAllTrustedApps as if
  // its path were ApplicationManagement/AllowAllTrustedApps.
  return sortAs.split('/').map((name) => ({ name, index: 0 }));
}

export function compareSortKeys(a: SortKey, b: SortKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = wcdCompare(a[i]!.name, b[i]!.name) || a[i]!.index - b[i]!.index;
    if (c) return c;
  }
  return a.length - b.length;
}
