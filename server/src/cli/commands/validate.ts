import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { cachedFileProbe, nodeFileProbe } from '../../validation/fileProbe';
import { validateFile } from '../../validation/validateFile';
import type { ValidationOptions } from '../../validation/context';
import { secretEnvVar } from '../../model/secrets';
import { errnoCode, fileProblemReason } from '../../package/build/fileErrors';
import type { PpkgDiagnostic } from '../../validation/diagnostic';
import { formatJson } from '../format/json';
import { formatSarif } from '../format/sarif';
import { formatText } from '../format/text';
import { parseCommandArgs } from '../args';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO } from '../io';

declare const PPKG_VERSION: string;
const version = typeof PPKG_VERSION === 'string' ? PPKG_VERSION : '0.0.0-dev';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('validate', args);
  const format = parsed.string('format') ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) throw new CliError(`--format must be text, json or sarif, not "${format}".`);
  if (parsed.positionals.length === 0) throw new CliError('Name the project files to check, e.g. ppkg validate "**/*.ppkg.json".');
  let expiryWarningDays: number | undefined;
  const days = parsed.string('expiry-warning-days');
  if (days !== undefined) {
    expiryWarningDays = Number(days);
    if (!/^\d+$/.test(days.trim()) || !Number.isInteger(expiryWarningDays) || expiryWarningDays < 0)
      throw new CliError('--expiry-warning-days must be a whole number of days.');
  }
  let maxWarnings: number | undefined;
  const max = parsed.string('max-warnings');
  if (max !== undefined) {
    if (!/^\d+$/.test(max.trim())) throw new CliError(`--max-warnings must be a whole number (0 or more), not "${max}".`);
    maxWarnings = Number(max);
  }
  if (parsed.flag('strict')) {
    if (maxWarnings !== undefined && maxWarnings !== 0) throw new CliError('--strict means --max-warnings 0; use one or the other.');
    maxWarnings = 0;
  }
  const backend = parsed.string('backend') ?? 'native';
  if (backend !== 'native' && backend !== 'icd') throw new CliError(`--backend must be native or icd, not "${backend}".`);
  // A certificate password secret set in the environment lets the .pfx be checked (PPKG038); never printed.
  const options: ValidationOptions = { expiryWarningDays, backend, secretValue: (name) => io.env[secretEnvVar(name)] || undefined };

  const files = await expand(parsed.positionals, io.cwd);
  // Read and check files a few at a time: reading one after another leaves
  // the process idle on I/O for a third of a 500-file run.
  // One run sees one state of the disk; projects in a folder share most files.
  const probe = cachedFileProbe(nodeFileProbe, Number.POSITIVE_INFINITY);
  const checked = await mapWithConcurrency(files.found, 8, async (file) => {
    const display = path.relative(io.cwd, file) || file;
    try {
      const r = await validateFile(file, { ...options, files: probe });
      return { file: display, diagnostics: r.diagnostics };
    } catch (err) {
      return { file: display, error: errnoCode(err) ? fileProblemReason(err) : 'it is not a file' };
    }
  });
  const results: { file: string; diagnostics: PpkgDiagnostic[] }[] = [];
  let ioFailure = false;
  for (const r of checked) {
    if ('error' in r) {
      ioFailure = true;
      io.stderr(`ppkg validate: cannot read ${r.file}: ${r.error}.\n`);
    } else results.push(r);
  }
  for (const missing of files.missing) {
    ioFailure = true;
    io.stderr(`ppkg validate: ${missing}: no such file, and no project file matches it.\n`);
  }

  if (format === 'json') io.stdout(formatJson(results));
  else if (format === 'sarif') io.stdout(formatSarif(results, version));
  else io.stdout(formatText(results));

  if (ioFailure) return EXIT_USAGE;
  if (results.some((r) => r.diagnostics.some((d) => d.severity === 'error'))) return EXIT_FINDINGS;
  if (maxWarnings !== undefined) {
    const warnings = results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'warning').length, 0);
    if (warnings > maxWarnings) {
      io.stderr(
        `ppkg validate: ${warnings} warning${warnings === 1 ? '' : 's'}, more than the ${maxWarnings} allowed by ${parsed.flag('strict') ? '--strict' : `--max-warnings ${maxWarnings}`}.\n`,
      );
      return EXIT_FINDINGS;
    }
  }
  return EXIT_OK;
}

/** Files as given, globs expanded, folders searched for *.ppkg.json; sorted and without repeats. */
async function expand(patterns: string[], cwd: string): Promise<{ found: string[]; missing: string[] }> {
  const found = new Set<string>();
  const missing: string[] = [];
  for (const pattern of patterns) {
    if (isDynamicPattern(pattern)) {
      const matches = await glob(pattern, { cwd, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'], dot: false });
      if (matches.length === 0) missing.push(pattern);
      matches.forEach((m) => found.add(path.resolve(m)));
      continue;
    }
    const absolute = path.resolve(cwd, pattern);
    const s = await stat(absolute).catch(() => undefined);
    if (!s) missing.push(pattern);
    else if (s.isDirectory()) {
      // Build output folders (ppkg-out/) hold copies, not projects to review.
      const matches = await glob('**/*.ppkg.json', { cwd: absolute, absolute: true, ignore: ['**/node_modules/**', '**/.git/**', '**/ppkg-out/**'] });
      if (matches.length === 0) missing.push(`${pattern} (no *.ppkg.json inside)`);
      matches.forEach((m) => found.add(path.resolve(m)));
    } else found.add(absolute);
  }
  return { found: [...found].sort(), missing };
}

/** Maps with at most `limit` calls in flight; results keep the input order. */
async function mapWithConcurrency<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
