/**
 * The one HTTPS client of the Entra module: node:https with an optional extra
 * CA (the emulator's throwaway CA in tests; in a real process Node's
 * NODE_EXTRA_CA_CERTS already applies), cancellation and a per-request timeout.
 * MSAL's own client uses global fetch, which cannot take a CA in-process, so
 * MSAL gets this one too (TrackingNetworkClient).
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { entraError, EntraError, type EntraStage } from './errors';

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

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Sends one request. Throws EntraError `network`, `timeout` or `cancelled`; any HTTP status resolves. */
export function httpsRequest(req: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(entraError('invalid-option', { serverMessage: `Not a URL: ${req.url}` }));
      return;
    }
    if (url.protocol !== 'https:') {
      reject(entraError('invalid-option', { serverMessage: `Entra endpoints must use https: ${url.origin}` }));
      return;
    }
    if (req.signal?.aborted) {
      reject(entraError('cancelled'));
      return;
    }
    const where = `${url.origin}${url.pathname}`;
    let settled = false;
    const fail = (err: EntraError) => {
      if (settled) return;
      settled = true;
      cleanup();
      request.destroy();
      reject(err);
    };
    const onAbort = () => fail(entraError('cancelled', { stage: req.stage }));
    const timer = setTimeout(
      () => fail(entraError('network', { stage: req.stage, url: where, serverMessage: `no answer within ${Math.round((req.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) / 1000)} seconds` })),
      req.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    );
    const cleanup = () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    };
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const request = https.request(
      url,
      {
        method: req.method,
        headers,
        ca: req.ca ? [...rootCertificates, req.ca] : undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            fail(entraError('malformed-response', { stage: req.stage }));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => fail(entraError('network', { stage: req.stage, url: where, serverMessage: e.message })));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          cleanup();
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    request.on('error', (e: NodeJS.ErrnoException) => {
      // Node's messages name the host and errno, never the request's headers or body.
      fail(entraError('network', { stage: req.stage, url: where, serverMessage: e.code ? `${e.code} ${e.message}`.replace(/^(\S+) \1/, '$1') : e.message }));
    });
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.body !== undefined) request.write(req.body);
    request.end();
  });
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
