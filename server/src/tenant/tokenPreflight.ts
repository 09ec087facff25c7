/**
 * The tenant's fast checks (R1, R2, R4) in front of a bulk-token fetch, and
 * which check explains a fetch that failed anyway. The token flow
 * (entra/tokenFlow.ts, behind `ppkg token` and **ppkg: Fetch Bulk Token**)
 * puts them in front of the fetch:
 *
 *   fetchBulkToken({ ..., preflight: tokenPreflight({ onOutcome: show }) })
 *
 * The checks reuse the one sign-in of the fetch: a Microsoft Graph token for
 * the same account is asked for silently (MSAL acquireTokenSilent, refresh
 * token). When that is not possible (no consent for the client, no refresh
 * token, any error) the checks are skipped and the fetch goes on. A `fail`
 * stops the fetch before `begin`, so no token and no package_* user exist.
 * Read-only, like `ppkg doctor`.
 */
import { cmd } from '../entra/host';
import { graphEndpointForAuthority } from '../entra/clouds';
import { EntraError, entraError, firstLine } from '../entra/errors';
import type { BulkTokenPreflight, PreflightContext } from '../entra/fetchToken';
import { GraphError } from './graphClient';
import { explainTokenFailure, FAST_CHECKS, PreflightError, runFastChecks, worstStatus, type PreflightReport, type TokenFailureExplanation } from './preflight';
import { graphScopes } from './session';
import type { CheckId, CheckResult, CheckStatus } from './types';

/**
 * Delegated Graph scopes of the fast checks (docs/tenant-checks.md §The token command's fast checks): /me
 * (User.Read), R1 (Application.Read.All), R2's self-query
 * (RoleAssignmentSchedule.Read.Directory), R4 (Policy.Read.DeviceConfiguration)
 * and R4's group test when joining is limited to groups (GroupMember.Read.All).
 * R2's fallbacks (RoleManagement.Read.Directory) are left out on purpose: the
 * fewer scopes, the likelier the client has consent for all of them; without
 * the fallbacks R2 can only become `unknown`, never a wrong verdict.
 */
export const TOKEN_PREFLIGHT_SCOPES = [
  'User.Read',
  'Application.Read.All',
  'RoleAssignmentSchedule.Read.Directory',
  'Policy.Read.DeviceConfiguration',
  'GroupMember.Read.All',
];

/** How each check reads to an admin, in one phrase. */
export const CHECK_NAMES: Record<CheckId, string> = {
  R1: 'the Microsoft.Azure.SyncFabric service principal',
  R2: 'a bulk-token role for the whole tenant',
  R3: 'the Intune MDM user scope',
  R4: 'users may join devices',
  R5: 'the default enrollment restriction allows Windows',
  R6: 'Conditional Access and MFA',
  R7: 'no federated staged rollout',
};

export type TokenPreflightOutcome =
  /**
   * Graph could not be read without a second prompt (or at all); the fetch went
   * on unchecked. `noGraphEndpoint`: the authority is of no known cloud and no
   * Graph endpoint was given (the message says how to give one).
   */
  | { status: 'skipped'; reason: string; noGraphEndpoint?: boolean }
  /** The fast checks ran; `status` is the worst result. */
  | { status: CheckStatus; report: PreflightReport };

/** A fast check failed: the fetch stopped before any token or package_* user was created. */
export class TokenPreflightFailed extends Error {
  override readonly name = 'TokenPreflightFailed';
  readonly failed: CheckResult[];
  constructor(readonly report: PreflightReport) {
    const failed = report.results.filter((r) => r.status === 'fail');
    super(renderFailure(failed));
    this.failed = failed;
  }
}

