import type { SecretReference } from './secrets';

/**
 * The project file (`*.ppkg.json`) as a typed value. The JSON Schema in
 * schemas/ppkg-project.schema.json is the authority; these types mirror it for
 * the compiler. Validation runs on the raw value first, so code that receives
 * a `Project` may rely on the shapes below.
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
  device?: {
    name?: string;
    productKey?: string;
    sharedUse?: boolean;
    removePreinstalledSoftware?: boolean;
  };
  network?: {
    wifi?: {
      ssid: string;
      security?: 'Open' | 'WPA2-Personal' | 'WEP';
      key?: SecretValue;
      autoConnect?: boolean;
      hidden?: boolean;
    };
  };
  account?: {
    entra?: {
      tokenExpiry?: string;
      token: SecretValue;
      issuedAt?: string;
      packageUser?: string;
      tenant?: string;
    };
    localAdmin?: {
      user: string;
      password: SecretValue;
    };
  };
  applications?: Application[];
  certificates?: Certificate[];
  oobe?: { hide?: boolean };
  protection?: { encrypt?: boolean };
  /** WCD setting paths below Customizations/Common that the wizard model does not cover (kept by `ppkg import`). */
  additionalSettings?: { path: string; value: SecretValue }[];
  /** Raw `Targets`/`Variant` XML kept by `ppkg import`. */
  additionalCustomizationsXml?: string;
}

export interface Application {
  name: string;
  installer: string;
  commandLine: string;
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

/** WCD's defaults, applied by the compiler where the project leaves a value out. */
export const DEFAULTS = {
  owner: 'ITAdmin' as OwnerType,
  rank: 0,
  wifiSecurity: 'WPA2-Personal' as const,
  wifiAutoConnect: true,
  wifiHidden: false,
  continueInstall: true,
  restartRequired: false,
  successCodes: [0],
  restartCodes: [3010],
  certificateStore: 'Root' as const,
  keyLocation: 'TPMWithSoftwareFallback' as const,
  exportable: false,
};
