import * as vscode from 'vscode';
import { latestSafeExpiry } from '../../server/src/model/dates';
import { EntraError } from '../../server/src/entra/errors';
import { fetchBulkToken, resolveExpiry } from '../../server/src/entra/fetchToken';
import { recordTokenFacts, RecordTokenError, tokenSecretName } from '../../server/src/entra/recordToken';
import { explainTokenFailure } from '../../server/src/tenant/preflight';
import { revokeBulkTokenAccounts, REVOKE_SCOPES } from '../../server/src/tenant/bulkTokenAccounts';
import { deviceCodeInProgress, entraSettings, GraphSessions, openBrowser, pickSignInMethod } from './auth';
import { replaceDocumentText, resolveProject, type ProjectInfo } from './projects';
import type { SecretStore } from './secrets';

export const ENTRA_USERS_URL = 'https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/AllUsers';

export interface TokenDeps {
  secrets: SecretStore;
  log: vscode.OutputChannel;
  sessions: GraphSessions;
  onAccountsChanged: () => void;
}

/** ppkg: Fetch Bulk Token — sign in, fetch, store the token in SecretStorage, record the facts in the project. */
export async function fetchBulkTokenCommand(deps: TokenDeps, arg?: unknown): Promise<void> {
  const project = await resolveProject(arg);
  if (!project) return;
  if (!project.key) {
    void vscode.window.showErrorMessage('The project has no package ID ("id"), so its token cannot be stored. Add an id (a GUID) first.');
    return;
  }
  if (!project.syntaxOk) {
    void vscode.window.showErrorMessage('The project file has syntax errors; fix them (see Problems) before fetching a token.');
    return;
  }
  const now = new Date();
  const expiry = await vscode.window.showInputBox({
    title: `Bulk token for "${project.name}"`,
    prompt: 'Expiry date of the bulk token (YYYY-MM-DD, at most 180 days ahead). Devices fail to join after it.',
    value: latestSafeExpiry(now),
    validateInput: (v) => {
      try {
        resolveExpiry(v, new Date());
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
  });
  if (!expiry) return;
  const method = await pickSignInMethod();
  if (!method) return;
  const s = entraSettings();
  const secretName = tokenSecretName(project.document.getText());

  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ppkg: Fetching the bulk token', cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort());
      progress.report({ message: method === 'browser' ? 'Sign in in your browser…' : 'Waiting for the device code sign-in…' });
      deps.log.appendLine(`[token] Fetching a bulk token for ${project.name} (${project.key}), expiry ${expiry}, authority ${s.authority}, client ${s.clientId}.`);
      try {
        const fetched = await fetchBulkToken({
          clientId: s.clientId,
          authority: s.authority,
          bulkEndpoint: s.bulkTokenEndpoint,
          expiry,
          deviceCode: method === 'deviceCode',
          onDeviceCode: deviceCodeInProgress(progress),
          openBrowser: method === 'browser' ? openBrowser : undefined,
          onProgress: (m) => {
            progress.report({ message: m });
            deps.log.appendLine(`[token] ${m}`);
          },
          signal: abort.signal,
        });
        await deps.secrets.set(project.key, secretName, fetched.token);
        const facts = { tokenExpiry: fetched.expiry, issuedAt: fetched.issuedAt, packageUser: fetched.packageUser, tenant: fetched.tenant };
        const text = recordTokenFacts(project.document.getText(), facts);
        const saved = await replaceDocumentText(project.document, text);
        deps.log.appendLine(`[token] Stored in SecretStorage as "${secretName}". Package account ${fetched.packageUser}, tenant ${fetched.tenant}, expires ${fetched.expiry}.`);
        deps.onAccountsChanged();
        void vscode.window.showInformationMessage(
          `Bulk token stored as "${secretName}" (expires ${fetched.expiry}). Package account: ${fetched.packageUser}.${saved ? '' : ' Save the project file to keep the recorded facts.'}`,
        );
      } catch (e) {
        reportTokenError(deps, e);
      }
    },
  );
}

