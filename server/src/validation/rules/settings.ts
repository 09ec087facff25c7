/**
 * What the build will compile, checked while editing (docs/settings.md): the
 * project's WCD settings are built with the same function the compiler uses
 * (projectSettings) and every leaf is checked against the setting table, so a
 * setting the native backend would refuse is an error here first (PPKG113,
 * PPKG111), with the same message the build gives.
 */
import { compileValue, describeLeaf } from '../../compile/values';
import { projectSettings } from '../../compile/projectSettings';
import { leavesOf } from '../../compile/settingsTree';
import type { JsonPath } from '../../model/parse';
import type { Project } from '../../model/project';
import { isSecretReference } from '../../model/secrets';
import { MIRRORED_SECTIONS, jsonValueOf } from '../../settings/mirror';
import { settingAt } from '../../settings/table';
import { parseSettingPath, schemaPathOf } from '../../settings/wcdPath';
import type { RuleContext } from '../context';
import { PerIndex, reportEach, type ItemFinding } from '../perItem';

/** The project property that holds a WCD setting path, when there is a simple one. */
const WIZARD_PROPERTIES: Record<string, JsonPath> = {
  'Accounts/ComputerAccount/ComputerName': ['device', 'name'],
  'EditionUpgrade/UpgradeEditionWithProductKey': ['device', 'productKey'],
  'EditionUpgrade/ChangeProductKey': ['device', 'changeProductKey'],
  'SharedPC/EnableSharedPCMode': ['device', 'sharedUse'],
  'OOBE/Desktop/HideOobe': ['oobe', 'hide'],
  'OOBE/Desktop/EnableCortanaVoice': ['oobe', 'enableCortanaVoice'],
};

/** The first-class property of a keyless WCD path, and its value in that property's type. */
export function firstClassProperty(path: string, value: unknown): { path: JsonPath; value: unknown } | undefined {
  const segments = parseSettingPath(path);
  if (!segments || segments.some((s) => s.attrs.length)) return undefined;
  const schemaPath = schemaPathOf(segments);
  const def = settingAt(schemaPath);
  if (!def || typeof value !== 'string') return undefined;
  const section = MIRRORED_SECTIONS.find((m) => m.element === segments[0]!.name);
  if (section) {
    if (def.wcd === 'secret' || def.wcd === 'file') return undefined;
    const v = jsonValueOf(def, value);
    return v === undefined ? undefined : { path: [section.key, ...segments.slice(1).map((s) => s.name)], value: v };
  }
  const target = WIZARD_PROPERTIES[schemaPath];
  if (!target) return undefined;
  const v = def.wcd === 'bool' ? jsonValueOf(def, value) : value;
  return v === undefined ? undefined : { path: target, value: v };
}

/** What compiling the project's WCD settings would refuse, as findings with absolute paths (before the fix offers). */
function settingsFindings(project: Project, native: boolean): ItemFinding[] {
  const out: ItemFinding[] = [];
  let settings;
  try {
    settings = projectSettings(project);
  } catch {
    // A value of the wrong shape: the schema findings say what to fix.
    return out;
  }
  for (const p of settings.problems) out.push({ path: p.path, severity: 'error', code: p.code, message: p.message });
  for (const leaf of leavesOf(settings.tree, 'written')) {
    const schemaPath = leaf.path.map((s) => s.name).join('/');
    const def = settingAt(schemaPath);
    if (!def) {
      if (native) {
        out.push({
          path: leaf.leaf.source,
          severity: 'error',
          code: 'PPKG113',
          message: `${describeLeaf(leaf)} is not a setting the native backend compiles, so the native build refuses it. Use the csp list with its OMA-URI, or build with the ICD backend (ppkg build --backend icd) on Windows.`,
        });
      }
      continue;
    }
    if (!native || def.wcd === 'secret' || def.wcd === 'file' || isSecretReference(leaf.leaf.value)) continue;
    // A mirrored section's values are checked by the schema (an enum of WCD's labels).
    if (MIRRORED_SECTIONS.some((m) => m.key === leaf.leaf.source[0])) continue;
    // The setting's name is worded only for a value that does not compile.
    if (!('problem' in compileValue(def, leaf.leaf.value, ''))) continue;
    const compiled = compileValue(def, leaf.leaf.value, describeLeaf(leaf)) as { problem: string };
    // For a WCD choice, offer its labels; the one whose CSP value was written is the likely intent.
    const text = leaf.leaf.value;
    const fixes = (def.choices ?? []).map((c) => ({
      title: `Use "${c.label}" (compiled as ${c.value})`,
      isPreferred: c.value === text.trim(),
      edits: [{ path: leaf.leaf.source, value: c.label }],
    }));
    out.push({ path: leaf.leaf.source, severity: 'error', code: 'PPKG111', message: compiled.problem, ...(fixes.length ? { data: { fixes } } : {}) });
  }
  return out;
}

