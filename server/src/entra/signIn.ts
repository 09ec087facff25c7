/**
 * Sign-in to Entra ID with MSAL Node, as a public client: the interactive
 * flow (system browser, loopback redirect) or the device code flow. Shared by
 * the bulk-token fetch (DRS scope) and the tenant preflight (Microsoft Graph).
 *
 * Nothing is cached: each call builds a fresh PublicClientApplication with an
 * in-memory cache that dies with it. MSAL's logger is silenced. signInSession
 * keeps that client (and its cache) for as long as the caller holds the
 * session, to get a token for another resource silently (the token command's
 * Graph checks).
 *
 * Unverified (docs/bulk-token.md §Which client ID signs in, and why): which redirect URIs the WCD client
 * `de0853a1-…` registers (MSAL's loopback uses http://localhost:<port>) and
 * whether it allows the device code flow. If either is refused, Entra answers
 * with an AADSTS error that surfaces as `sign-in-failed` with the server's words;
 * the caller can then pass another client ID.
 */
import http from 'node:http';
import { AuthError, LogLevel, PublicClientApplication, type AuthenticationResult, type DeviceCodeRequest, type InteractiveRequest } from '@azure/msal-node';
import { decodeJwtClaims } from './bulkToken';
import { cloudOfUrl } from './clouds';
import { entraError, EntraError, errorFromServer } from './errors';
import { TrackingNetworkClient } from './http';

export interface SignInOptions {
  clientId: string;
  authority: string;
  scopes: string[];
  deviceCode?: boolean;
  onDeviceCode?: (message: string) => void;
  openBrowser?: (url: string) => Promise<void>;
  signal?: AbortSignal;
  /**
   * Extra trusted CA certificate (PEM) for the authority's TLS, added to Node's
   * roots. Only emulator tests need it in-process; a real process trusts
   * NODE_EXTRA_CA_CERTS anyway. (An optional addition to the agreed shape.)
   */
  ca?: string;
}

export interface SignInResult {
  accessToken: string;
  username: string;
  tenantId: string;
  expiresOn?: Date;
  /**
   * Non-secret claims about the tenant, read (not verified) from the ID
   * token and the access token: `tenant_region_scope`,
   * `tenant_region_sub_scope` (US Government: `DOD` or `DODCON`), `tid`.
   */
  tenantClaims?: Record<string, string>;
}

/**
 * A sign-in that can still get tokens for other scopes (another resource,
 * e.g. Microsoft Graph) for the same account without a second prompt.
 */
export interface SignInSession extends SignInResult {
  /**
   * MSAL's acquireTokenSilent with the same PublicClientApplication and
   * account: the in-memory cache, else the refresh token of the first sign-in.
   * Never prompts. Throws an EntraError for any failure: no account or refresh
   * token, consent missing for these scopes (`consent-required`), MFA or
   * Conditional Access for the other resource, network, `cancelled`.
   */
  acquireTokenSilent(scopes: string[]): Promise<SignInResult>;
}

const SUCCESS_PAGE = '<!doctype html><meta charset="utf-8"><title>ppkg</title><p>Signed in. You can close this window and return to ppkg.</p>';
const ERROR_PAGE = '<!doctype html><meta charset="utf-8"><title>ppkg</title><p>Sign-in did not complete. Return to ppkg for the details.</p>';

export async function signIn(options: SignInOptions): Promise<SignInResult> {
  const { result } = await signInWithMsal(options);
  return toResult(result);
}

/**
 * Like signIn (same options, same prompt, same errors), and keeps the MSAL
 * client and account in memory so that `acquireTokenSilent` can get tokens for
 * other scopes without asking again. The session lives as long as the object.
 */
