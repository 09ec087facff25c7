/**
 * Opening a `.ppkg` in VS Code: a read-only custom editor showing what
 * `ppkg inspect` prints (secrets masked), with **ppkg: Import as Project**
 * and **ppkg: Compare with Project**. The compare opens VS Code's diff of
 * the two inspect texts (`ppkg-inspect:` documents): the project compiled
 * and read back as the package would be, on the left, the package on the
 * right. Everything is the engine's (inspect, diff and import, through
 * server/src/engine.ts); this file only wires it into the editor.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  diffModels,
  errorInfo,
  importPackageAsProject,
  inspectPackage,
  inspectProjectFile,
  isSecretReference,
  projectFileName,
  projectValue,
  renderInspectText,
  secretEnvVar,
  type InspectModel,
  type InspectSetting,
} from '../../server/src/engine';
import { notificationText, reportError, shownText } from './errors';
import { escapeHtml } from './reportHtml';
import type { SecretStore } from './secrets';

export const PACKAGE_VIEW = 'ppkg.packageView';
export const INSPECT_SCHEME = 'ppkg-inspect';

/** The inspect text of a package, or the reason it cannot be read, in words. */
async function packageText(file: string): Promise<{ text: string; ok: boolean }> {
  try {
    return { text: renderInspectText((await inspectPackage(file)).model, path.basename(file)), ok: true };
  } catch (err) {
    // Said in the view instead of the package's settings.
    const shown = path.basename(file);
    const info = errorInfo(err, { packageName: shown });
    return { text: shownText(info.category === 'unexpected' ? `${shown} cannot be read: ${info.message}` : info.message), ok: false };
  }
}

export function packageHtml(text: string, ok: boolean, file: vscode.Uri, cspSource: string): string {
  const arg = encodeURIComponent(JSON.stringify([file.toString()]));
  const actions = ok
    ? `<nav><a class="button" href="command:ppkg.importPackage?${arg}" title="Write a project file and extract the package's files beside it">Import as Project</a>
<a class="button" href="command:ppkg.comparePackage?${arg}" title="Compare this package with a project file, setting by setting">Compare with Project</a></nav>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline';">
<title>${escapeHtml(path.basename(file.fsPath))}</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.2em; }
pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); white-space: pre-wrap; word-break: break-all; }
nav { margin: .8em 0; display: flex; gap: .6em; }
.button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); padding: .3em .8em; text-decoration: none; border-radius: 2px; }
.button:hover { background: var(--vscode-button-hoverBackground); }
.error { color: var(--vscode-errorForeground); }
</style></head><body>
${actions}
<pre id="inspect"${ok ? '' : ' class="error"'}>${escapeHtml(text)}</pre>
</body></html>`;
}

class PackageViewProvider implements vscode.CustomReadonlyEditorProvider {
  /** The package shown in the active view, for the commands run from the palette. */
  active: vscode.Uri | undefined;

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: false, enableCommandUris: ['ppkg.importPackage', 'ppkg.comparePackage'] } as vscode.WebviewOptions;
    const render = async () => {
      const { text, ok } = await packageText(document.uri.fsPath);
      panel.webview.html = packageHtml(text, ok, document.uri, panel.webview.cspSource);
    };
    this.active = document.uri;
    panel.onDidChangeViewState((e) => e.webviewPanel.active && (this.active = document.uri));
    // A rebuilt package refreshes the view.
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(document.uri.fsPath)), path.basename(document.uri.fsPath)),
    );
    watcher.onDidChange(render);
    watcher.onDidCreate(render);
    panel.onDidDispose(() => watcher.dispose());
    await render();
  }
}

/**
 * `ppkg-inspect:` documents: the inspect text of a package or a project
 * (`?package=<path>` / `?project=<path>`), or a text a comparison prepared
 * (`?compare=<n>`). Their paths end in `.txt`, so no language (and no
 * project validation) attaches to them.
 */
class InspectDocuments implements vscode.TextDocumentContentProvider {
  readonly prepared = new Map<string, string>();
  private next = 0;

  constructor(private readonly secrets: SecretStore) {}

