import * as vscode from 'vscode';
import {
  expiryProblem,
  latestSafeExpiry,
  PpkgError,
  revokeBulkTokenAccounts,
  REVOKE_SCOPES,
  runTokenFlow,
  tokenSecretName,
  TokenFlowError,
} from '../../server/src/engine';
import { deviceCodeInProgress, entraSettings, type GraphSessions, openBrowser, pickSignInMethod, type SignInMethod } from './auth';
import { projectInfo, replaceDocumentText, resolveProject, type ProjectInfo } from './projects';
import { reportError, type ErrorAction } from './errors';
import type { SecretStore } from './secrets';

export const ENTRA_USERS_URL = 'https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserManagementMenuBlade/~/AllUsers';

export interface TokenDeps {
  secrets: SecretStore;
  log: vscode.OutputChannel;
  sessions: GraphSessions;
  onAccountsChanged: () => void;
}

/**
 * ppkg: Fetch Bulk Token — VS Code's shell over the one bulk-token flow
 * (server/src/entra/tokenFlow.ts, shared with `ppkg token`): asks for the
 * expiry and how to sign in, then lets the flow run the tenant's fast checks,
 * fetch, store the token in SecretStorage and record the facts in the project.
 */
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
    validateInput: (v) => expiryProblem(v, new Date()),
  });
  if (!expiry) return;
  const method = await pickSignInMethod();
  if (!method) return;
  await fetchWithFlow(deps, project, expiry, method, false);
}

async function fetchWithFlow(deps: TokenDeps, project: ProjectInfo, expiry: string, method: SignInMethod, skipChecks: boolean): Promise<void> {
  const s = entraSettings();
  const key = project.key;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ppkg: Fetching the bulk token', cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort());
      progress.report({ message: method === 'browser' ? 'Sign in in your browser…' : 'Waiting for the device code sign-in…' });
      deps.log.appendLine(
        `[token] Fetching a bulk token for ${project.name} (${key}), expiry ${expiry}, authority ${s.authority}, client ${s.clientId}${skipChecks ? ', without the tenant checks' : ''}.`,
      );
      let saved = true;
      try {
        const result = await runTokenFlow(
          {
            host: 'vscode',
            clientId: s.clientId,
            authority: s.authority,
            cloud: s.cloud,
            bulkEndpoint: s.bulkTokenEndpoint,
            // Like --graph-endpoint: only the setting, else the authority's cloud (none for a private host: skipped).
            graphEndpoint: s.graphEndpointSetting,
            skipChecks,
            expiry,
          },
          {
            signIn: method === 'browser' ? { deviceCode: false, openBrowser } : { deviceCode: true, onDeviceCode: deviceCodeInProgress(progress) },
            onProgress: (m) => {
              progress.report({ message: m });
              deps.log.appendLine(`[token] ${m}`);
            },
            onChecks: (outcome, text) => {
              for (const line of text.trimEnd().split('\n')) deps.log.appendLine(`[token] ${line}`);
              progress.report({ message: text.split('\n')[0] });
              // The fetch goes on; what a check warns about must not vanish with the progress.
              if (outcome.status === 'warn' || outcome.status === 'unknown') void vscode.window.showWarningMessage(text.trimEnd());
            },
            project: {
              read: async () => project.document.getText(),
              write: async (text) => {
                saved = await replaceDocumentText(project.document, text);
                if (!saved && project.document.getText() !== text) throw new Error('VS Code did not apply the edit');
              },
            },
            storeToken: (token, name) => deps.secrets.set(key, name, token),
            tokenDestination: (name) => `stored in SecretStorage as "${name}"`,
            signal: abort.signal,
          },
        );
        const f = result.facts;
        deps.log.appendLine(
          `[token] Stored in SecretStorage as "${result.secretName}". Package account ${f.packageUser}, tenant ${f.tenant}, expires ${f.tokenExpiry}.`,
        );
        deps.onAccountsChanged();
        void vscode.window.showInformationMessage(
          `Bulk token stored as "${result.secretName}" (expires ${f.tokenExpiry}). Package account: ${f.packageUser}.${saved ? '' : ' Save the project file to keep the recorded facts.'}`,
        );
      } catch (e) {
        reportTokenError(deps, e, abort.signal, () => fetchWithFlow(deps, projectInfo(project.document), expiry, method, true));
      }
    },
  );
}

/** The flow's failure, with the readiness report when checks explain it and a fetch without the checks when they stopped it. */
function reportTokenError(deps: TokenDeps, e: unknown, signal: AbortSignal, fetchWithoutChecks: () => Promise<void>): void {
  const actions: ErrorAction[] = [];
  if (e instanceof TokenFlowError && e.checks.length)
    actions.push({ title: 'Check Tenant Readiness', run: () => vscode.commands.executeCommand('ppkg.checkTenantReadiness') });
  if (e instanceof TokenFlowError && e.failure === 'checks') actions.push({ title: 'Fetch Without Checks', run: fetchWithoutChecks });
  reportError(e, { log: deps.log, topic: 'token', signal, actions, failed: e instanceof TokenFlowError ? undefined : 'Fetching the bulk token failed' });
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
  const choice = await vscode.window.showWarningMessage(
    `Revoke the bulk token of "${project.name}"?`,
    { modal: true, detail },
    ...(user ? [del] : []),
    admin,
    clear,
  );
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
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `ppkg: Deleting ${user}`, cancellable: true },
    async (_p, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort());
      try {
        const s = entraSettings();
        const session = deps.sessions.provider(REVOKE_SCOPES, method, abort.signal);
        // Graph accepts the user principal name where an object ID goes.
        const [outcome] = await revokeBulkTokenAccounts([{ id: user, upn: user }], {
          getAccessToken: session.getAccessToken,
          endpoint: s.graphEndpoint,
          signal: abort.signal,
        });
        if (!outcome.deleted) throw new PpkgError('tenant', outcome.error ?? 'not deleted');
        deps.log.appendLine(`[revoke] Deleted the package account ${user}.`);
        await clearToken(deps, project, secretName);
        deps.onAccountsChanged();
        void vscode.window.showInformationMessage(`Deleted ${user}: the bulk token is revoked and the stored token cleared.`);
      } catch (e) {
        reportError(e, {
          log: deps.log,
          topic: 'revoke',
          failed: `Could not delete ${user}`,
          then: 'Delete it in the Entra admin center instead.',
          signal: abort.signal,
          actions: [{ title: admin, run: () => vscode.env.openExternal(vscode.Uri.parse(ENTRA_USERS_URL)) }],
        });
      }
    },
  );
}

function safeText(project: ProjectInfo): string {
  return project.syntaxOk ? project.document.getText() : '{}';
}

async function clearToken(deps: TokenDeps, project: ProjectInfo, secretName: string): Promise<void> {
  if (!project.key) return;
  await deps.secrets.delete(project.key, secretName);
  deps.log.appendLine(`[revoke] Cleared the stored secret "${secretName}" of ${project.name}.`);
}
