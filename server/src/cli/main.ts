import { didYouMean } from './args';
import { LOADERS } from './commands';
import { commandHelp, topLevelHelp } from './help';
import { CliError, EXIT_USAGE, type CliIO } from './io';
import { COMMANDS, isCommandName } from './registry';
import { describeFileError, errnoCode } from '../package/build/fileErrors';

function closestCommand(name: string): string | undefined {
  const s = didYouMean(name, Object.keys(COMMANDS).map((n) => ({ name: n, description: '' })));
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
    if (err instanceof CliError) {
      io.stderr(`ppkg ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    // An ordinary file problem that a command did not word itself: still in the admin's words.
    if (errnoCode(err) && typeof (err as NodeJS.ErrnoException).syscall === 'string') {
      const p = (err as NodeJS.ErrnoException).path;
      io.stderr(`ppkg ${name}: ${describeFileError(err, p ? `the file ${p}` : 'a file', (err as NodeJS.ErrnoException).syscall === 'open' || (err as NodeJS.ErrnoException).syscall === 'read' || (err as NodeJS.ErrnoException).syscall === 'stat' ? 'read' : 'write')}\n`);
      return EXIT_USAGE;
    }
    // An unexpected failure is a bug, but it must still end cleanly: report
    // the message (never an object dump that could hold a secret) and exit 2.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`ppkg ${name}: unexpected error (please report it): ${message}\n`);
    return EXIT_USAGE;
  }
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
          const readline = await import('node:readline/promises');
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
      process.stderr.write(`ppkg: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
