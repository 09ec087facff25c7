/**
 * Certificates a package carries: RootCATrustedCertificates' EncodedCertificate
 * (Base64 DER, trusted by the device) and ClientCertificateInstall's
 * PFXCertBlob (a .pfx with its private key, opened with the PFXCertPassword
 * the package also carries). Read with node:crypto's X509Certificate; a PFX
 * with node-forge. The password is never part of what is returned.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { forgeLib } from '../validation/rules/certificates';
import type { InspectCertificate } from './model';

/** What a certificate says about itself: the model's certificate without where the package puts it. */
export type CertificateFacts = Omit<InspectCertificate, 'store' | 'key'>;

/** Largest certificate value decoded (Base64 characters): certificates are a few kilobytes. */
const MAX_CERT_CHARS = 1024 * 1024;

const NONE: CertificateFacts = { subject: null, issuer: null, thumbprint: null, notBefore: null, notAfter: null, selfSigned: null };

function oneLine(dn: string): string {
  // X509Certificate gives one attribute per line, most significant last (as OpenSSL prints them).
  return dn.split('\n').filter(Boolean).join(', ');
}

export function factsOfDer(der: Buffer): CertificateFacts {
  try {
    const x = new X509Certificate(der);
    return {
      subject: oneLine(x.subject),
      issuer: oneLine(x.issuer),
      thumbprint: createHash('sha1').update(der).digest('hex').toUpperCase(),
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      selfSigned: x.subject === x.issuer && x.checkIssued(x),
    };
  } catch {
    return { ...NONE, error: 'it is not an X.509 certificate' };
  }
}

/** Base64 text → bytes; undefined when it is not Base64. */
export function base64Bytes(text: string): Buffer | undefined {
  const t = text.replace(/\s+/g, '');
  if (t.length > MAX_CERT_CHARS || !/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4) return undefined;
  return Buffer.from(t, 'base64');
}

export function trustedCertificateFacts(encoded: string): { facts: CertificateFacts; der?: Buffer } {
  const der = base64Bytes(encoded);
  if (!der) return { facts: { ...NONE, error: 'EncodedCertificate is not Base64' } };
  return { facts: factsOfDer(der), der };
}

/** The first certificate of a .pfx, opened with its password (the PFX's own, from the package). */
export function pfxCertificateFacts(pfx: Buffer, password: string | undefined): CertificateFacts {
  const forge = forgeLib();
  if (password === undefined) return { ...NONE, error: 'the package has no password for it, so it was not opened' };
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')), { strict: false } as never);
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
    const bags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    // The end-entity certificate: the one with a private key's local key id, else the first.
    const withKey = bags.find((b) => b.attributes?.localKeyId) ?? bags[0];
    if (!withKey?.cert) return { ...NONE, error: 'the .pfx holds no certificate' };
    const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(withKey.cert)).getBytes(), 'binary');
    return factsOfDer(der);
  } catch {
    return { ...NONE, error: 'the .pfx does not open with the password the package carries' };
  }
}
