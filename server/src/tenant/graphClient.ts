import { delay, httpsCall, HttpsFailure, type HttpsResponse } from '../entra/httpsCore';
import { PpkgError } from '../errors';

/**
 * A small Microsoft Graph client for the tenant preflight and the bulk-token
 * accounts: GET/POST/DELETE with a Bearer token, `@odata.nextLink` paging,
 * 429/503/504 with `Retry-After` honoured, a bounded total time per call, and
 * cancellation. Errors carry the HTTP status and the Graph error code, never
 * the access token (docs/tenant-checks.md §Graph errors, paging and throttling). Each exchange goes through the
 * one HTTPS core (entra/httpsCore.ts: https only, CA, time-out, size limit,
 * no redirects); paging and retries are Graph's own, on top of it.
 */

export const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com';

/** Supplies the access token for each request (MSAL in the CLI, a fake in tests). */
export type AccessTokenProvider = () => Promise<string>;

export interface GraphClientOptions {
  getAccessToken: AccessTokenProvider;
  /** Graph root, `https://graph.microsoft.com` unless overridden (national cloud, emulator). HTTPS only. */
  endpoint?: string;
  /** Extra trusted CA (PEM), added to Node's roots, for in-process tests against the emulator. Never disables verification. */
  ca?: string;
  signal?: AbortSignal;
  /** Attempts per request, including the first (throttling/unavailable retries). Default 4. */
  maxAttempts?: number;
  /** Upper bound for one logical call, paging and retries included. Default 90 s. */
  callTimeoutMs?: number;
  /** Upper bound for a single HTTP exchange. Default 30 s. */
  requestTimeoutMs?: number;
  /** Longest Retry-After we are willing to wait. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/**
 * A failed Graph call (category `tenant`, or `cancelled`). `status` is 0 for
 * network errors, timeouts and cancellation; `code` is Graph's error code
 * (`Authorization_RequestDenied`) or ours (`Timeout`, `Cancelled`, …).
 */
export class GraphError extends PpkgError {
  constructor(
    message: string,
    readonly status: number,
    code: string | undefined,
    readonly method: string,
    /** Path and query of the request (no host, no token). */
    readonly path: string,
    readonly requestId?: string,
  ) {
    super(code === 'Cancelled' ? 'cancelled' : 'tenant', message, { code });
    this.name = 'GraphError';
  }
}

export interface GraphRequestOptions {
  headers?: Record<string, string>;
}

type RawResponse = HttpsResponse;

const RETRYABLE = new Set([429, 503, 504]);

/** Waits, or rejects as soon as the signal fires (the core's delay). */
export const defaultSleep: (ms: number, signal?: AbortSignal) => Promise<void> = delay;

/** Parses `Retry-After` (seconds, or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  return undefined;
}

export class GraphClient {
  readonly endpoint: URL;
  private readonly opts: Required<Omit<GraphClientOptions, 'ca' | 'signal' | 'endpoint'>> & Pick<GraphClientOptions, 'ca' | 'signal'>;
  /** The last token handed out, so that no error text can ever carry it. */
  private lastToken: string | undefined;

  constructor(options: GraphClientOptions) {
    const endpoint = new URL(options.endpoint ?? DEFAULT_GRAPH_ENDPOINT);
    if (endpoint.protocol !== 'https:') {
      throw new GraphError(`The Graph endpoint must use https (got ${endpoint.protocol}).`, 0, 'InvalidEndpoint', 'GET', '');
    }
    this.endpoint = endpoint;
    this.opts = {
      getAccessToken: options.getAccessToken,
      ca: options.ca,
      signal: options.signal,
      maxAttempts: options.maxAttempts ?? 4,
      callTimeoutMs: options.callTimeoutMs ?? 90_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
      sleep: options.sleep ?? defaultSleep,
      now: options.now ?? Date.now,
    };
  }

  async get<T>(path: string, options: GraphRequestOptions = {}): Promise<T> {
    return (await this.call<T>('GET', path, undefined, options)) as T;
  }

