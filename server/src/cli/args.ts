import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMANDS } from './commands';
import { CliError } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The usage line of a command, from the one registry the help text also reads. */
export function usageOf(command: keyof typeof COMMANDS): string {
  return `Usage: ${COMMANDS[command].usage}`;
}

/**
 * Parses a command's arguments strictly (unknown options are refused) and
 * turns a parse failure into an admin-facing error with the usage line.
 */
export function parseCommandArgs<T extends Options>(command: keyof typeof COMMANDS, args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${usageOf(command)}`);
  }
}
