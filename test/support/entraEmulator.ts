/**
 * An HTTPS emulator of the Entra ID endpoints MSAL Node and the bulk-token
 * (BPRT) service use, on 127.0.0.1 with the throwaway test CA:
 *
 * - `GET  /{tenant}/v2.0/.well-known/openid-configuration` (OpenID discovery)
 * - `GET  /common/discovery/instance` (instance discovery, should MSAL ask)
 * - `POST /{tenant}/oauth2/v2.0/devicecode` (device code flow)
 * - `GET  /{tenant}/oauth2/v2.0/authorize` (interactive flow: MSAL asks for
 *   `response_mode=form_post`, so instead of an auto-submitting page the
 *   emulator POSTs the code to the loopback `redirect_uri` itself; a test's
 *   `openBrowser` just GETs the URL)
 * - `POST /{tenant}/oauth2/v2.0/token` (device-code, auth-code and refresh-token
 *   grants; the last is MSAL's acquireTokenSilent for other scopes, e.g. Graph
 *   after a DRS sign-in: it needs a refresh token this emulator issued)
 * - `POST /webapp/bulkaadjtoken/begin`, `GET /webapp/bulkaadjtoken/poll`
 *
 * MSAL does not verify id_token signatures (it only decodes the payload and
 * checks a nonce when it sent one), so tokens here are unsigned JWTs.
 * Every request is recorded for assertions. Reusable for Graph sign-in: pass
 * other scopes; the token endpoint grants whatever is asked.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { getTestCa } from './testCa';

export interface SignInErrorSpec {
  /** OAuth error, e.g. `interaction_required`, `invalid_grant`. */
  error: string;
  /** AADSTS number, e.g. 50076. */
  code?: number;
  description?: string;
  status?: number;
}

export type BulkCompletion =
  | { kind: 'success' }
  /** `CompleteError` with resultData `{error, error_description}`. */
  | { kind: 'error'; code?: number; error?: string; description?: string }
  /** Stays `InProgress` forever. */
  | { kind: 'never' };

export interface RawAnswer {
  status?: number;
  /** Raw body text (e.g. malformed JSON or ''). */
  body?: string;
  contentType?: string;
}