  /** GETs a collection and follows `@odata.nextLink` until it is absent. */
  async getAll<T>(path: string, options: GraphRequestOptions = {}): Promise<T[]> {
    const deadline = this.opts.now() + this.opts.callTimeoutMs;
    const items: T[] = [];
    let next: string | undefined = path;
    let pages = 0;
    while (next) {
      if (++pages > 1000) throw new GraphError('Graph returned more than 1000 pages; stopping.', 0, 'TooManyPages', 'GET', path);
      // Headers such as ConsistencyLevel are not carried over by Graph: send them on every page.
      const page: { value?: T[]; '@odata.nextLink'?: string } = (await this.call('GET', next, undefined, options, deadline)) ?? {};
      if (Array.isArray(page.value)) items.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return items;
  }

  async post<T>(path: string, body: unknown, options: GraphRequestOptions = {}): Promise<T> {
    return (await this.call<T>('POST', path, body, options)) as T;
  }

  async delete(path: string, options: GraphRequestOptions = {}): Promise<void> {
    await this.call('DELETE', path, undefined, options);
  }

  /** Resolves a relative path, or a nextLink, which must stay on the Graph endpoint's origin. */
  private resolve(pathOrUrl: string, method: string): URL {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      const url = new URL(pathOrUrl);
      if (url.origin !== this.endpoint.origin) {
        // Never send the token to a host we were not told to talk to.
        throw new GraphError(`Graph returned a link to another host (${url.origin}); not following it.`, 0, 'UntrustedLink', method, url.pathname);
      }
      return url;
    }
    const base = this.endpoint.href.replace(/\/+$/, '');
    return new URL(base + (pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`));
  }

  private async call<T>(method: string, pathOrUrl: string, body: unknown, options: GraphRequestOptions, deadline?: number): Promise<T | undefined> {
    const url = this.resolve(pathOrUrl, method);
    const shownPath = url.pathname + url.search;
    const end = deadline ?? this.opts.now() + this.opts.callTimeoutMs;
    let backoffMs = 1000;
    for (let attempt = 1; ; attempt++) {
      if (this.opts.signal?.aborted) throw new GraphError('Cancelled.', 0, 'Cancelled', method, shownPath);
      const remaining = end - this.opts.now();
      if (remaining <= 0) throw new GraphError(`Graph did not answer ${method} ${shownPath} in time.`, 0, 'Timeout', method, shownPath);
      let token: string;
      try {
        token = await this.opts.getAccessToken();
      } catch (err) {
        throw new GraphError(`Could not get an access token: ${this.redact(errorText(err))}`, 0, 'TokenUnavailable', method, shownPath);
      }
      this.lastToken = token;
      const headers: Record<string, string> = {
        Accept: 'application/json',
        ...options.headers,
        Authorization: `Bearer ${token}`,
      };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['Content-Type'] = 'application/json';
      }
      let res: RawResponse;
      try {
        res = await httpsCall({
          method,
          url,
          headers,
          body: payload,
          ca: this.opts.ca,
          signal: this.opts.signal,
          timeoutMs: Math.min(remaining, this.opts.requestTimeoutMs),
        });
      } catch (err) {
        if (this.opts.signal?.aborted || (err instanceof HttpsFailure && err.kind === 'cancelled'))
          throw new GraphError('Cancelled.', 0, 'Cancelled', method, shownPath);
        const code =
          err instanceof HttpsFailure
            ? err.kind === 'timeout'
              ? 'Timeout'
              : err.kind === 'too-large'
                ? 'TooLarge'
                : (err.code ?? 'NetworkError')
            : 'NetworkError';
        throw new GraphError(`Could not reach Microsoft Graph (${method} ${shownPath}): ${this.redact(errorText(err))}`, 0, code, method, shownPath);
      }
      if (RETRYABLE.has(res.status) && attempt < this.opts.maxAttempts) {
        const retryAfter = parseRetryAfter(res.headers['retry-after'], this.opts.now());
        const wait = retryAfter ?? backoffMs;
        backoffMs = Math.min(backoffMs * 2, 16_000);
        if (wait <= this.opts.maxRetryAfterMs && this.opts.now() + wait < end) {
          try {
            await this.opts.sleep(wait, this.opts.signal);
          } catch {
            throw new GraphError('Cancelled.', 0, 'Cancelled', method, shownPath);
          }
          continue;
        }
      }
      if (res.status >= 200 && res.status < 300) {
        if (res.status === 204 || res.text.trim() === '') return undefined;
        try {
          return JSON.parse(res.text) as T;
        } catch {
          throw new GraphError(`Graph returned a body that is not JSON (${method} ${shownPath}).`, res.status, 'InvalidJson', method, shownPath);
        }
      }
      throw this.errorFrom(res, method, shownPath);
    }
  }

  private errorFrom(res: RawResponse, method: string, path: string): GraphError {
    let code: string | undefined;
    let message: string | undefined;
    let requestId: string | undefined;
    try {
      const parsed = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown; innerError?: { 'request-id'?: unknown } } };
      if (typeof parsed.error?.code === 'string') code = parsed.error.code;
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
      const rid = parsed.error?.innerError?.['request-id'];
      if (typeof rid === 'string') requestId = rid;
    } catch {
      // Not a Graph error body (a proxy, an HTML page): the status is all we have.
    }
    requestId ??= res.headers['request-id'];
    const text = `Graph ${method} ${path} returned ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`;
    return new GraphError(this.redact(text), res.status, code, method, path, requestId);
  }

  /** Removes the access token from any text, however it got there (an echoing proxy, an odd error). */
  private redact(text: string): string {
    const t = this.lastToken;
    if (!t || t.length < 4) return text;
    return text.split(t).join('[redacted]');
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Quotes a value for an OData string literal. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
