import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ImportError, importCustomizations, MAX_IMPORT_CHARS } from '../../import/customizations';
import { projectFileName } from '../../model/starter';
import { describeFileError } from '../../package/build/fileErrors';
import { parseCommandArgs, usageOf } from '../args';
import { CliError, EXIT_FINDINGS, EXIT_OK, type CliIO } from '../io';


export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('import', args);
  if (parsed.positionals.length !== 1) throw new CliError(`Name one customizations.xml.\n${usageOf('import')}`);
  const input = path.resolve(io.cwd, parsed.positionals[0]!);
  const shownInput = path.relative(io.cwd, input) || input;
  let bytes: Buffer;
  try {
    const st = await fs.stat(input);
    if (!st.isFile()) throw new CliError(`${shownInput} is not a file.`);
    if (st.size > MAX_IMPORT_CHARS * 4) throw new CliError(`${shownInput} has ${st.size} bytes; a customizations.xml is a few kilobytes. Is this the right file?`);
    bytes = await fs.readFile(input);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(describeFileError(err, `the customizations.xml ${shownInput}`, 'read'));
  }
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CliError(`${shownInput} is not UTF-8 (or UTF-16 with a byte order mark); save it as UTF-8.`);
    }
  }
  let result;
  try {
    result = importCustomizations(text);
  } catch (err) {
    if (err instanceof ImportError) {
      io.stderr(`ppkg import: ${shownInput}: ${err.message}\n`);
      return EXIT_FINDINGS;
    }
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
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${shownOut} already exists; not overwriting it (use --force, or --out <another file>).`);
    throw new CliError(describeFileError(err, `the project file ${shownOut}`, 'write'));
  }
  for (const w of result.warnings) io.stderr(`ppkg import: warning: ${w}\n`);
  io.stdout(`Wrote ${shownOut}.\nNext: ${result.secrets.length ? `set the secrets (${result.secrets.join(', ')}), ` : ''}ppkg validate ${shownOut}, then ppkg build ${shownOut}.\n`);
  return EXIT_OK;
}
