/**
 * Build stage: the files the project points at, re-checked on disk after
 * validation (a file may have been replaced by a link out of the project, or
 * removed, since) and hashed once, by streaming; the hashes serve both the
 * package and the report. Client certificates are read whole and must open
 * with their password (PKCS#12).
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { InputFile } from '../../compile';
import type { JsonPath } from '../../model/parse';
import type { DiagnosticCode } from '../../validation/catalog';
import type { Project } from '../../model/project';
import { isSecretReference } from '../../model/secrets';
import { fileFields } from '../../model/fields';
import { CODE_NOT_PKCS12, CODE_PFX_PASSWORD, inspectPkcs12, pkcs12Message } from '../../validation/rules/certificates';
import type { ReportInput } from '../report';
import { describeFileError, errnoCode } from './fileErrors';
import type { Diag } from './locate';
import { StageError } from './secrets';

/** Certificates are embedded as Base64; anything bigger than this is not a certificate. */
const MAX_CERTIFICATE_BYTES = 1024 * 1024;

export interface HashedInputs {
  files: Map<string, InputFile>;
  inputs: ReportInput[];
  /** The project folder with links resolved. */
  realProjectDir: string;
}

interface Ref {
  p: string;
  path: JsonPath;
  role: string;
  certificate?: { index: number };
}

/** Every file the project names (the schema's x-ppkg-file properties, model/fields.ts: one list for every layer). */
export function inputReferences(project: Project): Ref[] {
  return fileFields(project).map((f) => ({
    p: f.value,
    path: f.path,
    role: f.role,
    ...(f.path[0] === 'certificates' && typeof f.path[1] === 'number' ? { certificate: { index: f.path[1] } } : {}),
  }));
}

export async function hashInputs(o: {
  project: Project;
  projectPath: string;
  secrets: Map<string, string>;
  diag: Diag;
  signal?: AbortSignal;
}): Promise<HashedInputs> {
  const projectDir = path.dirname(o.projectPath);
  let realProjectDir: string;
  try {
    realProjectDir = await fs.realpath(projectDir);
  } catch (err) {
    throw new StageError(describeFileError(err, `the project folder ${projectDir}`, 'read'), [], 'io');
  }
  const files = new Map<string, InputFile>();
  const inputs: ReportInput[] = [];
  for (const ref of inputReferences(o.project)) {
    if (files.has(ref.p)) continue;
    const fail = (message: string, code: DiagnosticCode = 'PPKG030', at: JsonPath = ref.path) => {
      const d = o.diag(at, code, message);
      return new StageError(d.message, [d]);
    };
    const abs = path.resolve(projectDir, ref.p.replace(/\\/g, '/'));
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (err) {
      throw errnoCode(err) === 'ENOENT'
        ? fail(`The ${ref.role} "${ref.p}" does not exist any more (looked in ${projectDir}).`)
        : fail(describeFileError(err, `the ${ref.role} "${ref.p}"`, 'read'));
    }
    // The build's own re-check: validation saw the file, but it may have
    // become a link out of the project folder since.
    const rel = path.relative(realProjectDir, real);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw fail(`The ${ref.role} "${ref.p}" resolves to ${real}, outside the project folder. Copy the file into the project instead.`, 'PPKG031');
    }
    let info: InputFile;
    try {
      const st = await fs.stat(real);
      if (!st.isFile()) throw fail(`The ${ref.role} "${ref.p}" is not a regular file.`);
      if (ref.certificate) {
        if (st.size > MAX_CERTIFICATE_BYTES)
          throw fail(`The certificate "${ref.p}" has ${st.size} bytes; a certificate file is a few kilobytes. Is this the right file?`);
        const data = await fs.readFile(real);
        checkCertificate(o, ref, data);
        info = { data, size: data.length, sha256: createHash('sha256').update(data).digest() };
      } else {
        const { sha256, size } = await hashFile(real, o.signal);
        info = { path: real, size, sha256 };
      }
    } catch (err) {
      if (err instanceof StageError) throw err;
      if ((err as Error).name === 'AbortError') throw err;
      throw errnoCode(err) === 'ENOENT'
        ? fail(`The ${ref.role} "${ref.p}" does not exist any more (looked in ${projectDir}).`)
        : fail(describeFileError(err, `the ${ref.role} "${ref.p}"`, 'read'));
    }
    files.set(ref.p, info);
    inputs.push({ path: ref.p.replace(/\\/g, '/'), role: ref.role, sha256: info.sha256.toString('hex'), size: info.size });
  }
  return { files, inputs, realProjectDir };
}

/** A .pfx must be PKCS#12 and open with its password; .cer/.crt are taken as they are. */
function checkCertificate(o: { project: Project; secrets: Map<string, string>; diag: Diag }, ref: Ref, data: Buffer): void {
  const ext = path.extname(ref.p).toLowerCase();
  if (ext !== '.pfx' && ext !== '.p12') return;
  const i = ref.certificate!.index;
  const pw = o.project.certificates?.[i]?.password;
  const password = typeof pw === 'string' ? pw : isSecretReference(pw) ? o.secrets.get(pw.secret) : undefined;
  const source = isSecretReference(pw) ? `the secret "${pw.secret}"` : 'the password written in the project';
  const verdict = inspectPkcs12(data, password);
  if (verdict.ok) return;
  const d =
    verdict.reason === 'not-pkcs12'
      ? o.diag(['certificates', i, 'file'], CODE_NOT_PKCS12, pkcs12Message(ref.p, verdict, source))
      : o.diag(['certificates', i, 'password'], CODE_PFX_PASSWORD, pkcs12Message(ref.p, verdict, source));
  throw new StageError(d.message, [d]);
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
