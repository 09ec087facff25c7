/**
 * Wi-Fi (ConnectivityProfiles/WLAN) and certificates: groups whose compiled
 * form is built by code from several leaves (compile/groups/wlan.ts,
 * compile/groups/certificates.ts). The rows here name the leaves those
 * compilers accept, for validation, import and the editor.
 */
import type { SettingDef } from '../types';

const WLAN = 'ConnectivityProfiles/WLAN/WLANSetting/WLANConfig';
const WLAN_DOCS = 'https://learn.microsoft.com/windows/configuration/wcd/wcd-connectivityprofiles#wlan';
const WLAN_EVIDENCE = {
  believed:
    "Wi-Fi is unobserved in the ICD-built packages studied. PackageStack writes WiFi/Profile/<SSID>/WlanXml in a file per network with SettingsGroup ac17da61-…, which is exactly ICD's derived GUID for the group …/WLANConfig: the group (one file per network) is ICD's; the WLANProfile document follows PackageStack and Microsoft's WLAN profile schema.",
};

function wlan(leaf: string, wcd: SettingDef['wcd'], description: string, choices?: SettingDef['choices']): SettingDef {
  return {
    path: `${WLAN}/WLANXmlSettings/${leaf}`,
    group: WLAN,
    csp: 'WiFi/Profile/{WLANConfig}/WlanXml',
    type: 'string',
    wcd,
    ...(choices ? { choices } : {}),
    compiler: 'wlan',
    evidence: WLAN_EVIDENCE,
    title: `WLANConfig › WLANXmlSettings › ${leaf}`,
    description,
    docs: WLAN_DOCS,
  };
}

const CERT_DOCS = 'https://learn.microsoft.com/windows/configuration/wcd/wcd-certificates';
const CERT_EVIDENCE = {
  believed:
    'Certificates are unobserved in the 8 packages studied; the forms (RootCATrustedCertificates/<store>/<SHA-1 thumbprint>/EncodedCertificate and ClientCertificateInstall/PFXCertInstall/<name>/…, both with scope="Device") come from an ICD-compiled certificate package whose provxml a public project checks and installs on Windows. The group (one file per certificate) follows the derivation rule for the list element.',
};

function trusted(group: string, element: string, leaf: string, store: string): SettingDef {
  return {
    path: `Certificates/${group}/${element}/${leaf}`,
    group: `Certificates/${group}/${element}`,
    csp: `RootCATrustedCertificates/${store}/{thumbprint}/EncodedCertificate`,
    type: 'string',
    wcd: 'file',
    compiler: 'certificate',
    evidence: CERT_EVIDENCE,
    title: `Certificates › ${group}`,
    description: `A certificate file (.cer/.crt) added to the device's ${store === 'Root' ? 'trusted root' : store === 'CA' ? 'intermediate CA' : 'Trusted People'} store.`,
    docs: CERT_DOCS,
  };
}

const CLIENT = 'Certificates/ClientCertificates/ClientCertificate';
function client(
  leaf: string,
  parm: string,
  type: SettingDef['type'],
  wcd: SettingDef['wcd'],
  description: string,
  choices?: SettingDef['choices'],
): SettingDef {
  return {
    path: `${CLIENT}/${leaf}`,
    group: CLIENT,
    csp: `ClientCertificateInstall/PFXCertInstall/{ClientCertificate}/${parm}`,
    type,
    wcd,
    ...(choices ? { choices } : {}),
    compiler: 'certificate',
    evidence: CERT_EVIDENCE,
    title: `Certificates › ClientCertificate › ${leaf}`,
    description,
    docs: CERT_DOCS,
  };
}

export const NETWORK_SETTINGS: SettingDef[] = [
  wlan('AutoConnect', 'bool', 'Connect whenever the network is in range.'),
  wlan('HiddenNetwork', 'bool', 'The access point does not broadcast its SSID.'),
  wlan('SecurityKey', 'secret', 'The WPA2-Personal pre-shared key or WEP key.'),
  wlan('SecurityType', 'choice', 'Open, WEP or WPA2-Personal.', [
    { label: 'Open', value: 'Open' },
    { label: 'WEP', value: 'WEP' },
    { label: 'WPA2-Personal', value: 'WPA2-Personal' },
  ]),
];

export const CERTIFICATE_SETTINGS: SettingDef[] = [
  trusted('CACertificates', 'CACertificate', 'CertificatePath', 'CA'),
  client('CertificatePassword', 'PFXCertPassword', 'string', 'secret', 'The password of the .pfx file.'),
  client('CertificatePath', 'PFXCertBlob', 'string', 'file', 'A .pfx file with the certificate and its private key.'),
  client('ExportCertificate', 'PFXKeyExportable', 'boolean', 'bool', 'Whether the private key can be exported.'),
  client('KeyLocation', 'KeyLocation', 'integer', 'choice', 'Where Windows keeps the private key.', [
    {
      label: 'TPMWithSoftwareFallback',
      value: '1',
      believed: 'ClientCertificateInstall KeyLocation 1 = TPM if present, else software; the WCD literal is inferred from its UI choice',
    },
    {
      label: 'TPMOnly',
      value: '2',
      believed: 'ClientCertificateInstall KeyLocation 2 = TPM, fail without one; the WCD literal is inferred from its UI choice',
    },
    { label: 'SoftwareOnly', value: '3' },
  ]),
  trusted('RootCertificates', 'RootCertificate', 'CertificatePath', 'Root'),
  trusted('TrustedPeopleCertificates', 'TrustedPeopleCertificate', 'TrustedCertificate', 'TrustedPeople'),
];
