/**
 * `ppkg import <customizations.xml | file.ppkg>`: a WCD project's
 * customizations.xml becomes a project file; a package becomes a project
 * with its files and secrets beside it (import/packageFile.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PpkgError } from '../../errors';
import { ImportError, importCustomizations, MAX_IMPORT_CHARS } from '../../import/customizations';
import { importPackageFile } from '../../import/packageFile';
import { isPackageFile } from '../../inspect';
import { projectFileName } from '../../model/starter';
import { describeFileError } from '../../package/build/fileErrors';
import { parseCommandArgs, usageOf, type ParsedArgs } from '../args';
import { CliError, EXIT_OK, type CliIO } from '../io';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('import', args);
  if (parsed.positionals.length !== 1) throw new CliError(`Name one customizations.xml or one package (.ppkg).\n${usageOf('import')}`);
  const input = path.resolve(io.cwd, parsed.positionals[0]!);
  const shownInput = path.relative(io.cwd, input) || input;
  // A package is told by its WIM magic, whatever its name.
  let pkg = false;
  try {
    pkg = (await fs.stat(input)).isFile() && (await isPackageFile(input));
  } catch {
    // Reported below, in the admin's words.
  }
  if (pkg) return importPackageCommand(input, shownInput, parsed, io);
  let bytes: Buffer;
  try {
    const st = await fs.stat(input);
    if (!st.isFile()) throw new CliError(`${shownInput} is not a file.`);
    if (st.size > MAX_IMPORT_CHARS * 4)
      throw new CliError(`${shownInput} has ${st.size} bytes; a customizations.xml is a few kilobytes. Is this the right file?`);
    bytes = await fs.readFile(input);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new PpkgError('io', describeFileError(err, `the customizations.xml ${shownInput}`, 'read'), { cause: err });
  }
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new PpkgError('io', `${shownInput} is not UTF-8 (or UTF-16 with a byte order mark); save it as UTF-8.`);
    }
  }
  let result;
  try {
    result = importCustomizations(text);
  } catch (err) {
    // Settings that cannot be imported: a `project` error (exit 1), named after the file.
    if (err instanceof ImportError) throw new ImportError(`${shownInput}: ${err.message}`, { cause: err });
    throw err;
  }
  let out: string;
  const outArg = parsed.string('out');
  if (outArg !== undefined) out = path.resolve(io.cwd, outArg);
  else {
    out = path.join(path.dirname(input), projectFileName(result.packageName));
  }
  const shownOut = path.relative(io.cwd, out) || out;
  try {
    await fs.mkdir(path.dirname(out), { recursive: true });
    // 'wx': never overwrite an existing project unless --force.
    await fs.writeFile(out, result.projectText, { flag: parsed.flag('force') ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new PpkgError('io', `${shownOut} already exists; not overwriting it (use --force, or --out <another file>).`);
    throw new PpkgError('io', describeFileError(err, `the project file ${shownOut}`, 'write'), { cause: err });
  }
  for (const w of result.warnings) io.stderr(`ppkg import: warning: ${w}\n`);
  io.stdout(
    `Wrote ${shownOut}.\nNext: ${result.secrets.length ? `set the secrets (${result.secrets.join(', ')}), ` : ''}ppkg validate ${shownOut}, then ppkg build ${shownOut}.\n`,
  );
  return EXIT_OK;
}

/** `ppkg import <file.ppkg>` (import/packageFile.ts). */
async function importPackageCommand(input: string, shownInput: string, parsed: ParsedArgs, io: CliIO): Promise<number> {
  const outArg = parsed.string('out');
  await importPackageFile(input, shownInput, outArg !== undefined ? path.resolve(io.cwd, outArg) : undefined, parsed.flag('force'), io);
  return EXIT_OK;
}
