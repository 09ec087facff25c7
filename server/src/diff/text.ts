/** A diff as text: `ppkg diff`'s default output. Values from a package are escaped, never obeyed. */
import { short } from '../inspect/text';
import { escapeForDisplay } from '../validation/diagnostic';
import type { DiffResult, FileChange } from './compare';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

function file(f: FileChange['a']): string {
  return f ? `${f.name} (${f.size} bytes, sha256 ${f.sha256.slice(0, 16)}…)` : '(none)';
}

export function renderDiffText(d: DiffResult): string {
  const out: string[] = [`--- a: ${d.a.label} (${d.a.kind})`, `+++ b: ${d.b.label} (${d.b.kind})`];
  if (d.image.length) {
    out.push('', 'Package');
    for (const i of d.image) out.push(`  ~ ${i.property}: ${i.a === null ? '(none)' : short(i.a)} → ${i.b === null ? '(none)' : short(i.b)}`);
  }
  if (d.settings.length) {
    out.push('', 'Settings');
    for (const s of d.settings) {
      const scope = s.scope === 'user' ? ' (user)' : '';
      if (s.change === 'changed') out.push(`  ~ ${s.setting}${scope}: ${short(s.a!)} → ${short(s.b!)}`);
      else out.push(`  ${MARK[s.change]} ${s.setting}${scope} = ${short((s.a ?? s.b)!)}`);
    }
  }
  if (d.files.length) {
    out.push('', 'Files');
    for (const f of d.files) {
      if (f.change === 'changed') out.push(`  ~ ${f.setting}: ${file(f.a)} → ${file(f.b)}`);
      else out.push(`  ${MARK[f.change]} ${f.setting} = ${file(f.a ?? f.b)}`);
    }
  }
  for (const n of d.notes) out.push('', `Note: ${n}`);
  const count = d.image.length + d.settings.length + d.files.length;
  out.push('', d.same ? 'No differences: the same package properties, settings and files.' : `${count} difference${count === 1 ? '' : 's'}.`);
  return out.map(escapeForDisplay).join('\n') + '\n';
}
