/**
 * A project that builds, with every kind of secret as a reference, and the
 * sentinel values the secret scans look for.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './sandbox';
import { makeTestPfx } from '../../support/testCa';

/** One sentinel per kind of secret; each is a valid value for its field. */
export const SENTINELS = {
  'bulk-token': 'SENTINEL-BPRT-0.AAAA-7d1e5c0b',
  'wifi-key': 'SENTINEL-WIFI-3a9f27c4',
  'local-admin-password': 'SENTINEL-ADMIN-PW-8b2e61',
  'client-pfx-password': 'SENTINEL-PFX-PW-c5d4e3',
  'addl-secret': 'SENTINEL-ADDL-f0e1d2',
} as const;

export function secretEnv(values: Record<string, string> = SENTINELS): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) env['PPKG_SECRET_' + name.toUpperCase().replace(/[^A-Z0-9]/g, '_')] = value;
  return env;
}

export function buildableProject(over: Record<string, unknown> = {}): Record<string, unknown> {
  const expiry = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  return {
    name: 'Reliability Build',
    id: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}',
    version: '1.0',
    description: 'Built by the reliability suite',
    device: { name: 'CTS-%SERIAL%' },
    network: { wifi: { ssid: 'CTS-Setup', security: 'WPA2-Personal', key: { secret: 'wifi-key' } } },
    account: {
      entra: { tokenExpiry: expiry, token: { secret: 'bulk-token' }, issuedAt: new Date(Date.now() - 86_400_000).toISOString() },
      localAdmin: { user: 'ctsadmin', password: { secret: 'local-admin-password' } },
    },
    applications: [{ name: 'Agent', installer: 'installers/agent.msi', commandLine: 'msiexec /i agent.msi /qn', dependencies: ['installers/agent.cfg'] }],
    certificates: [
      { name: 'Root', file: 'certs/root.cer' },
      { name: 'Client', file: 'certs/client.pfx', password: { secret: 'client-pfx-password' }, keyLocation: 'SoftwareOnly' },
    ],
    // A WCD path the setting table compiles, holding a credential (SMISettings auto-logon).
    additionalSettings: [{ path: 'SMISettings/AutoLogon/Password', value: { secret: 'addl-secret' } }],
    ...over,
  };
}

/** Writes the files buildableProject() points at, and the project itself as `p.ppkg.json`. */
export function writeBuildable(dir: string, over: Record<string, unknown> = {}, installerBytes = 64 * 1024): string {
  mkdirSync(join(dir, 'installers'), { recursive: true });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const msi = Buffer.alloc(installerBytes);
  for (let i = 0; i < msi.length; i++) msi[i] = (i * 31 + 7) & 0xff;
  writeFileSync(join(dir, 'installers/agent.msi'), msi);
  writeFileSync(join(dir, 'installers/agent.cfg'), 'config=1\n');
  cpSync(join(ROOT, 'examples/bulk-enrollment/certificates/contoso-root.cer'), join(dir, 'certs/root.cer'));
  // A real .pfx sealed with the sentinel password: the build opens it before packaging.
  writeFileSync(join(dir, 'certs/client.pfx'), makeTestPfx(SENTINELS['client-pfx-password']));
  const file = join(dir, 'p.ppkg.json');
  writeFileSync(file, JSON.stringify(buildableProject(over), null, 2) + '\n');
  return file;
}
