/**
 * Everything that can go wrong while fetching a bulk token, as a stable
 * `kind` plus a message that tells the administrator what to do next.
 *
 * Messages are built only from our own text, AADSTS codes and the first line
 * of the server's error description. They never carry a token: callers pass
 * no token in, and fetchToken scrubs every message once more (defence in depth).
 */
import { PpkgError, type ErrorCategory } from '../errors';
import { adminConsentUrl, DEFAULT_AUTHORITY, SYNCFABRIC_APP_ID, WCD_CLIENT_ID } from './clouds';
import { cmd } from './host';

export type EntraErrorKind =
  /** The chosen expiry is not a date, in the past, or more than 180 days ahead. */
  | 'invalid-expiry'
  /** An option (authority, endpoint, client ID, timeout) is unusable. */
  | 'invalid-option'
  /** AADSTS240001: the account may not join devices, or the WCD app lacks consent. */
  | 'not-authorized-to-join'
  /** The app needs user or admin consent (AADSTS65001, 90094, …). */
  | 'consent-required'
  /** Sign-in needs MFA, which the bulk-token app does not support (AADSTS50076, 50079, …). */
  | 'mfa-required'
  /** A Conditional Access policy blocked the sign-in (AADSTS53003, 53000, …). */
  | 'conditional-access'
  /** The account lacks a role that may create bulk tokens. */
  | 'insufficient-role'
  /**
   * AADSTS90093 (GraphUserUnauthorized): Entra ID's own call to Microsoft
   * Graph was forbidden: consent for the app is missing or a policy blocks
   * it. Not the admin's role.
   */
  | 'graph-forbidden'
  /** No browser could be opened for the interactive sign-in (no opener installed, it failed to start). */
  | 'browser-unavailable'
  /** The account is not in the Intune MDM user scope. */
  | 'not-in-mdm-scope'
  /** The service returned an empty response: typically a federated account in staged rollout. */
  | 'federated-staged-rollout'
  /** The Microsoft.Azure.SyncFabric service principal is missing from the tenant (AADSTS90092, GraphNonRetryableError, as WCD sees it). */
  | 'syncfabric-missing'
  /**
   * The bulk-token service refuses the signing-in client (`unauthorized_client`,
   * typically AADSTS700016): the client is not known in the tenant, or not allowed
   * to create bulk tokens.
   */
  | 'client-refused'
  /** Any other sign-in failure (including the user closing the browser). */
  | 'sign-in-failed'
  /** Any other `CompleteError` from the bulk-token service. */
  | 'bulk-token-failed'
  /** No connection (DNS, refused, TLS, reset). */
  | 'network'
  /** The service answered with an HTTP error (5xx, or an unexpected 4xx). */
  | 'http'
  /** The service answered with something that is not the expected JSON. */
  | 'malformed-response'
  /** The bulk-token service did not finish within the time allowed. */
  | 'timeout'
  /** The operation was cancelled. */
  | 'cancelled';

export type EntraStage = 'sign-in' | 'begin' | 'poll';

export interface EntraErrorDetails {
  stage?: EntraStage;
  /** The AADSTS code, digits only (e.g. `240001`). */
  code?: string;
  /** HTTP status, when the failure is an HTTP answer. */
  status?: number;
  /** The server's own words (first line of error_description), for support. */
  serverMessage?: string;
  /** The OAuth error name (`unauthorized_client`, `invalid_grant`, …). */
  oauthError?: string;
}

/**
 * The category follows the kind: a bad option or expiry is `usage`, a cancel
 * `cancelled`, a missing browser `tool`, everything Entra ID or the network
 * did `tenant`. The `code` is `AADSTS<digits>` when Entra ID gave one, else
 * the kind.
 */
export class EntraError extends PpkgError {
  override readonly name = 'EntraError';
  constructor(
    readonly kind: EntraErrorKind,
    message: string,
    readonly details: EntraErrorDetails = {},
  ) {
    super(entraCategory(kind), message, { code: details.code ? `AADSTS${details.code}` : kind });
  }
}

