/**
 * The bulk-token fetch: validate the expiry, sign in for the Device
 * Registration Service, run a preflight hook (the tenant's fast checks), run
 * the begin/poll protocol, and return the token with the facts to record next
 * to it. Stores nothing. The use case around it (checks, where the token goes,
 * recording, explaining) is tokenFlow.ts, shared by the CLI and VS Code.
 */
import { formatIsoDate, daysBetween, latestSafeExpiry, MAX_TOKEN_LIFETIME_DAYS, parseIsoDate } from '../model/dates';
import { requestBulkToken } from './bulkToken';
import { authorityFor, bulkEndpointFor, CLOUDS, DEFAULT_AUTHORITY, drsScopeFor, WCD_CLIENT_ID, type CloudName } from './clouds';
import { entraError, EntraError, scrub } from './errors';
import { signInSession } from './signIn';

/**
 * What a preflight hook gets between the sign-in and the bulk-token request:
 * the signed-in account, and a way to get a token for other scopes (Microsoft
 * Graph, say) for the same account without a second prompt.
 */
export interface PreflightContext {
  username: string;
  tenantId: string;
  authority: string;
  clientId: string;
  /**
   * An access token for `scopes` (full resource scopes, e.g.
   * `https://graph.microsoft.com/User.Read`), silently (cache or refresh
   * token). Throws an EntraError when that needs a prompt or fails. The token
   * is scrubbed from any error fetchBulkToken throws.
   */
  acquireTokenSilent(scopes: string[]): Promise<string>;
  signal?: AbortSignal;
  /** The fetch's extra trusted CA (PEM), if any; tests only. */
  ca?: string;
}

/**
 * Runs after the sign-in and before `begin`, i.e. before any token or
 * `package_*` user exists. Throwing stops the fetch: fetchBulkToken rethrows
 * the hook's error as it is (a cancel becomes EntraError `cancelled`).
 */
export type BulkTokenPreflight = (context: PreflightContext) => Promise<void>;

export interface FetchTokenOptions {
  /** Default: WCD's client `de0853a1-ab20-47bd-990b-71ad5077ac7b`. */
  clientId?: string;
  /** Default: `https://login.microsoftonline.com/organizations`, or the `cloud`'s login host + `/organizations`. */
  authority?: string;
  cloud?: CloudName;
  /** The `…/webapp/bulkaadjtoken` base; default: the authority's host. */
  bulkEndpoint?: string;
  /** `YYYY-MM-DD`; default latestSafeExpiry(now). */
  expiry?: string;
  /** Display name of the `package_<pid>` user; default `package_<pid>`. */
  name?: string;
  deviceCode?: boolean;
  onDeviceCode?: (message: string) => void;
  openBrowser?: (url: string) => Promise<void>;
  /** Progress lines for the user (never a secret). */
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /** Bound on the bulk-token exchange (begin + poll); default 5 minutes. */
  timeoutMs?: number;
  /** Extra trusted CA (PEM); tests only. */
  ca?: string;
  now?: () => Date;
  /** Checks to run after the sign-in and before the bulk-token request (e.g. the tenant's fast checks). */
  preflight?: BulkTokenPreflight;
}

export interface FetchedToken {
  /** The BPRT. A live credential: store it as a secret only. */
  token: string;
  /** `YYYY-MM-DD`. */
  expiry: string;
  /** ISO 8601 instant. */
  issuedAt: string;
  /** `package_<pid>@<domain>`. */
  packageUser: string;
  /** Tenant ID (or domain when no ID is known). */
  tenant: string;
}

/**
 * The expiry to request: the given `YYYY-MM-DD`, or the latest safe one.
 * Throws `invalid-expiry` for a non-date, a date not after today (UTC; the
 * token stops at 00:00 UTC of that date), or one beyond 180 days.
 */
export function resolveExpiry(expiry: string | undefined, now: Date): string {
  if (expiry === undefined || expiry === '') return latestSafeExpiry(now);
  const date = parseIsoDate(expiry.trim());
  if (!date) {
    throw entraError('invalid-expiry', {
      serverMessage: `The expiry "${expiry}" is not a real date. Write it as YYYY-MM-DD, for example ${latestSafeExpiry(now)}.`,
    });
  }
  const days = daysBetween(now, date);
  if (days < 1) {
    throw entraError('invalid-expiry', {
      serverMessage: `The expiry ${formatIsoDate(date)} is not in the future (the token stops working at 00:00 UTC of that date). Choose a date from tomorrow up to ${latestSafeExpiry(now)}.`,
    });
  }
  if (days > MAX_TOKEN_LIFETIME_DAYS) {
    throw entraError('invalid-expiry', {
      serverMessage: `The expiry ${formatIsoDate(date)} is ${days} days ahead; Entra ID allows at most ${MAX_TOKEN_LIFETIME_DAYS}. Choose ${latestSafeExpiry(now)} or earlier.`,
    });
  }
  return formatIsoDate(date);
}

