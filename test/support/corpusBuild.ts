/**
 * Builds a WCD corpus file (test/fixtures/wcd/corpus) into a real package:
 * import it, lay out the files it names next to the project (real
 * certificates, a real .pfx sealed with the imported password, installer
 * stand-ins), and run the native build with the imported secrets.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { importCustomizations } from '../../server/src/import/customizations';
import { fileFields } from '../../server/src/model/fields';
import { parseProject } from '../../server/src/model/parse';
import type { Project } from '../../server/src/model/project';
import { buildProject, type BuildResult } from '../../server/src/package/build';
import { makeTestPfx } from './testCa';

export const CORPUS = resolve(__dirname, '../fixtures/wcd/corpus');
const ROOT_CER = resolve(__dirname, '../../examples/bulk-enrollment/certificates/contoso-root.cer');
/** A date the corpus projects' tokens are valid at. */
export const CORPUS_NOW = new Date('2026-12-01T00:00:00Z');

export interface CorpusProject {
  projectPath: string;
  project: Project;
  secretValues: ReadonlyMap<string, string>;
}

/** Imports a corpus file into `dir` with every file it names present. */
export function layOutCorpusProject(file: string, dir: string): CorpusProject {
  const r = importCustomizations(readFileSync(join(CORPUS, file), 'utf8'));
  let text = r.projectText;
  const project = parseProject(text).value as Project;
  if (project.account?.entra && !project.account.entra.tokenExpiry) {
    // The expiry is not in customizations.xml; record one as `ppkg token` would.
    text = text.replace('"token": {', '"tokenExpiry": "2027-03-01",\n      "token": {');
  }
  mkdirSync(dir, { recursive: true });
  const projectPath = join(dir, 'project.ppkg.json');
  writeFileSync(projectPath, text);
  const parsed = parseProject(text).value as Project;
  for (const f of fileFields(parsed)) {
    const target = join(dir, f.value);
    mkdirSync(dirname(target), { recursive: true });
    if (/\.(cer|crt)$/i.test(f.value)) cpSync(ROOT_CER, target);
    else if (/\.(pfx|p12)$/i.test(f.value)) {
      const cert = parsed.certificates?.find((c) => c.file === f.value);
      const secret = cert?.password && typeof cert.password === 'object' ? r.secretValues.get(cert.password.secret) : undefined;
      writeFileSync(target, makeTestPfx(secret ?? 'pfx'));
    } else writeFileSync(target, `stand-in for ${f.value}\n`.repeat(64));
  }
  return { projectPath, project: parsed, secretValues: r.secretValues };
}

export async function buildCorpusProject(c: CorpusProject, outDir: string): Promise<BuildResult> {
  return buildProject({
    projectPath: c.projectPath,
    outDir,
    now: () => CORPUS_NOW,
    secrets: { get: async (name) => c.secretValues.get(name), howToSet: (name) => `set ${name}` },
  });
}