function entraCategory(kind: EntraErrorKind): ErrorCategory {
  switch (kind) {
    case 'invalid-expiry':
    case 'invalid-option':
      return 'usage';
    case 'cancelled':
      return 'cancelled';
    case 'browser-unavailable':
      return 'tool';
    default:
      return 'tenant';
  }
}

/** AADSTS codes (digits) that mean MFA was required, Conditional Access blocked, or consent is missing; shared with the tenant checks' explanations. */
export const MFA_CODES: ReadonlySet<string> = new Set(['50076', '50079', '50074', '50072', '50078', '50125']);
export const CA_CODES: ReadonlySet<string> = new Set(['53000', '53001', '53002', '53003', '53004', '50158', '50097', '530003', '530032']);
export const CONSENT_CODES: ReadonlySet<string> = new Set(['65001', '65004', '90094', '90099', '900941']);

/** The AADSTS code of a server error: from `error_codes`, else from the text. */
export function aadstsCode(errorCodes: unknown, ...texts: (string | undefined)[]): string | undefined {
  if (Array.isArray(errorCodes) && errorCodes.length > 0 && (typeof errorCodes[0] === 'number' || typeof errorCodes[0] === 'string')) {
    const c = String(errorCodes[0]);
    if (/^\d+$/.test(c)) return c;
  }
  for (const t of texts) {
    const m = t ? /AADSTS(\d+)/.exec(t) : null;
    if (m) return m[1];
  }
  return undefined;
}

/** First line of a server description, trimmed and capped, without the trace/correlation trailer. */
export function firstLine(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const line = text.split(/\r?\n/)[0]!.trim();
  if (!line) return undefined;
  return line.length > 300 ? line.slice(0, 297) + '...' : line;
}

export interface ServerErrorInfo {
  stage: EntraStage;
  error?: string;
  description?: string;
  errorCodes?: unknown;
  status?: number;
  /** Authority and client, for the consent URL. */
  authority?: string;
  clientId?: string;
}

/**
 * Maps an error reported by Entra ID (sign-in) or by the bulk-token service
 * (`CompleteError`) to a kind and an admin message.
 *
 * Only AADSTS240001 and the MFA/CA codes are documented for this flow. The
 * MDM-scope and SyncFabric failures have no published code: they are
 * recognised from the description text, which is unverified against a live
 * tenant. Anything else keeps the server's code and words.
 */
export function errorFromServer(info: ServerErrorInfo): EntraError {
  const code = aadstsCode(info.errorCodes, info.description, info.error);
  const serverMessage = firstLine(info.description) ?? info.error;
  const details: EntraErrorDetails = { stage: info.stage, code, status: info.status, serverMessage, ...(info.error ? { oauthError: info.error } : {}) };
  const text = `${info.error ?? ''} ${info.description ?? ''}`;
  const kind = classify(code, text, info.stage);
  return new EntraError(kind, adminMessage(kind, { ...details, authority: info.authority, clientId: info.clientId }), details);
}

function classify(code: string | undefined, text: string, stage: EntraStage): EntraErrorKind {
  if (code === '240001' || /BulkAADJTokenUnauthorized/i.test(text)) return 'not-authorized-to-join';
  if (stage !== 'sign-in' && /^\s*unauthorized_client\b/.test(text) && !text.includes(SYNCFABRIC_APP_ID)) return 'client-refused';
  if (code && MFA_CODES.has(code)) return 'mfa-required';
  if (code && CA_CODES.has(code)) return 'conditional-access';
  if (code && CONSENT_CODES.has(code)) return 'consent-required';
  // AADSTS90093 GraphUserUnauthorized: Graph answered 403 to Entra ID's own call; consent, not the role.
  if (code === '90093') return 'graph-forbidden';
  // AADSTS90092 GraphNonRetryableError: what the bulk-token service answers when the
  // SyncFabric service principal that creates package_ users is missing.
  if (code === '90092') return 'syncfabric-missing';
  // Unverified heuristics: no published code for these.
  if (/SyncFabric/i.test(text) || text.includes(SYNCFABRIC_APP_ID)) return 'syncfabric-missing';
  if (/\bMDM\b.*\bscope\b|user scope|not (in|within) the (MDM|mdm)/i.test(text)) return 'not-in-mdm-scope';
  if (/empty response/i.test(text)) return 'federated-staged-rollout';
  return stage === 'sign-in' ? 'sign-in-failed' : 'bulk-token-failed';
}

