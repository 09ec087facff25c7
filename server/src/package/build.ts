/**
 * buildProject: a project file → `<out>/<name>.ppkg`, `<out>/customizations.xml`,
 * `<out>/build-report.json` and `<out>/.gitignore`.
 *
 * Default output folder: `<project folder>/ppkg-out/<project file name
 * without .ppkg.json>` (git-ignored for the examples by `examples/**\/ppkg-out/`;
 * the `.gitignore` written into it ignores everything anyway, because the
 * outputs hold the bulk token and passwords).
 *
 * Order of refusals: validation errors (including an expired token),
 * backend (encryption needs ICD; ICD needs Windows), missing secrets, the
 * resolved Wi-Fi key, files re-checked on disk. Nothing is written before
 * all of them pass; nothing is ever written outside the output folder; every
 * file is replaced atomically (atomicWrite.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compileProject, CompileError, type InputFile } from '../compile';
import { nodeAtPath, type JsonPath, type ProjectDocument } from '../model/parse';
import type { Range } from '../model/positions';
import type { Project } from '../model/project';
import { isSecretReference, type SecretResolver } from '../model/secrets';
import { compareDiagnostics, type PpkgDiagnostic } from '../validation/diagnostic';
import { validateFile } from '../validation/validateFile';
import { atomicWriteFile, cleanStaleTemps, commitTemp, createPrivateFile, TEMP_PREFIX, tempPathFor } from './atomicWrite';
import { icdArguments, locateIcd, queryKitsRoot, runIcd } from './icd';
import { buildReport, type ReportInput } from './report';
import { writeWim } from './wim';

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

/**
 * A build that did not happen. `diagnostics` carry ranges on the project file
 * for the editor; `kind` tells the CLI how to exit: 'project' (fix the
 * project: exit 1) or 'io' / 'tool' (cannot read or write, ICD missing or
 * failing: exit 2).
 */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly diagnostics: PpkgDiagnostic[],
    readonly kind: 'project' | 'io' | 'tool' = 'project',
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
/** Certificates are embedded as Base64; anything bigger than this is not a certificate. */
const MAX_CERTIFICATE_BYTES = 1024 * 1024;

export function defaultOutDir(projectPath: string): string {
  const abs = path.resolve(projectPath);
  const base = path.basename(abs).replace(/\.ppkg\.json$/i, '').replace(/\.jsonc?$/i, '') || 'project';
  return path.join(path.dirname(abs), 'ppkg-out', base);
}

/** The package file name: the project name with characters Windows forbids in file names replaced. */
export function packageFileName(name: string): string {
  let s = name.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_').replace(/[. ]+$/, '').trim();
  if (!s || /^(con|prn|aux|nul|com\d|lpt\d)$/i.test(s)) s = `package${s ? '-' + s : ''}`;
  return `${s}.ppkg`;
}

/** Where the format expects a secret, and what WCD calls it. */
function secretFields(project: Project): { path: JsonPath; what: string }[] {
  const fields: { path: JsonPath; what: string }[] = [
    { path: ['account', 'entra', 'token'], what: 'bulk token (Accounts/Azure/BPRT)' },
    { path: ['network', 'wifi', 'key'], what: 'Wi-Fi password (WLANXmlSettings/SecurityKey)' },
    { path: ['account', 'localAdmin', 'password'], what: 'local administrator password (Accounts/Users/User/Password)' },
  ];
  (project.certificates ?? []).forEach((_, i) => fields.push({ path: ['certificates', i, 'password'], what: 'certificate password (ClientCertificate/CertificatePassword)' }));
  (project.additionalSettings ?? []).forEach((s, i) => fields.push({ path: ['additionalSettings', i, 'value'], what: `value of ${s.path}` }));
  return fields;
}

