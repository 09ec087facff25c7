/**
 * The one HTTPS core of ppkg. Everything that talks to Entra ID (MSAL's
 * network client, the bulk-token service) and to Microsoft Graph sends its
 * requests through `httpsCall`, so they share one set of rules:
 *
 * - **https only**; anything else is refused before a connection is made.
 * - **Trust**: Node's roots, plus NODE_EXTRA_CA_CERTS in a real process (Node
 *   reads it); an injected `ca` (PEM) is *added* to Node's bundled roots, never
 *   replaces them, and verification is never turned off. Only in-process tests
 *   against the emulators inject one.
 * - **Time-out**: one bound on the whole exchange (connect, headers, body), 30 s
 *   by default; callers with a deadline pass what is left of it.
 * - **Size**: an answer larger than MAX_RESPONSE_BYTES is cut off and refused.
 * - **Redirects** are never followed: a 3xx is an answer like any other, so a
 *   token never travels to a host nobody named.
 * - **Cancel**: an AbortSignal ends the request at once.
 * - **Proxy**: whatever the host's `https` module does. VS Code's proxy support
 *   patches it for the extension; Node 20 itself reads no HTTPS_PROXY.
 * - **No secret in errors**: a failure names the origin and path (no query,
 *   which may carry a flow token), Node's error code and text; never a
 *   header or a body.
 *
 * Callers turn HttpsFailure into their own errors (EntraError, GraphError).
 */
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Larger than any Entra answer or Graph page ppkg reads (a 999-user page is well under 1 MB). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface HttpsRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string;
  /** Extra trusted CA certificate(s), PEM, added to Node's bundled roots. */
  ca?: string;
  signal?: AbortSignal;
  /** Bound on the whole exchange; default DEFAULT_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface HttpsResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
}

export type HttpsFailureKind =
  /** Not a URL, or not https. */
  | 'invalid-url'
  /** No connection: DNS, refused, reset, TLS. */
  | 'network'
  /** No complete answer within the time-out. */
  | 'timeout'
  /** The AbortSignal fired. */
  | 'cancelled'
  /** The answer exceeded MAX_RESPONSE_BYTES. */
  | 'too-large';

/** A request that got no usable answer. The message holds no header, body or query. */
export class HttpsFailure extends Error {
  override readonly name = 'HttpsFailure';
  constructor(
    readonly kind: HttpsFailureKind,
    message: string,
    /** Origin and path of the request (no query). */
    readonly where: string,
    /** Node's error code (ECONNREFUSED, ENOTFOUND, …), when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Origin and path only: a query may carry a flow token. */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Sends one request. Any HTTP status resolves; only a missing or unusable answer rejects, with HttpsFailure. */
export function httpsCall(req: HttpsRequest): Promise<HttpsResponse> {
  return new Promise<HttpsResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new HttpsFailure('invalid-url', `Not a URL: ${String(req.url).split('?')[0]}`, ''));
      return;
    }
    const where = shownUrl(url);
    if (url.protocol !== 'https:') {
      reject(new HttpsFailure('invalid-url', `Only https URLs are allowed (got ${url.origin}).`, where));
      return;
    }
    if (req.signal?.aborted) {
      reject(new HttpsFailure('cancelled', 'Cancelled.', where));
      return;
    }
    const timeoutMs = req.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let settled = false;
    const fail = (err: HttpsFailure) => {
      if (settled) return;
      settled = true;
      cleanup();
      request.destroy();
      reject(err);
    };
    const onAbort = () => fail(new HttpsFailure('cancelled', 'Cancelled.', where));
    const timer = setTimeout(() => fail(new HttpsFailure('timeout', `no answer within ${seconds(timeoutMs)} seconds`, where)), Math.max(0, timeoutMs));
    const cleanup = () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    };
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const request = https.request(url, { method: req.method, headers, ca: req.ca ? [...rootCertificates, req.ca] : undefined }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          fail(new HttpsFailure('too-large', `the answer is larger than ${MAX_RESPONSE_BYTES / (1024 * 1024)} MB`, where));
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e: NodeJS.ErrnoException) => fail(networkFailure(e, where)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cleanup();
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', (e: NodeJS.ErrnoException) => fail(networkFailure(e, where)));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.body !== undefined) request.write(req.body);
    request.end();
  });
}

/** Node's messages name the host and errno, never the request's headers or body. */
function networkFailure(e: NodeJS.ErrnoException, where: string): HttpsFailure {
  const text = e.code ? `${e.code} ${e.message}`.replace(/^(\S+) \1/, '$1') : e.message;
  return new HttpsFailure('network', text, where, e.code);
}

/** Waits `ms`, or rejects with HttpsFailure `cancelled` as soon as the signal fires. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new HttpsFailure('cancelled', 'Cancelled.', '');
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function seconds(ms: number): number {
  return ms >= 1000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10;
}
