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
  writeFileSync(
    join(dir, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  cached = {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    keyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    certPem: readFileSync(join(dir, 'server.pem'), 'utf8'),
  };
  return cached;
}

/**
 * A client certificate as a PKCS#12 (.pfx) file that `password` opens, made
 * with node-forge from a key node:crypto generates. `legacy` picks the old
 * Windows export (3DES, SHA-1 MAC); the default is OpenSSL 3's (AES-256,
 * SHA-256). Memoised per password and kind: key generation takes a moment.
 */
const pfxCache = new Map<string, Buffer>();
export function makeTestPfx(password: string, options: { legacy?: boolean } = {}): Buffer {
  const key = `${options.legacy ? 'legacy' : 'aes'}\0${password}`;
  const hit = pfxCache.get(key);
  if (hit) return hit;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const forge = require('node-forge') as typeof import('node-forge');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generateKeyPairSync } = require('node:crypto') as typeof import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fKey = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const fPub = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = fPub;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2036-01-01T00:00:00Z');
  const subject = [{ name: 'commonName', value: 'ppkg test client' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(fKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(fKey, [cert], password, options.legacy ? { algorithm: '3des' } : { algorithm: 'aes256', saltSize: 16, count: 2048 });
  const der = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  pfxCache.set(key, der);
  return der;
}
