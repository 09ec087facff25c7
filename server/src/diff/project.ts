/**
 * A project file → the same inspect result as the package built from it:
 * the project is compiled with `compileProject` (its files read from disk
 * and hashed), and the compiled files are read back with the same reverse
 * mapping a package gets. So a project and the package built from it
 * compare as equal, setting for setting.
 *
 * Secrets: a secret set in the environment (PPKG_SECRET_<NAME>) is compiled
 * with its value and compared by fingerprint; an unset one is compiled with
 * a placeholder and shown as "secret, value unknown" (never a difference).
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CompileError, compileProject, projectSettings, type InputFile } from '../compile';
import { PpkgError, type ErrorCategory } from '../errors';
import { leavesOf } from '../compile/settingsTree';
import { inspectPackageFiles, type InspectResult } from '../inspect/inspect';
import { compiledFiles, hashFile, type FileDigest } from '../inspect/source';
import { parseProject } from '../model/parse';
import type { Project } from '../model/project';
import { isSecretReference, secretEnvVar } from '../model/secrets';
import { describeFileError } from '../package/build/fileErrors';
import { validateAgainstSchema } from '../validation/schema';

/** A project file (or a file it names) that cannot be read or compiled for a comparison: `project`, or `io` for a file problem. */
export class ProjectReadError extends PpkgError {
  constructor(message: string, category: ErrorCategory = 'project') {
    super(category, message);
  }
}

/** Certificates are embedded whole; a bigger file is not a certificate. */
const MAX_CERTIFICATE_BYTES = 1024 * 1024;

function secretNames(project: Project): Set<string> {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (isSecretReference(v)) names.add(v.secret);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(project);
  return names;
}

export async function inspectProjectFile(
  projectPath: string,
  shown: string,
  env: Record<string, string | undefined>,
  /** Hashes already known, by absolute path (an import has just written and hashed the files). */
  known?: ReadonlyMap<string, FileDigest>,
): Promise<InspectResult> {
  let text: string;
  try {
    text = await fs.readFile(projectPath, 'utf8');
  } catch (err) {
    throw new ProjectReadError(describeFileError(err, `the project file ${shown}`, 'read'), 'io');
  }
  const doc = parseProject(text);
  const first = doc.syntaxProblems[0];
  if (first || doc.value === undefined)
    throw new ProjectReadError(
      `${shown} is not a readable project file${first ? ` (line ${doc.lines.positionAt(first.offset).line + 1}: ${first.message})` : ''}. Run ppkg validate ${shown}.`,
    );
  const schemaErrors = validateAgainstSchema(doc).filter((d) => d.severity === 'error');
  if (schemaErrors.length) {
    const d = schemaErrors[0]!;
    throw new ProjectReadError(
      `${shown} has ${schemaErrors.length} error${schemaErrors.length === 1 ? '' : 's'} (line ${d.range.start.line + 1}: ${d.message}). Run ppkg validate ${shown}, fix ${schemaErrors.length === 1 ? 'it' : 'them'}, then compare again.`,
    );
  }
  const project = doc.value as Project;
  const projectDir = path.dirname(projectPath);

  // Secrets: the value when set, else a placeholder that the reverse mapping recognises.
  const nonce = randomBytes(6).toString('hex');
  const secrets = new Map<string, string>();
  const unknown = new Map<string, string>();
  for (const name of secretNames(project)) {
    const value = env[secretEnvVar(name)];
    if (value !== undefined && value !== '') secrets.set(name, value);
    else {
      const placeholder = `ppkg-unknown-secret-${nonce}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      secrets.set(name, placeholder);
      unknown.set(placeholder, name);
    }
  }

  // Every file a setting ships, hashed (certificates read whole: they are embedded).
  const files = new Map<string, InputFile>();
  const settings = projectSettings(project);
  const certificateFiles = new Set((project.certificates ?? []).map((c) => c.file));
  for (const leaf of leavesOf(settings.tree)) {
    const p = leaf.leaf.file;
    if (p === undefined || files.has(p)) continue;
    const abs = path.resolve(projectDir, p.replace(/\\/g, '/'));
    try {
      if (certificateFiles.has(p)) {
        const st = await fs.stat(abs);
        if (st.size > MAX_CERTIFICATE_BYTES)
          throw new ProjectReadError(`The certificate "${p}" of ${shown} has ${st.size} bytes; a certificate file is a few kilobytes.`);
        const data = await fs.readFile(abs);
        files.set(p, { data, size: data.length, sha256: createHash('sha256').update(data).digest() });
      } else {
        const d = known?.get(abs) ?? (await hashFile(abs));
        files.set(p, { path: abs, size: d.size, sha256: Buffer.from(d.sha256, 'hex') });
      }
    } catch (err) {
      if (err instanceof ProjectReadError) throw err;
      throw new ProjectReadError(describeFileError(err, `the file "${p}" of ${shown}`, 'read'), 'io');
    }
  }

  let compiled;
  try {
    compiled = compileProject(project, secrets, { files }, { target: 'package' });
  } catch (err) {
    if (err instanceof CompileError) {
      // Messages never carry a secret value; a placeholder is not one either, but is not shown.
      const message = [...unknown.keys()].reduce((m, p) => m.split(p).join('(secret)'), err.message);
      throw new ProjectReadError(`${shown} cannot be compiled, so it cannot be compared: ${message}`);
    }
    throw err;
  }
  return inspectPackageFiles(compiledFiles(compiled), { secrets: { show: false, unknown } });
}