export interface TokenPreflightOptions {
  /** Graph root; default: the authority's cloud (graph.microsoft.com, .us, chinacloudapi.cn). Required for any other authority host. */
  graphEndpoint?: string;
  /** Told the outcome (print it); called before a failure is thrown. */
  onOutcome?: (outcome: TokenPreflightOutcome) => void;
  /** Bound on each Graph read, paging and retries included. Default 30 s. */
  callTimeoutMs?: number;
  /** Injectable for tests (Graph retry waits). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The hook for fetchBulkToken's `preflight` option: runs the fast checks, throws TokenPreflightFailed on a `fail`. */
export function tokenPreflight(options: TokenPreflightOptions = {}): BulkTokenPreflight {
  return async (context) => {
    const outcome = await runTokenPreflight(context, options);
    options.onOutcome?.(outcome);
    if (outcome.status === 'fail') throw new TokenPreflightFailed(outcome.report);
  };
}

/** Runs the fast checks with a silent Graph token; never throws except for a cancel. */
export async function runTokenPreflight(context: PreflightContext, options: TokenPreflightOptions = {}): Promise<TokenPreflightOutcome> {
  const endpoint = options.graphEndpoint ?? graphEndpointForAuthority(context.authority);
  if (!endpoint) {
    return { status: 'skipped', reason: `no Microsoft Graph endpoint is known for the sign-in authority ${hostOf(context.authority)}`, noGraphEndpoint: true };
  }
  let token: string;
  try {
    token = await context.acquireTokenSilent(graphScopes(TOKEN_PREFLIGHT_SCOPES, endpoint));
  } catch (e) {
    if (context.signal?.aborted || (e instanceof EntraError && e.kind === 'cancelled')) throw entraError('cancelled', { stage: 'sign-in' });
    return skipped(silentFailureReason(e, context.clientId));
  }
  try {
    const report = await runFastChecks({
      getAccessToken: async () => token,
      endpoint,
      ca: context.ca,
      signal: context.signal,
      sleep: options.sleep,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      maxAttempts: 2,
    });
    return { status: worstStatus(report.results), report };
  } catch (e) {
    if (context.signal?.aborted || (e instanceof GraphError && e.code === 'Cancelled')) throw entraError('cancelled', { stage: 'sign-in' });
    // /me unreadable, the endpoint refused, Graph unreachable: the messages are our own, without the token.
    const why = e instanceof PreflightError || e instanceof GraphError ? e.message : 'Microsoft Graph could not be read';
    return skipped(oneLine(why));
  }
}

function skipped(reason: string): TokenPreflightOutcome {
  return { status: 'skipped', reason };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function oneLine(text: string): string {
  const line = (firstLine(text) ?? text).replace(/\s+/g, ' ').replace(/[.\s]+$/, '');
  // "Could not read …" reads as the middle of a sentence after "skipped:".
  return line.replace(/^Could not\b/, 'could not');
}

/** Why no Graph token came silently, in one line (never the token, never a long consent text). */
function silentFailureReason(e: unknown, clientId: string): string {
  const err = e instanceof EntraError ? e : undefined;
  const code = err?.details.code ? ` (AADSTS${err.details.code})` : '';
  switch (err?.kind) {
    case 'consent-required':
      return `the sign-in app ${clientId} has no consent to read the tenant settings through Microsoft Graph${code}`;
    case 'mfa-required':
    case 'conditional-access':
      return `Microsoft Graph would need another sign-in (multi-factor authentication or Conditional Access)${code}`;
    case 'network':
    case 'timeout':
      return 'Entra ID could not be reached for a Microsoft Graph token';
    default:
      return `no Microsoft Graph token could be had without a second sign-in${code}`;
  }
}

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN' };

function checkLine(r: CheckResult): string {
  return `${LABEL[r.status]} ${r.check} (${CHECK_NAMES[r.check]}): ${r.message}`;
}

function renderFailure(failed: CheckResult[]): string {
  const lines = [`Stopped before requesting a bulk token: ${failed.length === 1 ? 'a tenant check' : 'tenant checks'} failed.`];
  for (const r of failed) {
    lines.push(checkLine(r));
    if (r.fix) lines.push(`  Fix: ${r.fix}`);
  }
  lines.push(
    `No bulk token was requested and no package_ account was created. Fix the tenant and run ${cmd('fetchToken')} again; ` +
      `${cmd('doctor')} shows the full report, and ${cmd('skipChecks')} fetches without these checks.`,
  );
  return lines.join('\n');
}

/**
 * The text for an outcome that lets the fetch go on (pass, warn, unknown,
 * skipped), for stderr or an output channel. A `fail` is TokenPreflightFailed's
 * message instead.
 */
export function renderTokenPreflightOutcome(outcome: TokenPreflightOutcome): string {
  if (outcome.status === 'skipped') {
    return `Tenant checks skipped: ${outcome.reason}${outcome.noGraphEndpoint ? ` (${cmd('graphEndpoint')})` : ''}. Run ${cmd('doctor')} to check the tenant.\n`;
  }
  const { results } = outcome.report;
  if (outcome.status === 'fail') return renderFailure(results.filter((r) => r.status === 'fail')) + '\n';
  const ran = FAST_CHECKS.filter((id) => results.some((r) => r.check === id)).join(', ');
  if (outcome.status === 'pass') return `Tenant checks ${ran} passed.\n`;
  const lines = [`Tenant checks ${ran}: ${results.filter((r) => r.status === 'pass').length} passed; going on with the fetch despite:`];
  for (const r of results) {
    if (r.status === 'pass') continue;
    lines.push(checkLine(r));
    if (r.fix) lines.push(`  Fix: ${r.fix}`);
  }
  return lines.join('\n') + '\n';
}

/** The checks that look for the cause of a failed fetch (tokenFailureAdvice's), most likely first; empty when none does. */
export function explainingChecks(error: { kind: string; details?: { code?: string } }): CheckId[] {
  return explaining(error)?.checks ?? [];
}

function explaining(error: { kind: string; details?: { code?: string } }): TokenFailureExplanation | undefined {
  if (NOT_A_TENANT_PROBLEM.has(error.kind)) return undefined;
  const code = error.details?.code;
  const explained = explainTokenFailure(error.kind) ?? (code ? explainTokenFailure(`AADSTS${code}`) : undefined);
  return explained && explained.checks.length > 0 ? explained : undefined;
}

/** Kinds that say nothing about the tenant: no check may be blamed for them. */
const NOT_A_TENANT_PROBLEM = new Set([
  'network',
  'timeout',
  'cancelled',
  'http',
  'malformed-response',
  'invalid-option',
  'invalid-expiry',
  'browser-unavailable',
]);

/**
 * After a failed fetch: which preflight check looks for the cause
 * (explainTokenFailure on the kind, else on the AADSTS code), as one sentence
 * for the admin. Undefined when no check does (network, timeout, cancel,
 * consent, an unknown code), so that nothing misleading is added.
 */
export function tokenFailureAdvice(error: { kind: string; details?: { code?: string } }): string | undefined {
  const explained = explaining(error);
  if (!explained) return undefined;
  const named = explained.checks.map((id) => `${id} (${CHECK_NAMES[id]})`);
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  const what = named.length === 1 ? `This is what check ${list} looks for` : `This is what checks ${list} look for`;
  const fix = explained.hint.replace(/\s*Run (`ppkg doctor`|\*\*ppkg: Check Tenant Readiness\*\*)\.?\s*$/, '');
  return `${what}: run ${cmd('doctor')} to confirm. Fix: ${fix}`;
}