export async function signInSession(options: SignInOptions): Promise<SignInSession> {
  const { result, pca, network } = await signInWithMsal(options);
  const { clientId, authority, signal } = options;
  const account = result.account;
  return {
    ...toResult(result),
    acquireTokenSilent: async (scopes: string[]) => {
      if (scopes.length === 0) throw entraError('invalid-option', { serverMessage: 'No scopes to get a token for.' });
      if (signal?.aborted) throw entraError('cancelled', { stage: 'sign-in' });
      if (!account) throw entraError('sign-in-failed', { stage: 'sign-in', serverMessage: 'The first sign-in returned no account to reuse' });
      // What the first sign-in saw (device-code polls, say) must not explain this call's failure.
      network.reset();
      let silent: AuthenticationResult | null;
      try {
        silent = await pca.acquireTokenSilent({ account, scopes });
      } catch (e) {
        if (signal?.aborted) throw entraError('cancelled', { stage: 'sign-in' });
        throw signInError(e, network, authority, clientId);
      }
      if (!silent || !silent.accessToken) {
        throw entraError('sign-in-failed', { stage: 'sign-in', serverMessage: 'Entra ID returned no access token' });
      }
      return toResult(silent);
    },
  };
}

const TENANT_CLAIMS = ['tenant_region_scope', 'tenant_region_sub_scope', 'tid'];

function toResult(result: AuthenticationResult): SignInResult {
  const username = result.account?.username ?? '';
  const tenantId = result.tenantId || result.account?.tenantId || '';
  const tenantClaims: Record<string, string> = {};
  for (const source of [result.idTokenClaims as Record<string, unknown> | undefined, decodeJwtClaims(result.accessToken)]) {
    for (const k of TENANT_CLAIMS) if (typeof source?.[k] === 'string' && !(k in tenantClaims)) tenantClaims[k] = source[k] as string;
  }
  return { accessToken: result.accessToken, username, tenantId, expiresOn: result.expiresOn ?? undefined, tenantClaims };
}

async function signInWithMsal(options: SignInOptions): Promise<{ result: AuthenticationResult; pca: PublicClientApplication; network: TrackingNetworkClient }> {
  const { clientId, authority, scopes, signal } = options;
  if (!clientId.trim()) throw entraError('invalid-option', { serverMessage: 'The client ID is empty.' });
  let authorityUrl: URL;
  try {
    authorityUrl = new URL(authority);
  } catch {
    throw entraError('invalid-option', { serverMessage: `The authority is not a URL: ${authority}` });
  }
  if (authorityUrl.protocol !== 'https:' || authorityUrl.pathname.split('/').filter(Boolean).length < 1) {
    throw entraError('invalid-option', {
      serverMessage: `The authority must be an https URL with a tenant, like https://login.microsoftonline.com/organizations (got ${authority}).`,
    });
  }
  if (scopes.length === 0) throw entraError('invalid-option', { serverMessage: 'No scopes to sign in for.' });
  const useDeviceCode = options.deviceCode === true || !options.openBrowser;
  if (useDeviceCode && !options.onDeviceCode) {
    throw entraError('invalid-option', { serverMessage: 'The device code flow needs a way to show the code (onDeviceCode).' });
  }
  if (signal?.aborted) throw entraError('cancelled', { stage: 'sign-in' });

  const network = new TrackingNetworkClient(options.ca, signal);
  const pca = new PublicClientApplication({
    auth: {
      clientId,
      authority,
      // A host MSAL does not know (an emulator, a private cloud) must be
      // trusted explicitly; that also skips instance discovery against
      // login.microsoftonline.com. Known clouds use MSAL's built-in metadata.
      knownAuthorities: cloudOfUrl(authority) ? [] : [authorityUrl.host],
    },
    system: {
      networkClient: network,
      loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false, logLevel: LogLevel.Error },
    },
  });

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(entraError('cancelled', { stage: 'sign-in' }));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);

  let msal: Promise<AuthenticationResult | null>;
  let release: (() => void) | undefined;
  let browserFailure: EntraError | undefined;
  if (useDeviceCode) {
    const request: DeviceCodeRequest = {
      scopes,
      deviceCodeCallback: (r) => options.onDeviceCode!(r.message),
    };
    // MSAL checks this flag between polls; our network client also aborts any
    // request in flight, so the loop ends at once.
    release = () => {
      request.cancel = true;
    };
    msal = pca.acquireTokenByDeviceCode(request);
  } else {
    let authUrl: string | undefined;
    const request: InteractiveRequest = {
      scopes,
      successTemplate: SUCCESS_PAGE,
      errorTemplate: ERROR_PAGE,
      openBrowser: async (url) => {
        authUrl = url;
        try {
          await options.openBrowser!(url);
        } catch (err) {
          // A browser that cannot be opened is that, not a sign-in (role, consent) problem.
          browserFailure = entraError('browser-unavailable', { stage: 'sign-in', serverMessage: err instanceof Error ? err.message : String(err) });
          release?.();
          throw browserFailure;
        }
      },
    };
    // MSAL's loopback server waits for the browser forever. On cancel, answer
    // it ourselves with an OAuth error so that it closes.
    release = () => {
      if (authUrl) void releaseLoopback(authUrl);
    };
    msal = pca.acquireTokenInteractive(request);
  }
  // Whatever happens after a cancel must not become an unhandled rejection.
  msal.catch(() => undefined);
  signal?.addEventListener('abort', release, { once: true });

  let result: AuthenticationResult | null;
  try {
    result = await Promise.race([msal, aborted]);
  } catch (e) {
    if (signal?.aborted) {
      release();
      throw entraError('cancelled', { stage: 'sign-in' });
    }
    if (browserFailure) throw browserFailure;
    throw signInError(e, network, authority, clientId);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    signal?.removeEventListener('abort', release);
  }
  if (!result || !result.accessToken) {
    throw entraError('sign-in-failed', { stage: 'sign-in', serverMessage: 'Entra ID returned no access token' });
  }
  return { result, pca, network };
}

