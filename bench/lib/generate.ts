/**
 * Generates valid, realistic bulk-enrollment projects of a given size: the
 * example's device, Wi-Fi and account pages, then as many applications (and a
 * few certificates and advanced settings) as it takes to reach the size.
 * Applications dominate real large projects, so they dominate here.
 */
import { randomUUID } from 'node:crypto';

export interface GeneratedProject {
  text: string;
  /** Relative paths of every file the project points at (installers, dependencies, certificates). */
  files: string[];
  applications: number;
  /** Offsets used by the completion benchmark, in the middle application. */
  slots: { property: number; value: number };
}

export interface GenerateOptions {
  /** Target size in bytes; the result is the first project at or above it. */
  bytes: number;
  /** Write `//` comments like a hand-kept project (JSONC). Off for ajv-cli, which reads plain JSON. */
  comments: boolean;
  /** Seed for the varied parts, so each of the 500 CLI files differs. */
  seed?: number;
  now?: Date;
}

const VENDORS = ['Contoso', 'Fabrikam', 'Northwind', 'Tailspin', 'Woodgrove', 'Litware', 'Adatum', 'Proseware'];
const PRODUCTS = ['Agent', 'VPN Client', 'Tax Suite', 'Scanner Driver', 'PDF Tools', 'Teams Add-in', 'Backup', 'Inventory', 'Printer Pack', 'Font Pack'];

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function application(i: number, seed: number, comments: boolean, files: string[]): string {
  const n = String(i).padStart(4, '0');
  const vendor = VENDORS[(i + seed) % VENDORS.length];
  const product = PRODUCTS[(i * 7 + seed) % PRODUCTS.length];
  const slug = `${vendor}-${product}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const kind = i % 4; // msi, msi with transform, exe, cmd script with dependencies
  const lines: string[] = [];
  if (comments && i % 25 === 0) lines.push(`    // ${vendor}: packages ${i}–${i + 24}, reviewed by the desktop team`);
  lines.push('    {');
  lines.push(`      "name": "${vendor} ${product} ${n}",`);
  if (kind === 0 || kind === 1) {
    const msi = `${slug}-${n}.msi`;
    files.push(`installers/${slug}/${msi}`);
    lines.push(`      "installer": "installers/${slug}/${msi}",`);
    if (kind === 1) {
      const mst = `${slug}-${n}.mst`;
      files.push(`installers/${slug}/${mst}`);
      lines.push(`      "commandLine": "msiexec /i ${msi} TRANSFORMS=${mst} /qn /norestart /l*v %TEMP%\\\\${slug}-${n}.log",`);
      lines.push(`      "dependencies": ["installers/${slug}/${mst}"],`);
    } else {
      lines.push(`      "commandLine": "msiexec /i ${msi} /qn /norestart",`);
    }
    lines.push('      "successCodes": [0],');
    lines.push('      "restartCodes": [3010],');
    lines.push('      "continueInstall": true,');
    lines.push('      "restartRequired": false');
  } else if (kind === 2) {
    const exe = `${slug}-setup-${n}.exe`;
    files.push(`installers/${slug}/${exe}`);
    lines.push(`      "installer": "installers/${slug}/${exe}",`);
    lines.push(`      "commandLine": "${exe} /S /v\\"/qn REBOOT=ReallySuppress\\"",`);
    lines.push('      "successCodes": [0],');
    lines.push('      "continueInstall": false,');
    lines.push('      "restartRequired": true');
  } else {
    const cmd = `install-${slug}-${n}.cmd`;
    const dep1 = `${slug}-${n}.zip`;
    const dep2 = `${slug}-${n}.reg`;
    files.push(`scripts/${cmd}`, `payload/${slug}/${dep1}`, `payload/${slug}/${dep2}`);
    lines.push(`      "installer": "scripts/${cmd}",`);
    lines.push(`      "commandLine": "cmd /c ${cmd}",`);
    lines.push(`      "dependencies": ["payload/${slug}/${dep1}", "payload/${slug}/${dep2}"],`);
    lines.push('      "continueInstall": true');
  }
  lines.push('    }');
  return lines.join('\n');
}

