import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildProject, type PpkgDiagnostic } from '../../server/src/engine';
import { reportError } from './errors';
import { resolveProject } from './projects';
import type { SecretStore } from './secrets';

const SEVERITY: Record<PpkgDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function toVscodeDiagnostic(d: PpkgDiagnostic): vscode.Diagnostic {
  const r = d.range;
  const out = new vscode.Diagnostic(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), d.message, SEVERITY[d.severity]);
  out.code = d.code;
  out.source = 'ppkg build';
  return out;
}

/** Where packages go: ppkg.outputFolder (relative to the workspace folder, or absolute), else the engine's default. */
export function outputDir(projectPath: string, setting: string): string | undefined {
  const s = setting.trim();
  if (!s) return undefined;
  const base = path.basename(projectPath).replace(/\.ppkg\.json$/i, '');
  if (path.isAbsolute(s)) return path.join(s, base);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(projectPath))?.uri.fsPath ?? path.dirname(projectPath);
  return path.join(folder, s, base);
}

/** ppkg: Build Package — progress with cancel, build errors on the project file, a link to the package. */
export async function buildPackageCommand(
  deps: { secrets: SecretStore; log: vscode.OutputChannel; buildDiagnostics: vscode.DiagnosticCollection },
  arg?: unknown,
): Promise<void> {
  const project = await resolveProject(arg);
  if (!project) return;
  const doc = project.document;
  if (doc.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('Save the project to a file before building it.');
    return;
  }
  if (doc.isDirty && !(await doc.save())) return;
  const config = vscode.workspace.getConfiguration('ppkg');
  const backend = config.get<string>('buildBackend', 'native') === 'icd' ? 'icd' : 'native';
  const icdPath = config.get<string>('icdPath', '').trim() || undefined;
  const outDir = outputDir(doc.uri.fsPath, config.get<string>('outputFolder', ''));
  deps.buildDiagnostics.delete(doc.uri);
  deps.log.appendLine(`[build] ${project.name}: ${doc.uri.fsPath} (backend ${backend})`);

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `ppkg: Building ${project.name}`, cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort());
      let last = 0;
      let lastLogged: string | undefined;
      try {
        const result = await buildProject({
          projectPath: doc.uri.fsPath,
          outDir,
          backend,
          icdPath,
          secrets: deps.secrets.resolver(project.key),
          signal: abort.signal,
          onProgress: (message, fraction) => {
            const increment = fraction !== undefined ? Math.max(0, Math.round(fraction * 100) - last) : undefined;
            if (fraction !== undefined) last = Math.round(fraction * 100);
            progress.report({ message, increment });
            // Progress repeats the same step with a new fraction; log each step once.
            if (message !== lastLogged) deps.log.appendLine(`[build] ${message}`);
            lastLogged = message;
          },
        });
        deps.log.appendLine(`[build] Package: ${result.packagePath}`);
        if (result.warnings.length) deps.buildDiagnostics.set(doc.uri, result.warnings.map(toVscodeDiagnostic));
        const reveal = 'Reveal Package';
        const report = 'Open Build Report';
        const warn = result.warnings.length ? ` with ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '';
        void vscode.window.showInformationMessage(`Built ${path.basename(result.packagePath)}${warn}.`, reveal, report).then((c) => {
          if (c === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.packagePath));
          if (c === report) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.reportPath));
        });
      } catch (e) {
        const { diagnostics } = reportError(e, {
          log: deps.log,
          topic: 'build',
          failed: 'Build failed',
          signal: abort.signal,
          cancelled: 'The build was cancelled; nothing was written.',
        });
        if (diagnostics.length) deps.buildDiagnostics.set(doc.uri, diagnostics.map(toVscodeDiagnostic));
      }
    },
  );
}