/** Turns whatever MSAL threw into an EntraError, preferring what the network client saw. */
function signInError(e: unknown, network: TrackingNetworkClient, authority: string, clientId: string): EntraError {
  if (e instanceof EntraError) return e;
  const seen = network.lastServerError;
  if (seen) {
    return errorFromServer({
      stage: 'sign-in',
      error: seen.error,
      description: seen.error_description,
      errorCodes: seen.error_codes,
      status: seen.status,
      authority,
      clientId,
    });
  }
  if (network.lastFailure) return network.lastFailure;
  if (e instanceof AuthError) {
    if (e.errorCode === 'device_code_expired' || e.errorCode === 'user_timeout_reached') {
      return entraError('sign-in-failed', { stage: 'sign-in', serverMessage: 'The device code expired before the sign-in was completed' });
    }
    if (/AADSTS\d+/.test(e.errorMessage) || e.name === 'ServerError' || e.name === 'InteractionRequiredAuthError') {
      return errorFromServer({ stage: 'sign-in', error: e.errorCode, description: e.errorMessage, authority, clientId });
    }
    return entraError('sign-in-failed', { stage: 'sign-in', serverMessage: e.errorCode || 'unknown MSAL error' });
  }
  return entraError('sign-in-failed', { stage: 'sign-in', serverMessage: e instanceof Error ? e.message : String(e) });
}

/** Posts an OAuth `access_denied` to MSAL's own loopback listener (localhost only). */
function releaseLoopback(authUrl: string): Promise<void> {
  return new Promise((resolve) => {
    try {
      const u = new URL(authUrl);
      const redirect = u.searchParams.get('redirect_uri');
      const state = u.searchParams.get('state');
      if (!redirect || !state) return resolve();
      const r = new URL(redirect);
      if (r.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(r.hostname)) return resolve();
      r.hostname = '127.0.0.1'; // MSAL listens on 127.0.0.1; "localhost" may resolve to ::1.
      const body = new URLSearchParams({ error: 'access_denied', error_description: 'Cancelled by the user', state }).toString();
      const req = http.request(
        r,
        { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', () => resolve());
      req.end(body);
    } catch {
      resolve();
    }
  });
}
