/**
 * Entra ID over the one HTTPS core (httpsCore.ts): the bulk-token service's
 * requests and MSAL's network client (TrackingNetworkClient), with the core's
 * failures turned into EntraErrors. MSAL's own client uses global fetch, which
 * cannot take a CA in-process, so MSAL gets this one too.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { entraError, EntraError, type EntraStage } from './errors';
import { DEFAULT_REQUEST_TIMEOUT_MS, httpsCall, HttpsFailure, type HttpsResponse } from './httpsCore';

export { DEFAULT_REQUEST_TIMEOUT_MS };

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Extra trusted CA certificate(s), PEM; added to Node's bundled roots. */
  ca?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** For error messages. */
  stage?: EntraStage;
}

export type HttpResponse = HttpsResponse;

/** Sends one request. Throws EntraError `network` (a time-out too), `cancelled`, `malformed-response` (too large) or `invalid-option`; any HTTP status resolves. */
export async function httpsRequest(req: HttpRequest): Promise<HttpResponse> {
  try {
    return await httpsCall(req);
  } catch (e) {
    throw e instanceof HttpsFailure ? entraErrorOf(e, req.stage) : e;
  }
}

/** The core's failure in Entra terms. A request time-out is `network`: the bulk-token exchange has its own deadline (`timeout`). */
export function entraErrorOf(e: HttpsFailure, stage?: EntraStage): EntraError {
  switch (e.kind) {
    case 'invalid-url':
      return entraError('invalid-option', { serverMessage: e.message });
    case 'cancelled':
      return entraError('cancelled', { stage });
    case 'too-large':
      return entraError('malformed-response', { stage });
    case 'network':
    case 'timeout':
      return entraError('network', { stage, url: e.where, serverMessage: e.message });
  }
}

/** A server's OAuth error body, as MSAL's device-code client would otherwise lose it. */
export interface ObservedServerError {
  error?: string;
  error_description?: string;
  error_codes?: unknown;
  suberror?: string;
  status: number;
}

/**
 * MSAL's network client: our HTTPS client, plus a record of the last thing
 * that went wrong. MSAL replaces errors thrown by its network client with a
 * generic one, and its device-code loop keeps only the `error` field of the
 * token endpoint's answer (not the AADSTS code), so signIn() reads the
 * precise cause from here.
 */
export class TrackingNetworkClient implements INetworkModule {
  lastFailure?: EntraError;
  lastServerError?: ObservedServerError;
  /** URLs called, for diagnostics in tests (no bodies, no headers). */
  readonly calls: string[] = [];

  constructor(
    private readonly ca?: string,
    private readonly signal?: AbortSignal,
  ) {}

  /** Forgets the last failure and server error (before another MSAL call on the same client). */
  reset(): void {
    this.lastFailure = undefined;
    this.lastServerError = undefined;
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    this.calls.push(`${method} ${url.split('?')[0]}`);
    let res: HttpResponse;
    try {
      res = await httpsRequest({
        method,
        url,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        ca: this.ca,
        signal: this.signal,
        timeoutMs: timeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
        stage: 'sign-in',
      });
    } catch (e) {
      if (e instanceof EntraError) this.lastFailure = e;
      throw e;
    }
    let body: unknown;
    try {
      body = res.text.trim() === '' ? {} : JSON.parse(res.text);
    } catch {
      this.lastFailure =
        res.status >= 400 ? entraError('http', { stage: 'sign-in', status: res.status }) : entraError('malformed-response', { stage: 'sign-in' });
      throw this.lastFailure;
    }
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const b = body as Record<string, unknown>;
      if (typeof b.error === 'string' && b.error !== 'authorization_pending' && b.error !== 'slow_down') {
        this.lastServerError = {
          error: b.error,
          error_description: typeof b.error_description === 'string' ? b.error_description : undefined,
          error_codes: b.error_codes,
          suberror: typeof b.suberror === 'string' ? b.suberror : undefined,
          status: res.status,
        };
      } else if (res.status >= 500) {
        this.lastFailure = entraError('http', { stage: 'sign-in', status: res.status });
      }
    } else if (res.status >= 400) {
      this.lastFailure = entraError('http', { stage: 'sign-in', status: res.status });
    }
    return { status: res.status, headers: res.headers, body: body as T };
  }
}
