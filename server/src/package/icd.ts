/**
 * The ICD backend (docs/provisioning.md §Building with ICD): find ICD.exe and build the
 * package with Microsoft's own tool. Discovery and the argument vector are
 * pure functions (tested with fakes); only `runIcd` and `queryKitsRoot`
 * touch the system, and only on Windows.
 */
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { PpkgError } from '../errors';

export const KITS_ROOT_KEY = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows Kits\\Installed Roots';
export const KITS_ROOT_VALUE = 'KitsRoot10';
export const ICD_UNDER_KITS_ROOT = 'Assessment and Deployment Kit\\Imaging and Configuration Designer\\x86\\ICD.exe';
export const DEFAULT_KITS_ROOT = 'C:\\Program Files (x86)\\Windows Kits\\10\\';
/** Without the desktop store, desktop-only settings (Accounts/ComputerAccount) fail to build. */
export const DESKTOP_STORE_FILE = 'Microsoft-Desktop-Provisioning.dat';

/** The KitsRoot10 value from `reg query <key> /v KitsRoot10` output. */
export function parseKitsRoot(regOutput: string): string | undefined {
  const m = /^\s*KitsRoot10\s+REG_(?:EXPAND_)?SZ\s+(.+?)\s*$/im.exec(regOutput);
  return m ? m[1] : undefined;
}

export interface IcdDiscovery {
  /** ICD.exe path from the settings / --icd-path, if any. */
  configured?: string;
  exists: (p: string) => boolean;
  /** KitsRoot10 from the registry, undefined when the key is missing. */
  queryKitsRoot: () => Promise<string | undefined>;
}

export interface IcdLocation {
  icdPath: string;
  storeFile: string;
}

export class IcdNotFoundError extends PpkgError {
  constructor(
    readonly tried: string[],
    detail?: string,
  ) {
    super(
      'tool',
      detail ??
        `ICD.exe (Windows Configuration Designer's command line, part of the Windows ADK) was not found. Looked in:\n${tried.map((t) => `  ${t}`).join('\n')}\nInstall the ADK feature "Imaging and Configuration Designer" (adksetup.exe /quiet /features OptionId.ImagingAndConfigurationDesigner), or give the path of ICD.exe. The Microsoft Store version of WCD has no command line.`,
    );
  }
}

/** ICD.exe: the configured path, else KitsRoot10 from the registry, else the default ADK folder. */
export async function locateIcd(d: IcdDiscovery): Promise<IcdLocation> {
  const win = path.win32;
  const tried: string[] = [];
  const withStore = (icdPath: string): IcdLocation => {
    const storeFile = win.join(win.dirname(icdPath), DESKTOP_STORE_FILE);
    if (!d.exists(storeFile))
      throw new IcdNotFoundError(
        [storeFile],
        `ICD.exe was found at ${icdPath}, but its desktop store file ${storeFile} is missing. Reinstall the ADK's Imaging and Configuration Designer.`,
      );
    return { icdPath, storeFile };
  };
  if (d.configured) {
    tried.push(`${d.configured} (configured)`);
    if (d.exists(d.configured)) return withStore(d.configured);
    throw new IcdNotFoundError(tried, `The configured ICD.exe path ${d.configured} does not exist.`);
  }
  let root: string | undefined;
  try {
    root = await d.queryKitsRoot();
  } catch {
    root = undefined;
  }
  if (root) {
    const p = win.join(root, ICD_UNDER_KITS_ROOT);
    tried.push(`${p} (registry ${KITS_ROOT_KEY}\\${KITS_ROOT_VALUE})`);
    if (d.exists(p)) return withStore(p);
  } else tried.push(`registry ${KITS_ROOT_KEY}\\${KITS_ROOT_VALUE} (not set)`);
  const def = win.join(DEFAULT_KITS_ROOT, ICD_UNDER_KITS_ROOT);
  if (!tried.some((t) => t.startsWith(def))) {
    tried.push(`${def} (default)`);
    if (d.exists(def)) return withStore(def);
  }
  throw new IcdNotFoundError(tried);
}

/** The argument vector of `ICD.exe /Build-ProvisioningPackage` (docs/provisioning.md §Building with ICD). Booleans are +/- switches. */
export function icdArguments(o: { customizationsPath: string; packagePath: string; storeFile: string; encrypt: boolean }): string[] {
  return [
    '/Build-ProvisioningPackage',
    `/CustomizationXML:${o.customizationsPath}`,
    `/PackagePath:${o.packagePath}`,
    `/StoreFile:${o.storeFile}`,
    '+Overwrite',
    ...(o.encrypt ? ['+Encrypted'] : []),
  ];
}

/** `reg query` for KitsRoot10 (Windows only). */
export function queryKitsRoot(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('reg', ['query', KITS_ROOT_KEY, '/v', KITS_ROOT_VALUE], { windowsHide: true, timeout: 15_000 }, (err, stdout) => {
      resolve(err ? undefined : parseKitsRoot(String(stdout)));
    });
  });
}

/** Runs ICD and captures everything it prints (the log may hold the package password when encrypting). */
export function runIcd(icdPath: string, args: string[], signal?: AbortSignal): Promise<{ code: number; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(icdPath, args, { windowsHide: true, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, log: Buffer.concat(chunks).toString('utf8') }));
  });
}
