import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PpkgError } from '../../errors';
import { projectFileName, starterProject } from '../../model/starter';
import { describeFileError } from '../../package/build/fileErrors';
import { parseCommandArgs } from '../args';
import { CliError, EXIT_OK, type CliIO } from '../io';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('init', args);
  if (parsed.positionals.length > 1) throw new CliError('ppkg init takes at most one folder.');
  const dir = path.resolve(io.cwd, parsed.positionals[0] ?? '.');
  const name = (parsed.string('name') ?? 'Bulk Enrollment').trim();
  if (!name) throw new CliError('--name must not be empty.');
  const file = path.join(dir, projectFileName(name));
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new PpkgError('io', describeFileError(err, `the folder ${path.relative(io.cwd, dir) || dir}`, 'create'), { cause: err });
  }
  const text = starterProject({ name, id: randomUUID(), today: new Date() });
  try {
    // 'wx': never overwrite an existing project.
    await fs.writeFile(file, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new PpkgError('io', `${path.relative(io.cwd, file) || file} already exists; not overwriting it.`);
    throw new PpkgError('io', describeFileError(err, `the project file ${path.relative(io.cwd, file) || file}`, 'write'), { cause: err });
  }
  const shown = path.relative(io.cwd, file) || file;
  io.stdout(
    `Wrote ${shown}.\nNext: set the secrets (PPKG_SECRET_WIFI_KEY, PPKG_SECRET_LOCAL_ADMIN_PASSWORD), fetch the bulk token with \`ppkg token ${shown} --out <file>\`, then \`ppkg build ${shown}\`.\n`,
  );
  return EXIT_OK;
}
