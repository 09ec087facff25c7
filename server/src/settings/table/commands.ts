/**
 * ProvisioningCommands: PrimaryContext commands (the wizard's "Add
 * applications") and the DeviceContext command line with its files
 * (docs/compiled-forms.md §Compiled form per setting).
 */
import type { SettingDef } from '../types';

const DOCS = 'https://learn.microsoft.com/windows/configuration/wcd/wcd-provisioningcommands';
const PRIMARY = 'ProvisioningCommands/PrimaryContext/Command/CommandConfig';
const CMD = 'ProvisioningCommands/PrimaryContext/$(__PackageID)/{CommandConfig}';

function primaryLeaf(leaf: string, type: SettingDef['type'], wcd: SettingDef['wcd'], description: string): SettingDef {
  return {
    path: `${PRIMARY}/${leaf}`,
    // Each leaf of a command is its own group and file (docs/compiled-forms.md §Groups, files and order).
    group: `${PRIMARY}/${leaf}`,
    csp: `${CMD}/${leaf}`,
    type,
    wcd,
    evidence: { observed: 'PrimaryContext commands (5 of 8 ICD packages); only the leaves present are compiled' },
    title: `PrimaryContext › Command › ${leaf}`,
    description,
    docs: DOCS,
  };
}

export const COMMAND_SETTINGS: SettingDef[] = [
  {
    path: `${PRIMARY}/CommandFile`,
    group: `${PRIMARY}/CommandFile`,
    csp: '',
    type: 'string',
    wcd: 'file',
    asset: {
      kind: 'CommandFile',
      type: '/ProvisioningCommands/PrimaryContext/Command/{CommandConfig}/CommandFile',
      dataAssetValue: '/ProvisioningCommands/PrimaryContext/Command/{CommandConfig}/CommandFile',
    },
    evidence: { observed: 'command files (5 of 8 ICD packages)' },
    title: 'PrimaryContext › Command › CommandFile',
    description: 'The installer or script, copied into the package and onto the device.',
    docs: DOCS,
  },
  primaryLeaf('CommandLine', 'string', 'text', 'The command that runs, as SYSTEM, in the folder the files are copied to.'),
  primaryLeaf('ContinueInstall', 'boolean', 'bool', 'Go on with the next command when this one fails.'),
  {
    path: `${PRIMARY}/DependencyPackages/Dependency`,
    group: `${PRIMARY}/DependencyPackages/Dependency`,
    csp: '',
    type: 'string',
    wcd: 'file',
    asset: {
      kind: 'Dependency',
      type: '/ProvisioningCommands/PrimaryContext/Command/{CommandConfig}/DependencyPackages/Dependency',
      dataAssetValue: '/ProvisioningCommands/PrimaryContext/Command/{CommandConfig}/DependencyPackages/{Dependency}',
    },
    evidence: {
      believed:
        "Dependencies are unobserved in the ICD-built packages studied. PackageStack writes this asset form with SettingsGroup 0fb42616-…, which is exactly the GUID ICD's derivation gives for the group …/DependencyPackages/Dependency: the constant was copied from an ICD build, so the group (one file per dependency) is ICD's.",
    },
    title: 'PrimaryContext › Command › DependencyPackages',
    description: 'Another file the command needs, copied into the same folder on the device.',
    docs: DOCS,
  },
  primaryLeaf('RestartRequired', 'boolean', 'bool', 'Restart the device after this command.'),
  primaryLeaf('ReturnCodeRestart', 'integer', 'int', 'The exit code that means "worked, restart needed".'),
  primaryLeaf('ReturnCodeSuccess', 'integer', 'int', 'The exit code that means "worked".'),
  {
    path: 'ProvisioningCommands/DeviceContext/CommandLine',
    group: 'ProvisioningCommands/DeviceContext/CommandLine',
    // The command set is the literal `Default` (docs/compiled-forms.md §Details the setting table relies on).
    csp: 'ProvisioningCommands/DeviceContext/$(__PackageID)/Default/CommandLine',
    type: 'string',
    wcd: 'text',
    evidence: { observed: 'DeviceContext command line (2 of 8 ICD packages)' },
    title: 'DeviceContext › CommandLine',
    description: 'One command that runs as SYSTEM when the package is applied, in the folder the command files are copied to.',
    docs: DOCS,
  },
  {
    path: 'ProvisioningCommands/DeviceContext/CommandFiles/CommandFile',
    group: 'ProvisioningCommands/DeviceContext/CommandFiles/CommandFile',
    csp: '',
    type: 'string',
    wcd: 'file',
    asset: {
      kind: 'CommandFile',
      // No index in the characteristic type, unlike PrimaryContext (docs/compiled-forms.md §Details the setting table relies on).
      type: '/ProvisioningCommands/DeviceContext/CommandFiles/CommandFile',
      dataAssetValue: '/ProvisioningCommands/DeviceContext/CommandFiles/{CommandFile}',
    },
    evidence: { observed: 'DeviceContext command files (2 of 8 ICD packages)' },
    title: 'DeviceContext › CommandFiles',
    description: 'A file the device-context command line uses, copied onto the device.',
    docs: DOCS,
  },
];
