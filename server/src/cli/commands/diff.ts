/**
 * `ppkg diff <a> <b> [--format text|json]`: each side a .ppkg package or a
 * project file (told apart by the WIM magic, not the extension), compared
 * setting by setting. Exit 0 same, 1 different, 2 error.
 */
import * as path from 'node:path';
import { diffModels, inspectProjectFile, renderDiffText, type DiffSide } from '../../diff';
import { PpkgError } from '../../errors';
import type { InspectResult } from '../../inspect';
import { describeFileError } from '../../package/build/fileErrors';
import { parseCommandArgs, usageOf } from '../args';
import { CliError, EXIT_FINDINGS, EXIT_OK, type CliIO } from '../io';
import { isPackageFile } from '../../inspect';
import { readPackageForCli } from './inspect';

async function side(arg: string, io: CliIO): Promise<{ side: DiffSide; result: InspectResult }> {
  const file = path.resolve(io.cwd, arg);
  const shown = path.relative(io.cwd, file) || file;
  let pkg: boolean;
  try {
    pkg = await isPackageFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new CliError(`${shown} is a folder. Name a .ppkg package or a project file.`);
    throw new PpkgError('io', describeFileError(err, `the file ${shown}`, 'read'), { cause: err });
  }
  if (pkg) return { side: { label: shown, kind: 'package' }, result: await readPackageForCli(file, shown) };
  // A project that cannot be read or compiled is a ProjectReadError: exit 2 (the registry's projectErrorExit; 1 means "they differ").
  return { side: { label: shown, kind: 'project' }, result: await inspectProjectFile(file, shown, io.env) };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('diff', args);
  if (parsed.positionals.length !== 2) throw new CliError(`Name two files to compare: packages (.ppkg) or project files (.ppkg.json).\n${usageOf('diff')}`);
  const format = parsed.string('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new CliError(`--format takes text or json, not "${format}".\n${usageOf('diff')}`);
  const a = await side(parsed.positionals[0]!, io);
  const b = await side(parsed.positionals[1]!, io);
  const d = diffModels(a.result.model, b.result.model, { a: a.side, b: b.side });
  io.stdout(format === 'json' ? JSON.stringify(d, null, 2) + '\n' : renderDiffText(d));
  return d.same ? EXIT_OK : EXIT_FINDINGS;
}
