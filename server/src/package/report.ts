/**
 * build-report.json: what went into a package, for review and audit. Inputs
 * carry SHA-256 and size. It never holds a secret value: only secret names,
 * and no hash of any output that embeds secrets (a hash of a file holding a
 * short password would allow guessing it offline).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Project } from '../model/project';
import type { PpkgDiagnostic } from '../validation/diagnostic';

declare const PPKG_VERSION: string;

export interface ReportInput {
  /** As written in the project, forward slashes. */
  path: string;
  role: string;
  sha256: string;
  size: number;
}

export function buildReport(o: {
  builtAt: Date;
  backend: string;
  projectPath: string;
  outDir: string;
  projectText: string;
  project: Project;
  inputs: ReportInput[];
  secrets: { name: string; field: string }[];
  warnings: PpkgDiagnostic[];
  outputs: { path: string; size: number }[];
  packageEntries?: string[];
  imageProperties?: [string, string][];
}): unknown {
  const projectBytes = Buffer.from(o.projectText, 'utf8');
  return {
    tool: 'ppkg',
    version: typeof PPKG_VERSION === 'string' ? PPKG_VERSION : '0.0.0-dev',
    builtAt: o.builtAt.toISOString(),
    backend: o.backend,
    package: { name: o.project.name, id: o.project.id, version: o.project.version, owner: o.project.owner ?? 'ITAdmin', rank: o.project.rank ?? 0 },
    project: {
      path: path.relative(o.outDir, o.projectPath).split(path.sep).join('/'),
      sha256: createHash('sha256').update(projectBytes).digest('hex'),
      size: projectBytes.length,
    },
    inputs: o.inputs,
    secrets: o.secrets.map((s) => ({ name: s.name, field: s.field, note: 'value not recorded' })),
    outputs: o.outputs,
    ...(o.imageProperties ? { imageProperties: Object.fromEntries(o.imageProperties) } : {}),
    ...(o.packageEntries ? { packageFiles: o.packageEntries } : {}),
    warnings: o.warnings.map((w) => ({
      code: w.code,
      severity: w.severity,
      line: w.range.start.line + 1,
      column: w.range.start.character + 1,
      message: w.message,
    })),
  };
}
