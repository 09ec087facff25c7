/**
 * The one error shape of the engine. Every failure meant for an admin is a
 * PpkgError: what went wrong (the message, in WCD and Intune words), which
 * kind of failure it is (the category decides the CLI's exit code and the
 * VS Code notification), an optional stable code, located findings when
 * there are any, and advice (what to do next) kept apart from the message
 * so each front end can word it for its own commands.
 *
 * Front ends map it once: `cli/main.ts` to an exit code and stderr, the
 * client to a notification. Anything else that is thrown is a bug and is
 * reported as one.
 *
 * Messages and advice never hold a secret value: they are printed, logged
 * and shown as they are.
 */
import type { PpkgDiagnostic } from './validation/diagnostic';

/**
 * - `project`: the project file or its inputs are wrong (fix the project).
 * - `io`: a file or folder could not be read or written.
 * - `tool`: a tool or package the engine relies on failed or is missing (ICD, a corrupt package).
 * - `tenant`: Entra ID or Microsoft Graph refused or failed.
 * - `cancelled`: the admin cancelled.
 * - `usage`: the command was called wrongly (CLI arguments).
 */
export type ErrorCategory = 'project' | 'io' | 'tool' | 'tenant' | 'cancelled' | 'usage';

export interface PpkgErrorOptions {
  /** A stable identifier for scripts and tests (for example `AADSTS90092`, `PPKG113`, `WIM_LZX`). */
  code?: string;
  /** Located findings behind the failure (a build refused because of these). */
  diagnostics?: readonly PpkgDiagnostic[];
  /** What to do next, one sentence per entry. */
  advice?: readonly string[];
  cause?: unknown;
}

export class PpkgError extends Error {
  readonly code?: string;
  readonly diagnostics: readonly PpkgDiagnostic[];
  readonly advice: readonly string[];

  constructor(
    readonly category: ErrorCategory,
    message: string,
    options: PpkgErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.diagnostics = options.diagnostics ?? [];
    this.advice = options.advice ?? [];
  }
}

export function isPpkgError(err: unknown): err is PpkgError {
  return err instanceof PpkgError;
}
