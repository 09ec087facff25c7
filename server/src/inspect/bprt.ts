/**
 * The bulk token's expiry, when the token itself says it. A BPRT is only
 * sometimes a JWT-like token (three Base64url parts, a JSON payload with
 * `exp`); when it is not, or `exp` is not a plausible time, the expiry is
 * unknown — never guessed (not from the package's date, not from a 180-day
 * rule).
 */
export function bulkTokenExpiry(token: string): string | null {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts[1]!.length > 64 * 1024 || !/^[A-Za-z0-9_-]+$/.test(parts[1]!)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const exp = (payload as { exp?: unknown } | null)?.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return null;
  // Seconds since 1970, between 2000 and 2200.
  if (exp < 946_684_800 || exp > 7_258_118_400) return null;
  return new Date(exp * 1000).toISOString();
}
