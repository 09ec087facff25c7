import type { SecretReference } from './secrets';

/**
 * The project file (`*.ppkg.json`) as a typed value. The JSON Schema in
 * schemas/ppkg-project.schema.json is the authority; these types mirror it for
 * the compiler. Validation runs on the raw value first, so code that receives
 * a `Project` may rely on the shapes below.
 *
 * Every property maps to settings of WCD's customizations.xml
 * (compile/projectSettings.ts); a property left out writes nothing — ppkg
 * adds no value the project does not state.
 */
export type SecretValue = SecretReference | string;

export type OwnerType = 'Microsoft' | 'SiliconVendor' | 'OEM' | 'SystemIntegrator' | 'MobileOperator' | 'ITAdmin';

export interface Project {
  $schema?: string;
  name: string;
  id: string;
  version: string;
  owner?: OwnerType;
  rank?: number;
  description?: string;
  /** PackageConfig Notes: kept in customizations.xml, not compiled. */
  notes?: string;
  device?: {
    name?: string;
    productKey?: string;
    changeProductKey?: string;
    sharedUse?: boolean;
    /** true: CleanPCWithoutRetainingUserData; "keepUserData": CleanPCRetainingUserData; false: nothing. */
    removePreinstalledSoftware?: boolean | 'keepUserData';
  };
  network?: {
    wifi?: WifiNetwork;
  };
  account?: {
    entra?: {
      tokenExpiry?: string;
      token: SecretValue;
      issuedAt?: string;
      packageUser?: string;
      tenant?: string;
      /** Accounts/Azure/Authority when it is not the wizard's https://login.microsoftonline.com/common. */
      authority?: string;
    };
    activeDirectory?: {
      domain: string;
      account?: string;
      password?: SecretValue;
      ou?: string;
    };
    localAdmin?: {
      user: string;
      password: SecretValue;
    };
  };
  users?: LocalUser[];
  applications?: Application[];
  deviceContext?: {
    commandLine?: string;
    commandFiles?: string[];
  };
  certificates?: Certificate[];
  oobe?: { hide?: boolean; enableCortanaVoice?: boolean };
  /** WCD's runtime settings mirrored by name (settings/mirror.ts): Policies, SMISettings, … */
  policies?: MirroredSection;
  personalization?: MirroredSection;
  licensing?: MirroredSection;
  smiSettings?: MirroredSection;
  accountManagement?: MirroredSection;
  deviceManagement?: MirroredSection;
  /** OMA-URI settings compiled straight into provxml. */
  csp?: CspSetting[];
  protection?: { encrypt?: boolean };
  /** WCD setting paths below Customizations/Common that no property covers (kept by `ppkg import`). */
  additionalSettings?: { path: string; value: SecretValue }[];
  /** Raw `Targets`/`Variant` XML kept by `ppkg import`. */
  additionalCustomizationsXml?: string;
}

export interface WifiNetwork {
  ssid: string;
  security?: 'Open' | 'WPA2-Personal' | 'WEP';
  key?: SecretValue;
  autoConnect?: boolean;
  hidden?: boolean;
}

export interface LocalUser {
  name: string;
  password?: SecretValue;
  group?: 'Administrators' | 'Standard Users';
}

export interface Application {
  name: string;
  installer?: string;
  commandLine?: string;
  dependencies?: string[];
  continueInstall?: boolean;
  restartRequired?: boolean;
  successCodes?: number[];
  restartCodes?: number[];
}

export interface Certificate {
  name: string;
  file: string;
  store?: 'Root' | 'CA' | 'TrustedPeople';
  password?: SecretValue;
  keyLocation?: 'TPMOnly' | 'TPMWithSoftwareFallback' | 'SoftwareOnly';
  exportable?: boolean;
}

export type CspFormat = 'int' | 'bool' | 'chr' | 'b64' | 'xml';

export interface CspSetting {
  uri: string;
  format: CspFormat;
  value: string | number | boolean | SecretReference;
}

/** A mirrored WCD subtree: element names as keys; leaves are text, numbers, booleans, secrets or file paths; keyed lists are arrays. */
export interface MirroredSection {
  [element: string]: MirroredValue;
}
export type MirroredValue = string | number | boolean | SecretReference | MirroredSection | MirroredSection[];

/**
 * Values that are not written when left out: PackageConfig's OwnerType is
 * required by WCD, the Wi-Fi network type is the wizard's required choice.
 * Nothing else has a default that ppkg writes.
 */
export const DEFAULTS = {
  owner: 'ITAdmin' as OwnerType,
  rank: 0,
  wifiSecurity: 'WPA2-Personal' as const,
  certificateStore: 'Root' as const,
};
