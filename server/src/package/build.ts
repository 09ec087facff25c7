/**
 * buildProject: a project file → `<out>/<name>.ppkg`, `<out>/customizations.xml`,
 * `<out>/build-report.json`, `<out>/.gitignore` and ppkg's marker
 * `<out>/.ppkg-output`.
 *
 * Default output folder: `<project folder>/ppkg-out/<project file name
 * without .ppkg.json>`. The build writes only into a folder it owns
 * (outputFolder.ts): one it creates, or one holding its marker; any other
 * existing folder with files is refused before anything is written.
 *
 * Stages (server/src/package/build/): validate; backend; output folder
 * (inspected, read-only); resolve secrets (secrets.ts); re-check and hash the
 * inputs once, certificates opened with their password (inputs.ts); compile;
 * write (native.ts: temp file, self-check, rename; or icdBackend.ts); report.
 * Nothing is written before every refusal has had its chance; nothing is
 * ever written outside the output folder; every file is replaced atomically
 * (atomicWrite.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compileProject, CompileError, type CompileResult } from '../compile';
import { PpkgError } from '../errors';
import { PackageCheckError } from './verify';
import type { ProjectDocument } from '../model/parse';
import type { Project } from '../model/project';
import type { SecretResolver } from '../model/secrets';
import { compareDiagnostics, type PpkgDiagnostic } from '../validation/diagnostic';
import { validateFile } from '../validation/validateFile';
import { atomicWriteFile, cleanStaleTemps, TEMP_PREFIX } from '../fs/atomicWrite';
import { describeFileError, errnoCode, fileProblemReason } from './build/fileErrors';
import { buildWithIcd } from './build/icdBackend';
import { hashInputs } from './build/inputs';
import { compileDiagnostics, locator } from './build/locate';
import { writeNativePackage } from './build/native';
import { resolveSecrets, StageError } from './build/secrets';
import { claimOutputFolder, GITIGNORE_TEXT, inspectOutputFolder, OutputFolderError } from './outputFolder';
import { buildReport } from './report';

export interface BuildOptions {
  projectPath: string;
  /** Default: `<project dir>/ppkg-out/<project base name>` (the file name without `.ppkg.json`). */
  outDir?: string;
  backend?: 'native' | 'icd';
  secrets: SecretResolver;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (message: string, fraction?: number) => void;
  /** ICD.exe, when it is not where the ADK installs it. */
  icdPath?: string;
}

export interface BuildResult {
  packagePath: string;
  customizationsPath: string;
  reportPath: string;
  warnings: PpkgDiagnostic[];
  /** ICD backend: ICD's output (holds the package password when encrypting). */
  icdLogPath?: string;
}

export type BuildErrorKind = 'project' | 'io' | 'tool' | 'cancelled';

/**
 * A build that did not happen. `diagnostics` carry ranges on the project file
 * for the editor; `kind` is the category: 'project' (fix the project: exit 1
 * in the CLI), 'io' / 'tool' (cannot read or write, ICD missing or failing:
 * exit 2) or 'cancelled'.
 */
export class BuildError extends PpkgError {
  constructor(message: string, diagnostics: readonly PpkgDiagnostic[], kind: BuildErrorKind = 'project') {
    super(kind, message, { diagnostics });
    this.name = 'BuildError';
  }
  get kind(): BuildErrorKind {
    return this.category as BuildErrorKind;
  }
}

export function defaultOutDir(projectPath: string): string {
  const abs = path.resolve(projectPath);
  const base =
    path
      .basename(abs)
      .replace(/\.ppkg\.json$/i, '')
      .replace(/\.jsonc?$/i, '') || 'project';
  return path.join(path.dirname(abs), 'ppkg-out', base);
}

/** The package file name: the project name with characters Windows forbids in file names replaced. */
export function packageFileName(name: string): string {
  let s = name
    .replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_')
    .replace(/[. ]+$/, '')
    .trim();
  if (!s || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(s)) s = `package${s ? '-' + s : ''}`;
  return `${s}.ppkg`;
}

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  try {
    return await build(options);
  } catch (err) {
    if (err instanceof BuildError) throw err;
    if (err instanceof StageError) throw new BuildError(err.message, err.diagnostics, err.kind);
    if (err instanceof OutputFolderError) throw new BuildError(err.message, [], 'io');
    throw err;
  }
}

