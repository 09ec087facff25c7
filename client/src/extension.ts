/**
 * The VS Code shell of ppkg: starts the language server over IPC, and adds
 * the commands that need VS Code (SecretStorage, sign-in through the browser,
 * progress, webviews). Everything else lives in the engine under server/.
 * Nothing here logs a secret value.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { COMMANDS, SECRET_NAMES_NOTIFICATION, VALIDATE_WORKSPACE_REQUEST, type MoveSecretArgs, type ValidateWorkspaceResult } from '../../server/src/protocol';
import { useVsCodeCommandNames } from '../../server/src/engine';
import { GraphSessions } from './auth';
import { reportError } from './errors';
import { buildPackageCommand } from './buildCommand';
import { registerPackageView } from './packageView';
import { moveSecretToStorageCommand, newProjectCommand, setSecretCommand } from './projectCommands';
import { LANGUAGE_ID } from './projects';
import { SecretStore } from './secrets';
import { BulkTokenAccountsView, checkTenantReadinessCommand } from './tenantCommands';
import { fetchBulkTokenCommand, revokeBulkTokenCommand } from './tokenCommands';
import { TokenStatus } from './tokenStatus';

let client: LanguageClient | undefined;

/** What tests (the electron suite) can reach. */
export interface PpkgExtensionApi {
  client: LanguageClient;
  ready: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): PpkgExtensionApi {
  // Sign-in and tenant messages name VS Code's commands (**ppkg: Fetch Bulk Token**), not the CLI's.
  useVsCodeCommandNames();
  const log = vscode.window.createOutputChannel('ppkg', { log: true });
  const secrets = new SecretStore(context);
  const sessions = new GraphSessions();
  const buildDiagnostics = vscode.languages.createDiagnosticCollection('ppkg-build');
  context.subscriptions.push(log, buildDiagnostics);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    outputChannel: log,
    initializationOptions: { secretNames: secrets.namesByProject() },
    synchronize: {
      // Any file a project names (installers, dependencies of any type,
      // certificates) appearing or disappearing changes the file findings; the
      // server keeps its file answers until one of these events says otherwise.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*'),
    },
  };
  client = new LanguageClient('ppkg', 'ppkg Language Server', serverOptions, clientOptions);
  const lc = client;
  // VS Code itself says when a language server does not start; the details go to the output.
  const ready = lc.start().catch((e) => void reportError(e, { log, topic: 'server', failed: 'The ppkg language server did not start', quiet: true }));
  context.subscriptions.push({ dispose: () => void lc.stop() });

  const sendSecretNames = () => {
    if (lc.isRunning()) void lc.sendNotification(SECRET_NAMES_NOTIFICATION, { byProject: secrets.namesByProject() });
  };
  context.subscriptions.push(secrets.onDidChange(sendSecretNames));

  // Menus and the accounts view show up once the workspace has a project.
  const markProjects = async () => {
    const found = (await vscode.workspace.findFiles('**/*.ppkg.json', '**/node_modules/**', 1)).length > 0;
    await vscode.commands.executeCommand('setContext', 'ppkg.hasProject', found || vscode.workspace.textDocuments.some((d) => d.languageId === LANGUAGE_ID));
  };
  void markProjects();
  const projectWatcher = vscode.workspace.createFileSystemWatcher('**/*.ppkg.json', false, true, false);
  context.subscriptions.push(
    projectWatcher,
    projectWatcher.onDidCreate(markProjects),
    projectWatcher.onDidDelete(markProjects),
    vscode.workspace.onDidOpenTextDocument((d) => d.languageId === LANGUAGE_ID && void markProjects()),
  );

  const accounts = new BulkTokenAccountsView(sessions, secrets, log);
  const tokenDeps = { secrets, log, sessions, onAccountsChanged: () => void accounts.refreshIfLoaded() };
  const status = new TokenStatus();
  context.subscriptions.push(
    status,
    vscode.window.registerTreeDataProvider('ppkg.bulkTokenAccounts', accounts),
    vscode.window.onDidChangeActiveTextEditor(() => accounts.redraw()),
  );

  const register = (id: string, fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  register('ppkg.validateWorkspace', async () => {
    await ready;
    const result = await lc.sendRequest<ValidateWorkspaceResult>(VALIDATE_WORKSPACE_REQUEST, {});
    const errors = result.files.reduce((n, f) => n + f.errors, 0);
    const warnings = result.files.reduce((n, f) => n + f.warnings, 0);
    log.appendLine(`[validate] ${result.files.length} project file(s): ${errors} error(s), ${warnings} warning(s).`);
    const show = 'Show Problems';
    const m = result.files.length
      ? `Validated ${result.files.length} project file${result.files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`
      : 'No *.ppkg.json project files in the workspace.';
    // Not awaited: the command returns its result at once (scripts and tests use it).
    void (errors ? vscode.window.showErrorMessage(m, show) : vscode.window.showInformationMessage(m, ...(warnings ? [show] : []))).then((c) => {
      if (c === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return result;
  });
  register('ppkg.newProject', () => newProjectCommand());
  register(COMMANDS.setSecret, (arg?: unknown) => setSecretCommand(secrets, log, arg));
  register(COMMANDS.moveSecretToStorage, (args: MoveSecretArgs) => moveSecretToStorageCommand(secrets, log, args));
  register('ppkg.buildPackage', (arg?: unknown) => buildPackageCommand({ secrets, log, buildDiagnostics }, arg));
  register(COMMANDS.fetchBulkToken, (arg?: unknown) => fetchBulkTokenCommand(tokenDeps, arg));
  register(COMMANDS.revokeBulkToken, (arg?: unknown) => revokeBulkTokenCommand(tokenDeps, arg));
  register('ppkg.checkTenantReadiness', () => checkTenantReadinessCommand(sessions, log));
  register('ppkg.refreshAccounts', () => accounts.refresh());
  register('ppkg.revokeAccount', (node: Parameters<BulkTokenAccountsView['revoke']>[0]) => accounts.revoke(node));
  register('ppkg.signOut', () => {
    sessions.clear();
    void vscode.window.showInformationMessage('Signed out of Microsoft Graph for this session.');
  });

  // .ppkg files open read-only as what ppkg inspect prints, with Import as Project and Compare with Project.
  registerPackageView(context, secrets, log);

  // Build findings go stale as soon as the project changes.
  context.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && buildDiagnostics.delete(e.document.uri)));

  return { client: lc, ready: ready.then(() => undefined) };
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
