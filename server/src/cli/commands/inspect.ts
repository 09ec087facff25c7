/**
 * `ppkg inspect <file.ppkg> [--format text|json] [--show-secrets]`: what a
 * package does — image properties, every compiled setting as its WCD
 * setting, users, commands in execution order, shipped files with SHA-256,
 * certificates and a risk summary. Secret values are masked unless
 * --show-secrets. The JSON output is documented in docs/inspect.md.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isPpkgError, PpkgError } from '../../errors';
import { inspectPackage, renderInspectText, unreadablePackage, type InspectResult } from '../../inspect';
import { describeFileError } from '../../package/build/fileErrors';
import { parseCommandArgs, usageOf } from '../args';
import { CliError, EXIT_OK, type CliIO } from '../io';

/** Reads a package for a command: every failure is a PpkgError in the admin's words (exit 2). */
export async function readPackageForCli(file: string, shown: string, options: { showSecrets?: boolean } = {}): Promise<InspectResult> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new CliError(`${shown} is not a file. Name a .ppkg provisioning package.`);
    return await inspectPackage(file, { secrets: { show: options.showSecrets === true } });
  } catch (err) {
    const unreadable = unreadablePackage(err, shown);
    if (unreadable) throw unreadable;
    if (isPpkgError(err)) throw err;
    if ((err as NodeJS.ErrnoException).code) throw new PpkgError('io', describeFileError(err, `the package ${shown}`, 'read'), { cause: err });
    throw err;
  }
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('inspect', args);
  if (parsed.positionals.length !== 1) throw new CliError(`Name one package (.ppkg).\n${usageOf('inspect')}`);
  const format = parsed.string('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new CliError(`--format takes text or json, not "${format}".\n${usageOf('inspect')}`);
  const input = path.resolve(io.cwd, parsed.positionals[0]!);
  const shown = path.relative(io.cwd, input) || input;
  const showSecrets = parsed.flag('show-secrets');
  const result = await readPackageForCli(input, shown, { showSecrets });
  if (showSecrets)
    io.stderr(
      'ppkg inspect: warning: --show-secrets prints the bulk token and passwords in clear text. Do not paste this output into a ticket or commit it.\n',
    );
  if (format === 'json') io.stdout(JSON.stringify(result.model, null, 2) + '\n');
  else io.stdout(renderInspectText(result.model, shown));
  return EXIT_OK;
}