async function build(options: BuildOptions): Promise<BuildResult> {
  const progress = options.onProgress ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const backend = options.backend ?? 'native';
  const projectPath = path.resolve(options.projectPath);
  const cancelled = () => new BuildError('The build was cancelled; the previous package is unchanged.', [], 'cancelled');
  const checkAbort = () => {
    if (options.signal?.aborted) throw cancelled();
  };

  // 1. Validate: any error refuses the build (this covers an expired token, PPKG011).
  progress('Validating the project', 0);
  let validation;
  try {
    // The backend decides what is an error: settings only ICD compiles (PPKG113) refuse a native build only.
    validation = await validateFile(projectPath, { now, projectPath, backend: backend === 'icd' ? 'icd' : 'native' });
  } catch (err) {
    const reason =
      errnoCode(err) === 'ENOENT'
        ? 'it does not exist. Check the path'
        : errnoCode(err)
          ? fileProblemReason(err)
          : 'it is not a file. Name a *.ppkg.json project file';
    throw new BuildError(`Cannot read the project file ${projectPath}: ${reason.replace(/\.$/, '')}.`, [], 'io');
  }
  const errors = validation.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !validation.doc) {
    throw new BuildError(
      `The project has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} and build again.`,
      errors.length ? errors : validation.diagnostics,
    );
  }
  const doc: ProjectDocument = validation.doc;
  const project = doc.value as Project;
  const warnings: PpkgDiagnostic[] = validation.diagnostics.filter((d) => d.severity !== 'error');
  const { diag } = locator(doc);

  // 2. Backend.
  if (backend !== 'native' && backend !== 'icd') throw new BuildError(`Unknown backend "${String(backend)}"; use native or icd.`, [], 'tool');
  if (project.protection?.encrypt && backend === 'native') {
    const d = diag(
      ['protection', 'encrypt'],
      'PPKG090',
      'Only ICD can encrypt a package; the native backend cannot. Build on Windows with the ICD backend (ppkg build --backend icd), or set protection.encrypt to false.',
    );
    throw new BuildError(d.message, [d]);
  }
  if (backend === 'icd' && process.platform !== 'win32') {
    throw new BuildError(
      `The ICD backend runs only on Windows (ICD.exe is part of the Windows ADK); this machine runs ${process.platform}. Use the native backend (the default), or build on Windows.`,
      [],
      'tool',
    );
  }

  // 3. The output folder: refused now, read-only, if it is not ppkg's.
  const outDir = path.resolve(options.outDir ?? defaultOutDir(projectPath));
  await inspectOutputFolder(outDir);

  // 4. Secrets: every reference must resolve; the message names it and says how to set it.
  progress('Resolving secrets', 0.05);
  const secrets = await resolveSecrets(project, options.secrets, diag);
  checkAbort();

  // 5. Files, re-checked on disk and hashed once; certificates opened with their password.
  progress('Reading the installers and certificates', 0.1);
  let hashed;
  try {
    hashed = await hashInputs({ project, projectPath, secrets: secrets.values, diag, signal: options.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError' || options.signal?.aborted) throw cancelled();
    throw err;
  }
  checkAbort();

  // 6. Compile.
  progress('Compiling customizations.xml and the runtime payload', 0.2);
  const packagePath = path.join(outDir, packageFileName(project.name));
  const customizationsPath = path.join(outDir, 'customizations.xml');
  const reportPath = path.join(outDir, 'build-report.json');
  let compiled: CompileResult;
  try {
    compiled = compileProject(
      project,
      secrets.values,
      {
        files: hashed.files,
        // ICD reads the files itself: it needs absolute paths.
        customizationsPath: backend === 'icd' ? (p) => path.win32.resolve(hashed.realProjectDir, p) : undefined,
      },
      { target: backend === 'icd' ? 'customizations' : 'package' },
    );
  } catch (err) {
    if (err instanceof CompileError) {
      const ds = compileDiagnostics(err, diag);
      throw new BuildError(ds.map((d) => d.message).join('\n'), ds);
    }
    throw err;
  }
  for (const w of compiled.warnings) warnings.push(diag(w.path, w.code, w.message, 'warning'));
  warnings.sort(compareDiagnostics);
  checkAbort();

  // 7. Write. Only inside outDir, which the build now claims; each file atomically.
  await claimOutputFolder(outDir);
  await cleanStaleTemps(outDir);
  let icdLogPath: string | undefined;
  const writing = async <T>(file: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      if (err instanceof StageError || err instanceof BuildError) throw err;
      if ((err as Error).name === 'AbortError' || options.signal?.aborted) throw cancelled();
      if (err instanceof PackageCheckError) throw new BuildError(err.message, [], 'tool');
      throw new BuildError(`${writeFailure(err, file)} The previous package is unchanged.`, [], 'io');
    }
  };
  await writing(path.join(outDir, '.gitignore'), () => atomicWriteFile(path.join(outDir, '.gitignore'), GITIGNORE_TEXT));
  await writing(customizationsPath, () => atomicWriteFile(customizationsPath, compiled.customizationsXml));
  checkAbort();
  if (backend === 'native') {
    progress('Writing the package', 0.25);
    await writing(packagePath, () => writeNativePackage({ packagePath, compiled, signal: options.signal, progress }));
  } else {
    icdLogPath = path.join(outDir, 'icd.log');
    const logPath = icdLogPath;
    await writing(packagePath, () =>
      buildWithIcd({
        icdPath: options.icdPath,
        signal: options.signal,
        outDir,
        customizationsPath,
        packagePath,
        icdLogPath: logPath,
        encrypt: project.protection?.encrypt === true,
        progress,
      }),
    );
  }

  // 8. The report: inputs with hashes, warnings, backend; never a secret value.
  progress('Writing the build report', 0.98);
  await writing(reportPath, async () => {
    const packageSize = (await fs.stat(packagePath)).size;
    const report = buildReport({
      builtAt: now(),
      backend,
      projectPath,
      outDir,
      projectText: validation.text ?? '',
      project,
      inputs: hashed.inputs,
      secrets: secrets.names,
      warnings,
      outputs: [
        { path: path.basename(packagePath), size: packageSize },
        { path: 'customizations.xml', size: compiled.customizationsXml.length },
        ...(icdLogPath ? [{ path: 'icd.log', size: (await fs.stat(icdLogPath)).size }] : []),
      ],
      packageEntries: backend === 'native' ? compiled.entries.map((e) => e.path).sort() : undefined,
      imageProperties: backend === 'native' ? compiled.imageProperties : undefined,
    });
    await atomicWriteFile(reportPath, JSON.stringify(report, null, 2) + '\n');
  });
  progress('Done', 1);
  return { packagePath, customizationsPath, reportPath, warnings, ...(icdLogPath ? { icdLogPath } : {}) };
}

