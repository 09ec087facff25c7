/**
 * Device-wide groups: CleanPC, EditionUpgrade, SharedPC, OOBE, Licensing,
 * Personalization, AccountManagement and DeviceManagement
 * (docs/compiled-forms.md §Compiled form per setting).
 */
import type { SettingDef } from '../types';

const WCD = 'https://learn.microsoft.com/windows/configuration/wcd/wcd-';

const CLEANPC_ENABLE = [{ label: 'Enable', value: '1' }];

export const DEVICE_SETTINGS: SettingDef[] = [
  {
    path: 'CleanPC/CleanPCRetainingUserData',
    group: 'CleanPC',
    csp: 'CleanPC/CleanPCRetainingUserData',
    type: 'integer',
    wcd: 'choice',
    choices: CLEANPC_ENABLE,
    exec: true,
    reload: true,
    evidence: {
      believed:
        'Unobserved; its sibling CleanPCWithoutRetainingUserData is observed with this exact form (integer 1, exec, ForceSettingReload) in the group CleanPC, and both are Exec nodes of the same CSP.',
    },
    title: 'CleanPC › CleanPCRetainingUserData',
    description: 'Removes the pre-installed apps and keeps user data (Enterprise and Education editions).',
    docs: `${WCD}cleanpc`,
  },
  {
    path: 'CleanPC/CleanPCWithoutRetainingUserData',
    group: 'CleanPC',
    csp: 'CleanPC/CleanPCWithoutRetainingUserData',
    type: 'integer',
    wcd: 'choice',
    choices: CLEANPC_ENABLE,
    exec: true,
    reload: true,
    evidence: { observed: 'CleanPC (1 of 8 ICD packages): integer 1, exec, ForceSettingReload, no scope' },
    title: 'CleanPC › CleanPCWithoutRetainingUserData',
    description: 'Removes the pre-installed apps and all user data (Enterprise and Education editions).',
    docs: `${WCD}cleanpc`,
  },
  {
    path: 'EditionUpgrade/ChangeProductKey',
    group: 'EditionUpgrade/ChangeProductKey',
    csp: 'WindowsLicensing/ChangeProductKey',
    type: 'string',
    wcd: 'text',
    exec: true,
    evidence: { observed: 'ChangeProductKey (1 of 8 ICD packages): exec, no ForceSettingReload' },
    title: 'EditionUpgrade › ChangeProductKey',
    description: 'Installs this product key without changing the edition.',
    docs: `${WCD}editionupgrade`,
  },
  {
    path: 'EditionUpgrade/UpgradeEditionWithProductKey',
    group: 'EditionUpgrade/UpgradeEditionWithProductKey',
    csp: 'WindowsLicensing/UpgradeEditionWithProductKey',
    type: 'string',
    wcd: 'text',
    exec: true,
    reload: true,
    evidence: { observed: 'UpgradeEditionWithProductKey (1 of 8 ICD packages): exec and ForceSettingReload' },
    title: 'EditionUpgrade › UpgradeEditionWithProductKey',
    description: 'Upgrades Windows to the edition of this key; the device restarts after the user agrees.',
    docs: `${WCD}editionupgrade`,
  },
  {
    path: 'SharedPC/EnableSharedPCMode',
    // Group boundary unobserved: SharedPC is one CSP set as a whole like
    // CleanPC, AccountManagement and DeviceManagement, which ICD compiles as
    // group-level files; believed the same.
    group: 'SharedPC',
    csp: 'SharedPC/EnableSharedPCMode',
    type: 'boolean',
    wcd: 'bool',
    evidence: {
      believed:
        'Unobserved in ICD-built packages. ./Vendor/MSFT/SharedPC/EnableSharedPCMode is the documented boolean node of the SharedPC CSP the WCD setting configures; the group is assumed to be the whole SharedPC tree, like the other single-CSP groups ICD compiles.',
    },
    title: 'SharedPC › EnableSharedPCMode',
    description: 'Shared PC mode, for devices many people sign in to; accounts are cleaned up automatically.',
    docs: `${WCD}sharedpc`,
  },
  ...(['EnableCortanaVoice', 'HideOobe'] as const).map((leaf): SettingDef => ({
    path: `OOBE/Desktop/${leaf}`,
    group: `OOBE/Desktop/${leaf}`,
    csp: `MCSF/OOBE/Desktop/${leaf}`,
    type: 'boolean',
    wcd: 'bool',
    evidence: { observed: leaf === 'HideOobe' ? 'HideOobe (6 of 8 ICD packages)' : 'EnableCortanaVoice (1 of 8 ICD packages)' },
    title: `OOBE › Desktop › ${leaf}`,
    description: leaf === 'HideOobe' ? 'Skips the setup screens; the package must then create a local account.' : 'Lets Cortana speak during setup.',
    docs: `${WCD}oobe`,
  })),
  ...(['AllowWindowsEntitlementReactivation', 'DisallowKMSClientOnlineAVSValidation'] as const).map((leaf): SettingDef => ({
    path: `Licensing/${leaf}`,
    group: `Licensing/${leaf}`,
    csp: `MCSF/Licensing/${leaf}`,
    type: 'boolean',
    wcd: 'bool',
    evidence: { observed: 'Licensing (1 of 8 ICD packages), one file per leaf' },
    title: `Licensing › ${leaf}`,
    description:
      leaf === 'AllowWindowsEntitlementReactivation'
        ? 'Lets Windows reactivate its subscription entitlement after a hardware change.'
        : 'Stops KMS clients from sending activation data to Microsoft (AVS validation).',
    docs: `${WCD}licensing`,
  })),
  ...(['DeployDesktopImage', 'DeployLockScreenImage'] as const).map((leaf): SettingDef => ({
    path: `Personalization/${leaf}`,
    group: `Personalization/${leaf}`,
    csp: '',
    type: 'string',
    wcd: 'file',
    asset: { kind: leaf, type: `/Personalization/${leaf}`, dataAssetValue: `/Personalization/${leaf}` },
    evidence: { observed: 'desktop and lock screen images (2 of 8 ICD packages)' },
    title: `Personalization › ${leaf}`,
    description:
      leaf === 'DeployDesktopImage' ? 'A desktop background image file, shipped in the package.' : 'A lock screen image file, shipped in the package.',
    docs: `${WCD}personalization`,
  })),
  ...(['DesktopImageUrl', 'LockScreenImageUrl'] as const).map((leaf): SettingDef => ({
    path: `Personalization/${leaf}`,
    group: `Personalization/${leaf}`,
    csp: `Personalization/${leaf}`,
    type: 'string',
    wcd: 'text',
    evidence: { observed: 'image URLs (1 of 8 ICD packages)' },
    title: `Personalization › ${leaf}`,
    description:
      leaf === 'DesktopImageUrl'
        ? 'A desktop background image the device downloads (http, https or file URL).'
        : 'A lock screen image the device downloads (http, https or file URL).',
    docs: `${WCD}personalization`,
  })),
  {
    path: 'AccountManagement/UserProfilePolicies/EnableProfileManager',
    group: 'AccountManagement',
    // WCD's UserProfilePolicies is compiled as UserProfileManagement (docs/compiled-forms.md §Compiled form per setting).
    csp: 'AccountManagement/UserProfileManagement/EnableProfileManager',
    type: 'boolean',
    wcd: 'bool',
    evidence: { observed: 'AccountManagement (1 of 8 ICD packages), a group-level file' },
    title: 'AccountManagement › UserProfilePolicies › EnableProfileManager',
    description: 'Deletes user profiles automatically by the AccountManagement policies (shared devices).',
    docs: `${WCD}accountmanagement`,
  },
  ...(['AllowCrashDump', 'AllowLiveDump'] as const).map((leaf): SettingDef => ({
    path: `DeviceManagement/MemoryDump/${leaf}`,
    group: 'DeviceManagement',
    csp: `Policy/Config/MemoryDump/${leaf}`,
    type: 'integer',
    wcd: 'choice',
    choices: [
      { label: 'Allowed', value: '1' },
      {
        label: 'Not allowed',
        value: '0',
        believed: "the label of value 0 is not observed here; 'Not allowed' is WCD's label for 0 on a sibling policy and the Policy CSP's own wording",
      },
    ],
    evidence: { observed: 'DeviceManagement (1 of 8 ICD packages): one group-level file with both MemoryDump parms' },
    title: `DeviceManagement › MemoryDump › ${leaf}`,
    description: leaf === 'AllowCrashDump' ? 'Whether Windows writes a memory dump when it crashes.' : 'Whether Windows can take live memory dumps.',
    docs: `${WCD}devicemanagement`,
  })),
];
