/**
 * Build stage: resolve every secret reference. Each missing secret is one
 * located PPKG110 naming the secret and how to set it; values stay in memory.
 */
import { PpkgError } from '../../errors';
import type { JsonPath } from '../../model/parse';
import type { Project } from '../../model/project';
import { isSecretReference, type SecretResolver } from '../../model/secrets';
import { secretReferences } from '../../model/fields';
import { compareDiagnostics, type PpkgDiagnostic } from '../../validation/diagnostic';
import type { Diag } from './locate';

/** Thrown by a build stage; build.ts turns it into a BuildError. `kind` is the category. */
export class StageError extends PpkgError {
  constructor(message: string, diagnostics: PpkgDiagnostic[], kind: 'project' | 'io' | 'tool' = 'project') {
    super(kind, message, { diagnostics });
    this.name = 'StageError';
  }
  get kind(): 'project' | 'io' | 'tool' {
    return this.category as 'project' | 'io' | 'tool';
  }
}

/** Every secret reference of the project, with what WCD calls its field (model/fields.ts: one list for every layer). */
export function secretFields(project: Project): { path: JsonPath; what: string }[] {
  return secretReferences(project).map((r) => ({ path: r.path, what: r.what }));
}

export function valueAt(v: unknown, p: JsonPath): unknown {
  for (const s of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

export interface ResolvedSecrets {
  values: Map<string, string>;
  /** For the report: names and fields, never values. */
  names: { name: string; field: string }[];
}

export async function resolveSecrets(project: Project, resolver: SecretResolver, diag: Diag): Promise<ResolvedSecrets> {
  const values = new Map<string, string>();
  const missing: PpkgDiagnostic[] = [];
  const names: { name: string; field: string }[] = [];
  for (const f of secretFields(project)) {
    const v = valueAt(project, f.path);
    if (!isSecretReference(v)) continue;
    names.push({ name: v.secret, field: f.path.join('.') });
    if (values.has(v.secret)) continue;
    let value: string | undefined;
    try {
      value = await resolver.get(v.secret);
    } catch (err) {
      // The store's own words (SecretStorage, say), never a value.
      const d = diag(f.path, 'PPKG110', `Cannot read the secret "${v.secret}": ${(err as Error).message}`);
      throw new StageError(d.message, [d], 'io');
    }
    if (value === undefined || value === '') {
      missing.push(diag(f.path, 'PPKG110', `The ${f.what} refers to the secret "${v.secret}", which is not set: ${resolver.howToSet(v.secret)}.`));
    } else values.set(v.secret, value);
  }
  missing.sort(compareDiagnostics);
  if (missing.length) throw new StageError(missing.map((d) => d.message).join('\n'), missing);

  // The resolved Wi-Fi key (validation could only check a plain-text one).
  const wifi = project.network?.wifi;
  if (wifi && (wifi.security ?? 'WPA2-Personal') === 'WPA2-Personal' && isSecretReference(wifi.key)) {
    const len = values.get(wifi.key.secret)!.length;
    if (len < 8 || len > 63) {
      const d = diag(['network', 'wifi', 'key'], 'PPKG021', `A WPA2-Personal password has 8 to 63 characters; the secret "${wifi.key.secret}" has ${len}.`);
      throw new StageError(d.message, [d]);
    }
  }
  return { values, names };
}
