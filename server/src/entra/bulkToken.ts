/**
 * The bulk-token (BPRT) protocol, docs/bulk-token.md §The protocol in three steps:
 * POST `<endpoint>/begin` `{pid, name, exp}` with the DRS access token, then
 * GET `<endpoint>/poll?flowToken=…` until the state is `CompleteSuccess` or
 * `CompleteError`. `resultData` is a JSON string to parse a second time; its
 * `refresh_token` is the BPRT.
 *
 * Reverse-engineered from AADInternals, autobrew and ROADtools, unverified
 * against a live tenant: the endpoint paths, the `flowToken` parameter spelling
 * (ROADtools sends `flowtoken`), the state names and the error shape.
 */
import { randomUUID } from 'node:crypto';
import { toBulkTokenExp } from '../model/dates';
import { entraError, EntraError, errorFromServer, type EntraStage } from './errors';
import { DEFAULT_REQUEST_TIMEOUT_MS, httpsRequest, type HttpResponse } from './http';
import { delay } from './httpsCore';

export const DEFAULT_POLL_INTERVAL_MS = 1000;
export const DEFAULT_POLL_TIMEOUT_MS = 5 * 60 * 1000;
/** The one retry after `unauthorized_client` waits this many poll intervals (2 s by default). */
export const UNAUTHORIZED_CLIENT_RETRY_POLLS = 2;

export interface BulkTokenRequest {
  /** DRS access token; sent only as the Bearer header. */
  accessToken: string;
  /** The service base, e.g. `https://login.microsoftonline.com/webapp/bulkaadjtoken`. */
  endpoint: string;
  /** Expiry as `YYYY-MM-DD`; sent as `MM/dd/yyyy`. */
  expiry: string;
  /** Package ID (a GUID); random by default. The UPN becomes `package_<pid>@<domain>`. */
  pid?: string;
  /** Display name of the created user; `package_<pid>` by default, as WCD does. */
  name?: string;
  pollIntervalMs?: number;
  /** Bound on the whole begin + poll exchange. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra trusted CA (PEM), for emulator tests in-process. */
  ca?: string;
  authority?: string;
  clientId?: string;
}

export interface BulkTokenResult {
  /** The BPRT. */
  refreshToken: string;
  pid: string;
  idToken?: string;
  /** `upn` of the id_token: `package_<pid>@<domain>`. */
  upn?: string;
  /** `tid` of the id_token. */
  tenantId?: string;
  /** `expires_on` (epoch seconds) of the result, when given. */
  expiresOn?: number;
  refreshTokenExpiresIn?: number;
}

interface FlowResponse {
  flowToken?: string | null;
  state?: string;
  resultData?: unknown;
}

export async function requestBulkToken(req: BulkTokenRequest): Promise<BulkTokenResult> {
  const pid = req.pid ?? randomUUID();
  const name = req.name ?? `package_${pid}`;
  const interval = Math.max(0, req.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  const timeoutMs = req.timeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const base = req.endpoint.replace(/\/+$/, '');
  const headers = {
    Authorization: `Bearer ${req.accessToken}`,
    Accept: 'application/json',
  };
  const ctx = { authority: req.authority, clientId: req.clientId };

  const call = async (stage: EntraStage, method: 'GET' | 'POST', url: string, body?: string): Promise<FlowResponse> => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw entraError('timeout', { stage, waitedSeconds: seconds(timeoutMs) });
    const timeoutIsDeadline = remaining < DEFAULT_REQUEST_TIMEOUT_MS;
    let res: HttpResponse;
    try {
      res = await httpsRequest({
        method,
        url,
        headers: body !== undefined ? { ...headers, 'Content-Type': 'application/json' } : headers,
        body,
        ca: req.ca,
        signal: req.signal,
        timeoutMs: Math.min(remaining, DEFAULT_REQUEST_TIMEOUT_MS),
        stage,
      });
    } catch (e) {
      if (e instanceof EntraError && e.kind === 'network' && timeoutIsDeadline && Date.now() >= deadline - 5) {
        throw entraError('timeout', { stage, waitedSeconds: seconds(timeoutMs) });
      }
      throw e;
    }
    return parseFlowResponse(res, stage, ctx);
  };

  const begin = () => call('begin', 'POST', `${base}/begin`, JSON.stringify({ pid, name, exp: toBulkTokenExp(req.expiry) }));
  let retried = false;
  let flow = await begin();
  for (;;) {
    const state = flow.state ?? '';
    if (state === 'CompleteSuccess') return successResult(flow, pid);
    if (/Error/i.test(state)) {
      const err = completeError(flow, 'poll', ctx);
      // unauthorized_client right after a first consent: the client's service
      // principal may still be replicating. Once, after a pause, with the same
      // pid (no second package_ user); then the refusal stands.
      if (err.details.oauthError === 'unauthorized_client' && !retried) {
        retried = true;
        await sleepUntil(Math.min(Date.now() + interval * UNAUTHORIZED_CLIENT_RETRY_POLLS, deadline), req.signal);
        if (Date.now() >= deadline) throw err;
        flow = await begin();
        continue;
      }
      throw err;
    }
    const flowToken = flow.flowToken;
    if (typeof flowToken !== 'string' || flowToken === '') {
      // Started or InProgress without a flow token: nothing to poll with.
      throw entraError('malformed-response', { stage: 'begin' });
    }
    await sleepUntil(Math.min(Date.now() + interval, deadline), req.signal);
    if (Date.now() >= deadline) throw entraError('timeout', { stage: 'poll', waitedSeconds: seconds(timeoutMs) });
    const next = await call('poll', 'GET', `${base}/poll?flowToken=${encodeURIComponent(flowToken)}`);
    // A poll answer may omit the flow token while still in progress; keep ours.
    flow = { ...next, flowToken: typeof next.flowToken === 'string' && next.flowToken ? next.flowToken : flowToken };
  }
}

