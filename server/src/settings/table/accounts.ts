/**
 * Accounts: Entra bulk join, the device name and Active Directory join, local
 * users (docs/compiled-forms.md §Compiled form per setting).
 */
import type { SettingDef } from '../types';

const DOCS = 'https://learn.microsoft.com/windows/configuration/wcd/wcd-accounts';
const AD_BOUNDARY =
  'believed: Active Directory join is unobserved in ICD-built packages. PackageStack (whose constants were copied from ICD output) writes these parms under Accounts/Domain next to ComputerName; the group boundary (Accounts/ComputerAccount, one file with the device name) is the observed one for ComputerName and not yet observed for these leaves.';

export const ACCOUNT_SETTINGS: SettingDef[] = [
  {
    path: 'Accounts/Azure/Authority',
    group: 'Accounts/Azure',
    csp: 'AADJ/Authority',
    type: 'string',
    wcd: 'text',
    evidence: {
      believed:
        "Entra bulk join is unobserved in the ICD-built packages studied; PackageStack writes AADJ/Authority and AADJ/BPRT in Accounts_Azure with SettingsGroup 641c3728-…, which is exactly the GUID ICD's derivation gives for the group Accounts/Azure, so the group and file are ICD's.",
    },
    title: 'Azure › Authority',
    description: 'The sign-in authority of the bulk join; the wizard always writes https://login.microsoftonline.com/common.',
    docs: `${DOCS}#azure`,
  },
  {
    path: 'Accounts/Azure/BPRT',
    group: 'Accounts/Azure',
    csp: 'AADJ/BPRT',
    type: 'string',
    wcd: 'secret',
    evidence: { believed: 'as Accounts/Azure/Authority' },
    title: 'Azure › BPRT (bulk token)',
    description: 'The bulk primary refresh token the device joins Entra ID with.',
    docs: `${DOCS}#azure`,
  },
  {
    path: 'Accounts/ComputerAccount/ComputerName',
    group: 'Accounts/ComputerAccount',
    csp: 'Accounts/Domain/ComputerName',
    type: 'string',
    wcd: 'text',
    reload: true,
    evidence: { observed: 'device name (4 of 8 ICD packages), with its ForceSettingReload companion' },
    title: 'ComputerAccount › ComputerName',
    description: 'The device name; %SERIAL% and %RAND:x% are expanded on the device.',
    docs: `${DOCS}#computeraccount`,
  },
  ...(['Account', 'AccountOU', 'DomainName'] as const).map((leaf): SettingDef => ({
    path: `Accounts/ComputerAccount/${leaf}`,
    group: 'Accounts/ComputerAccount',
    csp: `Accounts/Domain/${leaf}`,
    type: 'string',
    wcd: 'text',
    evidence: { believed: AD_BOUNDARY },
    title: `ComputerAccount › ${leaf}`,
    description:
      leaf === 'Account'
        ? 'The domain account (domain\\user) allowed to join devices to the domain.'
        : leaf === 'AccountOU'
          ? 'The organizational unit the computer account is created in.'
          : 'The Active Directory domain the device joins.',
    docs: `${DOCS}#computeraccount`,
  })),
  {
    path: 'Accounts/ComputerAccount/Password',
    group: 'Accounts/ComputerAccount',
    csp: 'Accounts/Domain/Password',
    type: 'string',
    wcd: 'secret',
    evidence: { believed: AD_BOUNDARY },
    title: 'ComputerAccount › Password',
    description: 'The password of the domain join account.',
    docs: `${DOCS}#computeraccount`,
  },
  {
    path: 'Accounts/Users/User/Password',
    group: 'Accounts/Users/User',
    csp: 'Accounts/Users/{User}/Password',
    type: 'string',
    wcd: 'secret',
    evidence: { observed: 'local users (5 of 8 ICD packages, 7 users)' },
    title: 'Users › User › Password',
    description: 'The password of the local account.',
    docs: `${DOCS}#users`,
  },
  {
    path: 'Accounts/Users/User/UserGroup',
    group: 'Accounts/Users/User',
    // WCD's leaf UserGroup is compiled as LocalUserGroup.
    csp: 'Accounts/Users/{User}/LocalUserGroup',
    type: 'integer',
    wcd: 'choice',
    choices: [
      { label: 'Standard Users', value: '1' },
      { label: 'Administrators', value: '2' },
    ],
    evidence: { observed: 'Standard Users = 1 (2 packages), Administrators = 2 (5 packages)' },
    title: 'Users › User › UserGroup',
    description: 'The local group the account joins: Administrators or Standard Users.',
    docs: `${DOCS}#users`,
  },
];