export function resolveAuthority(options: Pick<FetchTokenOptions, 'authority' | 'cloud'>): string {
  if (options.authority) return options.authority.replace(/\/+$/, '');
  if (options.cloud) return authorityFor(CLOUDS[options.cloud]);
  return DEFAULT_AUTHORITY;
}

/** What a cancel interrupts, for its message. */
const FETCH_OPERATION = 'fetching the bulk token';

export async function fetchBulkToken(options: FetchTokenOptions = {}): Promise<FetchedToken> {
  const now = options.now ?? (() => new Date());
  const expiry = resolveExpiry(options.expiry, now());
  const clientId = options.clientId ?? WCD_CLIENT_ID;
  const authority = resolveAuthority(options);
  let bulkEndpoint: string;
  try {
    bulkEndpoint = options.bulkEndpoint ?? bulkEndpointFor(authority);
  } catch {
    throw entraError('invalid-option', { serverMessage: `The authority is not a URL: ${authority}` });
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw entraError('invalid-option', { serverMessage: 'The timeout must be a positive number of seconds.' });
  }

  let accessToken: string | undefined;
  let token: string | undefined;
  /** Tokens handed to the preflight hook, scrubbed like the others. */
  const otherTokens: string[] = [];
  let inPreflight = false;
  try {
    const session = await signInSession({
      clientId,
      authority,
      // The cloud's Device Registration resource (US Government and China have their own).
      scopes: [drsScopeFor(authority, options.cloud)],
      deviceCode: options.deviceCode,
      onDeviceCode: options.onDeviceCode,
      openBrowser: options.openBrowser,
      signal: options.signal,
      ca: options.ca,
    });
    accessToken = session.accessToken;
    if (options.preflight) {
      inPreflight = true;
      await options.preflight({
        username: session.username,
        tenantId: session.tenantId,
        authority,
        clientId,
        acquireTokenSilent: async (scopes) => {
          const other = await session.acquireTokenSilent(scopes);
          otherTokens.push(other.accessToken);
          return other.accessToken;
        },
        signal: options.signal,
        ca: options.ca,
      });
      inPreflight = false;
      if (options.signal?.aborted) throw entraError('cancelled', { stage: 'sign-in' });
    }
    options.onProgress?.(`Signed in as ${session.username || 'an unnamed account'}. Asking Entra ID for a bulk token that expires on ${expiry}...`);
    const issuedAt = now();
    const result = await requestBulkToken({
      accessToken,
      endpoint: bulkEndpoint,
      expiry,
      name: options.name,
      pollIntervalMs: options.pollIntervalMs,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      ca: options.ca,
      authority,
      clientId,
    });
    token = result.refreshToken;
    const domain = (result.upn ?? session.username).split('@')[1];
    return {
      token,
      expiry,
      issuedAt: issuedAt.toISOString(),
      packageUser: result.upn ?? `package_${result.pid}${domain ? '@' + domain : ''}`,
      tenant: result.tenantId || session.tenantId || domain || '',
    };
  } catch (e) {
    const secrets = [accessToken, token, ...otherTokens];
    if (inPreflight && !(e instanceof EntraError)) {
      // The hook's own verdict (e.g. a failed tenant check): pass it on as it is.
      if (options.signal?.aborted) throw entraError('cancelled', { operation: FETCH_OPERATION });
      if (e instanceof Error) e.message = scrub(e.message, secrets);
      throw e;
    }
    const err =
      e instanceof EntraError
        ? e
        : entraError(options.signal?.aborted ? 'cancelled' : accessToken ? 'bulk-token-failed' : 'sign-in-failed', {
            serverMessage: e instanceof Error ? e.message : String(e),
          });
    if (options.signal?.aborted || err.kind === 'cancelled') throw entraError('cancelled', { stage: err.details.stage, operation: FETCH_OPERATION });
    // Defence in depth: no token may leave in a message.
    err.message = scrub(err.message, secrets);
    if (err.details.serverMessage) err.details.serverMessage = scrub(err.details.serverMessage, secrets);
    throw err;
  }
}