function valueAt(v: unknown, p: JsonPath): unknown {
  for (const s of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const progress = options.onProgress ?? (() => undefined);
  const now = options.now ?? (() => new Date());
  const backend = options.backend ?? 'native';
  const projectPath = path.resolve(options.projectPath);
  const checkAbort = () => {
    if (options.signal?.aborted) throw new BuildError('The build was cancelled.', [], 'io');
  };

  // 1. Validate: any error refuses the build (this covers an expired token, PPKG011).
  progress('Validating the project', 0);
  let validation;
  try {
    validation = await validateFile(projectPath, { now, projectPath });
  } catch (err) {
    throw new BuildError(`Cannot read the project file ${projectPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, [], 'io');
  }
  const errors = validation.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !validation.doc) {
    throw new BuildError(`The project has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} and build again.`, errors.length ? errors : validation.diagnostics);
  }
  const doc: ProjectDocument = validation.doc;
  const project = doc.value as Project;
  const warnings: PpkgDiagnostic[] = validation.diagnostics.filter((d) => d.severity !== 'error');
  const rangeOf = (p: JsonPath): Range => {
    for (let k = p.length; k >= 0; k--) {
      const node = nodeAtPath(doc.root, p.slice(0, k));
      if (node) return doc.lines.rangeOf(node.offset, node.length);
    }
    return START;
  };
  const diag = (p: JsonPath, code: string, message: string, severity: PpkgDiagnostic['severity'] = 'error'): PpkgDiagnostic => ({ range: rangeOf(p), severity, code, message });

  // 2. Backend.
  if (backend !== 'native' && backend !== 'icd') throw new BuildError(`Unknown backend "${String(backend)}"; use native or icd.`, [], 'tool');
  if (project.protection?.encrypt && backend === 'native') {
    const d = diag(['protection', 'encrypt'], 'PPKG090', 'Only ICD can encrypt a package; the native backend cannot. Build on Windows with the ICD backend (ppkg build --backend icd), or set protection.encrypt to false.');
    throw new BuildError(d.message, [d]);
  }
  if (backend === 'icd' && process.platform !== 'win32') {
    throw new BuildError(`The ICD backend runs only on Windows (ICD.exe is part of the Windows ADK); this machine runs ${process.platform}. Use the native backend (the default), or build on Windows.`, [], 'tool');
  }

  // 3. Secrets: every reference must resolve; the message names it and says how to set it.
  progress('Resolving secrets', 0.05);
  const secrets = new Map<string, string>();
  const missing: PpkgDiagnostic[] = [];
  const secretNames: { name: string; field: string }[] = [];
  for (const f of secretFields(project)) {
    const v = valueAt(project, f.path);
    if (!isSecretReference(v)) continue;
    secretNames.push({ name: v.secret, field: f.path.join('.') });
    if (secrets.has(v.secret)) continue;
    let value: string | undefined;
    try {
      value = await options.secrets.get(v.secret);
    } catch (err) {
      throw new BuildError(`Cannot read the secret "${v.secret}": ${(err as Error).message}`, [diag(f.path, 'PPKG110', `Cannot read the secret "${v.secret}".`)], 'io');
    }
    if (value === undefined || value === '') {
      missing.push(diag(f.path, 'PPKG110', `The ${f.what} refers to the secret "${v.secret}", which is not set: ${options.secrets.howToSet(v.secret)}.`));
    } else secrets.set(v.secret, value);
  }
  missing.sort(compareDiagnostics);
  if (missing.length) throw new BuildError(missing.map((d) => d.message).join('\n'), missing);

  // 4. The resolved Wi-Fi key (validation could only check a plain-text one).
  const wifi = project.network?.wifi;
  if (wifi && (wifi.security ?? 'WPA2-Personal') === 'WPA2-Personal' && isSecretReference(wifi.key)) {
    const len = secrets.get(wifi.key.secret)!.length;
    if (len < 8 || len > 63) {
      const d = diag(['network', 'wifi', 'key'], 'PPKG021', `A WPA2-Personal password has 8 to 63 characters; the secret "${wifi.key.secret}" has ${len}.`);
      throw new BuildError(d.message, [d]);
    }
  }
  checkAbort();

  // 5. Files, re-checked on disk (symlinks, files that vanished since validation), hashed by streaming.
  progress('Reading the installers and certificates', 0.1);
  const projectDir = path.dirname(projectPath);
  let realProjectDir: string;
  try {
    realProjectDir = await fs.realpath(projectDir);
  } catch (err) {
    throw new BuildError(`Cannot read the project folder ${projectDir}: ${(err as NodeJS.ErrnoException).code}`, [], 'io');
  }
  const files = new Map<string, InputFile>();
  const inputs: ReportInput[] = [];
  const refs: { p: string; path: JsonPath; role: string; certificate: boolean }[] = [];
  (project.applications ?? []).forEach((a, i) => {
    refs.push({ p: a.installer, path: ['applications', i, 'installer'], role: 'installer', certificate: false });
    (a.dependencies ?? []).forEach((d, j) => refs.push({ p: d, path: ['applications', i, 'dependencies', j], role: 'dependency', certificate: false }));
  });
  (project.certificates ?? []).forEach((c, i) => refs.push({ p: c.file, path: ['certificates', i, 'file'], role: 'certificate', certificate: true }));
  for (const ref of refs) {
    if (files.has(ref.p)) continue;
    const fileError = (message: string) => {
      const d = diag(ref.path, 'PPKG030', message);
      return new BuildError(d.message, [d]);
    };
    const abs = path.resolve(projectDir, ref.p.replace(/\\/g, '/'));
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch {
      throw fileError(`The ${ref.role} "${ref.p}" does not exist any more (looked in ${projectDir}).`);
    }
    const rel = path.relative(realProjectDir, real);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) {
      const d = diag(ref.path, 'PPKG031', `The ${ref.role} "${ref.p}" resolves to ${real}, outside the project folder. Copy the file into the project instead.`);
      throw new BuildError(d.message, [d]);
    }
    let info: InputFile;
    try {
      const st = await fs.stat(real);
      if (!st.isFile()) throw fileError(`The ${ref.role} "${ref.p}" is not a regular file.`);
      if (ref.certificate) {
        if (st.size > MAX_CERTIFICATE_BYTES) throw fileError(`The certificate "${ref.p}" has ${st.size} bytes; a certificate file is a few kilobytes. Is this the right file?`);
        const data = await fs.readFile(real);
        info = { data, size: data.length, sha256: createHash('sha256').update(data).digest() };
      } else {
        const { sha256, size } = await hashFile(real, options.signal);
        info = { path: real, size, sha256 };
      }
    } catch (err) {
      if (err instanceof BuildError) throw err;
      throw fileError(`The ${ref.role} "${ref.p}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    files.set(ref.p, info);
    inputs.push({ path: ref.p.replace(/\\/g, '/'), role: ref.role, sha256: info.sha256.toString('hex'), size: info.size });
  }
  checkAbort();

  // 6. Compile.
  progress('Compiling customizations.xml and the runtime payload', 0.2);
  const outDir = path.resolve(options.outDir ?? defaultOutDir(projectPath));
  const packagePath = path.join(outDir, packageFileName(project.name));
  const customizationsPath = path.join(outDir, 'customizations.xml');
  const reportPath = path.join(outDir, 'build-report.json');
  let compiled;
  try {
    compiled = compileProject(project, secrets, {
      files,
      // ICD reads the files itself: it needs absolute paths.
      customizationsPath: backend === 'icd' ? (p) => path.win32.resolve(realProjectDir, p) : undefined,
    });
  } catch (err) {
    if (err instanceof CompileError) {
      const d = diag(err.path, err.code, err.message);
      throw new BuildError(d.message, [d]);
    }
    throw err;
  }
  for (const w of compiled.warnings) warnings.push(diag(w.path, w.code, w.message, 'warning'));
  warnings.sort(compareDiagnostics);

  // 7. Write. Only inside outDir; each file atomically.
  try {
    await fs.mkdir(outDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new BuildError(`Cannot create the output folder ${outDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, [], 'io');
  }
  await cleanStaleTemps(outDir);
  let icdLogPath: string | undefined;
  try {
    await atomicWriteFile(path.join(outDir, '.gitignore'), '# Written by ppkg build: these files hold the bulk token and passwords. Never commit them.\n*\n');
    await atomicWriteFile(customizationsPath, compiled.customizationsXml);
    checkAbort();
    if (backend === 'native') {
      progress('Writing the package', 0.25);
      const tmp = tempPathFor(packagePath);
      try {
        await createPrivateFile(tmp);
        await writeWim(tmp, compiled.entries, {
          properties: compiled.imageProperties,
          timestamp: compiled.timestamp,
          guid: compiled.guid,
          signal: options.signal,
          onProgress: (done, total) => progress('Writing the package', 0.25 + 0.7 * (total ? done / total : 1)),
        });
        progress('Finishing the package', 0.96);
        await commitTemp(tmp, packagePath);
      } catch (err) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
    } else {
      icdLogPath = path.join(outDir, 'icd.log');
      await buildWithIcd({ options, outDir, customizationsPath, packagePath, icdLogPath, encrypt: project.protection?.encrypt === true, progress });
    }
  } catch (err) {
    if (err instanceof BuildError) throw err;
    if ((err as Error).name === 'AbortError' || options.signal?.aborted) throw new BuildError('The build was cancelled; the previous package is unchanged.', [], 'io');
    const e = err as NodeJS.ErrnoException;
    // A file that vanished or changed during the build (the WIM writer names it).
    throw new BuildError(`The build failed: ${e.message}${e.code && !e.message.includes(e.code) ? ` (${e.code})` : ''}. The previous package is unchanged.`, [], 'io');
  }

  // 8. The report: inputs with hashes, warnings, backend; never a secret value.
  progress('Writing the build report', 0.98);
  const packageSize = (await fs.stat(packagePath)).size;
  const report = buildReport({
    builtAt: now(),
    backend,
    projectPath,
    outDir,
    projectText: validation.text ?? '',
    project,
    inputs,
    secrets: secretNames,
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
  progress('Done', 1);
  return { packagePath, customizationsPath, reportPath, warnings, ...(icdLogPath ? { icdLogPath } : {}) };
}

async function hashFile(p: string, signal?: AbortSignal): Promise<{ sha256: Buffer; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(p, { signal, highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest(), size };
}

async function buildWithIcd(o: {
  options: BuildOptions;
  outDir: string;
  customizationsPath: string;
  packagePath: string;
  icdLogPath: string;
  encrypt: boolean;
  progress: (m: string, f?: number) => void;
}): Promise<void> {
  let location;
  try {
    location = await locateIcd({ configured: o.options.icdPath, exists: existsSync, queryKitsRoot });
  } catch (err) {
    throw new BuildError((err as Error).message, [], 'tool');
  }
  // ICD writes <name>.ppkg and <name>.cat: build into a private temp folder, then rename.
  const tmpDir = path.join(o.outDir, `${TEMP_PREFIX}${process.pid}-icd-${Date.now().toString(36)}`);
  await fs.mkdir(tmpDir, { mode: 0o700 });
  try {
    const tmpPackage = path.join(tmpDir, path.basename(o.packagePath));
    const args = icdArguments({ customizationsPath: o.customizationsPath, packagePath: tmpPackage, storeFile: location.storeFile, encrypt: o.encrypt });
    o.progress(`Running ICD (${location.icdPath})`, 0.3);
    const { code, log } = await runIcd(location.icdPath, args, o.options.signal);
    await atomicWriteFile(o.icdLogPath, log);
    if (code !== 0 || !existsSync(tmpPackage)) {
      throw new BuildError(`ICD failed (exit code ${code}); its output is in ${o.icdLogPath}. The previous package is unchanged.`, [], 'tool');
    }
    await commitTemp(tmpPackage, o.packagePath);
    const cat = tmpPackage.replace(/\.ppkg$/i, '.cat');
    if (existsSync(cat)) await commitTemp(cat, o.packagePath.replace(/\.ppkg$/i, '.cat'));
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
