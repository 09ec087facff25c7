/// <reference types="mocha" />
/**
 * The ppkg extension inside a real VS Code: language association, the
 * language server's diagnostics, completion, hover and quick fixes through
 * VS Code's own command API. Workspace: examples/bulk-enrollment.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'ppkg.ppkg';

function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with examples/bulk-enrollment as its workspace folder');
  return folder.uri.fsPath;
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openProject(content: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ language: 'ppkg-project', content });
  await vscode.window.showTextDocument(doc);
  return doc;
}

function ppkgDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ppkg');
}

suite('ppkg extension', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed in the extension host`);
    const api = (await ext.activate()) as { ready?: Promise<void> } | undefined;
    await api?.ready;
  });

  test('*.ppkg.json opens as ppkg-project, not plain JSON', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceDir(), 'cts-desktops.ppkg.json'));
    assert.equal(doc.languageId, 'ppkg-project');
  });

  test('all ppkg commands are registered', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of [
      'ppkg.validateWorkspace',
      'ppkg.newProject',
      'ppkg.setSecret',
      'ppkg.buildPackage',
      'ppkg.fetchBulkToken',
      'ppkg.revokeBulkToken',
      'ppkg.checkTenantReadiness',
      'ppkg.refreshAccounts',
      'ppkg.moveSecretToStorage',
    ]) {
      assert.ok(all.has(id), id);
    }
  });

  test('the example has no findings except, with time, the token expiry', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(workspaceDir(), 'cts-desktops.ppkg.json'));
    await vscode.window.showTextDocument(doc);
    // Wait for the server's first publication (an empty list is published too, so poll via Validate Workspace).
    const result = (await vscode.commands.executeCommand('ppkg.validateWorkspace')) as { files: { uri: string; errors: number }[] } | undefined;
    assert.ok(result && result.files.some((f) => f.uri.endsWith('cts-desktops.ppkg.json')));
    const codes = ppkgDiagnostics(doc.uri).map((d) => String(typeof d.code === 'object' ? d.code.value : d.code));
    assert.deepEqual(
      codes.filter((c) => !['PPKG011', 'PPKG012', 'PPKG013'].includes(c)),
      [],
    );
  });

  test('diagnostics on a broken project: exact range and code', async () => {
    const doc = await openProject(
      '{\n  "name": "Lab",\n  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",\n  "version": "1.0",\n  "device": { "name": "LAB PC" }\n}\n',
    );
    const d = await waitFor('PPKG001', () => ppkgDiagnostics(doc.uri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'PPKG001'));
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [4, 26, 4, 27]);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
  });

  test('completion: macros inside the device name', async () => {
    const doc = await openProject(
      '{\n  "name": "Lab",\n  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",\n  "version": "1.0",\n  "device": { "name": "PC-" }\n}\n',
    );
    const list = (await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(4, 26))) as vscode.CompletionList;
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('%SERIAL%'), labels.join(', '));
    assert.ok(labels.includes('%RAND:x%'));
  });

  test('completion: property names with WCD documentation', async () => {
    const doc = await openProject('{\n  "name": "Lab",\n  \n}\n');
    const list = (await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 2))) as vscode.CompletionList;
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const k of ['device', 'network', 'account', 'applications']) assert.ok(labels.includes(k), k);
  });

  test('hover: the WCD term and the Microsoft link', async () => {
    const doc = await openProject('{\n  "device": { "sharedUse": true }\n}\n');
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(1, 16))) as vscode.Hover[];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /SharedPC\/EnableSharedPCMode/);
    assert.match(text, /learn\.microsoft\.com/);
  });

  test('quick fix: rename an unknown property', async () => {
    const doc = await openProject(
      '{\n  "name": "Lab",\n  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",\n  "version": "1.0",\n  "device": { "nmae": "PC-%SERIAL%" }\n}\n',
    );
    const d = await waitFor('PPKG101', () => ppkgDiagnostics(doc.uri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'PPKG101'));
    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, d.range)) as vscode.CodeAction[];
    const rename = actions.find((a) => a.title.startsWith('Rename "nmae" to "name"'));
    assert.ok(rename?.edit, actions.map((a) => a.title).join(', '));
    assert.ok(await vscode.workspace.applyEdit(rename.edit));
    await waitFor('PPKG101 to disappear', () =>
      ppkgDiagnostics(doc.uri).some((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'PPKG101') ? undefined : true,
    );
  });
});