/** A finding's fix edits, made relative to the application like the finding (reportItem re-roots both). */
function relocate(data: Record<string, unknown> | undefined): { data?: Record<string, unknown> } {
  if (!data) return {};
  const fixes = data.fixes as { edits: { path: JsonPath }[] }[] | undefined;
  if (!fixes) return { data };
  return { data: { ...data, fixes: fixes.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, path: e.path.slice(2) })) })) } };
}

export function settingsRules(ctx: RuleContext): void {
  const project = ctx.doc.value;
  if (!project || typeof project !== 'object' || Array.isArray(project)) return;
  const native = (ctx.options.backend ?? 'native') === 'native';
  const p = project as Project;
  const apps = p.applications;
  // An application only adds its own CommandConfig element, so it can be checked on its own (and its
  // findings kept, when the caller keeps a memo) — unless an advanced setting reaches into the commands,
  // where the whole tree is needed. Without a memo, one pass over the whole project is cheaper.
  const separable =
    ctx.options.memo !== undefined &&
    Array.isArray(apps) &&
    apps.length > 1 &&
    !(p.additionalSettings ?? []).some((s) => typeof s?.path === 'string' && s.path.startsWith('ProvisioningCommands/PrimaryContext'));
  if (!separable) {
    for (const f of settingsFindings(p, native)) ctx.report(f.path, f.severity, f.code, f.message, f.data);
  } else {
    const { applications: _apps, ...rest } = p;
    for (const f of settingsFindings(rest as Project, native)) ctx.report(f.path, f.severity, f.code, f.message, f.data);
    const kept = ctx.memo('settings/applications', () => new PerIndex<ItemFinding[]>());
    const { values } = kept.map(apps!, native ? 'native' : 'icd', (app) =>
      settingsFindings({ name: '', id: '', version: '', applications: [app] } as Project, native).map((f) => ({
        ...f,
        path: f.path.slice(2),
        ...relocate(f.data),
      })),
    );
    reportEach(ctx, 'applications', values);
  }

  if (native && typeof (project as Project).additionalCustomizationsXml === 'string' && (project as Project).additionalCustomizationsXml!.trim()) {
    ctx.report(
      ['additionalCustomizationsXml'],
      'error',
      'PPKG113',
      'Multivariant settings (Targets/Variant) are not compiled by the native backend, so the native build refuses them. Build with the ICD backend (ppkg build --backend icd) on Windows, or move the settings into the project.',
    );
  }

  // Style: an advanced setting that has a property of its own.
  const extra = (project as Project).additionalSettings;
  if (Array.isArray(extra)) {
    extra.forEach((s, i) => {
      if (!s || typeof s.path !== 'string') return;
      const target = firstClassProperty(s.path, s.value);
      if (!target || ctx.value(target.path) !== undefined) return;
      const where = target.path.map((x, k) => (k === 0 ? String(x) : `.${String(x)}`)).join('');
      ctx.report(['additionalSettings', i, 'path'], 'warning', 'PPKG114', `${s.path} has a property of its own: ${where}. It is easier to review there.`, {
        fixes: [
          {
            title: `Move to ${where}`,
            isPreferred: true,
            edits: [
              { path: target.path, value: target.value },
              { path: ['additionalSettings', i], remove: true },
            ],
          },
        ],
      });
    });
  }
}
