/**
 * The bulk-token use case, once, for both hosts: `ppkg token` in a terminal
 * and **ppkg: Fetch Bulk Token** in VS Code are thin shells over runTokenFlow.
 *
 * 1. The project must be able to take the facts (before anyone signs in).
 * 2. Sign in for the Device Registration Service (device code or browser).
 * 3. The tenant's fast checks (R1, R2, R4, tenant/tokenPreflight.ts) with a
 *    Microsoft Graph token got silently for the same account; a failing check
 *    stops here, before any token or package_ account exists.
 * 4. The bulk-token request (begin, poll).
 * 5. The token goes where the host keeps it (SecretStorage; a 0600 file or
 *    stdout) — first, so that the project never records a token that was lost.
 * 6. The facts (expiry, issue time, package account, tenant) are recorded in
 *    the project, read again (it may have been edited meanwhile), comments kept.
 *
 * A failure is a TokenFlowError that says what happened and what to do, in
 * the host's words (withMessageHost), and for a refused fetch which tenant
 * check looks for its cause. The host supplies the callbacks: how the sign-in
 * is shown, progress, the checks' outcome, where the token goes, the project's
 * text, cancellation. The token itself is only ever handed to `storeToken`;
 * no message, result or error carries it.
 *
 * This is the one module of entra/ that imports tenant/: the use case spans
 * both (tenant/ imports entra/ for everything else).
 */
import { PpkgError, type ErrorCategory } from '../errors';
import type { CheckId } from '../tenant/types';
import {
  explainingChecks,
  renderTokenPreflightOutcome,
  tokenFailureAdvice,
  tokenPreflight,
  TokenPreflightFailed,
  type TokenPreflightOutcome,
} from '../tenant/tokenPreflight';
import type { CloudName } from './clouds';
import { EntraError, type EntraErrorKind } from './errors';
import { fetchBulkToken } from './fetchToken';
import { withMessageHost, type MessageHost } from './host';
import { recordTokenFacts, RecordTokenError, tokenSecretName, type TokenFacts } from './recordToken';

