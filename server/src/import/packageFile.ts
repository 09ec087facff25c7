/**
 * Importing a package as a project (`ppkg import <file.ppkg>`, VS Code's
 * **ppkg: Import as Project**): the project file, the shipped files beside it
 * and the secrets in a new 0600 file. Everything goes into the project's
 * folder; nothing there that this run did not create is replaced (the
 * project file only when `force`); on any failure what this run created is
 * removed again. What it says goes to `io`: the CLI prints it, the editor
 * shows it.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { diffModels, inspectProjectFile, ProjectReadError } from '../diff';
import { isPpkgError, PpkgError } from '../errors';
import { hashFile, unreadablePackage, type FileDigest } from '../inspect';
import { secretEnvVar } from '../model/secrets';
import { projectFileName } from '../model/starter';
import { describeFileError } from '../package/build/fileErrors';
import { openWim, type WimArchive } from '../package/wim/read';
import { ImportError } from './customizations';
import { planPackageImport, secretsFileText, stageAssets, stagingName, type ExtractedFile } from './fromPackage';

/** Where an import reports progress and notes, and what cancels it. */
export interface ImportIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Paths are shown relative to this folder. */
  cwd: string;
  signal?: AbortSignal;
}

/** Imports a package (also used by VS Code's **ppkg: Import as Project**); `out` defaults to `<package name>.ppkg.json` next to it. */
export async function importPackageFile(input: string, shownInput: string, outPath: string | undefined, force: boolean, io: ImportIO): Promise<void> {
  let wim: WimArchive;
  try {
    wim = await openWim(input);
  } catch (err) {
    throw unreadablePackage(err, shownInput) ?? new PpkgError('io', describeFileError(err, `the package ${shownInput}`, 'read'), { cause: err });
  }
  try {
    const name = wim.imageProperties.find(([k]) => k === 'NAME')?.[1] || 'Imported package';
    const out = outPath ?? path.join(path.dirname(input), projectFileName(name));
    const shownOut = path.relative(io.cwd, out) || out;
    const outDir = path.dirname(out);
    if (!force && (await existing(out)) !== 'none')
      throw new PpkgError('io', `${shownOut} already exists; not overwriting it (use --force, or --out <another file>).`);
    const secretsFile = path.join(
      outDir,
      `${path
        .basename(out)
        .replace(/\.ppkg\.json$/i, '')
        .replace(/\.jsonc?$/i, '')}.secrets.env`,
    );
    const shownSecrets = path.relative(io.cwd, secretsFile) || secretsFile;
    try {
      await fs.mkdir(outDir, { recursive: true });
    } catch (err) {
      throw new PpkgError('io', describeFileError(err, `the folder ${path.relative(io.cwd, outDir) || outDir}`, 'create'), { cause: err });
    }
    const staging = path.join(outDir, stagingName());
    const created: string[] = [];
    const createdDirs: string[] = [];
    let done = false;
    try {
      await fs.mkdir(staging, { mode: 0o700 });
      const staged = stageAssets(wim, staging, io.signal);
      let plan;
      try {
        plan = await planPackageImport(wim, staged);
      } finally {
        // No write may still be running in the staging folder when it is used or removed.
        await staged.settled;
      }

      // Check every name before writing any.
      const keep = new Set<string>();
      for (const f of plan.files) {
        const abs = path.join(outDir, ...f.rel.split('/'));
        // A folder on the way that is a link could lead outside the output folder: refused.
        for (let dir = path.dirname(abs); dir !== outDir; dir = path.dirname(dir)) {
          const st = await fs.lstat(dir).catch(() => undefined);
          if (st && (st.isSymbolicLink() || !st.isDirectory())) {
            throw new PpkgError(
              'io',
              `${path.relative(io.cwd, dir) || dir} is a link or a file, not a folder; ppkg import writes only into real folders below ${path.relative(io.cwd, outDir) || outDir}. Move it away, or import into another folder (--out).`,
            );
          }
        }
        if ((await existing(abs)) === 'none') continue;
        if (await sameContent(abs, f)) keep.add(f.rel);
        else
          throw new PpkgError(
            'io',
            `${path.relative(io.cwd, abs) || abs} already exists with other content; ppkg import does not replace files it did not create. Move it away, or import into another folder (--out).`,
          );
      }
      if (plan.secretValues.size && (await existing(secretsFile)) !== 'none') {
        throw new PpkgError(
          'io',
          `${shownSecrets} already exists (it may hold secrets of an earlier import); not replacing it. Move it away or delete it, then import again.`,
        );
      }

      const digests = new Map<string, FileDigest>();
      for (const f of plan.files) {
        const abs = path.join(outDir, ...f.rel.split('/'));
        digests.set(abs, { size: f.size, sha256: f.sha256 });
        if (keep.has(f.rel)) continue;
        let dir = path.dirname(abs);
        const newDirs: string[] = [];
        while (dir !== outDir && (await existing(dir)) === 'none') {
          newDirs.unshift(dir);
          dir = path.dirname(dir);
        }
        for (const d of newDirs) {
          await fs.mkdir(d);
          createdDirs.unshift(d);
        }
        if ('staged' in f.from) {
          // A hard link never replaces an existing name; a copy with COPYFILE_EXCL where links are not possible.
          try {
            await fs.link(f.from.staged, abs);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
            await fs.copyFile(f.from.staged, abs, fsConstants.COPYFILE_EXCL);
          }
        } else await fs.writeFile(abs, f.from.data, { flag: 'wx' });
        created.push(abs);
      }
      if (plan.secretValues.size) {
        await fs.writeFile(secretsFile, secretsFileText(plan.secretValues, secretEnvVar), { flag: 'wx', mode: 0o600 });
        created.push(secretsFile);
      }
      await fs.writeFile(out, plan.projectText, { flag: force ? 'w' : 'wx' });
      done = true;

      for (const w of plan.warnings) io.stderr(`ppkg import: warning: ${w}\n`);
      // The imported project must build the same package: compile it and compare.
      const env: Record<string, string> = {};
      for (const [k, v] of plan.secretValues) env[secretEnvVar(k)] = v;
      try {
        const rebuilt = await inspectProjectFile(out, shownOut, env, digests);
        const d = diffModels(plan.inspected.model, rebuilt.model, { a: { label: shownInput, kind: 'package' }, b: { label: shownOut, kind: 'project' } });
        const n = d.image.length + d.settings.length + d.files.length;
        if (!d.same) {
          // Say where the differences are: a package whose image properties were not written by ICD (a WIM
          // captured by another tool) differs only there, and its customizations.xml is not to blame.
          const why =
            d.settings.length + d.files.length === 0
              ? ` (only package properties: ${d.image.map((c) => c.property).join(', ')})`
              : plan.fromCustomizationsXml
                ? " (the package's customizations.xml does not match its compiled settings)"
                : '';
          io.stderr(
            `ppkg import: warning: building ${shownOut} would not give the same package: ${n} difference${n === 1 ? '' : 's'}${why}. See ppkg diff ${JSON.stringify(shownInput)} ${JSON.stringify(shownOut)}.\n`,
          );
        }
      } catch (err) {
        if (!(err instanceof ProjectReadError)) throw err;
        io.stderr(`ppkg import: warning: ${err.message}\n`);
      }
      const folders = [...new Set(plan.files.map((f) => f.rel.split('/')[0]))];
      io.stdout(
        `Wrote ${shownOut}${plan.files.length ? ` and ${plan.files.length} file${plan.files.length === 1 ? '' : 's'} (${folders.map((f) => `${f}/`).join(', ')})` : ''}, from ${plan.fromCustomizationsXml ? "the package's customizations.xml" : "the package's compiled settings"}.\n`,
      );
      if (plan.secretValues.size) {
        io.stdout(
          `The secrets (${plan.secrets.join(', ')}) are in ${shownSecrets} (readable by you only). It holds the bulk token and passwords in clear text: never commit it. Load it with: set -a; . ${JSON.stringify(shownSecrets)}; set +a\n`,
        );
      }
      io.stdout(`Next: ppkg validate ${JSON.stringify(shownOut)}, then ppkg build ${JSON.stringify(shownOut)}.\n`);
      return;
    } catch (err) {
      if (!done) {
        for (const f of created.reverse()) await fs.rm(f, { force: true }).catch(() => undefined);
        for (const d of createdDirs) await fs.rmdir(d).catch(() => undefined);
      }
      // Settings of the package that have no place in a project: the package cannot be imported (a `tool` error, exit 2).
      if (err instanceof ImportError) throw new PpkgError('tool', `${shownInput}: ${err.message}`, { cause: err });
      const unreadable = unreadablePackage(err, shownInput);
      if (unreadable) throw unreadable;
      if (isPpkgError(err)) throw err;
      if ((err as Error).name === 'AbortError') throw err;
      if ((err as NodeJS.ErrnoException).code)
        throw new PpkgError('io', describeFileError(err, `a file in ${path.relative(io.cwd, outDir) || outDir}`, 'write'), { cause: err });
      throw err;
    } finally {
      await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  } finally {
    await wim.close();
  }
}

/** Whether something is at that path (a file, folder or link). */
async function existing(abs: string): Promise<'none' | 'other'> {
  try {
    await fs.lstat(abs);
    return 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

async function sameContent(abs: string, f: ExtractedFile): Promise<boolean> {
  try {
    const st = await fs.lstat(abs);
    if (!st.isFile() || st.size !== f.size) return false;
    return (await hashFile(abs)).sha256 === f.sha256;
  } catch {
    return false;
  }
}
