/**
 * The inspect model: what a provisioning package does, as `ppkg inspect`
 * reports it (text and `--format json`), `ppkg diff` compares it and the
 * VS Code package view shows it. docs/inspect.md documents every field and
 * the stability promise: fields are only ever added in a version; a field
 * that changes meaning or goes away bumps `version`.
 *
 * Secret values never appear in it unless the caller asked
 * (`showSecrets`): a secret is `masked` with a fingerprint instead.
 */

export const INSPECT_FORMAT = 'ppkg-inspect';
export const INSPECT_VERSION = 1;

export interface InspectModel {
  format: typeof INSPECT_FORMAT;
  version: typeof INSPECT_VERSION;
  image: ImageInfo;
  /** Every compiled setting: RunTime.xml order, then User_RunTime.xml order. */
  settings: InspectSetting[];
  users: InspectUser[];
  /** Commands in the order RunTime.xml applies them; every one runs as SYSTEM. */
  commands: InspectCommand[];
  /** Files shipped as data assets (DataAsset/…). */
  assets: InspectAsset[];
  /** Files of the package that are neither ICD's structure nor a data asset. */
  otherFiles: { path: string; size: number }[];
  certificates: InspectCertificate[];
  risks: RiskSummary;
  /** Things about the package itself an admin should know (unlisted files, hashes that do not match, …). */
  warnings: string[];
}

export interface ImageInfo {
  /** NAME: WCD's package name. */
  name: string | null;
  /** PACKAGEID, as written (with braces). */
  packageId: string | null;
  version: string | null;
  description: string | null;
  /** NOTES: ICD's build notes (tool version, source, encryption). */
  notes: string | null;
  /** WCD's OwnerType, from ALTITUDE (owner base + rank); null when ALTITUDE is missing or not a number. */
  owner: string | null;
  /** WCD's Rank (0–99), from ALTITUDE. */
  rank: number | null;
  altitude: number | null;
  /** Whether Multivariant/0/customizations.xml is in the package (the WCD project it was built from). */
  hasCustomizationsXml: boolean;
  /** Every image property as stored, in order. */
  properties: [string, string][];
}

export interface SecretInfo {
  /** Short salted fingerprint of the value (8 hex digits); null when the value is not known (a project's unset secret). */
  fingerprint: string | null;
}

export interface FileRef {
  /** The file name the device gets. */
  name: string;
  /** Path inside the package (null for a project's file not read). */
  packagePath: string | null;
  size: number;
  sha256: string;
}

export interface InspectSetting {
  scope: 'device' | 'user';
  /**
   * The WCD setting path with list keys (`Accounts/Users/User[@UserName='kiosk']/Password`;
   * a list ICD numbers by position shows it as `CommandConfig[0]`); null when
   * the setting table does not know the compiled setting.
   */
  path: string | null;
  /** The OMA-URI of the compiled setting (`./Device/Vendor/MSFT/…`, `./User/Vendor/MSFT/…`). */
  uri: string;
  /** The compiled datatype (`string`, `integer`, `boolean`, `binary`). */
  datatype: string;
  /**
   * What WCD would show: the choice's label, True/False, the number or
   * text; `••••` for a secret (unless shown); the file name for a file.
   */
  value: string;
  /** The value as compiled (the CSP value); `••••` for a secret (unless shown). */
  compiledValue: string;
  /** For a choice: the WCD label, or null when the value has none ("no WCD label"). */
  label?: string | null;
  /** Present for a secret (BPRT, passwords, the Wi-Fi key, PFX password). */
  secret?: SecretInfo;
  /** Present for a file (installer, dependency, image): the shipped file. */
  file?: FileRef;
  /** The provxml file it was compiled into. */
  source: string;
}

export interface InspectUser {
  name: string;
  /** WCD label: Administrators or Standard Users; the raw LocalUserGroup value when it has no label; null when not set. */
  group: string | null;
  hasPassword: boolean;
}

export interface InspectCommand {
  /** 1-based position in execution order. */
  order: number;
  /** device: DeviceContext (when the package is applied); primary: PrimaryContext (the wizard's "Add applications"). */
  context: 'device' | 'primary';
  /** PrimaryContext: the command's position (CommandConfig[n]); null for DeviceContext. */
  index: number | null;
  commandLine: string | null;
  /** The installer (CommandFile) for primary commands; the command files for the device context. */
  files: FileRef[];
  dependencies: FileRef[];
  continueInstall: boolean | null;
  restartRequired: boolean | null;
  returnCodeSuccess: string | null;
  returnCodeRestart: string | null;
}

export interface InspectAsset extends FileRef {
  /** DataAsset kind: CommandFile, Dependency, DeployDesktopImage, … */
  kind: string;
  /** The WCD setting that ships it, as DataAsset.xml records it. */
  setting: string | null;
}

export interface InspectCertificate {
  /** Root, CA, TrustedPeople (trusted by the device) or Client (a .pfx with its private key). */
  store: 'Root' | 'CA' | 'TrustedPeople' | 'Client';
  /** The key ICD named it by: the SHA-1 thumbprint (trusted) or the certificate name (client). */
  key: string;
  subject: string | null;
  issuer: string | null;
  /** SHA-1 thumbprint, upper-case hex, as Windows shows it. */
  thumbprint: string | null;
  notBefore: string | null;
  notAfter: string | null;
  selfSigned: boolean | null;
  /** Why it could not be read, when it could not. */
  error?: string;
}

export interface RiskSummary {
  /** Commands that run as SYSTEM during setup (every provisioning command does). */
  systemCommands: number;
  /** Local accounts the package makes members of Administrators. */
  administratorsCreated: string[];
  /** Certificates added to the device's trusted stores (Root, CA, TrustedPeople). */
  trustedCertificates: { store: string; subject: string | null; thumbprint: string | null }[];
  /** Settings that lower the device's defences. */
  weakenedPolicies: { setting: string; value: string; why: string }[];
  /** The bulk token (BPRT): present or not; its expiry when the token states one, else null ("expiry unknown"). */
  bulkToken: { present: boolean; expires: string | null };
  /** Settings whose value is a credential, readable by anyone who has the file (the package is not encrypted by ppkg). */
  credentials: string[];
  /** The summary as printed, one line each. */
  lines: string[];
}
