/** `ppkg --help`, `ppkg <command> --help` and `ppkg help <command>`: from the one command registry. */
import { COMMANDS, type CommandName, type CommandSpec, type OptionSpec } from './registry';

export function topLevelHelp(): string {
  const lines = ['Usage: ppkg <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push(`  ${'help'.padEnd(10)} Show the options of a command: ppkg help <command>`);
  lines.push('', 'Options:', '  --help, -h      Show this help (ppkg <command> --help: the options of a command)', '  --version, -v   Print the ppkg version');
  lines.push('', 'Exit codes: 0 success, 1 the project or tenant has a problem, 2 usage error or the command could not run.');
  lines.push('Run `ppkg <command> --help` (or `ppkg help <command>`) for the options, environment variables, exit codes and examples of a command.');
  return lines.join('\n') + '\n';
}

function optionLine(o: OptionSpec): string {
  return `--${o.name}${o.arg ? ` ${o.arg}` : ''}${o.short ? `, -${o.short}${o.arg ? ` ${o.arg}` : ''}` : ''}`;
}

function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

export function commandHelp(name: CommandName, c: CommandSpec = COMMANDS[name]): string {
  const out: string[] = [`Usage: ${c.usage}`, '', `${c.summary}.`, '', 'Options:'];
  for (const o of c.options) {
    out.push(`  ${optionLine(o)}`);
    const detail = `${o.description}${o.default !== undefined ? ` Default: ${o.default}.` : ''}`;
    out.push(`      ${wrap(detail, 84, '      ').join('\n')}`);
  }
  out.push('  --help, -h', '      Show this help.');
  if (c.env?.length) {
    out.push('', 'Environment:');
    for (const e of c.env) out.push(`  ${e.name}`, `      ${wrap(e.description, 84, '      ').join('\n')}`);
  }
  out.push('', 'Exit codes:');
  for (const x of c.exitCodes) out.push(`  ${x.code}  ${x.meaning}`);
  out.push('', 'Examples:');
  for (const e of c.examples) out.push(`  ${e.command}`, `      ${e.description}`);
  return out.join('\n') + '\n';
}
