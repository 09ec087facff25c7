/**
 * Client certificates (WCD: Certificates > ClientCertificates): the .pfx must
 * be a PKCS#12 file, and its password (CertificatePassword) must open it.
 * Otherwise the package fails on the device, after the join, with nothing on
 * screen to say which certificate was wrong.
 *
 * PKCS#12 is read with node-forge: the MAC is verified with the password
 * (the standard check that a password is right), then every shrouded key bag
 * is decrypted. Both legacy files (3DES/RC2 and SHA-1, Windows' own export)
 * and OpenSSL 3 files (PBES2 with AES-256 and SHA-256) are understood.
 *
 * Validation only knows the password when it is written in the project (a
 * plain-text secret, PPKG070) or when the caller gives a secret lookup
 * (`secretValue`, the CLI's PPKG_SECRET_* variables); without one, the rule
 * stays silent and the build checks after it has resolved the secret.
 * Results are cached by file (path, size, modification time) and a digest of
 * the password, so the language server does not re-run the key derivation on
 * every keystroke.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Forge from 'node-forge';
import { isSecretReference } from '../../model/secrets';
import type { RuleContext } from '../context';
import { isContainedPath } from './files';

let loadedForge: typeof Forge | undefined;
/** node-forge (600 KB, several ms to set up), loaded when a PFX is first read rather than at every CLI start. */
export function forgeLib(): typeof Forge {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  return (loadedForge ??= require('node-forge') as typeof Forge);
}

/** PPKG037: the certificate file is not a PKCS#12 (.pfx) file. */
export const CODE_NOT_PKCS12 = 'PPKG037';
/** PPKG038: the certificate password does not open the .pfx. */
export const CODE_PFX_PASSWORD = 'PPKG038';

/** A .pfx is a few kilobytes; a bigger file is not worth deriving keys for. */
const MAX_PFX_BYTES = 1024 * 1024;

/**
 * Options a caller may add to ValidationOptions for this rule. (ValidationOptions
 * itself has no secret lookup yet: validation never sees secret values unless
 * asked to.)
 */
export interface CertificateCheckOptions {
  /** The value of a secret, or undefined when it is not available. Never logged. */
  secretValue?: (name: string) => string | undefined;
}

export type Pkcs12Verdict = { ok: true } | { ok: false; reason: 'not-pkcs12' | 'wrong-password'; detail: string };

/** True when the bytes have the outer shape of a PFX: SEQUENCE { INTEGER 3, ContentInfo, … }. */
function pfxShape(data: Buffer): Forge.asn1.Asn1 | undefined {
  const forge = forgeLib();
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')), { strict: false } as never);
    const items = asn1.value;
    if (asn1.tagClass !== forge.asn1.Class.UNIVERSAL || asn1.type !== forge.asn1.Type.SEQUENCE || !Array.isArray(items) || items.length < 2) return undefined;
    const version = items[0]!;
    if (version.type !== forge.asn1.Type.INTEGER || typeof version.value !== 'string' || forge.util.bytesToHex(version.value) !== '03') return undefined;
    const authSafe = items[1]!;
    if (authSafe.type !== forge.asn1.Type.SEQUENCE || !Array.isArray(authSafe.value) || authSafe.value[0]?.type !== forge.asn1.Type.OID) return undefined;
    return asn1;
  } catch {
    return undefined;
  }
}

/**
 * Whether `data` is a PKCS#12 file that `password` opens. Pure: no I/O, and
 * the password never appears in the verdict.
 */
export function inspectPkcs12(data: Buffer, password: string | undefined): Pkcs12Verdict {
  const forge = forgeLib();
  const asn1 = pfxShape(data);
  if (!asn1) return { ok: false, reason: 'not-pkcs12', detail: 'it is not a PKCS#12 (.pfx) file' };
  if (password === undefined) return { ok: true };
  try {
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
    // The MAC proves the password for files that have one; key bags are
    // decrypted with it too (a file may use a different key password).
    const bags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? [];
    if (bags.some((b) => !b.key && !b.asn1)) return { ok: false, reason: 'wrong-password', detail: 'the password does not decrypt its private key' };
    return { ok: true };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/MAC could not be verified|Invalid password|decrypt/i.test(message))
      return { ok: false, reason: 'wrong-password', detail: 'the password does not open it' };
    return { ok: false, reason: 'not-pkcs12', detail: 'it is damaged or not a PKCS#12 (.pfx) file that Windows can import' };
  }
}

const cache = new Map<string, Pkcs12Verdict>();

function cachedVerdict(file: string, password: string | undefined): Pkcs12Verdict | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined; // PPKG030 says it.
  }
  if (!st.isFile() || st.size > MAX_PFX_BYTES) return undefined;
  const key = `${file}\0${st.size}\0${st.mtimeMs}\0${password === undefined ? '-' : createHash('sha256').update(password).digest('hex')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const verdict = inspectPkcs12(data, password);
  if (cache.size > 256) cache.clear();
  cache.set(key, verdict);
  return verdict;
}

/** The admin message for a verdict on certificate `file` (as written in the project). */
export function pkcs12Message(file: string, verdict: Exclude<Pkcs12Verdict, { ok: true }>, passwordSource: string): string {
  if (verdict.reason === 'not-pkcs12') {
    return `The client certificate "${file}": ${verdict.detail}. Export the certificate with its private key as .pfx (Windows: certmgr > Export > "Yes, export the private key" > PKCS #12), then build again.`;
  }
  return `The client certificate "${file}" does not open with ${passwordSource}: ${verdict.detail}. Set the password the .pfx was exported with, then build again.`;
}

export function certificateRules(ctx: RuleContext): void {
  const projectPath = ctx.options.projectPath;
  if (!projectPath) return;
  const certs = ctx.value(['certificates']);
  if (!Array.isArray(certs)) return;
  const lookup = ctx.options.secretValue;
  const projectDir = path.dirname(projectPath);
  certs.forEach((_, i) => {
    const file = ctx.string(['certificates', i, 'file']);
    if (!file || !isContainedPath(file) || file.includes('\0')) return;
    const ext = path.extname(file).toLowerCase();
    if (ext !== '.pfx' && ext !== '.p12') return;
    const pw = ctx.value(['certificates', i, 'password']);
    let password: string | undefined;
    let source: string;
    if (typeof pw === 'string') {
      password = pw;
      source = 'the password written in the project';
    } else if (isSecretReference(pw) && lookup) {
      password = lookup(pw.secret);
      source = `the secret "${pw.secret}"`;
    } else return;
    // Only when the password is known (see the header): a file that is
    // still being exported must not light up red while its secret is unset.
    if (password === undefined || password === '') return;
    const verdict = cachedVerdict(path.resolve(projectDir, file.replace(/\\/g, '/')), password);
    if (!verdict || verdict.ok) return;
    if (verdict.reason === 'not-pkcs12') ctx.report(['certificates', i, 'file'], 'error', CODE_NOT_PKCS12, pkcs12Message(file, verdict, source));
    else ctx.report(['certificates', i, 'password'], 'error', CODE_PFX_PASSWORD, pkcs12Message(file, verdict, source));
  });
}
