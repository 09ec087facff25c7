/**
 * Policies/<Area>/<Policy>: one group and file per policy, compiled to
 * `Policy/Config/<Area>/<Policy>` (docs/compiled-forms.md §Compiled form per setting).
 *
 * WCD stores the *label* of a choice; ICD writes the CSP value, through a
 * table of its own that is not public. The labels here are those seen in
 * ICD-built packages; a label marked `believed` was not seen, and says why it
 * is thought right. A policy or value this table does not list cannot be
 * compiled natively: use the project's `csp` list with the Policy CSP's
 * OMA-URI instead.
 */
import type { SettingDef, ValueChoice } from '../types';

type Row = {
  area: string;
  policy: string;
  kind: 'yesno' | 'bool' | 'int' | 'text' | ValueChoice[];
  user?: true;
  sortAs?: string;
  title: string;
};

const YES_NO: ValueChoice[] = [
  { label: 'Yes', value: '1' },
  { label: 'No', value: '0' },
];
const opposite = (label: string, value: string, why: string): ValueChoice => ({ label, value, believed: why });
const PAIRING =
  'the reference lists the labels Disallowed, Not allowed and Disabled for AllowAppStoreAutoUpdate, Power/AllowHibernate and Search/AllowCloudSearch together; the pairing follows that listing order';

