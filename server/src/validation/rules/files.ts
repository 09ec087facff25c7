import * as path from 'node:path';
import type { JsonPath } from '../../model/parse';
import { fileFields } from '../../model/fields';
import type { RuleContext } from '../context';
import { PerIndex, reportItem, type ItemFinding } from '../perItem';

/** True when a relative path written in the project stays inside the project folder by its form alone. */
export function isContainedPath(p: string): boolean {
  // The common case, a plain relative path, without normalising.
  const first = p.charCodeAt(0);
  if (!p.includes('..') && !p.includes(':') && first !== 47 /* / */ && first !== 92 /* \ */) return true;
  if (path.isAbsolute(p) || path.win32.isAbsolute(p) || /^[a-zA-Z]:/.test(p)) return false;
  const normalized = path.posix.normalize(p.replace(/\\/g, '/'));
  return !(normalized === '..' || normalized.startsWith('../'));
}

/** What checking one path found (null: nothing wrong), worded for the field it is in. */
type FileFinding = { code: 'PPKG030' | 'PPKG031' | 'PPKG035'; message: (what: string) => string; data?: Record<string, unknown> } | null;

/**
 * What the disk says of one path, kept per probe state: the language server
 * re-validates a project of thousands of files on every keystroke, and a path
 * that did not change has the same answer until the probe's answers expire
 * (FileProbe.epoch) or the probe is replaced (a file changed).
 */
const findingsByProbe = new WeakMap<RuleContext['options']['files'], { key: string; findings: Map<string, FileFinding> }>();

function checkPath(ctx: RuleContext, value: string, projectDir: string | undefined, realProjectDir: string | undefined): FileFinding {
  const probe = ctx.options.files;
  if (value.includes('\0')) return { code: 'PPKG031', message: (what) => `The ${what} path contains a NUL character.` };
  if (!isContainedPath(value)) {
    return {
      code: 'PPKG031',
      message: (what) =>
        `The ${what} "${value}" is outside the project folder. Use a path relative to the project file that stays inside its folder, so the project builds the same on every machine.`,
    };
  }
  if (!projectDir || !realProjectDir) return null;
  const absolute = path.resolve(projectDir, value.replace(/\\/g, '/'));
  const stat = probe.stat(absolute);
  if (!stat) {
    const actual = findCaseInsensitive(probe, projectDir, value.replace(/\\/g, '/'));
    if (actual)
      return {
        code: 'PPKG035',
        message: (what) => `The ${what} "${value}" differs only in case from "${actual}". Windows would find it, but builds on Linux and macOS CI do not.`,
        data: { actualPath: actual },
      };
    return { code: 'PPKG030', message: (what) => `The ${what} "${value}" does not exist (looked in ${projectDir}).` };
  }
  if (!stat.isFile)
    return {
      code: 'PPKG030',
      message: (what) => `The ${what} "${value}" is a folder, not a file. To ship a folder, pack it into a .cab or .zip and expand it in the command line.`,
    };
  const real = probe.realpath(absolute);
  if (!real) return { code: 'PPKG030', message: (what) => `The ${what} "${value}" cannot be read (a symbolic link loop or no permission).` };
  const rel = path.relative(realProjectDir, real);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    return {
      code: 'PPKG031',
      message: (what) => `The ${what} "${value}" is a link to a file outside the project folder (${real}). Copy the file into the project instead.`,
    };
  return null;
}

/** What one part of the project (an application, or the rest) holds: its findings and its command-folder files. */
interface PartFiles {
  /** Findings of the part's paths, relative to the part. */
  findings: ItemFinding[];
  /** Its command-folder files: relative path, lower-case file name, value. */
  commandFiles: { path: JsonPath; base: string; value: string }[];
}

type CommandFile = PartFiles['commandFiles'][number];

const sameCommandFiles = (a: CommandFile[], b: CommandFile[]) =>
  a.length === b.length &&
  a.every((c, k) => c.base === b[k].base && c.value === b[k].value && c.path.length === b[k].path.length && c.path.every((s, j) => s === b[k].path[j]));

/** A number per probe: a probe replaced after files changed may report the same epoch as the one before it. */
const probeIds = new WeakMap<object, number>();
let probes = 0;
/** A variant no later call repeats, for a probe whose answers may change at any time. */
let uncached = 0;

function partFiles(ctx: RuleContext, part: unknown, check: (value: string) => FileFinding): PartFiles {
  const out: PartFiles = { findings: [], commandFiles: [] };
  for (const f of fileFields(part)) {
    const finding = check(f.value);
    if (finding)
      out.findings.push({
        path: f.path,
        severity: 'error',
        code: finding.code,
        message: finding.message(f.role),
        ...(finding.data ? { data: finding.data } : {}),
      });
    if (f.commandFolder)
      out.commandFiles.push({
        path: f.path,
        base: f.value.slice(Math.max(f.value.lastIndexOf('/'), f.value.lastIndexOf('\\')) + 1).toLowerCase(),
        value: f.value,
      });
  }
  return out;
}

/**
 * File rules (https://learn.microsoft.com/windows/configuration/provisioning-packages/provisioning-script-to-install-app): every file must exist
 * inside the project folder, and command files share one folder on the device.
 */
