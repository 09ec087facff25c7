/**
 * Mirrored sections: project properties that hold a WCD subtree by WCD's own
 * names, so that an admin reads `"policies": { "Camera": { "AllowCamera": "No" } }`
 * as WCD and the Policy CSP name it. The mapping between a section and its
 * customizations.xml leaves is mechanical, driven by the setting table:
 *
 * - object keys are element names; a setting's value is typed by its row
 *   (`bool` → true/false, `int` → a number, `choice`/`text` → its text,
 *   `secret` → a secret reference or text, `file` → a project-relative path);
 * - a list element (lists.ts) is an array of objects whose key attribute is
 *   a property of the same name: `"LocalUserShellSetting": [{ "Username": "kiosk", "UserCustomShell": "…" }]`.
 */
import { listAt } from './lists';
import { settingAt } from './table';
import type { SettingDef } from './types';

export interface MirroredSectionDef {
  /** The project property. */
  key: 'accountManagement' | 'deviceManagement' | 'licensing' | 'personalization' | 'policies' | 'smiSettings';
  /** The top-level WCD element below Customizations/Common. */
  element: string;
  /** WCD's name for it, for hover and docs. */
  title: string;
}

export const MIRRORED_SECTIONS: readonly MirroredSectionDef[] = [
  { key: 'accountManagement', element: 'AccountManagement', title: 'Runtime settings › AccountManagement' },
  { key: 'deviceManagement', element: 'DeviceManagement', title: 'Runtime settings › DeviceManagement' },
  { key: 'licensing', element: 'Licensing', title: 'Runtime settings › Licensing' },
  { key: 'personalization', element: 'Personalization', title: 'Runtime settings › Personalization' },
  { key: 'policies', element: 'Policies', title: 'Runtime settings › Policies' },
  { key: 'smiSettings', element: 'SMISettings', title: 'Runtime settings › SMISettings' },
];

export function mirroredSectionFor(element: string): MirroredSectionDef | undefined {
  return MIRRORED_SECTIONS.find((s) => s.element === element);
}

/** A mirrored JSON value → the text WCD writes; undefined when the value has the wrong type for the row. */
export function wcdTextOf(def: SettingDef, value: unknown): string | undefined {
  switch (def.wcd) {
    case 'bool':
      return typeof value === 'boolean' ? (value ? 'True' : 'False') : undefined;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? String(value) : undefined;
    default:
      return typeof value === 'string' ? value : undefined;
  }
}

/**
 * WCD's text → the mirrored JSON value; undefined when the text cannot be
 * carried as that type (it then stays a raw WCD path in additionalSettings).
 */
export function jsonValueOf(def: SettingDef, text: string): string | number | boolean | undefined {
  switch (def.wcd) {
    case 'bool': {
      const t = text.trim().toLowerCase();
      return t === 'true' ? true : t === 'false' ? false : undefined;
    }
    case 'int':
      return /^-?\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : undefined;
    case 'choice':
      return def.choices?.some((c) => c.label === text) ? text : undefined;
    default:
      return text;
  }
}

/** The table row or list definition at a schema path inside a mirrored section. */
export function mirroredNodeAt(schemaPath: string): { setting?: SettingDef; list?: ReturnType<typeof listAt> } {
  return { setting: settingAt(schemaPath), list: listAt(schemaPath) };
}