export function generateProject(opts: GenerateOptions): GeneratedProject {
  const seed = opts.seed ?? 0;
  const now = opts.now ?? new Date();
  const issued = new Date(now.getTime() - 10 * 86_400_000);
  const expiry = new Date(issued.getTime() + 170 * 86_400_000);
  const c = (line: string) => (opts.comments ? line + '\n' : '');
  const files: string[] = ['certificates/contoso-root.cer', 'certificates/contoso-issuing-ca.cer'];

  const head =
    c('// Contoso Tax Services: bulk enrollment of the front-office desktops.') +
    c('// Built with `ppkg build`; secrets come from PPKG_SECRET_<NAME> or VS Code SecretStorage.') +
    '{\n' +
    `  "name": "CTS Desktops ${seed}",\n` +
    `  "id": "{${randomUUID()}}",\n` +
    `  "version": "1.${seed % 100}",\n` +
    '  "owner": "ITAdmin",\n' +
    '  "rank": 0,\n' +
    '  "description": "Joins front-office desktops to Entra ID and installs the line-of-business software.",\n' +
    c('\n  // Set up device') +
    '  "device": {\n    "name": "CTS-%SERIAL%",\n    "productKey": "NPPR9-FWDCX-D2C8J-H872K-2YT43",\n    "sharedUse": false,\n    "removePreinstalledSoftware": true\n  },\n' +
    c('\n  // Set up network: the setup Wi-Fi in the branch offices') +
    '  "network": {\n    "wifi": {\n      "ssid": "CTS-Setup",\n      "security": "WPA2-Personal",\n      "key": { "secret": "wifi-key" },\n      "autoConnect": true,\n      "hidden": false\n    }\n  },\n' +
    c('\n  // Account management') +
    '  "account": {\n    "entra": {\n' +
    `      "tokenExpiry": "${isoDate(expiry)}",\n` +
    '      "token": { "secret": "bulk-token" },\n' +
    `      "issuedAt": "${issued.toISOString()}",\n` +
    '      "packageUser": "package_3c9a1f0e-5b2d-4c8e-a7f6-1d2e3f4a5b6c@contoso.onmicrosoft.com",\n' +
    '      "tenant": "contoso.onmicrosoft.com"\n    },\n' +
    '    "localAdmin": {\n      "user": "ctsadmin",\n      "password": { "secret": "local-admin-password" }\n    }\n  },\n' +
    c('\n  // Add applications: run as SYSTEM during setup, silently, in this order') +
    '  "applications": [\n';

  const tail =
    '\n  ],\n' +
    c('\n  // Add certificates') +
    '  "certificates": [\n' +
    '    { "name": "Contoso Root CA", "file": "certificates/contoso-root.cer", "store": "Root" },\n' +
    '    { "name": "Contoso Issuing CA", "file": "certificates/contoso-issuing-ca.cer", "store": "CA" }\n' +
    '  ],\n' +
    '  "oobe": { "hide": false },\n' +
    '  "protection": { "encrypt": false }\n}\n';

  // Grow the application list until the target is reached (at least one app).
  const apps: string[] = [];
  const appFiles: string[][] = [];
  let size = head.length + tail.length;
  do {
    const f: string[] = [];
    const a = application(apps.length, seed, opts.comments, f);
    apps.push(a);
    appFiles.push(f);
    size += a.length + 2;
  } while (size < opts.bytes);

  let text = head;
  // The application nearest the middle that leaves the most optional properties out, so the
  // property slot has names to offer: a script (kind 3), else an EXE (2), else a plain MSI (0).
  const half = apps.length >> 1;
  let mid = half;
  for (const kind of [3, 2, 0]) {
    const candidates = apps.map((_, i) => i).filter((i) => i % 4 === kind);
    if (candidates.length) {
      mid = candidates.reduce((best, i) => (Math.abs(i - half) < Math.abs(best - half) ? i : best));
      break;
    }
  }
  let property = -1;
  let value = -1;
  for (let i = 0; i < apps.length; i++) {
    const start = text.length;
    text += apps[i] + (i < apps.length - 1 ? ',\n' : '');
    if (i === mid) {
      // Property slot: at the start of the line after the object's "{"
      // (where an admin types a new property name). Value slot: right after
      // `"continueInstall": ` (a boolean; the schema offers true/false).
      const brace = text.indexOf('{', start);
      property = brace + 1;
      const key = text.indexOf('"continueInstall": ', start);
      value = key + '"continueInstall": '.length;
    }
  }
  text += tail;
  return { text, files: [...files, ...appFiles.flat()], applications: apps.length, slots: { property, value } };
}
