import { PpkgError } from '../errors';
import type { JsonPath } from '../model/parse';
import type { SecretValue } from '../model/project';
import { isSecretReference } from '../model/secrets';

/** One file of the package the compiler lays out; the WIM writer stores it. */
export interface PackageEntry {
  /** Path inside the image, forward slashes, no leading slash: 'Multivariant/0/Prov/RunTime.xml' */
  path: string;
  /** Either in-memory bytes (small XML) or a file on disk, which must be streamed, never read whole. */
  source: { kind: 'buffer'; data: Buffer } | { kind: 'file'; path: string };
}

/** One file the project references, as the build hashed it. */
export interface InputFile {
  /** Absolute path on disk (streamed into the package), unless `data` is given. */
  path?: string;
  /** In-memory contents (certificates are read whole: they are small and embedded as Base64). */
  data?: Buffer;
  sha256: Buffer;
  size: number;
}

export interface CompileInputs {
  /** Every file the project references, keyed by the path exactly as written in the project. */
  files: Map<string, InputFile>;
  /**
   * How customizations.xml names a file. Default: the project-relative path
   * with backslashes (deterministic, machine-independent). The ICD backend
   * passes absolute Windows paths, because ICD reads the files itself.
   */
  customizationsPath?: (projectPath: string) => string;
}

/** Secret values by secret name, resolved before compiling. */
export type ResolvedSecrets = ReadonlyMap<string, string>;

export interface CompileWarning {
  /** Where in the project the warning belongs (a JSON path). */
  path: JsonPath;
  code: CompileCode;
  message: string;
}

/** One setting the compiler cannot compile, located on the project property it came from. */
/**
 * The rule codes the compiler reports its problems under, each listed in the
 * rule catalog (validation/catalog.ts; the type check fails where validation
 * reports one the catalog lacks): the same located error whether the editor
 * or the build finds it.
 */
export type CompileCode = 'PPKG030' | 'PPKG034' | 'PPKG045' | 'PPKG060' | 'PPKG061' | 'PPKG100' | 'PPKG110' | 'PPKG111' | 'PPKG112' | 'PPKG113';

export interface CompileProblem {
  path: JsonPath;
  code: CompileCode;
  message: string;
}

/**
 * A project the compiler cannot turn into a package. `problems` lists every
 * setting at fault (one located error each); `path` and `code` are the
 * first's. Never carries a secret value.
 */
export class CompileError extends PpkgError {
  declare readonly code: CompileCode;
  readonly problems: CompileProblem[];
  constructor(
    message: string,
    readonly path: JsonPath,
    code: CompileCode = 'PPKG111',
    problems?: CompileProblem[],
  ) {
    super('project', message, { code });
    this.problems = problems ?? [{ path, code, message }];
  }

  static of(problems: CompileProblem[]): CompileError {
    const first = problems[0]!;
    const message =
      problems.length === 1 ? first.message : `${problems.length} settings cannot be compiled:\n${problems.map((p) => `- ${p.message}`).join('\n')}`;
    return new CompileError(message, first.path, first.code, problems);
  }
}

export const NAMESPACE_PACKAGE_CONFIG = 'urn:schemas-Microsoft-com:Windows-ICD-Package-Config.v1.0';
export const NAMESPACE_SETTINGS = 'urn:schemas-microsoft-com:windows-provisioning';
/** `Accounts/Azure/Authority`: the only value the wizard writes. */
export const ENTRA_AUTHORITY = 'https://login.microsoftonline.com/common';

/** Resolves a secret-or-plain value; a missing secret is a bug of the caller (the build resolves all first). */
export function secretText(value: SecretValue, secrets: ResolvedSecrets, path: JsonPath): string {
  if (!isSecretReference(value)) return value;
  const v = secrets.get(value.secret);
  if (v === undefined) throw new CompileError(`The secret "${value.secret}" was not resolved before compiling.`, path, 'PPKG110');
  return v;
}

/** The package ID without braces, as written (case kept). */
export function bareGuid(id: string): string {
  return id.replace(/^\{|\}$/g, '');
}