export interface TokenFlowOptions {
  /** Whose words the messages use: the CLI's commands and options, or VS Code's commands and settings. */
  host: MessageHost;
  /** Default: Windows Configuration Designer's client. */
  clientId?: string;
  /** Default: the cloud's login host + `/organizations`. */
  authority?: string;
  cloud?: CloudName;
  /** The `…/webapp/bulkaadjtoken` base; default: the authority's host. */
  bulkEndpoint?: string;
  /** Microsoft Graph root for the fast checks; default: the authority's cloud (none for any other host: the checks are skipped). */
  graphEndpoint?: string;
  /** `YYYY-MM-DD`; default: the latest safe expiry. */
  expiry?: string;
  /** Display name of the package account. */
  name?: string;
  /** No tenant checks (`--skip-checks`, **Fetch Without Checks**). */
  skipChecks?: boolean;
  pollIntervalMs?: number;
  /** Bound on the bulk-token exchange (begin + poll). */
  timeoutMs?: number;
  /** Extra trusted CA (PEM); in-process tests only. */
  ca?: string;
  now?: () => Date;
  /** Graph retry waits of the checks; injectable for tests. */
  checksSleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The project file as the host holds it: a file on disk (CLI), an open document (VS Code). */
export interface ProjectAccess {
  /** The current text. Throw an Error whose message is the reason, in the admin's words. */
  read(): Promise<string>;
  /** Replaces the text (the recorded facts). Throw an Error whose message is the reason. */
  write(text: string): Promise<void>;
}

export interface TokenFlowCallbacks {
  /**
   * How to sign in. The device code flow shows the code through `onDeviceCode`;
   * with `deviceCode: false`, `openBrowser` opens the interactive sign-in.
   */
  signIn: { deviceCode: true; onDeviceCode: (message: string) => void } | { deviceCode: false; openBrowser: (url: string) => Promise<void> };
  /** Progress lines (never a secret). */
  onProgress: (message: string) => void;
  /**
   * The fast checks' outcome when the fetch goes on (pass, warn, unknown,
   * skipped), and its text in the host's words. A fail is the TokenFlowError.
   */
  onChecks?: (outcome: TokenPreflightOutcome, text: string) => void;
  project: ProjectAccess;
  /**
   * Puts the token where the host keeps it, under the project's secret name.
   * Called once, before the project records anything. Throw an Error whose
   * message is the reason to refuse.
   */
  storeToken: (token: string, secretName: string) => Promise<void>;
  /** Where the token goes, as a past participle for messages: `written to /x/bprt.txt`, `printed`, `stored in SecretStorage as "bulk-token"`. */
  tokenDestination: (secretName: string) => string;
  signal?: AbortSignal;
}

export interface TokenFlowResult {
  /** What the project now records (no secret). */
  facts: TokenFacts;
  /** The name of the project's `{ "secret": … }` reference to the token. */
  secretName: string;
  /** The fast checks' outcome; undefined when skipped on purpose. */
  checks?: TokenPreflightOutcome;
}

export type TokenFlowFailure =
  /** The project cannot take the facts (unreadable, syntax errors, wrong shapes). Nothing happened. */
  | 'project'
  /** A fast tenant check failed: stopped before any token or package_ account existed. */
  | 'checks'
  /** Sign-in or the bulk-token request failed (`kind` says how). */
  | 'fetch'
  /** The admin cancelled. Nothing was saved. */
  | 'cancelled'
  /** The token was fetched but could not be stored: its package account exists. */
  | 'store'
  /** The token was stored, but the project could not record the facts. */
  | 'record';

const FAILURE_CATEGORY: Record<TokenFlowFailure, ErrorCategory> = {
  project: 'project',
  checks: 'tenant',
  fetch: 'tenant',
  cancelled: 'cancelled',
  store: 'io',
  record: 'io',
};

/**
 * Why the flow stopped, said once for both hosts. `message` (also `summary`)
 * says what happened and what to do; `advice`, when there is any, names the
 * tenant check that looks for the cause of a refused fetch, in the host's
 * words. `code` is the failure.
 */
export class TokenFlowError extends PpkgError {
  override readonly name = 'TokenFlowError';
  constructor(
    readonly failure: TokenFlowFailure,
    /** What happened and what to do. */
    summary: string,
    readonly details: {
      /** The EntraError kind (`fetch`, `cancelled`). */
      kind?: EntraErrorKind;
      /** Which tenant check looks for the cause of a refused fetch, and its fix. */
      advice?: string;
      /** `checks`: the checks that failed; `fetch`: the checks that look for its cause. */
      checks?: CheckId[];
      /** `store`, `record`: the package account that now exists. */
      packageUser?: string;
    } = {},
  ) {
    super(FAILURE_CATEGORY[failure], summary, { code: failure, advice: details.advice ? [details.advice] : [] });
  }
  get summary(): string {
    return this.message;
  }
  get kind(): EntraErrorKind | undefined {
    return this.details.kind;
  }
  get checks(): CheckId[] {
    return this.details.checks ?? [];
  }
}

export function runTokenFlow(options: TokenFlowOptions, host: TokenFlowCallbacks): Promise<TokenFlowResult> {
  return withMessageHost(options.host, () => flow(options, host));
}

async function flow(options: TokenFlowOptions, host: TokenFlowCallbacks): Promise<TokenFlowResult> {
  let secretName: string;
  try {
    secretName = tokenSecretName(await host.project.read());
  } catch (e) {
    throw new TokenFlowError('project', reason(e));
  }

  let checks: TokenPreflightOutcome | undefined;
  const preflight = options.skipChecks
    ? undefined
    : tokenPreflight({
        graphEndpoint: options.graphEndpoint,
        sleep: options.checksSleep,
        onOutcome: (outcome) => {
          checks = outcome;
          if (outcome.status !== 'fail') host.onChecks?.(outcome, renderTokenPreflightOutcome(outcome));
        },
      });

  let fetched;
  try {
    fetched = await fetchBulkToken({
      clientId: options.clientId,
      authority: options.authority,
      cloud: options.cloud,
      bulkEndpoint: options.bulkEndpoint,
      expiry: options.expiry,
      name: options.name,
      deviceCode: host.signIn.deviceCode,
      onDeviceCode: host.signIn.deviceCode ? host.signIn.onDeviceCode : undefined,
      openBrowser: host.signIn.deviceCode ? undefined : host.signIn.openBrowser,
      onProgress: host.onProgress,
      signal: host.signal,
      pollIntervalMs: options.pollIntervalMs,
      timeoutMs: options.timeoutMs,
      ca: options.ca,
      now: options.now,
      preflight,
    });
  } catch (e) {
    if (e instanceof TokenPreflightFailed) throw new TokenFlowError('checks', e.message, { checks: e.failed.map((r) => r.check) });
    if (e instanceof EntraError) {
      if (e.kind === 'cancelled') throw new TokenFlowError('cancelled', e.message, { kind: e.kind });
      throw new TokenFlowError('fetch', e.message, { kind: e.kind, advice: tokenFailureAdvice(e), checks: explainingChecks(e) });
    }
    throw e;
  }

  const facts: TokenFacts = { tokenExpiry: fetched.expiry, issuedAt: fetched.issuedAt, packageUser: fetched.packageUser, tenant: fetched.tenant };
  try {
    await host.storeToken(fetched.token, secretName);
  } catch (e) {
    throw new TokenFlowError(
      'store',
      `The bulk token was fetched but could not be ${host.tokenDestination(secretName)} (${reason(e)}). Nothing was recorded in the project; delete the user ${facts.packageUser} in Entra ID and try again.`,
      { packageUser: facts.packageUser },
    );
  }

  try {
    // Read again: the project may have been edited while the admin signed in.
    await host.project.write(recordTokenFacts(await host.project.read(), facts));
  } catch (e) {
    throw new TokenFlowError(
      'record',
      `The bulk token was ${host.tokenDestination(secretName)}, but the project could not be updated (${reason(e)}). ` +
        `Record by hand in account.entra: "tokenExpiry": "${facts.tokenExpiry}", "issuedAt": "${facts.issuedAt}", "packageUser": "${facts.packageUser}", "tenant": "${facts.tenant}".`,
      { packageUser: facts.packageUser },
    );
  }
  return { facts, secretName, checks };
}

function reason(e: unknown): string {
  if (e instanceof RecordTokenError) return e.message;
  return (e instanceof Error ? e.message : String(e)).replace(/\.\s*$/, '');
}
