/**
 * The inspect model as text: what `ppkg inspect` and `ppkg textconv` print
 * and the VS Code package view shows. Deterministic (no clock, no machine
 * paths), so that git's textconv diffs show only what changed in the
 * package.
 */
import { escapeForDisplay } from '../validation/diagnostic';
import type { FileRef, InspectModel, InspectSetting } from './model';

/** Values longer than this are cut in the settings list (the JSON output has them whole). */
const MAX_VALUE_CHARS = 200;

export function short(v: string): string {
  const one = v.replace(/\r\n|\r|\n/g, '⏎');
  return one.length > MAX_VALUE_CHARS ? `${one.slice(0, MAX_VALUE_CHARS)}… (${one.length} characters)` : one;
}

function size(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function fileLine(f: FileRef): string {
  return `${f.name} (${size(f.size)}, sha256 ${f.sha256 || 'unknown'})`;
}

export function settingLine(s: InspectSetting): string {
  const name = s.path ?? s.uri;
  if (s.file) return `${name} = ${fileLine(s.file)}`;
  let value = short(s.value);
  if (s.label !== undefined)
    value = s.label === null ? `${short(s.compiledValue)} (no WCD label)` : s.label === s.compiledValue ? s.label : `${s.label} (${s.compiledValue})`;
  const extra = s.path === null ? ` [${s.datatype}; no WCD setting]` : '';
  return `${name} = ${value}${extra}`;
}

export function renderInspectText(m: InspectModel, title?: string): string {
  const out: string[] = [];
  const i = m.image;
  out.push(`Provisioning package${title ? ` ${title}` : ''}`);
  const row = (k: string, v: string | null | undefined) => out.push(`  ${k.padEnd(20)}${v === null || v === undefined || v === '' ? '(none)' : short(v)}`);
  row('Name', i.name);
  row('Package ID', i.packageId);
  row('Version', i.version);
  row(
    'Owner and rank',
    i.owner !== null ? `${i.owner}, rank ${i.rank} (ALTITUDE ${i.altitude})` : i.altitude !== null ? `unknown (ALTITUDE ${i.altitude})` : null,
  );
  row('Description', i.description);
  row('Notes', i.notes);
  row('customizations.xml', i.hasCustomizationsXml ? 'yes (the WCD project it was built from)' : 'no (settings read from the compiled files only)');

  out.push('', 'Risks');
  for (const l of m.risks.lines) out.push(`  ! ${l}`);

  const device = m.settings.filter((s) => s.scope === 'device');
  const user = m.settings.filter((s) => s.scope === 'user');
  out.push('', `Settings applied to the device (RunTime.xml order): ${device.length}`);
  for (const s of device) out.push(`  ${settingLine(s)}`);
  if (user.length) {
    out.push('', `Settings applied for each user (User_RunTime.xml order): ${user.length}`);
    for (const s of user) out.push(`  ${settingLine(s)}`);
  }

  if (m.users.length) {
    out.push('', 'Local accounts');
    for (const u of m.users) out.push(`  ${u.name}: ${u.group ?? 'no group'}${u.hasPassword ? ', with a password' : ''}`);
  }

  if (m.commands.length) {
    out.push('', 'Commands, in the order they run (all as SYSTEM)');
    for (const c of m.commands) {
      const where = c.context === 'device' ? 'DeviceContext' : `PrimaryContext, command ${c.index}`;
      out.push(`  ${c.order}. [${where}] ${c.commandLine === null ? '(no command line)' : short(c.commandLine)}`);
      for (const f of c.files) out.push(`       file: ${fileLine(f)}`);
      for (const f of c.dependencies) out.push(`       dependency: ${fileLine(f)}`);
      const flags = [
        c.continueInstall !== null ? `continue on failure: ${c.continueInstall ? 'yes' : 'no'}` : '',
        c.restartRequired !== null ? `restart: ${c.restartRequired ? 'yes' : 'no'}` : '',
        c.returnCodeSuccess !== null ? `success code ${c.returnCodeSuccess}` : '',
        c.returnCodeRestart !== null ? `restart code ${c.returnCodeRestart}` : '',
      ].filter(Boolean);
      if (flags.length) out.push(`       ${flags.join(', ')}`);
    }
  }

  if (m.assets.length) {
    out.push('', 'Shipped files');
    for (const a of m.assets) out.push(`  ${a.packagePath}  ${size(a.size)}  sha256 ${a.sha256}${a.setting ? `  (${a.kind}: ${a.setting})` : ''}`);
  }

  if (m.certificates.length) {
    out.push('', 'Certificates');
    for (const c of m.certificates) {
      const what = c.store === 'Client' ? `Client certificate "${c.key}"` : `Trusted (${c.store} store)`;
      if (c.error && !c.subject) out.push(`  ${what}: cannot be read: ${c.error}`);
      else
        out.push(
          `  ${what}: ${c.subject}; issued by ${c.issuer}; thumbprint ${c.thumbprint}; valid ${c.notBefore?.slice(0, 10)} to ${c.notAfter?.slice(0, 10)}${c.selfSigned ? '; self-signed' : ''}${c.error ? `; ${c.error}` : ''}`,
        );
    }
  }

  if (m.otherFiles.length) {
    out.push('', 'Other files');
    for (const f of m.otherFiles) out.push(`  ${f.path}  ${size(f.size)}`);
  }
  if (m.warnings.length) {
    out.push('', 'Warnings');
    for (const w of m.warnings) out.push(`  - ${w}`);
  }
  // What a package holds is shown, never obeyed: control characters and bidirectional overrides appear escaped.
  return out.map(escapeForDisplay).join('\n') + '\n';
}