export interface EntraScenario {
  tenantId?: string;
  domain?: string;
  /** The signed-in admin. */
  username?: string;
  /** The DRS access token the token endpoint issues (use a sentinel). */
  accessToken?: string;
  /** The BPRT (use a sentinel). */
  bulkToken?: string;
  signIn?: {
    /** `authorization_pending` answers before the device code grant succeeds. */
    pendingPolls?: number;
    /** Seconds MSAL waits between device-code polls (fractions allowed). */
    interval?: number;
    /** The token endpoint refuses with this error. */
    error?: SignInErrorSpec;
    /** `/authorize` answers the loopback with this error instead of a code. */
    authorizeError?: SignInErrorSpec;
    /** Raw answer of the token endpoint (e.g. HTTP 500). */
    raw?: RawAnswer;
    /**
     * The refresh-token grant only refuses with this error (e.g. 65001 consent
     * missing for the other scopes, 50076 MFA for the other resource); the
     * first sign-in still succeeds.
     */
    refreshError?: SignInErrorSpec;
  };
  /** Extra claims in every ID token (e.g. `tenant_region_sub_scope: 'DOD'` for a US Government DoD tenant). */
  idTokenClaims?: Record<string, unknown>;
  /** The access token the refresh-token grant issues (a Graph token, say; use a sentinel). Default: `accessToken`. */
  silentAccessToken?: string;
  bulk?: {
    /** `InProgress` answers before the completion. */
    inProgressPolls?: number;
    completion?: BulkCompletion;
    /** Raw answer of begin (replaces the protocol). */
    beginRaw?: RawAnswer;
    /**
     * The first n begins answer `CompleteError` with `unauthorized_client`
     * (AADSTS700016 for the signing-in client), as the service does while the
     * client's service principal is still being created after consent.
     */
    unauthorizedClientBegins?: number;
    /** Raw answer of every poll (replaces the protocol). */
    pollRaw?: RawAnswer;
    /** Delay before each poll answer, ms. */
    pollDelayMs?: number;
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Parsed form body (token/devicecode endpoints). */
  form?: Record<string, string>;
  /** Parsed JSON body (begin). */
  json?: unknown;
}

export interface EntraEmulator {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** `https://127.0.0.1:<port>/organizations` */
  authority: string;
  /** `https://127.0.0.1:<port>/webapp/bulkaadjtoken` */
  bulkEndpoint: string;
  /** The CA certificate (PEM) and its file, to trust the emulator. */
  caPem: string;
  caFile: string;
  requests: RecordedRequest[];
  /** Resolved scenario values (tokens, tenant) for assertions. */
  tenantId: string;
  domain: string;
  username: string;
  accessToken: string;
  bulkToken: string;
  /** The access token of the refresh-token grant. */
  silentAccessToken: string;
  /** Package IDs the emulator created users for. */
  packageUsers: string[];
  /** Requests to a path (prefix match on the path without query). */
  requestsTo(pathPart: string): RecordedRequest[];
  close(): Promise<void>;
}

export function unsignedJwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.unsigned`;
}

export async function startEntraEmulator(scenario: EntraScenario = {}): Promise<EntraEmulator> {
  const ca = getTestCa();
  const tenantId = scenario.tenantId ?? '11111111-2222-3333-4444-555555555555';
  const domain = scenario.domain ?? 'contoso.onmicrosoft.com';
  const username = scenario.username ?? `admin@${domain}`;
  const accessToken = scenario.accessToken ?? `emulator-access-token-${randomUUID()}`;
  const bulkToken = scenario.bulkToken ?? `0.AAAA-emulator-bprt-${randomUUID()}`;
  const silentAccessToken = scenario.silentAccessToken ?? accessToken;
  const refreshTokens = new Set<string>();
  const userOid = randomUUID();
  const requests: RecordedRequest[] = [];
  const packageUsers: string[] = [];
  const deviceCodes = new Map<string, { pending: number; scope: string }>();
  const authCodes = new Map<string, { scope: string; nonce?: string }>();
  let unauthorizedAnswered = 0;
  const flows = new Map<string, { pid: string; polls: number }>();
  let base = '';

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const sendRaw = (res: http.ServerResponse, raw: RawAnswer) => {
    const text = raw.body ?? '';
    res.writeHead(raw.status ?? 200, { 'Content-Type': raw.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const oauthError = (res: http.ServerResponse, spec: SignInErrorSpec) => {
    const code = spec.code;
    const description = `${code ? `AADSTS${code}: ` : ''}${spec.description ?? 'Emulated sign-in failure.'}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: 2026-01-01 00:00:00Z`;
    sendJson(res, spec.status ?? 400, {
      error: spec.error,
      error_description: description,
      error_codes: code ? [code] : [],
      timestamp: '2026-01-01 00:00:00Z',
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    });
  };
  const tokenResponse = (scope: string, nonce?: string, issued: string = accessToken) => {
    const now = Math.floor(Date.now() / 1000);
    const idClaims: Record<string, unknown> = {
      aud: 'client',
      iss: `${base}/${tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: 'Emulated Admin',
      oid: userOid,
      sub: userOid,
      preferred_username: username,
      upn: username,
      tid: tenantId,
      ver: '2.0',
    };
    if (nonce) idClaims.nonce = nonce;
    Object.assign(idClaims, scenario.idTokenClaims ?? {});
    const refreshToken = `emulator-user-refresh-${randomUUID()}`;
    refreshTokens.add(refreshToken);
    return {
      token_type: 'Bearer',
      scope,
      expires_in: 3600,
      ext_expires_in: 3600,
      access_token: issued,
      refresh_token: refreshToken,
      id_token: unsignedJwt(idClaims),
      client_info: Buffer.from(JSON.stringify({ uid: userOid, utid: tenantId })).toString('base64url'),
    };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest) => {
    const parts = rec.path.split('/').filter(Boolean);
    const signInSpec = scenario.signIn ?? {};
    const bulk = scenario.bulk ?? {};

    if (rec.method === 'GET' && rec.path.endsWith('/v2.0/.well-known/openid-configuration')) {
      const t = parts[0]!;
      return sendJson(res, 200, {
        issuer: `${base}/${t === 'organizations' || t === 'common' ? '{tenantid}' : t}/v2.0`,
        authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${t}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'emulator',
      });
    }
    if (rec.method === 'GET' && rec.path === '/common/discovery/instance') {
      const host = new URL(base).host;
      return sendJson(res, 200, {
        tenant_discovery_endpoint: `${base}/${tenantId}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    if (rec.method === 'POST' && rec.path.endsWith('/oauth2/v2.0/devicecode')) {
      const deviceCode = `dc-${randomUUID()}`;
      const userCode = 'EMUL8CODE';
      deviceCodes.set(deviceCode, { pending: signInSpec.pendingPolls ?? 0, scope: rec.form?.scope ?? '' });
      return sendJson(res, 200, {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: `${base}/devicelogin`,
        expires_in: 900,
        interval: signInSpec.interval ?? 0.01,
        message: `To sign in, use a web browser to open the page ${base}/devicelogin and enter the code ${userCode} to authenticate.`,
      });
    }
    if (rec.method === 'GET' && rec.path.endsWith('/oauth2/v2.0/authorize')) {
      const redirect = rec.query.redirect_uri;
      const state = rec.query.state;
      if (!redirect || !state) return sendJson(res, 400, { error: 'invalid_request' });
      const r = new URL(redirect);
      if (r.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(r.hostname))
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'AADSTS50011: redirect URI not loopback.' });
      r.hostname = '127.0.0.1';
      let form: Record<string, string>;
      if (signInSpec.authorizeError) {
        const e = signInSpec.authorizeError;
        form = { error: e.error, error_description: `${e.code ? `AADSTS${e.code}: ` : ''}${e.description ?? 'Emulated failure.'}`, state };
      } else {
        const code = `ac-${randomUUID()}`;
        authCodes.set(code, { scope: rec.query.scope ?? '', nonce: rec.query.nonce });
        form = { code, state, client_info: Buffer.from(JSON.stringify({ uid: userOid, utid: tenantId })).toString('base64url') };
      }
      await postForm(r, form);
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end('<p>Emulated sign-in complete.</p>');
    }
    if (rec.method === 'POST' && rec.path.endsWith('/oauth2/v2.0/token')) {
      if (signInSpec.raw) return sendRaw(res, signInSpec.raw);
      const form = rec.form ?? {};
      if (signInSpec.error) return oauthError(res, signInSpec.error);
      if (form.grant_type === 'device_code') {
        const dc = deviceCodes.get(form.device_code ?? '');
        if (!dc) return oauthError(res, { error: 'invalid_grant', code: 70000, description: 'Unknown device code.' });
        if (dc.pending > 0) {
          dc.pending--;
          return sendJson(res, 400, {
            error: 'authorization_pending',
            error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.',
            error_codes: [70016],
          });
        }
        deviceCodes.delete(form.device_code!);
        return sendJson(res, 200, tokenResponse(form.scope ?? dc.scope));
      }
      if (form.grant_type === 'authorization_code') {
        const ac = authCodes.get(form.code ?? '');
        if (!ac) return oauthError(res, { error: 'invalid_grant', code: 70008, description: 'The authorization code is invalid.' });
        authCodes.delete(form.code!);
        return sendJson(res, 200, tokenResponse(form.scope ?? ac.scope, ac.nonce));
      }
      if (form.grant_type === 'refresh_token') {
        if (!refreshTokens.has(form.refresh_token ?? ''))
          return oauthError(res, { error: 'invalid_grant', code: 9002313, description: 'Invalid request. The refresh token is unknown.' });
        if (signInSpec.refreshError) return oauthError(res, signInSpec.refreshError);
        return sendJson(res, 200, tokenResponse(form.scope ?? '', undefined, silentAccessToken));
      }
      return oauthError(res, { error: 'unsupported_grant_type', code: 70003 });
    }
    if (rec.path === '/webapp/bulkaadjtoken/begin' && rec.method === 'POST') {
      if (rec.headers.authorization !== `Bearer ${accessToken}`) {
        return sendJson(res, 401, { error: 'invalid_token', error_description: 'AADSTS50000: missing or wrong bearer token.' });
      }
      if (bulk.beginRaw) return sendRaw(res, bulk.beginRaw);
      if ((bulk.unauthorizedClientBegins ?? 0) > unauthorizedAnswered) {
        unauthorizedAnswered++;
        return sendJson(res, 200, {
          flowToken: null,
          state: 'CompleteError',
          resultData: JSON.stringify({
            error: 'unauthorized_client',
            error_description: `AADSTS700016: Application with identifier 'de0853a1-ab20-47bd-990b-71ad5077ac7b' was not found in the directory '${tenantId}'.\r\nTrace ID: ${randomUUID()}`,
            error_codes: [700016],
          }),
        });
      }
      const body = rec.json as { pid?: unknown; name?: unknown; exp?: unknown } | undefined;
      if (!body || typeof body.pid !== 'string' || typeof body.exp !== 'string' || typeof body.name !== 'string') {
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'AADSTS90014: pid, name and exp are required.' });
      }
      const flowToken = `AQABAAEAAAD-${randomUUID()}`;
      flows.set(flowToken, { pid: body.pid, polls: 0 });
      return sendJson(res, 200, { flowToken, state: 'Started', resultData: null });
    }
    if (rec.path === '/webapp/bulkaadjtoken/poll' && rec.method === 'GET') {
      if (bulk.pollDelayMs) await new Promise((r) => setTimeout(r, bulk.pollDelayMs));
      if (rec.headers.authorization !== `Bearer ${accessToken}`) {
        return sendJson(res, 401, { error: 'invalid_token', error_description: 'AADSTS50000: missing or wrong bearer token.' });
      }
      if (bulk.pollRaw) return sendRaw(res, bulk.pollRaw);
      const flowToken = rec.query.flowToken ?? '';
      const flow = flows.get(flowToken);
      if (!flow) return sendJson(res, 400, { error: 'invalid_request', error_description: 'AADSTS90014: unknown flowToken.' });
      flow.polls++;
      const completion = bulk.completion ?? { kind: 'success' };
      if (completion.kind === 'never' || flow.polls <= (bulk.inProgressPolls ?? 0)) {
        return sendJson(res, 200, { flowToken, state: 'InProgress', resultData: null });
      }
      flows.delete(flowToken);
      if (completion.kind === 'error') {
        const code = completion.code;
        return sendJson(res, 200, {
          flowToken: null,
          state: 'CompleteError',
          resultData: JSON.stringify({
            error: completion.error ?? 'invalid_request',
            error_description: `${code ? `AADSTS${code}: ` : ''}${completion.description ?? 'Emulated bulk token failure.'}\r\nTrace ID: ${randomUUID()}`,
            error_codes: code ? [code] : [],
          }),
        });
      }
      const upn = `package_${flow.pid}@${domain}`;
      packageUsers.push(upn);
      const now = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, {
        flowToken: null,
        state: 'CompleteSuccess',
        resultData: JSON.stringify({
          token_type: 'Bearer',
          expires_in: '3599',
          ext_expires_in: 0,
          expires_on: String(now + 3599),
          refresh_token: bulkToken,
          refresh_token_expires_in: 15_465_600,
          id_token: unsignedJwt({
            aud: 'b90d5b8f-5503-4153-b545-b31cecfaece2',
            iss: `${base}/${tenantId}/`,
            oid: randomUUID(),
            tid: tenantId,
            upn,
            unique_name: upn,
            ver: '1.0',
          }),
        }),
      });
    }
    sendJson(res, 404, { error: 'not_found', error_description: `The emulator has no ${rec.method} ${rec.path}` });
  };

  const server = https.createServer({ key: ca.keyPem, cert: ca.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', base);
      const body = Buffer.concat(chunks).toString('utf8');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: req.headers,
        body,
      };
      const type = String(req.headers['content-type'] ?? '');
      if (type.startsWith('application/x-www-form-urlencoded')) rec.form = Object.fromEntries(new URLSearchParams(body));
      if (type.startsWith('application/json') && body) {
        try {
          rec.json = JSON.parse(body);
        } catch {
          rec.json = undefined;
        }
      }
      requests.push(rec);
      handle(req, res, rec).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: 'emulator_error', error_description: String(e) });
        else res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    authority: `${base}/organizations`,
    bulkEndpoint: `${base}/webapp/bulkaadjtoken`,
    caPem: ca.caPem,
    caFile: ca.caFile,
    requests,
    tenantId,
    domain,
    username,
    accessToken,
    bulkToken,
    silentAccessToken,
    packageUsers,
    requestsTo: (pathPart) => requests.filter((r) => r.path.includes(pathPart)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function postForm(url: URL, form: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = http.request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