const ROLES = 'Cloud Device Administrator, Intune Administrator or Password Administrator';

export interface MessageContext extends EntraErrorDetails {
  authority?: string;
  clientId?: string;
  /** For a cancel: what was cancelled ("fetching the bulk token", "signing in to Microsoft Graph"). */
  operation?: string;
  /** For timeouts: how long we waited, in seconds. */
  waitedSeconds?: number;
  url?: string;
}

/** The admin-facing text for a kind: what happened, then what to do. */
export function adminMessage(kind: EntraErrorKind, ctx: MessageContext = {}): string {
  const codeText = ctx.code ? ` (AADSTS${ctx.code})` : '';
  const said = ctx.serverMessage ? ` Entra ID said: "${ctx.serverMessage}".` : '';
  const consentUrl = adminConsentUrl(ctx.authority ?? DEFAULT_AUTHORITY, ctx.clientId ?? WCD_CLIENT_ID);
  switch (kind) {
    case 'not-authorized-to-join':
      return (
        `Entra ID refused to create a bulk token${codeText}: this account may not join devices, or the Windows Configuration Designer app has no consent in this tenant. ` +
        `Allow the account to join devices (Entra admin center > Devices > Device settings > "Users may join devices to Microsoft Entra"), ` +
        `and have a Global Administrator grant consent once at ${consentUrl} , then fetch the token again.`
      );
    case 'consent-required':
      return (
        `The app used to fetch the bulk token needs consent in this tenant${codeText}. ` +
        `Have a Global Administrator grant it once at ${consentUrl} , then fetch the token again.${said}`
      );
    case 'mfa-required':
      return (
        `Sign-in requires multi-factor authentication${codeText}, which the bulk-token flow does not support. ` +
        `Use an account that signs in with a password or certificate-based authentication, or exclude it from the Conditional Access policy or per-user MFA that requires MFA, ` +
        `and turn off "Require Multifactor Authentication to register or join devices" (Devices > Device settings).${said}`
      );
    case 'conditional-access':
      return (
        `A Conditional Access policy blocked the sign-in${codeText}. ` +
        `Check the sign-in log for this account (Entra admin center > Monitoring > Sign-in logs > Conditional Access) and exclude the account, and the package_* users, from the blocking policy, then fetch the token again.${said}`
      );
    case 'client-refused':
      return (
        `The bulk-token service refused the app used to sign in${codeText} (unauthorized_client). ` +
        `By default ppkg signs in as Windows Configuration Designer (${WCD_CLIENT_ID}), as WCD does; if you chose another app (${cmd('clientId')}), go back to the default. ` +
        `If the default is refused, have a Global Administrator grant it consent once at ${consentUrl} , then try again.${said}`
      );
    case 'graph-forbidden':
      return (
        `Entra ID's call to Microsoft Graph on your behalf was forbidden${codeText || ' (AADSTS90093)'}: the app used to sign in has no admin consent for what it needs, or a policy blocks it. ` +
        `This is not about your role. Have a Global Administrator grant consent once at ${consentUrl} , then try again.${said}`
      );
    case 'browser-unavailable':
      return (
        `No browser could be opened to sign in${ctx.serverMessage ? ` (${ctx.serverMessage})` : ''}. ` +
        `Sign in with a code on another device instead (${cmd('deviceCode')}).`
      );
    case 'insufficient-role':
      return (
        `This account may not create bulk tokens${codeText}. ` +
        `Give it the ${ROLES} role, assigned to the whole tenant (not to an administrative unit), then fetch the token again.${said}`
      );
    case 'not-in-mdm-scope':
      return (
        `This account is not in the Intune MDM user scope${codeText}. ` +
        `Add it (or a group it belongs to) under Intune admin center > Devices > Enrollment > Windows > Automatic Enrollment > MDM user scope, then fetch the token again.${said}`
      );
    case 'federated-staged-rollout':
      return (
        `The bulk-token service returned an empty response ("The operation returned empty response"). ` +
        `This happens when the account is a federated account enabled for staged rollout. Sign in with a cloud-only (managed) account that is not in the staged rollout, then fetch the token again.`
      );
    case 'syncfabric-missing':
      return (
        `The Microsoft.Azure.SyncFabric service principal is missing from this tenant${codeText}, so Entra ID cannot create the package account. ` +
        `Create it with PowerShell: New-MgServicePrincipal -AppId ${SYNCFABRIC_APP_ID} (or run ${cmd('doctorFix')}), then fetch the token again.${said}`
      );
    case 'sign-in-failed':
      return (
        `Sign-in to Entra ID failed${codeText}. ` +
        `Use an account with the ${ROLES} role that signs in with a password or certificate-based authentication, and try again.${said}`
      );
    case 'bulk-token-failed':
      return (
        `Entra ID could not create the bulk token${codeText} ("Bulk token retrieval failed" in WCD). ` +
        `Check that the account has the ${ROLES} role for the whole tenant, may join devices and is in the MDM user scope, then try again.${said}`
      );
    case 'network':
      return `Could not reach Entra ID${ctx.url ? ` at ${ctx.url}` : ''}: ${ctx.serverMessage ?? 'the connection failed'}. Check the network connection, proxy and firewall, then try again.`;
    case 'http':
      return (
        `Entra ID answered with HTTP ${ctx.status ?? 'error'}${ctx.stage ? ` during ${stageName(ctx.stage)}` : ''}. ` +
        (ctx.status !== undefined && ctx.status >= 500
          ? 'The service has a problem on its side; wait a few minutes and try again.'
          : 'Check the authority and endpoint options, then try again.')
      );
    case 'malformed-response':
      return `Entra ID sent an answer that is not the expected JSON${ctx.stage ? ` during ${stageName(ctx.stage)}` : ''}. Try again later; if it persists, check that the authority and bulk endpoint point at Entra ID.`;
    case 'timeout':
      return (
        `The bulk-token service did not finish within ${ctx.waitedSeconds ?? '?'} seconds. ` +
        `Try again, and allow more time if the tenant is slow (${cmd('fetchTokenLonger')}). A package_* user may have been created meanwhile: delete it in Entra ID if you do not use it.`
      );
    case 'cancelled':
      return `${ctx.operation ? ctx.operation.charAt(0).toUpperCase() + ctx.operation.slice(1) : 'Signing in'} was cancelled. Nothing was saved.`;
    case 'invalid-expiry':
    case 'invalid-option':
      return ctx.serverMessage ?? 'Invalid option.';
  }
}

function stageName(stage: EntraStage): string {
  return stage === 'sign-in' ? 'sign-in' : stage === 'begin' ? 'the bulk-token request' : 'polling for the bulk token';
}

export function entraError(kind: EntraErrorKind, ctx: MessageContext = {}): EntraError {
  const { authority: _a, clientId: _c, waitedSeconds: _w, url: _u, operation: _o, ...details } = ctx;
  return new EntraError(kind, adminMessage(kind, ctx), details);
}

/** Replaces every occurrence of the given secrets in `text`. */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 8) out = out.split(s).join('[redacted]');
  }
  return out;
}
