/**
 * The WCD setting table: every setting ppkg compiles natively, with ICD's
 * compiled form. One table, read by the compiler, import, validation,
 * completion and hover (docs/settings.md).
 */
import type { SettingDef } from '../types';
import { ACCOUNT_SETTINGS } from './accounts';
import { COMMAND_SETTINGS } from './commands';
import { DEVICE_SETTINGS } from './device';
import { CERTIFICATE_SETTINGS, NETWORK_SETTINGS } from './network';
import { POLICY_SETTINGS } from './policies';
import { SMI_SETTINGS } from './smi';

export const SETTINGS: readonly SettingDef[] = [
  ...ACCOUNT_SETTINGS,
  ...CERTIFICATE_SETTINGS,
  ...NETWORK_SETTINGS,
  ...DEVICE_SETTINGS,
  ...POLICY_SETTINGS,
  ...COMMAND_SETTINGS,
  ...SMI_SETTINGS,
];

const BY_PATH = new Map(SETTINGS.map((s) => [s.path, s]));

/** The table row of a leaf, by its schema path (no keys). */
export function settingAt(schemaPath: string): SettingDef | undefined {
  return BY_PATH.get(schemaPath);
}
