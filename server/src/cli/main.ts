import * as readline from 'node:readline/promises';

import { isPpkgError, PpkgError } from '../errors';
import { describeFileError, errnoCode } from '../package/build/fileErrors';
import { didYouMean } from './args';
import { LOADERS } from './commands';
import { commandHelp, topLevelHelp } from './help';
import { EXIT_FINDINGS, EXIT_USAGE, type CliIO } from './io';
import { COMMANDS, isCommandName, type CommandSpec } from './registry';

function closestCommand(name: string): string | undefined {
  const s = didYouMean(
    name,
    Object.keys(COMMANDS).map((n) => ({ name: n, description: '' })),
  );
  return s?.replace(/^--/, '');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(topLevelHelp());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${PPKG_VERSION}\n`);
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (!topic) {
      io.stdout(topLevelHelp());
      return 0;
    }
    if (!isCommandName(topic)) {
      const close = closestCommand(topic);
      io.stderr(`ppkg help: there is no command '${topic}'.${close ? ` Did you mean ${close}?` : ''}\n\n${topLevelHelp()}`);
      return EXIT_USAGE;
    }
    io.stdout(commandHelp(topic));
    return 0;
  }
  if (!isCommandName(name)) {
    const close = closestCommand(name);
    io.stderr(`ppkg: unknown command '${name}'.${close ? ` Did you mean ppkg ${close}?` : ''}\n\n${topLevelHelp()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(name));
    return 0;
  }
  const command = COMMANDS[name];
  const cancelled = () => {
    io.stderr(`ppkg ${name}: cancelled (Ctrl+C) while ${command.operation}. Nothing more was changed.\n`);
    return EXIT_USAGE;
  };
  try {
    const runner = await LOADERS[name]();
    const code = await runner(rest, io);
    return io.signal?.aborted && code !== 0 ? cancelled() : code;
  } catch (err) {
    // Ctrl+C: name what was interrupted, whatever layer noticed it.
    if (io.signal?.aborted) return cancelled();
    const failure = isPpkgError(err) ? err : fileFailure(err);
    if (failure) {
      // Meant for the admin: the message, then what to do; never a stack.
      io.stderr(`ppkg ${name}: ${failure.message}\n`);
      for (const line of failure.advice) io.stderr(`${line}\n`);
      return exitCodeOf(failure, command);
    }
    // An unexpected failure is a bug, but it must still end cleanly: report
    // the message (never an object dump that could hold a secret) and exit 2.
    io.stderr(`ppkg ${name}: unexpected error (please report it): ${unexpectedMessage(err)}\n`);
    return EXIT_USAGE;
  }
}

/**
 * The one mapping of failures to exit codes (docs/cli.md, "Exit codes"): a
 * project that is wrong is a finding (1, unless the command's 1 means
 * something else); a usage error, a file, a tool or package, the tenant, or
 * a cancel means the command could not run (2).
 */
export function exitCodeOf(err: PpkgError, command?: CommandSpec): number {
  switch (err.category) {
    case 'project':
      return command?.projectErrorExit ?? EXIT_FINDINGS;
    case 'usage':
    case 'io':
    case 'tool':
    case 'tenant':
    case 'cancelled':
      return EXIT_USAGE;
  }
}

/** An ordinary file problem that a command did not word itself: still in the admin's words. */
function fileFailure(err: unknown): PpkgError | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!errnoCode(err) || typeof e.syscall !== 'string') return undefined;
  const reading = e.syscall === 'open' || e.syscall === 'read' || e.syscall === 'stat';
  return new PpkgError('io', describeFileError(err, e.path ? `the file ${e.path}` : 'a file', reading ? 'read' : 'write'), { cause: err });
}

/** The message of something unexpected that was thrown: an Error's message or a plain value, never an object's contents. */
function unexpectedMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' || typeof err === 'number' || typeof err === 'boolean' ? String(err) : 'something that is not an error was thrown';
}

declare const PPKG_VERSION: string;

/** Entry point of the `ppkg` binary: wires the real process into main(). */
export function runCli(): void {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
    confirm: process.stdin.isTTY
      ? async (question) => {
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          try {
            const answer = await rl.question(`${question} [y/N] `);
            return /^y(es)?$/i.test(answer.trim());
          } finally {
            rl.close();
          }
        }
      : undefined,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`ppkg: unexpected error (please report it): ${unexpectedMessage(err)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
