/**
 * The engine as the VS Code client sees it: the only engine module that
 * client/src imports (with ./protocol.ts for what goes over LSP;
 * test/unit/client-boundary.test.ts holds both to that). It names what the
 * client does with the engine (build a package, fetch a bulk token, check a
 * tenant, read and import packages, read facts of a project), so the engine
 * can move its modules around without the client following.
 *
 * No `vscode` import: everything here is plain Node and testable without an
 * editor. Add to it only what the client uses.
 */
import { BuildError } from './package/build';
import { importPackageFile, type ImportIO } from './import/packageFile';
import { EntraError } from './entra/errors';
import { authorityFor, CLOUDS, GRAPH_ENDPOINTS, WCD_CLIENT_ID, type CloudName } from './entra/clouds';
import { resolveExpiry } from './entra/fetchToken';
import { setMessageHost } from './entra/host';
import { signIn, type SignInOptions, type SignInResult } from './entra/signIn';
import { TokenFlowError } from './entra/tokenFlow';
import { isPpkgError, type ErrorCategory } from './errors';
import { ProjectReadError } from './diff';
import { packageProblem } from './inspect';
import { referencedSecretNames } from './languageService/context';
import { projectKey } from './languageService/projectKey';
import { daysBetween, parseIsoDate } from './model/dates';
import { nodeAtPath, parseProject } from './model/parse';
import { GraphError } from './tenant/graphClient';
import { PreflightError } from './tenant/preflight';
import { GRAPH_CLI_TOOLS_CLIENT_ID, graphScopes, SessionError } from './tenant/session';
import type { PpkgDiagnostic } from './validation/diagnostic';

// --- Errors ---------------------------------------------------------------------

/** The engine's one error shape: what went wrong, its category, advice apart from the message. */
export { PpkgError, isPpkgError, type ErrorCategory } from './errors';
export type { PpkgDiagnostic } from './validation/diagnostic';

/**
 * Any thrown value in the PpkgError shape, for a front end to show:
 * `unexpected` when it is none of the engine's errors (a bug).
 */
export interface ErrorInfo {
  category: ErrorCategory | 'unexpected';
  /** What went wrong, in WCD and Intune words; never a secret. May hold line breaks. */
  message: string;
  code?: string;
  /** What to do next, one sentence per entry. */
  advice: readonly string[];
  /** Located findings behind the failure (a build refused because of these). */
  diagnostics: readonly PpkgDiagnostic[];
}

/**
 * Classifies a thrown value. A PpkgError says it all; the engine's older
 * error classes (until each extends PpkgError) are mapped to the category
 * they mean. `packageName`: the package file the operation read, so a
 * damaged or unreadable package is said in its name.
 */
export function errorInfo(err: unknown, options: { packageName?: string } = {}): ErrorInfo {
  const info = (category: ErrorInfo['category'], message: string, more: Partial<ErrorInfo> = {}): ErrorInfo => ({
    category,
    message,
    advice: [],
    diagnostics: [],
    ...more,
  });
  if (isPpkgError(err)) return info(err.category, err.message, { code: err.code, advice: err.advice, diagnostics: err.diagnostics });
  const shown = options.packageName;
  if (shown !== undefined) {
    const problem = packageProblem(err, shown);
    if (problem) return info('tool', problem);
  }
  // The older classes; fields are read loosely, as a class may be converting to PpkgError right now.
  const field = (name: string): unknown => (err as Record<string, unknown>)[name];
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BuildError) {
    const kind = field('kind');
    const diagnostics = field('diagnostics');
    return info(kind === 'io' || kind === 'tool' ? kind : 'project', message, { diagnostics: Array.isArray(diagnostics) ? diagnostics : [] });
  }
  if (err instanceof TokenFlowError) {
    const failure = field('failure');
    const summary = field('summary');
    const advice = field('advice');
    const category: ErrorCategory =
      failure === 'cancelled' ? 'cancelled' : failure === 'project' || failure === 'record' ? 'project' : failure === 'store' ? 'io' : 'tenant';
    return typeof summary === 'string' ? info(category, summary, { advice: typeof advice === 'string' && advice ? [advice] : [] }) : info(category, message);
  }
  if (err instanceof EntraError) {
    const kind = field('kind');
    const code = (field('details') as { code?: unknown } | undefined)?.code;
    const category: ErrorCategory = kind === 'cancelled' ? 'cancelled' : kind === 'invalid-option' || kind === 'invalid-expiry' ? 'usage' : 'tenant';
    return info(category, message, typeof code === 'string' ? { code: `AADSTS${code}` } : {});
  }
  if (err instanceof GraphError) return info(field('code') === 'Cancelled' ? 'cancelled' : 'tenant', message);
  if (err instanceof SessionError) return info(field('kind') === 'cancelled' ? 'cancelled' : 'tenant', message);
  if (err instanceof PreflightError) return info('tenant', message);
  if (err instanceof ProjectReadError) return info('project', message);
  if (err instanceof Error && err.name === 'AbortError') return info('cancelled', message);
  const errno = err as NodeJS.ErrnoException | undefined;
  if (errno && typeof errno.code === 'string' && typeof errno.syscall === 'string') {
    if (shown !== undefined)
      return info('io', `${shown} cannot be read (${errno.code === 'ENOENT' ? 'it does not exist any more' : 'the file system refused'}).`, {
        code: errno.code,
      });
    return info('io', message, { code: errno.code });
  }
  return info('unexpected', message);
}

