import * as path from 'node:path';
import * as vscode from 'vscode';
import { projectFacts } from '../../server/src/engine';

export const LANGUAGE_ID = 'ppkg-project';

export function isProjectDocument(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && (doc.languageId === LANGUAGE_ID || doc.fileName.toLowerCase().endsWith('.ppkg.json'));
}

/** The non-secret facts the commands need about a project. */
export interface ProjectInfo {
  document: vscode.TextDocument;
  name: string;
  id: string;
  key: string;
  tokenExpiry?: string;
  packageUser?: string;
  tenant?: string;
  secretNames: string[];
  syntaxOk: boolean;
}

export function projectInfo(document: vscode.TextDocument): ProjectInfo {
  const facts = projectFacts(document.getText());
  return { document, ...facts, name: facts.name ?? path.basename(document.fileName) };
}

/**
 * The project a command acts on: the URI it was given (code lens, menu), the
 * active editor, or one picked from the workspace.
 */
export async function resolveProject(arg?: unknown): Promise<ProjectInfo | undefined> {
  const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.parse(arg) : undefined;
  if (uri) return projectInfo(await vscode.workspace.openTextDocument(uri));
  const active = vscode.window.activeTextEditor?.document;
  if (isProjectDocument(active)) return projectInfo(active);
  const files = await vscode.workspace.findFiles('**/*.ppkg.json', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showErrorMessage('No ppkg project (*.ppkg.json) is open or in the workspace. Create one with "ppkg: New Project".');
    return undefined;
  }
  const picked =
    files.length === 1
      ? files[0]
      : (
          await vscode.window.showQuickPick(
            files.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })),
            { placeHolder: 'Which provisioning project?' },
          )
        )?.uri;
  return picked ? projectInfo(await vscode.workspace.openTextDocument(picked)) : undefined;
}

/** Replaces a document's whole text and saves it (used after recording token facts). */
export async function replaceDocumentText(document: vscode.TextDocument, text: string): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  return document.save();
}
