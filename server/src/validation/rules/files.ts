import * as path from 'node:path';
import type { JsonPath } from '../../model/parse';
import { fileFields } from '../../model/fields';
import type { RuleContext } from '../context';

export interface FileReference {
  path: JsonPath;
  value: string;
  /** What the wizard calls the field, for messages. */
  what: string;
  /** True when the file is shipped into the command folder on the device (unique names needed). */
  commandFile: boolean;
}

/** Every file the project points at, in document order (the schema's x-ppkg-file properties). */
export function fileReferences(ctx: RuleContext): FileReference[] {
  return fileFields(ctx.doc.value).map((f) => ({ path: f.path, value: f.value, what: f.role, commandFile: f.commandFolder }));
}

/** True when a relative path written in the project stays inside the project folder by its form alone. */
export function isContainedPath(p: string): boolean {
  // The common case, a plain relative path, without normalising.
  const first = p.charCodeAt(0);
  if (!p.includes('..') && !p.includes(':') && first !== 47 /* / */ && first !== 92 /* \ */) return true;
  if (path.isAbsolute(p) || path.win32.isAbsolute(p) || /^[a-zA-Z]:/.test(p)) return false;
  const normalized = path.posix.normalize(p.replace(/\\/g, '/'));
  return !(normalized === '..' || normalized.startsWith('../'));
}

/**
 * File rules (provisioning-script-to-install-app.md): every file must exist
 * inside the project folder, and command files share one folder on the device.
 */
export function fileRules(ctx: RuleContext): void {
  const refs = fileReferences(ctx);
  const projectPath = ctx.options.projectPath;
  const projectDir = projectPath ? path.dirname(projectPath) : undefined;
  const probe = ctx.options.files;
  const realProjectDir = projectDir ? probe.realpath(projectDir) ?? projectDir : undefined;

  for (const ref of refs) {
    const node = ref.path;
    if (ref.value.includes('\0')) {
      ctx.report(node, 'error', 'PPKG031', `The ${ref.what} path contains a NUL character.`);
      continue;
    }
    if (!isContainedPath(ref.value)) {
      ctx.report(node, 'error', 'PPKG031', `The ${ref.what} "${ref.value}" is outside the project folder. Use a path relative to the project file that stays inside its folder, so the project builds the same on every machine.`);
      continue;
    }
    if (!projectDir || !realProjectDir) continue;
    const absolute = path.resolve(projectDir, ref.value.replace(/\\/g, '/'));
    const stat = probe.stat(absolute);
    if (!stat) {
      const actual = findCaseInsensitive(probe, projectDir, ref.value.replace(/\\/g, '/'));
      if (actual) {
        ctx.report(node, 'error', 'PPKG035', `The ${ref.what} "${ref.value}" differs only in case from "${actual}". Windows would find it, but builds on Linux and macOS CI do not.`, { actualPath: actual });
      } else {
        ctx.report(node, 'error', 'PPKG030', `The ${ref.what} "${ref.value}" does not exist (looked in ${projectDir}).`);
      }
      continue;
    }
    if (!stat.isFile) {
      ctx.report(node, 'error', 'PPKG030', `The ${ref.what} "${ref.value}" is a folder, not a file. To ship a folder, pack it into a .cab or .zip and expand it in the command line.`);
      continue;
    }
    const real = probe.realpath(absolute);
    if (!real) {
      ctx.report(node, 'error', 'PPKG030', `The ${ref.what} "${ref.value}" cannot be read (a symbolic link loop or no permission).`);
      continue;
    }
    const rel = path.relative(realProjectDir, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      ctx.report(node, 'error', 'PPKG031', `The ${ref.what} "${ref.value}" is a link to a file outside the project folder (${real}). Copy the file into the project instead.`);
    }
  }

  // All command files land in one folder on the device (…\ProvisioningPkgTmp\{id}\Commands\n): names must be unique.
  const byName = new Map<string, FileReference>();
  for (const ref of refs.filter((r) => r.commandFile)) {
    const base = ref.value.slice(Math.max(ref.value.lastIndexOf('/'), ref.value.lastIndexOf('\\')) + 1).toLowerCase();
    const first = byName.get(base);
    if (first) {
      if (first.value.replace(/\\/g, '/') === ref.value.replace(/\\/g, '/')) continue; // the same file listed twice ships once
      ctx.report(ctx.node(ref.path), 'error', 'PPKG032', `"${path.win32.basename(ref.value.replace(/\//g, '\\'))}" has the same file name as ${first.value}. All command files, installers and dependencies are copied into one folder on the device, so one would overwrite the other. Rename one of them.`);
    } else {
      byName.set(base, ref);
    }
  }

  const certs = ctx.value(['certificates']);
  if (Array.isArray(certs)) {
    certs.forEach((_, i) => {
      const file = ctx.string(['certificates', i, 'file']);
      if (!file) return;
      const ext = path.extname(file).toLowerCase();
      if (ext === '.pfx' || ext === '.p12') {
        if (ctx.value(['certificates', i, 'password']) === undefined) {
          ctx.report(ctx.keyNode(['certificates', i]) ?? ctx.node(['certificates', i]), 'error', 'PPKG033', `The client certificate "${file}" needs its password: add "password": { "secret": "certificate-${i + 1}-password" }.`);
        }
      } else if (ext !== '.cer' && ext !== '.crt') {
        ctx.report(ctx.node(['certificates', i, 'file']), 'error', 'PPKG034', `"${file}" is not a certificate file WCD takes: use .cer or .crt for a root or CA certificate, .pfx for a client certificate.`);
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
