/**
 * Secret values in a package (the bulk token, passwords, the Wi-Fi key, a
 * PFX password) are shown as `••••` with a short fingerprint, so that a
 * diff still shows that one changed without showing it.
 *
 * The fingerprint is scrypt (N = 2^12) of the value, salted with the setting
 * it belongs to, cut to 8 hex digits: the same value at the same setting
 * gives the same fingerprint on every machine (git diffs stay stable), and
 * guessing a short password from it costs a slow hash per guess instead of
 * a SHA-256 — but it is no encryption: a weak password is still weak.
 */
import { scryptSync } from 'node:crypto';

export const MASK = '••••';

const cache = new Map<string, string>();

export function fingerprint(value: string, setting: string): string {
  const key = `${setting}\0${value}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const fp = scryptSync(value, `ppkg-inspect-v1\0${setting}`, 4, { N: 1 << 12, r: 8, p: 1 }).toString('hex');
  if (cache.size > 1024) cache.clear();
  cache.set(key, fp);
  return fp;
}

/** How a caller wants secrets: masked (the default), or shown (`--show-secrets`). */
export interface SecretPolicy {
  show: boolean;
  /**
   * Placeholder text → secret name, for a project whose secrets are not set
   * (`ppkg diff` of a project): a value holding a placeholder is a secret
   * whose value is unknown.
   */
  unknown?: ReadonlyMap<string, string>;
}

/** The unknown secret a value stands for, if it is (or holds) a placeholder. */
export function unknownSecretIn(value: string, policy: SecretPolicy): string | undefined {
  if (!policy.unknown?.size) return undefined;
  for (const [placeholder, name] of policy.unknown) if (value.includes(placeholder)) return name;
  return undefined;
}

/** A secret value as shown: the value itself when shown, else the mask; and its fingerprint (null when unknown). */
export function maskSecret(value: string, setting: string, policy: SecretPolicy): { shown: string; fingerprint: string | null } {
  const unknown = unknownSecretIn(value, policy);
  if (unknown !== undefined) return { shown: `${MASK} (secret "${unknown}", value unknown)`, fingerprint: null };
  const fp = fingerprint(value, setting);
  return { shown: policy.show ? value : `${MASK} (${fp})`, fingerprint: fp };
}

/** Raw settings ppkg has no row for are masked when their name says they hold a credential. */
export function looksSecret(parmName: string): boolean {
  return /(password|passwd|passphrase|secret|psk|presharedkey|bprt|keymaterial|pin)$/i.test(parmName);
}