// --- Projects -------------------------------------------------------------------

/** SecretStorage keys: the package ID in its canonical form, and one secret's key under it. */
export { projectKey, secretStorageKey } from './languageService/projectKey';
/** `{ "secret": "<name>" }` references, and the environment variable `ppkg` reads one from. */
export { isSecretReference, secretEnvVar, type SecretResolver } from './model/secrets';
/** A new project's text (what `ppkg init` writes), and the file name for a project name. */
export { projectFileName, starterProject } from './model/starter';

/** The non-secret facts the editor's commands need about a project. */
export interface ProjectFacts {
  /** `name`, when it is a string. */
  name?: string;
  /** The package ID as written (may be empty). */
  id: string;
  /** projectKey() of the ID: empty when there is no usable ID. */
  key: string;
  tokenExpiry?: string;
  packageUser?: string;
  tenant?: string;
  /** Every secret name the project references, in order. */
  secretNames: string[];
  /** No syntax problem, and the top level is an object. */
  syntaxOk: boolean;
}

/** Reads a project's facts from its text (never throws). */
export function projectFacts(text: string): ProjectFacts {
  const doc = parseProject(text);
  const str = (p: string[]) => {
    const n = nodeAtPath(doc.root, p);
    return n?.type === 'string' && typeof n.value === 'string' ? n.value : undefined;
  };
  const id = str(['id']) ?? '';
  return {
    name: str(['name']),
    id,
    key: projectKey(id),
    tokenExpiry: str(['account', 'entra', 'tokenExpiry']),
    packageUser: str(['account', 'entra', 'packageUser']),
    tenant: str(['account', 'entra', 'tenant']),
    secretNames: referencedSecretNames(doc),
    syntaxOk: doc.syntaxProblems.length === 0 && doc.root?.type === 'object',
  };
}

/** A project's text as a plain value (comments dropped; as much as can be read of a broken one). */
export function projectValue(text: string): unknown {
  return parseProject(text).value;
}

/** Whole days from `now` to a `YYYY-MM-DD` date (0 on the day, negative after); undefined when the text is no such date. */
export function daysUntil(isoDate: string, now: Date = new Date()): number | undefined {
  const date = parseIsoDate(isoDate);
  return date ? daysBetween(now, date) : undefined;
}

// --- Building -------------------------------------------------------------------

/** Builds a project into a .ppkg and its build report; refuses (a PpkgError, or BuildError for now) with the findings. */
export { buildProject, type BuildOptions, type BuildResult } from './package/build';

// --- Bulk token -----------------------------------------------------------------

/** The one bulk-token use case (checks, sign-in, fetch, store through the host, record), shared with `ppkg token`. */
export { runTokenFlow, TokenFlowError, type TokenFlowCallbacks, type TokenFlowOptions, type TokenFlowResult } from './entra/tokenFlow';
/** The name of the project's secret reference that holds its bulk token. */
export { tokenSecretName } from './entra/recordToken';
/** The latest expiry (`YYYY-MM-DD`) worth proposing for a token issued now. */
export { latestSafeExpiry } from './model/dates';

