import * as path from 'node:path';
import { PpkgError } from '../../errors';
import { environmentSecrets } from '../../model/secrets';
import { BuildError, buildProject } from '../../package/build';
import type { PpkgDiagnostic } from '../../validation/diagnostic';
import { parseCommandArgs, usageOf } from '../args';
import { CliError, EXIT_OK, type CliIO } from '../io';
import { formatDiagnosticLine } from '../format/text';

const line = (file: string, d: PpkgDiagnostic) => formatDiagnosticLine(file, d) + '\n';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('build', args);
  if (parsed.positionals.length !== 1) throw new CliError(`Name one project file.\n${usageOf('build')}`);
  const backend = parsed.string('backend') ?? 'native';
  if (backend !== 'native' && backend !== 'icd') throw new CliError(`--backend must be native or icd, not "${backend}".`);
  const outArg = parsed.string('out');
  const projectPath = path.resolve(io.cwd, parsed.positionals[0]!);
  const shown = path.relative(io.cwd, projectPath) || projectPath;
  const rel = (p: string) => path.relative(io.cwd, p) || p;
  const outDir = outArg !== undefined ? path.resolve(io.cwd, outArg) : undefined;
  // Messages name the output folder as the admin wrote it.
  const inWords = (message: string) => (outDir && outArg !== undefined ? message.split(outDir).join(outArg.replace(/[\\/]+$/, '') || '.') : message);

  let result;
  try {
    result = await buildProject({
      projectPath,
      outDir,
      backend,
      secrets: environmentSecrets(io.env),
      signal: io.signal,
      icdPath: parsed.string('icd-path'),
    });
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    // Located findings read like a compiler; main() prints the rest and exits by the category.
    for (const d of err.diagnostics) io.stderr(line(shown, d));
    const message = err.diagnostics.length ? `${shown} was not built.` : inWords(err.message);
    throw new PpkgError(err.category, message, { code: err.code, advice: err.advice, cause: err });
  }
  for (const w of result.warnings) io.stderr(line(shown, w));
  if (!parsed.flag('quiet')) {
    io.stdout(
      [
        `Built ${rel(result.packagePath)}`,
        `  customizations.xml: ${rel(result.customizationsPath)}`,
        `  build report:       ${rel(result.reportPath)}`,
        ...(result.icdLogPath ? [`  ICD log:            ${rel(result.icdLogPath)} (holds the package password when encrypting)`] : []),
        'These files hold the bulk token and passwords in clear text: keep them out of git (the folder has a .gitignore) and delete them after use.',
      ].join('\n') + '\n',
    );
  }
  return EXIT_OK;
}