/**
 * A failure while writing, in the admin's words: the file it concerns (never
 * a temporary name), or the input that vanished or changed during the build.
 */
function writeFailure(err: unknown, file: string): string {
  const e = err as NodeJS.ErrnoException & { cause?: unknown };
  const message = e?.message ?? String(err);
  // The WIM writer names the input it was copying: 'WIM source file '<path>' (image path …)'.
  const source = /WIM source file '([^']+)'/.exec(message)?.[1];
  if (source) {
    const how = /vanished|no longer exists/.test(message) ? 'vanished' : /size|changed|grew|shrank/i.test(message) ? 'changed' : undefined;
    return `The file ${source} ${how ? `${how} while the package was being written` : `could not be read while the package was being written (${fileProblemReason(e.cause)})`}. Leave the project's files alone during a build, then build again.`;
  }
  if (errnoCode(err) && typeof e.syscall === 'string') {
    if (typeof e.path === 'string' && !e.path.includes(TEMP_PREFIX) && path.dirname(e.path) !== path.dirname(file)) {
      return `${describeFileError(err, `the file ${e.path}`, 'read')}`;
    }
    return describeFileError(err, file, 'write');
  }
  return `The build failed while writing ${file}: ${message.split(TEMP_PREFIX).join('').replace(/\.$/, '')}.`;
}
