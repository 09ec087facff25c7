/**
 * SMISettings: kiosk and embedded-style device settings, all compiled under
 * `MCSF/SMISettings` (docs/compiled-forms.md §Compiled form per setting).
 */
import type { SettingDef } from '../types';

const DOCS = 'https://learn.microsoft.com/windows/configuration/wcd/wcd-smisettings';
const SEEN = { observed: 'SMISettings (4 of 8 ICD packages)' };

function smi(leaf: string, rest: Omit<SettingDef, 'path' | 'group' | 'csp' | 'evidence' | 'title' | 'docs'>): SettingDef {
  return {
    path: `SMISettings/${leaf}`,
    group: `SMISettings/${leaf}`,
    csp: `MCSF/SMISettings/${leaf}`,
    evidence: SEEN,
    title: `SMISettings › ${leaf}`,
    docs: DOCS,
    ...rest,
  };
}

const AUTOLOGON = 'SMISettings/AutoLogon';
const SHELL = 'SMISettings/ShellLauncher';

export const SMI_SETTINGS: SettingDef[] = [
  {
    path: `${AUTOLOGON}/Enable`,
    group: AUTOLOGON,
    csp: 'MCSF/SMISettings/AutoLogon/Enable',
    // The label ENABLE is compiled as the string "1" (docs/compiled-forms.md §Compiled form per setting).
    type: 'string',
    wcd: 'choice',
    choices: [
      { label: 'ENABLE', value: '1' },
      { label: 'DISABLE', value: '0', believed: 'the natural pair of ENABLE → "1"; WCD\'s AutoLogon takes ENABLE or DISABLE' },
    ],
    evidence: SEEN,
    title: 'SMISettings › AutoLogon › Enable',
    description: 'Sign in to the account below automatically at every start.',
    docs: DOCS,
  },
  {
    path: `${AUTOLOGON}/Password`,
    group: AUTOLOGON,
    csp: 'MCSF/SMISettings/AutoLogon/Password',
    type: 'string',
    wcd: 'secret',
    evidence: SEEN,
    title: 'SMISettings › AutoLogon › Password',
    description: 'The password of the automatic sign-in account.',
    docs: DOCS,
  },
  {
    path: `${AUTOLOGON}/UserName`,
    group: AUTOLOGON,
    csp: 'MCSF/SMISettings/AutoLogon/UserName',
    type: 'string',
    wcd: 'text',
    evidence: SEEN,
    title: 'SMISettings › AutoLogon › UserName',
    description: 'The account that signs in automatically.',
    docs: DOCS,
  },
  smi('BrandingNeutral', { type: 'integer', wcd: 'int', description: 'Hides Windows branding elements on the Welcome screen (a bit mask).' }),
  smi('CrashDumpEnabled', {
    type: 'integer',
    wcd: 'choice',
    choices: [{ label: 'Mini dump', value: '7' }],
    description: 'The kind of memory dump written on a crash. Only the value WCD is seen to write is listed.',
  }),
  smi('DisableBootMenu', { type: 'boolean', wcd: 'bool', description: 'Disables the F8 and F10 boot menus.' }),
  smi('HideAllBootUI', { type: 'boolean', wcd: 'bool', description: 'Hides the boot screens.' }),
  smi('HideAutologonUI', { type: 'boolean', wcd: 'bool', description: 'Hides the Welcome screen during automatic sign-in.' }),
  smi('HideBootLogo', { type: 'boolean', wcd: 'bool', description: 'Hides the logo while Windows starts.' }),
  smi('NoLockScreen', { type: 'boolean', wcd: 'bool', description: 'Turns off the lock screen.' }),
  {
    path: `${SHELL}/Enable`,
    group: SHELL,
    csp: 'MCSF/SMISettings/ShellLauncher/Enable',
    // The label ENABLE is compiled as the string "eshell.exe" (docs/compiled-forms.md §Compiled form per setting).
    type: 'string',
    wcd: 'choice',
    choices: [{ label: 'ENABLE', value: 'eshell.exe' }],
    evidence: SEEN,
    title: 'SMISettings › ShellLauncher › Enable',
    description: 'Replaces Explorer with a custom shell for the users listed below.',
    docs: DOCS,
  },
  {
    path: `${SHELL}/UserSpecificSettings/LocalUserSpecificSettings/LocalUserShellSetting/UserCustomShell`,
    group: SHELL,
    csp: 'MCSF/SMISettings/ShellLauncher/UserSpecificSettings/LocalUserSpecificSettings/{LocalUserShellSetting}/UserCustomShell',
    type: 'string',
    wcd: 'text',
    evidence: SEEN,
    title: 'SMISettings › ShellLauncher › LocalUserShellSetting › UserCustomShell',
    description: 'The program that replaces Explorer for this local user.',
    docs: DOCS,
  },
  smi('UIVerbosityLevel', {
    type: 'integer',
    wcd: 'choice',
    choices: [
      { label: 'Suppress', value: '1' },
      { label: 'Do not suppress', value: '0' },
    ],
    description: 'Hides the status messages Windows shows while it starts and shuts down.',
  }),
];
