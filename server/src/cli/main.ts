import { COMMANDS } from './commands';
import { CliError, EXIT_USAGE, type CliIO } from './io';

function usage(): string {
  const lines = ['Usage: ppkg <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'Run `ppkg <command> --help` for the options of a command.');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${PPKG_VERSION}\n`);
    return 0;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`ppkg: unknown command '${name}'.\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}.\n`);
    return 0;
  }
  try {
    const runner = await command.load();
    return await runner(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`ppkg ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    // An unexpected failure is a bug, but it must still end cleanly: report
    // the message (never an object dump that could hold a secret) and exit 2.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`ppkg ${name}: internal error: ${message}\n`);
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