/** Why a typed token expiry cannot be used (not a date, not in the future, too far ahead), or undefined when it can. */
export function expiryProblem(expiry: string, now: Date = new Date()): string | undefined {
  try {
    resolveExpiry(expiry, now);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** From now on, the engine's sign-in and tenant messages name VS Code's commands (**ppkg: Fetch Bulk Token**), not the CLI's. */
export function useVsCodeCommandNames(): void {
  setMessageHost('vscode');
}

// --- Sign-in and Microsoft Graph ------------------------------------------------

export type { CloudName } from './entra/clouds';
export type { AccessTokenProvider } from './tenant/graphClient';
export type { SignInResult } from './entra/signIn';

/** What a cloud implies when no setting overrides it: the sign-in authority for a tenant, the Graph root, the two sign-in apps. */
export function cloudDefaults(
  cloud: CloudName,
  tenant: string,
): { authority: string; graphEndpoint: string; bulkTokenClientId: string; graphClientId: string } {
  return {
    authority: authorityFor(CLOUDS[cloud], tenant),
    graphEndpoint: GRAPH_ENDPOINTS[cloud],
    bulkTokenClientId: WCD_CLIENT_ID,
    graphClientId: GRAPH_CLI_TOOLS_CLIENT_ID,
  };
}

/** Signs in for Microsoft Graph `scopes` (short names such as User.Read) at `graphEndpoint`: the browser, or a device code. */
export function signInToGraph(options: Omit<SignInOptions, 'scopes'> & { scopes: string[]; graphEndpoint: string }): Promise<SignInResult> {
  const { graphEndpoint, scopes, ...rest } = options;
  return signIn({ ...rest, scopes: graphScopes(scopes, graphEndpoint) });
}

// --- Tenant -----------------------------------------------------------------------

/** The tenant readiness checks R1–R7 (`ppkg doctor`), the scopes they read with, and their report. */
export { PREFLIGHT_SCOPES, runPreflight, type PreflightReport } from './tenant/preflight';
/** The tenant's bulk-token (package_) accounts: list them (marking the projects that record them) and revoke (delete) them. */
export { LIST_SCOPES, listBulkTokenAccounts, REVOKE_SCOPES, revokeBulkTokenAccounts, type BulkTokenAccount } from './tenant/bulkTokenAccounts';

// --- Packages ---------------------------------------------------------------------

/** Reads a .ppkg (or a project, compiled as it would be packaged) into the inspect model, and prints it as `ppkg inspect` does. */
export { inspectPackage, renderInspectText, type InspectModel, type InspectSetting } from './inspect';
/** The project side of a comparison, and the comparison of two inspect models (`ppkg diff`). */
export { diffModels, inspectProjectFile } from './diff';

/** What importing a package said: the exit code `ppkg import` would give, and its output. */
export interface ImportOutcome {
  /** 0: imported; otherwise `stderr` says why not. */
  code: number;
  stdout: string;
  /** Notes (`…: warning: …` lines) and, on failure, the reason. Never a secret value. */
  stderr: string;
}

/**
 * Imports a package as a project, as `ppkg import` does: the project file at
 * `outFile` (replaced only with `force`), the package's files extracted
 * beside it, its secrets in `<project>.secrets.env` (mode 0600). A refusal
 * comes back in the outcome; anything else is thrown.
 */
export async function importPackageAsProject(
  packagePath: string,
  outFile: string,
  options: { shownName: string; force: boolean; cwd: string },
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { code: 0, stdout: '', stderr: '' };
  const io: ImportIO = { stdout: (t) => (outcome.stdout += t), stderr: (t) => (outcome.stderr += t), cwd: options.cwd };
  try {
    await importPackageFile(packagePath, options.shownName, outFile, options.force, io);
  } catch (err) {
    if (!isPpkgError(err) || err.category !== 'usage') throw err;
    outcome.stderr += `${err.message}\n`;
    outcome.code = 2;
  }
  return outcome;
}
