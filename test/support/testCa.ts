import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway certificate authority made at test time, and a server
 * certificate for 127.0.0.1 and localhost signed by it. The emulators of the
 * Entra and Graph endpoints serve HTTPS with it; clients trust it through
 * NODE_EXTRA_CA_CERTS (child processes) or an explicit `ca` (in-process).
 * Nothing here is ever trusted outside the test that made it.
 */
export interface TestCa {
  dir: string;
  /** Path of the CA certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  caPem: string;
  keyPem: string;
  certPem: string;
}

let cached: TestCa | undefined;

export function getTestCa(): TestCa {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-test-ca-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ppkg throwaway test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  cached = {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    keyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    certPem: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
  return cached;
}
