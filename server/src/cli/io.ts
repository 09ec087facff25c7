import { PpkgError, type PpkgErrorOptions } from '../errors';

/**
 * What a CLI command may touch. Commands never use process.* directly, so the
 * tests run them in-process with captured output and a fake environment.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Asks the user a yes/no question on the terminal; undefined when there is no terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Cancels long operations (Ctrl+C). */
  signal?: AbortSignal;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** The project (or tenant) has an error. */
export const EXIT_FINDINGS = 1;
/** Usage error, I/O failure, or the operation could not run. */
export const EXIT_USAGE = 2;

/**
 * The command line was wrong (a missing file name, a bad option value): a
 * PpkgError of category `usage`, exit 2. Every other failure is thrown as
 * the engine's PpkgError with its own category; `main()` words them all.
 */
export class CliError extends PpkgError {
  constructor(message: string, options?: PpkgErrorOptions) {
    super('usage', message, options);
    this.name = 'CliError';
  }
}

export type CommandRunner = (args: string[], io: CliIO) => Promise<number>;
