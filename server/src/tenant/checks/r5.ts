import { unreadable, type CheckResult, type Fetched } from '../types';

/** R5: the Default enrollment restriction allows Windows (docs/tenant-checks.md §R5). */
export const R5_TITLE = 'Default enrollment restriction allows Windows';
export const R5_REQUEST = '/beta/deviceManagement/deviceEnrollmentConfigurations';
export const R5_SCOPE = 'DeviceManagementServiceConfig.Read.All';
const R5_READERS = 'Intune Administrator or an Intune RBAC role that can read enrollment restrictions (unverified); the tenant needs an Intune licence';

export interface EnrollmentConfiguration {
  '@odata.type'?: string;
  id?: string;
  displayName?: string;
  priority?: number;
  deviceEnrollmentConfigurationType?: string;
  windowsRestriction?: {
    platformBlocked?: boolean;
    personalDeviceEnrollmentBlocked?: boolean;
    osMinimumVersion?: string | null;
    osMaximumVersion?: string | null;
  } | null;
}

export interface R5Data {
  configurations: Fetched<EnrollmentConfiguration[]>;
}

const FIX =
  'Intune admin center > Devices > Enrollment > Device platform restriction > Windows restrictions > "All Users" (Default) > Properties: allow Windows (MDM). Custom restrictions with a priority do not apply to bulk enrollment, which is userless.';

/** The default platform restriction: plural type, priority 0 or the default type/ID (chosen on the client, docs/tenant-checks.md §R5). */
export function findDefaultRestriction(configs: EnrollmentConfiguration[]): EnrollmentConfiguration | undefined {
  return configs.find(
    (c) =>
      (c['@odata.type'] ?? '').toLowerCase() === '#microsoft.graph.deviceenrollmentplatformrestrictionsconfiguration' &&
      (c.priority === 0 || c.deviceEnrollmentConfigurationType === 'defaultPlatformRestrictions' || (c.id ?? '').endsWith('_DefaultPlatformRestrictions')),
  );
}

export function evaluateR5(data: R5Data): CheckResult {
  const base = { check: 'R5' as const, title: R5_TITLE };
  const r = data.configurations;
  if (!r.ok) return unreadable('R5', R5_TITLE, 'the Intune enrollment restrictions (deviceEnrollmentConfigurations, beta)', r, R5_SCOPE, R5_READERS);
  const def = findDefaultRestriction(r.body);
  if (!def) {
    return {
      ...base,
      status: 'unknown',
      message: 'The Default device platform restriction was not found among the enrollment configurations.',
      fix: `Review by hand: ${FIX}`,
    };
  }
  const w = def.windowsRestriction ?? {};
  if (w.platformBlocked === true) {
    return {
      ...base,
      status: 'fail',
      message: 'The Default device platform restriction blocks Windows (MDM). Bulk enrollment only uses the Default restriction.',
      fix: FIX,
    };
  }
  const personal = w.personalDeviceEnrollmentBlocked
    ? ' Personally owned Windows devices are blocked; bulk-enrolled devices are assumed to count as corporate (unverified).'
    : '';
  if (w.osMinimumVersion || w.osMaximumVersion) {
    return {
      ...base,
      status: 'warn',
      message: `The Default restriction allows Windows but limits the version: minimum ${w.osMinimumVersion || '(none)'}, maximum ${w.osMaximumVersion || '(none)'}. Devices outside this range will not enroll.${personal}`,
      fix: 'Compare the limits with the Windows builds you will provision; adjust them in Intune admin center > Devices > Enrollment > Device platform restriction > Windows restrictions > All Users.',
    };
  }
  return { ...base, status: 'pass', message: `The Default device platform restriction allows Windows.${personal}`, fix: '' };
}
