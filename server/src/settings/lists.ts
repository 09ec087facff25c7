/**
 * The list elements of WCD's schema that the setting table reaches: their
 * key attribute and how ICD names an instance (docs/compiled-forms.md,
 * "Groups, files and order").
 */
import type { ListDef } from './types';

export const LISTS: readonly ListDef[] = [
  { path: 'Accounts/Users/User', key: 'UserName', identity: 'key', displayName: true },
  { path: 'Certificates/CACertificates/CACertificate', key: 'CertificateName', identity: 'key', displayName: true },
  { path: 'Certificates/ClientCertificates/ClientCertificate', key: 'CertificateName', identity: 'key', displayName: true },
  { path: 'Certificates/RootCertificates/RootCertificate', key: 'CertificateName', identity: 'key', displayName: true },
  { path: 'Certificates/TrustedPeopleCertificates/TrustedPeopleCertificate', key: 'CertificateName', identity: 'key', displayName: true },
  { path: 'ConnectivityProfiles/WLAN/WLANSetting/WLANConfig', key: 'SSID', identity: 'key', displayName: true },
  { path: 'ProvisioningCommands/DeviceContext/CommandFiles/CommandFile', key: 'Name', identity: 'index' },
  { path: 'ProvisioningCommands/PrimaryContext/Command/CommandConfig', key: 'Name', identity: 'index' },
  { path: 'ProvisioningCommands/PrimaryContext/Command/CommandConfig/DependencyPackages/Dependency', key: 'Name', identity: 'index' },
  // The attribute is spelled `Username` here, unlike Accounts/Users/User/@UserName (docs/compiled-forms.md §Details the setting table relies on).
  { path: 'SMISettings/ShellLauncher/UserSpecificSettings/LocalUserSpecificSettings/LocalUserShellSetting', key: 'Username', identity: 'key' },
];

const BY_PATH = new Map(LISTS.map((l) => [l.path, l]));

export function listAt(schemaPath: string): ListDef | undefined {
  return BY_PATH.get(schemaPath);
}
