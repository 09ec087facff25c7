/**
 * `ppkg textconv <file.ppkg>`: the inspect text, for git. With
 *
 *   .gitattributes:  *.ppkg diff=ppkg
 *   git config diff.ppkg.textconv "npx ppkg textconv"
 *
 * `git diff` and `git log -p` show what changed in a package as readable
 * lines. Secrets stay masked (their fingerprints still show a change). The
 * text names no temporary path: git passes one, and it would differ on
 * each side.
 */
import * as path from 'node:path';
import { renderInspectText } from '../../inspect';
import { parseCommandArgs, usageOf } from '../args';
import { CliError, EXIT_OK, type CliIO } from '../io';
import { readPackageForCli } from './inspect';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('textconv', args);
  if (parsed.positionals.length !== 1) throw new CliError(`Name one package (.ppkg).\n${usageOf('textconv')}`);
  const input = path.resolve(io.cwd, parsed.positionals[0]!);
  const shown = path.relative(io.cwd, input) || input;
  const result = await readPackageForCli(input, shown);
  io.stdout(renderInspectText(result.model));
  return EXIT_OK;
}
