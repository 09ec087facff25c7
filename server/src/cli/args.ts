import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './io';
import { COMMANDS, type CommandName, type OptionSpec } from './registry';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The usage line of a command, from the one registry the help text also reads. */
export function usageOf(command: CommandName): string {
  return `Usage: ${COMMANDS[command].usage}\nRun \`ppkg ${command} --help\` for every option.`;
}

/** The parser's options for a command (and subcommand): the help's options, so the two never differ. */
export function parserOptions(command: CommandName, sub?: string): Options {
  const options: Options = {};
  for (const o of COMMANDS[command].options) {
    if (sub && o.sub && !o.sub.includes(sub)) continue;
    options[o.name] = { type: o.arg ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}) };
  }
  return options;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known option to `given` (`--ot` → `--out`), if any is close. */
export function didYouMean(given: string, options: OptionSpec[]): string | undefined {
  const bare = given.replace(/^-+/, '').split('=')[0]!.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const o of options) {
    const d = o.name.startsWith(bare) && bare.length >= 2 ? 0.5 : distance(bare, o.name);
    if (!best || d < best.d) best = { name: o.name, d };
  }
  if (!best) return undefined;
  return best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? `--${best.name}` : undefined;
}

/** Node's parse failure, in our words (main() puts `ppkg <command>:` in front). */
function parseFailure(err: unknown, sub: string | undefined, command: string, spec: OptionSpec[], usage: string): CliError {
  const e = err as Error & { code?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const where = sub ? ` for ppkg ${command} ${sub}` : '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const option = quoted.split(/\s/)[0] ?? quoted;
      const suggestion = didYouMean(option, spec);
      return new CliError(`There is no option ${option}${where}.${suggestion ? ` Did you mean ${suggestion}?` : ''}\n${usage}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const names = [...quoted.matchAll(/--([\w-]+)/g)].map((m) => m[1]!);
      const o = spec.find((x) => names.includes(x.name));
      if (o?.arg) return new CliError(`--${o.name} needs a value: --${o.name} ${o.arg}.\n${usage}`);
      if (o) return new CliError(`--${o.name} is a switch and takes no value.\n${usage}`);
      return new CliError(`An option is missing its value.\n${usage}`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new CliError(`This command takes no file or folder names (got "${quoted}").\n${usage}`);
    default:
      return new CliError(`The command line could not be read.\n${usage}`);
  }
}

export interface ParsedArgs {
  positionals: string[];
  /** A string option's value, or undefined when not given. */
  string(name: string): string | undefined;
  /** A switch: true when given. */
  flag(name: string): boolean;
}

/**
 * Parses a command's arguments strictly (unknown options are refused) with
 * the options its help lists, and turns a parse failure into an admin-facing
 * error with "did you mean" and the usage line.
 */
export function parseCommandArgs(command: CommandName, args: string[], options: { positionals?: boolean; sub?: string } = {}): ParsedArgs {
  const entry = COMMANDS[command];
  const sub = options.sub;
  const spec = entry.options.filter((o) => !sub || !o.sub || o.sub.includes(sub));
  let parsed;
  try {
    parsed = parseArgs({ args, options: parserOptions(command, sub), allowPositionals: options.positionals ?? true, strict: true });
  } catch (err) {
    throw parseFailure(err, sub, command, spec, usageOf(command));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return {
    positionals: parsed.positionals,
    string: (name) => (typeof values[name] === 'string' ? (values[name] as string) : undefined),
    flag: (name) => values[name] === true,
  };
}

/** The shared sign-in options (`--cloud`, `--client-id`, `--authority`, `--graph-endpoint`, `--device-code`). */
export function signInArgs(parsed: ParsedArgs): {
  cloud?: string;
  'client-id'?: string;
  authority?: string;
  'graph-endpoint'?: string;
  'device-code'?: boolean;
} {
  return {
    cloud: parsed.string('cloud'),
    'client-id': parsed.string('client-id'),
    authority: parsed.string('authority'),
    'graph-endpoint': parsed.string('graph-endpoint'),
    'device-code': parsed.flag('device-code'),
  };
}