const ROWS: Row[] = [
  { area: 'Accounts', policy: 'AllowAddingNonMicrosoftAccountsManually', kind: 'yesno', title: 'Let users add non-Microsoft email accounts manually.' },
  // ICD 10.0.22000 and later sort this one as if it were ApplicationManagement/AllowAllTrustedApps (docs/compiled-forms.md §Groups, files and order).
  {
    area: 'ApplicationManagement',
    policy: 'AllowAllTrustedApps',
    kind: 'yesno',
    sortAs: 'ApplicationManagement/AllowAllTrustedApps',
    title: 'Allow apps that are not from the Microsoft Store (sideloading).',
  },
  {
    area: 'ApplicationManagement',
    policy: 'AllowAppStoreAutoUpdate',
    kind: [{ label: 'Disallowed', value: '0', believed: PAIRING }, opposite('Allowed', '1', "WCD's label for 1 on the Allowed/… policies")],
    title: 'Let Microsoft Store apps update automatically.',
  },
  { area: 'ApplicationManagement', policy: 'AllowDeveloperUnlock', kind: 'yesno', title: 'Allow developer mode and sideloading of unsigned apps.' },
  { area: 'Camera', policy: 'AllowCamera', kind: 'yesno', title: 'Allow the camera.' },
  { area: 'Experience', policy: 'AllowCortana', kind: 'yesno', title: 'Allow Cortana.' },
  { area: 'FileExplorer', policy: 'AllowOptionToShowNetwork', kind: 'bool', user: true, title: 'Show the Network entry in File Explorer (per user).' },
  { area: 'FileExplorer', policy: 'AllowOptionToShowThisPC', kind: 'bool', user: true, title: 'Show the This PC entry in File Explorer (per user).' },
  { area: 'Games', policy: 'AllowAdvancedGamingServices', kind: 'yesno', title: 'Allow advanced Xbox gaming services.' },
  {
    area: 'MemoryDump',
    policy: 'AllowCrashDump',
    kind: [{ label: 'Allowed', value: '1' }, opposite('Not allowed', '0', "WCD's label for 0 on a sibling policy, and the Policy CSP's own wording")],
    title: 'Write a memory dump when Windows crashes.',
  },
  {
    area: 'MemoryDump',
    policy: 'AllowLiveDump',
    kind: [{ label: 'Allowed', value: '1' }, opposite('Not allowed', '0', "WCD's label for 0 on a sibling policy, and the Policy CSP's own wording")],
    title: 'Allow live memory dumps.',
  },
  {
    area: 'Power',
    policy: 'AllowHibernate',
    kind: [{ label: 'Not allowed', value: '0', believed: PAIRING }, opposite('Allowed', '1', "WCD's label for 1 on the Allowed/… policies")],
    title: 'Allow hibernation.',
  },
  { area: 'Privacy', policy: 'AllowInputPersonalization', kind: 'yesno', title: 'Allow speech, inking and typing personalization.' },
  { area: 'Privacy', policy: 'DisableAdvertisingId', kind: 'yesno', title: 'Turn off the advertising ID.' },
  {
    area: 'Search',
    policy: 'AllowCloudSearch',
    kind: [{ label: 'Disabled', value: '0', believed: PAIRING }, opposite('Enabled', '1', "the natural pair of WCD's label Disabled")],
    title: 'Allow search to use cloud content.',
  },
  { area: 'Search', policy: 'AllowCortanaInAAD', kind: 'bool', title: 'Allow Cortana for Entra ID accounts.' },
  { area: 'Start', policy: 'ConfigureStartPins', kind: 'text', title: 'The apps pinned to Start (JSON, as the Start policy takes it).' },
  { area: 'Start', policy: 'ForceStartSize', kind: 'int', title: 'Force the size of Start: 0 no force, 1 not full screen, 2 full screen.' },
  { area: 'Start', policy: 'HideFrequentlyUsedApps', kind: 'yesno', title: 'Hide the most used apps in Start.' },
  { area: 'Start', policy: 'HideHibernate', kind: 'yesno', title: 'Hide Hibernate in the power menu.' },
  { area: 'Start', policy: 'HidePeopleBar', kind: 'yesno', title: 'Hide the People bar on the taskbar.' },
  {
    area: 'System',
    policy: 'AllowBuildPreview',
    kind: [{ label: 'Allowed', value: '1' }, opposite('Not allowed', '0', "WCD's label for 0 on a sibling policy, and the Policy CSP's own wording")],
    title: 'Allow Windows Insider preview builds.',
  },
  { area: 'System', policy: 'AllowLocation', kind: 'yesno', title: 'Allow location services.' },
  { area: 'TextInput', policy: 'AllowIMELogging', kind: 'yesno', title: 'Allow the input method editor to log conversion errors.' },
  { area: 'TextInput', policy: 'AllowInputPanel', kind: 'yesno', title: 'Allow the touch keyboard and handwriting panel.' },
  {
    area: 'TimeLanguageSettings',
    policy: 'ConfigureTimeZone',
    kind: 'text',
    title: 'The time zone, by its Windows name (for example "Pacific Standard Time").',
  },
  {
    area: 'Update',
    policy: 'AllowAutoUpdate',
    kind: [{ label: 'Turn off automatic updates', value: '5' }],
    title:
      'How Windows Update installs updates. Only the value WCD is seen to write is listed; for the others use csp with ./Device/Vendor/MSFT/Policy/Config/Update/AllowAutoUpdate.',
  },
  {
    area: 'Update',
    policy: 'UpdateNotificationLevel',
    kind: [{ label: 'Default OS Windows Update notifications', value: '0' }],
    title: 'Which Windows Update notifications users see. Only the value WCD is seen to write is listed; for the others use csp.',
  },
  { area: 'WindowsInkWorkspace', policy: 'AllowSuggestedAppsInWindowsInkWorkspace', kind: 'yesno', title: 'Show suggested apps in Windows Ink Workspace.' },
  {
    area: 'WindowsInkWorkspace',
    policy: 'AllowWindowsInkWorkspace',
    kind: [{ label: 'On', value: '2' }],
    title: 'Windows Ink Workspace. Only the value WCD is seen to write (On, above the lock screen) is listed; for the others use csp.',
  },
  { area: 'WindowsLogon', policy: 'EnableFirstLogonAnimation', kind: 'yesno', title: 'Show the animation at first sign-in.' },
  { area: 'WindowsLogon', policy: 'HideFastUserSwitching', kind: 'yesno', title: 'Hide fast user switching.' },
];

export const POLICY_SETTINGS: SettingDef[] = ROWS.map((r): SettingDef => {
  const path = `Policies/${r.area}/${r.policy}`;
  const base = {
    path,
    group: path,
    csp: `Policy/Config/${r.area}/${r.policy}`,
    ...(r.user ? { scope: 'user' as const } : {}),
    ...(r.sortAs ? { sortAs: r.sortAs } : {}),
    evidence: { observed: `policies (6 of 8 ICD packages, 32 policies)${r.user ? '; user-scoped into User_RunTime' : ''}` },
    title: `Policies › ${r.area} › ${r.policy}`,
    description: r.title,
    docs: `https://learn.microsoft.com/windows/client-management/mdm/policy-csp-${r.area.toLowerCase()}#${r.policy.toLowerCase()}`,
  };
  switch (r.kind) {
    case 'yesno':
      return { ...base, type: 'integer', wcd: 'choice', choices: YES_NO };
    case 'bool':
      return { ...base, type: 'boolean', wcd: 'bool' };
    case 'int':
      return { ...base, type: 'integer', wcd: 'int' };
    case 'text':
      return { ...base, type: 'string', wcd: 'text' };
    default:
      return { ...base, type: 'integer', wcd: 'choice', choices: r.kind };
  }
});
