import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { projectFileName, starterProject } from '../../server/src/engine';
import type { MoveSecretArgs } from '../../server/src/protocol';
import { resolveProject } from './projects';
import type { SecretStore } from './secrets';

/** ppkg: New Project — a commented starter project, as `ppkg init` writes it. */
export async function newProjectCommand(): Promise<void> {
  const name = await vscode.window.showInputBox({
    title: 'New provisioning project',
    prompt: 'Project name (PackageConfig Name): shown on the device and used as the package file name',
    placeHolder: 'Contoso Desktops',
    validateInput: (v) => (v.trim() ? (/[<>&"]/.test(v) ? 'The name cannot contain < > & or ".' : undefined) : 'Enter a name.'),
  });
  if (!name) return;
  let folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if ((vscode.workspace.workspaceFolders?.length ?? 0) > 1) {
    folder = (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the project file' }))?.uri;
  }
  if (!folder) {
    folder = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Create Project Here' }))?.[0];
  }
  if (!folder) return;
  const file = vscode.Uri.joinPath(folder, projectFileName(name.trim()));
  try {
    await vscode.workspace.fs.stat(file);
    void vscode.window.showErrorMessage(`${vscode.workspace.asRelativePath(file)} already exists.`);
    return;
  } catch {
    // Not there yet: good.
  }
  const text = starterProject({ name: name.trim(), id: randomUUID(), today: new Date() });
  await vscode.workspace.fs.writeFile(file, Buffer.from(text, 'utf8'));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
}

/** ppkg: Set Secret — stores a value in SecretStorage for the project's package ID. */
export async function setSecretCommand(secrets: SecretStore, log: vscode.OutputChannel, arg?: unknown, presetName?: string): Promise<void> {
  const project = await resolveProject(arg);
  if (!project) return;
  if (!project.key) {
    void vscode.window.showErrorMessage('The project has no package ID ("id"); secrets are stored per package ID. Add one first.');
    return;
  }
  let name = presetName;
  if (!name) {
    const stored = new Set(secrets.names(project.key));
    const names = [...new Set([...project.secretNames, ...stored])];
    const other = '$(add) Another name…';
    const picked = await vscode.window.showQuickPick(
      [
        ...names.map((n) => ({
          label: n,
          description: stored.has(n) ? 'set' : 'not set',
          detail: project.secretNames.includes(n) ? undefined : 'not referenced by the project',
        })),
        { label: other },
      ],
      { placeHolder: `Which secret of "${project.name}"?` },
    );
    if (!picked) return;
    name = picked.label;
    if (name === other) {
      name = await vscode.window.showInputBox({
        prompt: 'Secret name (letters, digits, ., _ and -)',
        validateInput: (v) =>
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v) ? undefined : 'Letters, digits, ., _ and -, starting with a letter or digit (at most 64).',
      });
      if (!name) return;
    }
  }
  const value = await vscode.window.showInputBox({
    title: `Secret "${name}" of ${project.name}`,
    prompt: 'The value is kept in VS Code SecretStorage on this machine, never in the project file. Leave empty to delete the stored value.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value === '') {
    await secrets.delete(project.key, name);
    log.appendLine(`[secrets] Deleted "${name}" of ${project.name}.`);
    void vscode.window.showInformationMessage(`Deleted the stored secret "${name}".`);
    return;
  }
  await secrets.set(project.key, name, value);
  log.appendLine(`[secrets] Stored "${name}" of ${project.name}.`);
  void vscode.window.showInformationMessage(`Stored the secret "${name}" for ${project.name}.`);
}

/**
 * The "Move to SecretStorage" quick fix: reads the plain-text value from the
 * document (the server never sends it), stores it, then replaces the literal
 * with the reference.
 */
export async function moveSecretToStorageCommand(secrets: SecretStore, log: vscode.OutputChannel, args: MoveSecretArgs): Promise<void> {
  const uri = vscode.Uri.parse(args.uri);
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
  if (document.version !== args.version) {
    void vscode.window.showWarningMessage('The file changed since the quick fix was offered; try it again.');
    return;
  }
  if (!args.projectId) {
    void vscode.window.showErrorMessage('The project has no package ID ("id"); secrets are stored per package ID. Add one first.');
    return;
  }
  const range = new vscode.Range(args.range.start.line, args.range.start.character, args.range.end.line, args.range.end.character);
  let value: unknown;
  try {
    value = JSON.parse(document.getText(range));
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value === '') {
    void vscode.window.showErrorMessage(`The ${args.what} is not a text value; nothing was moved.`);
    return;
  }
  const existing = await secrets.get(args.projectId, args.secretName);
  if (existing !== undefined && existing !== value) {
    const replace = await vscode.window.showWarningMessage(
      `A different value is already stored as "${args.secretName}" for this project. Replace it?`,
      { modal: true },
      'Replace',
    );
    if (replace !== 'Replace') return;
  }
  await secrets.set(args.projectId, args.secretName, value);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, range, args.replacement);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(`Stored "${args.secretName}", but the file could not be edited; replace the value with ${args.replacement} yourself.`);
    return;
  }
  log.appendLine(`[secrets] Moved the ${args.what} (${args.path.join('.')}) to SecretStorage as "${args.secretName}".`);
  void vscode.window.showInformationMessage(
    `Moved the ${args.what} to SecretStorage as "${args.secretName}". Save the file; the value no longer appears in it (check your git history if it was committed).`,
  );
}
