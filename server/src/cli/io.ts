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

/** An error whose message is meant for the admin, printed without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_USAGE) {
    super(message);
  }
}

export type CommandRunner = (args: string[], io: CliIO) => Promise<number>;