export function fileRules(ctx: RuleContext): void {
  const projectPath = ctx.options.projectPath;
  const projectDir = projectPath ? path.dirname(projectPath) : undefined;
  const probe = ctx.options.files;
  const realProjectDir = projectDir ? (probe.realpath(projectDir) ?? projectDir) : undefined;
  // Keep answers only while the probe says they hold, for this project folder.
  const epoch = probe.epoch?.();
  let probeId = probeIds.get(probe);
  if (probeId === undefined) probeIds.set(probe, (probeId = ++probes));
  const variant = epoch === undefined ? undefined : `${probeId}\u0000${epoch}\u0000${projectDir ?? ''}\u0000${realProjectDir ?? ''}`;
  let kept: Map<string, FileFinding> | undefined;
  if (variant !== undefined) {
    let entry = findingsByProbe.get(probe);
    if (!entry || entry.key !== variant) findingsByProbe.set(probe, (entry = { key: variant, findings: new Map() }));
    kept = entry.findings;
  }
  const check = (value: string): FileFinding => {
    let finding = kept?.get(value);
    if (finding === undefined) {
      finding = checkPath(ctx, value, projectDir, realProjectDir);
      kept?.set(value, finding);
    }
    return finding;
  };

  // Applications one by one (kept per application), the rest of the project at once.
  const project = ctx.doc.value as Record<string, unknown>;
  const apps = Array.isArray(project.applications) ? (project.applications as unknown[]) : [];
  const { applications: _apps, ...rest } = project;
  const restFiles = partFiles(ctx, rest, check);
  // Each application's files, kept per application and probe state; the name clashes, kept while no command file changed.
  const memo = ctx.memo('files', () => ({
    applications: new PerIndex<PartFiles>((a, b) => sameCommandFiles(a.commandFiles, b.commandFiles)),
    clashes: undefined as { rest: CommandFile[]; found: { path: JsonPath; message: string }[] } | undefined,
  }));
  const { values: byApp, changed } = memo.applications.map(apps, variant ?? `\u0000uncached ${uncached++}`, (app) => {
    const whole = partFiles(ctx, { applications: [app] }, check);
    return {
      findings: whole.findings.map((f) => ({ ...f, path: f.path.slice(2) })),
      commandFiles: whole.commandFiles.map((c) => ({ ...c, path: c.path.slice(2) })),
    };
  });

  if (restFiles.findings.length) reportItem(ctx, [], restFiles.findings);
  for (let i = 0; i < byApp.length; i++) if (byApp[i].findings.length) reportItem(ctx, ['applications', i], byApp[i].findings);

  // All command files land in one folder on the device (…\ProvisioningPkgTmp\{id}\Commands\n): names must be unique.
  if (changed || !memo.clashes || !sameCommandFiles(memo.clashes.rest, restFiles.commandFiles)) {
    const found: { path: JsonPath; message: string }[] = [];
    const byName = new Map<string, string>();
    const visit = (at: JsonPath, files: CommandFile[]) => {
      for (const c of files) {
        const first = byName.get(c.base);
        if (first === undefined) {
          byName.set(c.base, c.value);
          continue;
        }
        if (first === c.value || first.replace(/\\/g, '/') === c.value.replace(/\\/g, '/')) continue; // the same file listed twice ships once
        found.push({
          path: [...at, ...c.path],
          message: `"${path.win32.basename(c.value.replace(/\//g, '\\'))}" has the same file name as ${first}. All command files, installers and dependencies are copied into one folder on the device, so one would overwrite the other. Rename one of them.`,
        });
      }
    };
    visit([], restFiles.commandFiles);
    byApp.forEach((files, i) => visit(['applications', i], files.commandFiles));
    memo.clashes = { rest: restFiles.commandFiles, found };
  }
  for (const c of memo.clashes.found) ctx.report(c.path, 'error', 'PPKG032', c.message);

  const certs = ctx.value(['certificates']);
  if (Array.isArray(certs)) {
    certs.forEach((_, i) => {
      const file = ctx.string(['certificates', i, 'file']);
      if (!file) return;
      const ext = path.extname(file).toLowerCase();
      if (ext === '.pfx' || ext === '.p12') {
        if (ctx.value(['certificates', i, 'password']) === undefined) {
          ctx.report(
            ctx.keyNode(['certificates', i]) ?? ctx.node(['certificates', i]),
            'error',
            'PPKG033',
            `The client certificate "${file}" needs its password: add "password": { "secret": "certificate-${i + 1}-password" }.`,
          );
        }
      } else if (ext !== '.cer' && ext !== '.crt') {
        ctx.report(
          ctx.node(['certificates', i, 'file']),
          'error',
          'PPKG034',
          `"${file}" is not a certificate file WCD takes: use .cer or .crt for a root or CA certificate, .pfx for a client certificate.`,
        );
      }
    });
  }
}

/** The path as it really is on disk when it differs from `rel` only in letter case. */
function findCaseInsensitive(probe: RuleContext['options']['files'], base: string, rel: string): string | undefined {
  const segments = rel.split('/').filter((s) => s && s !== '.');
  let dir = base;
  const actual: string[] = [];
  for (const segment of segments) {
    if (segment === '..') {
      dir = path.dirname(dir);
      actual.push('..');
      continue;
    }
    const entries = probe.readdir(dir);
    if (!entries) return undefined;
    const match = entries.find((e) => e === segment) ?? entries.find((e) => e.toLowerCase() === segment.toLowerCase());
    if (!match) return undefined;
    actual.push(match);
    dir = path.join(dir, match);
  }
  const result = actual.join('/');
  return result !== segments.join('/') ? result : undefined;
}