  prepare(name: string, text: string): vscode.Uri {
    const id = String(this.next++);
    if (this.prepared.size > 50) this.prepared.delete(this.prepared.keys().next().value!);
    this.prepared.set(id, text);
    return vscode.Uri.from({ scheme: INSPECT_SCHEME, path: `/${name}.txt`, query: new URLSearchParams({ compare: id }).toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const id = q.get('compare');
    if (id !== null) return this.prepared.get(id) ?? 'This comparison is no longer available: run ppkg: Compare with Project again.\n';
    const pkg = q.get('package');
    if (pkg) return (await packageText(pkg)).text;
    const project = q.get('project') ?? '';
    try {
      const r = await inspectProjectFile(project, path.basename(project), await projectSecretsEnv(this.secrets, project));
      return renderInspectText(r.model);
    } catch (err) {
      // Said in the document instead of the project's settings.
      return `${shownText(errorInfo(err).message)}\n`;
    }
  }
}

/**
 * A project's secret that is not set cannot be compared: the package's
 * setting is shown with the project's "value unknown" text, so VS Code's
 * diff marks only real differences (as ppkg diff counts them).
 */
export function alignUnknownSecrets(project: InspectModel, pkg: InspectModel): InspectModel {
  const key = (x: InspectSetting) => `${x.scope}|${x.path ?? x.uri}`;
  const unknown = new Map(project.settings.filter((x) => x.secret && x.secret.fingerprint === null).map((x) => [key(x), x]));
  return {
    ...pkg,
    settings: pkg.settings.map((x) =>
      x.secret && unknown.has(key(x)) ? { ...x, value: unknown.get(key(x))!.value, compiledValue: unknown.get(key(x))!.compiledValue } : x,
    ),
  };
}

/** The project's secrets from SecretStorage, as the environment the engine reads (unset ones are "value unknown"). */
async function projectSecretsEnv(secrets: SecretStore, projectFile: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  try {
    const value = projectValue(await fs.readFile(projectFile, 'utf8')) as { id?: unknown } | undefined;
    if (typeof value?.id !== 'string') return env;
    for (const name of secrets.names(value.id)) {
      const v = await secrets.get(value.id, name);
      if (v) env[secretEnvVar(name)] = v;
    }
  } catch {
    // Unreadable: compared with its secrets unknown; the diff says why it cannot compile if it cannot.
  }
  return env;
}

function secretNamesIn(value: unknown, out = new Set<string>()): Set<string> {
  if (isSecretReference(value)) out.add(value.secret);
  else if (Array.isArray(value)) value.forEach((v) => secretNamesIn(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => secretNamesIn(v, out));
  return out;
}

/** `PPKG_SECRET_X='…'` lines as written by ppkg import (single quotes, ' as '\''). */
export function parseSecretsFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(PPKG_SECRET_[A-Z0-9_]+)='((?:[^']|'\\'')*)'$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.replace(/'\\''/g, "'"));
  }
  return out;
}

async function pickPackage(provider: PackageViewProvider, arg: unknown): Promise<vscode.Uri | undefined> {
  if (typeof arg === 'string') return vscode.Uri.parse(arg);
  if (arg instanceof vscode.Uri) return arg;
  if (provider.active) return provider.active;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Provisioning packages': ['ppkg'] }, title: 'Package to read' });
  return picked?.[0];
}

async function importPackageCommand(
  provider: PackageViewProvider,
  secrets: SecretStore,
  log: vscode.LogOutputChannel,
  arg: unknown,
): Promise<string | undefined> {
  const pkg = await pickPackage(provider, arg);
  if (!pkg) return undefined;
  const dir = path.dirname(pkg.fsPath);
  let name = 'Imported package';
  try {
    const r = await inspectPackage(pkg.fsPath);
    name = r.model.image.name || name;
  } catch (err) {
    reportError(err, { log, topic: 'import', packageName: path.basename(pkg.fsPath) });
    return undefined;
  }
  const file = projectFileName(name);
  const suggested = `${file.replace(/\.ppkg\.json$/, '')}/${file}`;
  const answer = await vscode.window.showInputBox({
    title: 'ppkg: Import as Project',
    prompt: `Project file to write, relative to ${dir}. The package's installers and certificates are extracted beside it.`,
    value: suggested,
    validateInput: (v) => (/\.ppkg\.json$/i.test(v.trim()) ? undefined : 'A project file name ends in .ppkg.json'),
  });
  if (!answer) return undefined;
  const out = path.resolve(dir, answer.trim());
  let force = false;
  try {
    await fs.access(out);
    const replace = 'Replace';
    force =
      (await vscode.window.showWarningMessage(
        `${path.basename(out)} already exists. Replace the project file? (Extracted files are never replaced.)`,
        { modal: true },
        replace,
      )) === replace;
    if (!force) return undefined;
  } catch {
    // New file.
  }
  let outcome;
  try {
    outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Importing ${path.basename(pkg.fsPath)}…` }, () =>
      importPackageAsProject(pkg.fsPath, out, { shownName: path.basename(pkg.fsPath), force, cwd: dir }),
    );
  } catch (err) {
    reportError(err, { log, topic: 'import', failed: 'Import as Project failed', packageName: path.basename(pkg.fsPath) });
    return undefined;
  }
  const stderr = outcome.stderr;
  for (const line of stderr.split('\n').filter(Boolean)) log.appendLine(`[import] ${line.replace(/^ppkg import: /, '')}`);
  if (outcome.code !== 0) {
    const message = stderr
      .split('\n')
      .filter((l) => !/: warning: /.test(l))
      .join(' ')
      .replace(/^ppkg import: /, '')
      .trim();
    void vscode.window.showErrorMessage(`Import as Project failed: ${notificationText(message)}`);
    return undefined;
  }
  // The secrets go to SecretStorage under the project's package ID; the file ppkg import wrote is then removed.
  const secretsFile = path.join(path.dirname(out), `${path.basename(out).replace(/\.ppkg\.json$/i, '')}.secrets.env`);
  let stored = 0;
  try {
    const project = projectValue(await fs.readFile(out, 'utf8')) as { id?: string };
    const values = parseSecretsFile(await fs.readFile(secretsFile, 'utf8'));
    if (project?.id) {
      for (const n of secretNamesIn(project)) {
        const v = values.get(secretEnvVar(n));
        if (v !== undefined) {
          await secrets.set(project.id, n, v);
          stored++;
        }
      }
      await fs.rm(secretsFile, { force: true });
    }
  } catch {
    // No secrets file: the package had no secrets.
  }
  const doc = await vscode.workspace.openTextDocument(out);
  await vscode.window.showTextDocument(doc, { preview: false });
  const warnings = stderr.split('\n').filter((l) => /: warning: /.test(l)).length;
  void vscode.window.showInformationMessage(
    `Imported ${path.basename(pkg.fsPath)} as ${path.basename(out)}${stored ? `; its ${stored} secret${stored === 1 ? ' is' : 's are'} in SecretStorage (ppkg: Set Secret changes ${stored === 1 ? 'it' : 'them'})` : ''}.${warnings ? ` ${warnings} note${warnings === 1 ? '' : 's'} in the ppkg output.` : ''}`,
  );
  return out;
}

async function comparePackageCommand(
  provider: PackageViewProvider,
  secrets: SecretStore,
  log: vscode.LogOutputChannel,
  documents: InspectDocuments,
  arg: unknown,
  projectArg?: unknown,
): Promise<{ differences: number } | undefined> {
  const pkg = await pickPackage(provider, arg);
  if (!pkg) return undefined;
  let project: string | undefined = typeof projectArg === 'string' ? projectArg : undefined;
  if (!project) {
    const found = await vscode.workspace.findFiles('**/*.ppkg.json', '**/{node_modules,ppkg-out}/**', 200);
    const items = found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'ppkg: Compare with Project',
      placeHolder: `Project to compare with ${path.basename(pkg.fsPath)}`,
    });
    if (!picked) return undefined;
    project = picked.uri.fsPath;
  }
  try {
    const [a, b] = await Promise.all([
      inspectProjectFile(project, path.basename(project), await projectSecretsEnv(secrets, project)),
      inspectPackage(pkg.fsPath),
    ]);
    const d = diffModels(a.model, b.model, { a: { label: path.basename(project), kind: 'project' }, b: { label: path.basename(pkg.fsPath), kind: 'package' } });
    const left = documents.prepare(path.basename(project), renderInspectText(a.model));
    const right = documents.prepare(path.basename(pkg.fsPath), renderInspectText(alignUnknownSecrets(a.model, b.model)));
    await vscode.commands.executeCommand('vscode.diff', left, right, `${path.basename(project)} ↔ ${path.basename(pkg.fsPath)}`);
    const n = d.image.length + d.settings.length + d.files.length;
    void vscode.window.showInformationMessage(
      d.same
        ? `${path.basename(pkg.fsPath)} is what ${path.basename(project)} builds: no differences.`
        : `${path.basename(pkg.fsPath)} and ${path.basename(project)}: ${n} difference${n === 1 ? '' : 's'}.`,
    );
    return { differences: n };
  } catch (err) {
    reportError(err, { log, topic: 'compare', packageName: path.basename(pkg.fsPath) });
    return undefined;
  }
}

export function registerPackageView(context: vscode.ExtensionContext, secrets: SecretStore, log: vscode.LogOutputChannel): void {
  const provider = new PackageViewProvider();
  const documents = new InspectDocuments(secrets);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(PACKAGE_VIEW, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.workspace.registerTextDocumentContentProvider(INSPECT_SCHEME, documents),
    vscode.commands.registerCommand('ppkg.importPackage', (arg?: unknown) => importPackageCommand(provider, secrets, log, arg)),
    vscode.commands.registerCommand('ppkg.comparePackage', (arg?: unknown, project?: unknown) =>
      comparePackageCommand(provider, secrets, log, documents, arg, project),
    ),
  );
}