function reportTokenError(deps: TokenDeps, e: unknown): void {
  if (e instanceof EntraError && e.kind === 'cancelled') {
    void vscode.window.showInformationMessage(e.message);
    return;
  }
  const message = e instanceof EntraError || e instanceof RecordTokenError ? e.message : `Fetching the bulk token failed: ${e instanceof Error ? e.message : String(e)}`;
  deps.log.appendLine(`[token] ${message}`);
  const hint = e instanceof EntraError ? explainTokenFailure(e.details.code ? `AADSTS${e.details.code}` : e.kind) : undefined;
  const check = 'Check Tenant Readiness';
  void vscode.window.showErrorMessage(message + (hint ? ` ${hint.hint}` : ''), ...(hint && hint.checks.length ? [check] : [])).then((c) => {
    if (c === check) void vscode.commands.executeCommand('ppkg.checkTenantReadiness');
  });
}

/** ppkg: Revoke Bulk Token — revocation is deleting the package account; then the stored token is cleared. */
export async function revokeBulkTokenCommand(deps: TokenDeps, arg?: unknown): Promise<void> {
  const project = await resolveProject(arg);
  if (!project) return;
  const secretName = tokenSecretName(safeText(project));
  const stored = project.key ? deps.secrets.has(project.key, secretName) : false;
  const user = project.packageUser;
  const del = 'Delete the Package Account';
  const admin = 'Open Entra Admin Center';
  const clear = 'Clear the Stored Token Only';
  const detail =
    `A bulk token cannot be switched off by itself: revoking it means deleting its package account ${user ?? '(package_…@your domain)'} in Microsoft Entra ID. ` +
    `Devices that already joined stay joined and enrolled; packages built with this token stop joining new devices. ` +
    `Afterwards the token stored in SecretStorage for this project ("${secretName}"${stored ? '' : ', not set'}) is cleared.`;
  const choice = await vscode.window.showWarningMessage(`Revoke the bulk token of "${project.name}"?`, { modal: true, detail }, ...(user ? [del] : []), admin, clear);
  if (choice === admin) {
    await vscode.env.openExternal(vscode.Uri.parse(ENTRA_USERS_URL));
    if (user) await vscode.env.clipboard.writeText(user);
    const done = await vscode.window.showInformationMessage(
      `In Entra admin center > Users, search for ${user ?? 'package_'}${user ? ' (copied to the clipboard)' : ''} and delete it. Then clear the stored token.`,
      'Clear the Stored Token',
    );
    if (done) await clearToken(deps, project, secretName);
    return;
  }
  if (choice === clear) {
    await clearToken(deps, project, secretName);
    return;
  }
  if (choice !== del || !user) return;
  const method = await pickSignInMethod();
  if (!method) return;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ppkg: Deleting ${user}`, cancellable: true }, async (_p, cancel) => {
    const abort = new AbortController();
    cancel.onCancellationRequested(() => abort.abort());
    try {
      const s = entraSettings();
      const session = deps.sessions.provider(REVOKE_SCOPES, method, abort.signal);
      // Graph accepts the user principal name where an object ID goes.
      const [outcome] = await revokeBulkTokenAccounts([{ id: user, upn: user }], { getAccessToken: session.getAccessToken, endpoint: s.graphEndpoint, signal: abort.signal });
      if (!outcome.deleted) throw new Error(outcome.error ?? 'not deleted');
      deps.log.appendLine(`[revoke] Deleted the package account ${user}.`);
      await clearToken(deps, project, secretName);
      deps.onAccountsChanged();
      void vscode.window.showInformationMessage(`Deleted ${user}: the bulk token is revoked and the stored token cleared.`);
    } catch (e) {
      const m = `Could not delete ${user}: ${e instanceof Error ? e.message : String(e)}. Delete it in the Entra admin center instead.`;
      deps.log.appendLine(`[revoke] ${m}`);
      void vscode.window.showErrorMessage(m, admin).then((c) => c && vscode.env.openExternal(vscode.Uri.parse(ENTRA_USERS_URL)));
    }
  });
}

function safeText(project: ProjectInfo): string {
  return project.syntaxOk ? project.document.getText() : '{}';
}

async function clearToken(deps: TokenDeps, project: ProjectInfo, secretName: string): Promise<void> {
  if (!project.key) return;
  await deps.secrets.delete(project.key, secretName);
  deps.log.appendLine(`[revoke] Cleared the stored secret "${secretName}" of ${project.name}.`);
}
