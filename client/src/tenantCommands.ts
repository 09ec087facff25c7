import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LIST_SCOPES,
  listBulkTokenAccounts,
  PpkgError,
  PREFLIGHT_SCOPES,
  revokeBulkTokenAccounts,
  REVOKE_SCOPES,
  runPreflight,
  tokenSecretName,
  type BulkTokenAccount,
} from '../../server/src/engine';
import { entraSettings, pickSignInMethod, type GraphSessions, type SignInMethod } from './auth';
import { reportError } from './errors';
import { isProjectDocument, projectInfo } from './projects';
import { renderReadinessHtml } from './reportHtml';
import type { SecretStore } from './secrets';

/** ppkg: Check Tenant Readiness — the Graph preflight (R1–R7), shown as a readable report. */
export async function checkTenantReadinessCommand(sessions: GraphSessions, log: vscode.OutputChannel): Promise<void> {
  const method = await pickSignInMethod();
  if (!method) return;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'ppkg: Checking tenant readiness', cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort());
      progress.report({ message: 'Signing in to Microsoft Graph (read-only)…' });
      const s = entraSettings();
      try {
        const session = sessions.provider(PREFLIGHT_SCOPES, method, abort.signal);
        const report = await runPreflight({ getAccessToken: session.getAccessToken, endpoint: s.graphEndpoint, signal: abort.signal });
        log.appendLine(`[readiness] ${report.results.map((r) => `${r.check}=${r.status}`).join(' ')} for ${report.user.userPrincipalName}`);
        const panel = vscode.window.createWebviewPanel('ppkg.readiness', 'Bulk-Enrollment Readiness', vscode.ViewColumn.Active, {
          enableScripts: false,
          enableCommandUris: false,
        });
        panel.webview.html = renderReadinessHtml(report, { cspSource: panel.webview.cspSource, when: new Date() });
      } catch (e) {
        // The report explains what it could not read; a failure here means it could not run at all.
        reportError(e, { log, topic: 'readiness', failed: 'The readiness check could not run', signal: abort.signal, cancelled: null });
      }
    },
  );
}

type Node = { kind: 'account'; account: BulkTokenAccount; mine: boolean } | { kind: 'message'; text: string };

/**
 * The tenant's bulk-token (package_) accounts. Lists only after an explicit
 * refresh (it signs in); the open project's account is marked; each account
 * can be revoked (deleted) behind a modal confirmation.
 */
export class BulkTokenAccountsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private accounts: BulkTokenAccount[] | undefined;
  private error: string | undefined;
  private method: SignInMethod | undefined;

  constructor(
    private readonly sessions: GraphSessions,
    private readonly secrets: SecretStore,
    private readonly log: vscode.OutputChannel,
  ) {}

  /** Re-renders (the active project changed). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /** Lists again if the view was already filled (after a fetch or a revoke). */
  async refreshIfLoaded(): Promise<void> {
    if (this.accounts && this.method && this.sessions.hasSession(LIST_SCOPES)) await this.refresh(this.method);
  }

  async refresh(method?: SignInMethod): Promise<void> {
    const m = method ?? this.method ?? (await pickSignInMethod());
    if (!m) return;
    this.method = m;
    await vscode.window.withProgress({ location: { viewId: 'ppkg.bulkTokenAccounts' }, title: 'Listing bulk-token accounts' }, async () => {
      try {
        const s = entraSettings();
        const session = this.sessions.provider(LIST_SCOPES, m);
        const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
        const listing = await listBulkTokenAccounts({ getAccessToken: session.getAccessToken, endpoint: s.graphEndpoint, folders });
        this.accounts = listing.accounts;
        this.error = undefined;
        void vscode.commands.executeCommand('setContext', 'ppkg.accountsLoaded', true);
      } catch (e) {
        // Said in the view, where the accounts would be.
        this.error = reportError(e, { log: this.log, topic: 'accounts', failed: 'Could not list the accounts', quiet: true }).text;
      }
      this.changed.fire(undefined);
    });
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'message') return new vscode.TreeItem(node.text);
    const a = node.account;
    const item = new vscode.TreeItem(a.upn);
    const days = a.daysLeft === null ? 'expiry unknown' : a.status === 'expired' ? `expired ${a.expires ?? ''}`.trim() : `${a.daysLeft} days left`;
    item.description = `${node.mine ? '● this project · ' : ''}${days}`;
    item.iconPath = new vscode.ThemeIcon(a.status === 'expired' ? 'circle-slash' : node.mine ? 'star-full' : 'key');
    item.tooltip = new vscode.MarkdownString(
      `**${a.upn}**\n\nCreated ${a.created ?? 'unknown'} · ${days}${a.expires ? ` (until ${a.expires})` : ''}\n\n${a.projects.length ? `Recorded in: ${a.projects.map((p) => vscode.workspace.asRelativePath(p)).join(', ')}` : 'No project in this workspace records this account.'}\n\nDeleting this account revokes its bulk token.`,
    );
    item.contextValue = 'ppkgAccount';
    if (a.project) item.resourceUri = vscode.Uri.file(a.project);
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (node) return [];
    if (this.error) return [{ kind: 'message', text: this.error }];
    if (!this.accounts) return []; // the welcome view explains how to sign in
    if (this.accounts.length === 0) return [{ kind: 'message', text: 'No bulk-token (package_) accounts in this tenant.' }];
    const active = vscode.window.activeTextEditor?.document;
    const mine = isProjectDocument(active) ? projectInfo(active).packageUser?.toLowerCase() : undefined;
    return this.accounts.map((account) => ({ kind: 'account' as const, account, mine: !!mine && account.upn.toLowerCase() === mine }));
  }

  async revoke(node: Node | undefined): Promise<void> {
    if (!node || node.kind !== 'account') return;
    const a = node.account;
    const projects = a.projects.map((p) => path.basename(p));
    const choice = await vscode.window.showWarningMessage(
      `Delete ${a.upn}?`,
      {
        modal: true,
        detail: `This revokes its bulk token: packages built with it stop joining devices. Devices that already joined stay joined.${projects.length ? ` Projects recording it: ${projects.join(', ')}; their stored token is cleared.` : ''}`,
      },
      'Delete Account',
    );
    if (choice !== 'Delete Account') return;
    const m = this.method ?? (await pickSignInMethod());
    if (!m) return;
    try {
      const s = entraSettings();
      const session = this.sessions.provider(REVOKE_SCOPES, m);
      const [outcome] = await revokeBulkTokenAccounts([{ id: a.id, upn: a.upn }], { getAccessToken: session.getAccessToken, endpoint: s.graphEndpoint });
      if (!outcome.deleted) throw new PpkgError('tenant', outcome.error ?? 'not deleted');
      this.log.appendLine(`[accounts] Deleted ${a.upn}.`);
      for (const p of a.projects) {
        try {
          const info = projectInfo(await vscode.workspace.openTextDocument(vscode.Uri.file(p)));
          if (info.key) await this.secrets.delete(info.key, tokenSecretName(info.syntaxOk ? info.document.getText() : '{}'));
        } catch {
          // A project that cannot be read keeps its secret; the admin can clear it with Revoke Bulk Token.
        }
      }
      void vscode.window.showInformationMessage(`Deleted ${a.upn}: its bulk token is revoked.`);
      await this.refresh(m);
    } catch (e) {
      reportError(e, { log: this.log, topic: 'accounts', failed: `Could not delete ${a.upn}` });
    }
  }
}