function parseFlowResponse(res: HttpResponse, stage: EntraStage, ctx: { authority?: string; clientId?: string }): FlowResponse {
  const text = res.text.trim();
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      if (res.status >= 400) throw entraError('http', { stage, status: res.status });
      throw entraError('malformed-response', { stage });
    }
  }
  if (res.status >= 400) {
    // An OAuth-style error body (e.g. 401 with AADSTS) says more than the status.
    if (isObject(body) && (typeof body.error === 'string' || typeof body.error_description === 'string')) {
      return throwServer(body, stage, res.status, ctx);
    }
    throw entraError('http', { stage, status: res.status });
  }
  // "The operation returned empty response": what WCD shows for a federated
  // account under staged rollout (AADInternals #55). Inferred, unverified:
  // that it is literally an empty body.
  if (text === '' || body === null) throw entraError('federated-staged-rollout', { stage });
  if (!isObject(body) || (body.state !== undefined && typeof body.state !== 'string')) throw entraError('malformed-response', { stage });
  if (body.state === undefined && (typeof body.error === 'string' || typeof body.error_description === 'string')) {
    return throwServer(body, stage, res.status, ctx);
  }
  if (body.state === undefined) throw entraError('malformed-response', { stage });
  return body as FlowResponse;
}

function throwServer(body: Record<string, unknown>, stage: EntraStage, status: number, ctx: { authority?: string; clientId?: string }): never {
  throw errorFromServer({
    stage,
    error: typeof body.error === 'string' ? body.error : undefined,
    description: typeof body.error_description === 'string' ? body.error_description : undefined,
    errorCodes: body.error_codes,
    status,
    ...ctx,
  });
}

function completeError(flow: FlowResponse, stage: EntraStage, ctx: { authority?: string; clientId?: string }): EntraError {
  const data = parseResultData(flow.resultData, stage, true);
  if (!data) return entraError('federated-staged-rollout', { stage });
  return errorFromServer({
    stage,
    error: typeof data.error === 'string' ? data.error : undefined,
    description: typeof data.error_description === 'string' ? data.error_description : undefined,
    errorCodes: data.error_codes,
    ...ctx,
  });
}

function successResult(flow: FlowResponse, pid: string): BulkTokenResult {
  const data = parseResultData(flow.resultData, 'poll', false);
  if (!data) throw entraError('federated-staged-rollout', { stage: 'poll' });
  const refreshToken = data.refresh_token;
  if (typeof refreshToken !== 'string' || refreshToken === '') throw entraError('malformed-response', { stage: 'poll' });
  const idToken = typeof data.id_token === 'string' ? data.id_token : undefined;
  const claims = idToken ? decodeJwtClaims(idToken) : undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    refreshToken,
    pid,
    idToken,
    upn: str(claims?.upn) ?? str(claims?.unique_name) ?? str(claims?.preferred_username),
    tenantId: str(claims?.tid),
    expiresOn: num(data.expires_on),
    refreshTokenExpiresIn: num(data.refresh_token_expires_in),
  };
}

/** `resultData` is a JSON string (parsed again); tolerate an object. Undefined when empty. */
function parseResultData(value: unknown, stage: EntraStage, lenient: boolean): Record<string, unknown> | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (isObject(value)) return value;
  if (typeof value !== 'string') throw entraError('malformed-response', { stage });
  try {
    const parsed: unknown = JSON.parse(value);
    if (isObject(parsed)) return parsed;
  } catch {
    // A CompleteError may carry plain text; keep it as the description.
    if (lenient) return { error_description: value };
  }
  throw entraError('malformed-response', { stage });
}

/** The payload of a JWT, without verifying it (the token came over TLS from the service). */
export function decodeJwtClaims(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function sleepUntil(until: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(until - Date.now(), signal);
  } catch {
    throw entraError('cancelled', { stage: 'poll' });
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
