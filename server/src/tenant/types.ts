import { cmd } from '../entra/host';
import { GraphError } from './graphClient';

export type CheckId = 'R1' | 'R2' | 'R3' | 'R4' | 'R5' | 'R6' | 'R7';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

/** One preflight finding. `fix` is admin-center or PowerShell/Graph text; empty when there is nothing to do. */
export interface CheckResult {
  check: CheckId;
  status: CheckStatus;
  message: string;
  fix: string;
  /** Short name of the requirement, for the text report. */
  title: string;
  /** Graph request-id of a failed read, for Microsoft support. */
  requestId?: string;
  /** Delegated scope that was missing or denied, when status is unknown. */
  missingScope?: string;
}

/**
 * The outcome of one Graph read as the checks see it: the body, or the
 * failure (status 0 = network/timeout). Checks are pure over these.
 */
export type Fetched<T> = { ok: true; body: T } | { ok: false; status: number; code?: string; message: string; requestId?: string };

export function fetchedError(err: unknown): Fetched<never> {
  if (err instanceof GraphError) return { ok: false, status: err.status, code: err.code, message: err.message, requestId: err.requestId };
  return { ok: false, status: 0, message: err instanceof Error ? err.message : String(err) };
}

/** The signed-in requester (GET /v1.0/me). */
export interface Me {
  id: string;
  userPrincipalName: string;
  onPremisesSyncEnabled?: boolean | null;
}

/** Result of POST /me/checkMemberGroups over a set of group IDs (batched by 20). */
export type Membership = Fetched<string[]>;

/** What a check says when Graph refused or failed a read it needs. */
export function unreadable(
  check: CheckId,
  title: string,
  what: string,
  failure: Extract<Fetched<unknown>, { ok: false }>,
  scope: string,
  roles: string,
): CheckResult {
  const denied = failure.status === 401 || failure.status === 403;
  const message = denied
    ? `Could not read ${what}: Graph denied access (${failure.status}${failure.code ? ` ${failure.code}` : ''}). The sign-in needs the delegated permission ${scope} (admin consent) and a role that can read it: ${roles}.`
    : `Could not read ${what}: ${failure.message}`;
  const fix = denied
    ? `Ask an admin who can grant tenant-wide consent (Global Administrator, Privileged Role Administrator, Cloud Application Administrator) to consent to ${scope} for the sign-in app, then run the doctor as someone with one of these roles: ${roles}. Or review this requirement by hand.`
    : `Run ${cmd('doctor')} again; if it keeps failing, review this requirement by hand and quote the request-id to Microsoft support.`;
  return {
    check,
    title,
    status: 'unknown',
    message: failure.requestId ? `${message} (request-id ${failure.requestId})` : message,
    fix,
    requestId: failure.requestId,
    missingScope: denied ? scope : undefined,
  };
}
