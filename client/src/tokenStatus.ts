import * as vscode from 'vscode';
import { daysUntil } from '../../server/src/engine';
import { isProjectDocument, projectInfo } from './projects';

/** The status bar item for the active project's bulk token, and a notification once per session as it nears expiry. */
export class TokenStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ppkg.tokenStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly warned = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item.name = 'ppkg bulk token';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.update(false);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('ppkg.expiryWarningDays') && this.update()),
    );
    this.update();
  }

  update(notify = true): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!isProjectDocument(doc)) {
      this.item.hide();
      return;
    }
    const info = projectInfo(doc);
    if (!info.tokenExpiry) {
      this.item.hide();
      return;
    }
    const warnDays = vscode.workspace.getConfiguration('ppkg').get<number>('expiryWarningDays', 30);
    this.item.command = { title: 'Fetch Bulk Token', command: 'ppkg.fetchBulkToken', arguments: [doc.uri] };
    const days = daysUntil(info.tokenExpiry, new Date());
    if (days === undefined) {
      this.item.text = '$(key) Bulk token: no date';
      this.item.tooltip = 'account.entra.tokenExpiry is not a YYYY-MM-DD date. Click to fetch a new bulk token.';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.show();
      return;
    }
    this.item.text = days <= 0 ? '$(key) Bulk token expired' : `$(key) Bulk token: ${days} d`;
    this.item.tooltip = new vscode.MarkdownString(
      `**${info.name}**: the bulk token ${days <= 0 ? `expired on ${info.tokenExpiry}` : `expires on ${info.tokenExpiry} (${days} days)`}.${info.packageUser ? `\n\nPackage account: ${info.packageUser}` : ''}\n\nClick to fetch a new bulk token.`,
    );
    this.item.backgroundColor =
      days <= 0
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : days <= warnDays
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
    const key = `${info.key || doc.uri.toString()}:${info.tokenExpiry}`;
    if (notify && days <= warnDays && !this.warned.has(key)) {
      this.warned.add(key);
      const fetch = 'Fetch New Token';
      const text =
        days <= 0
          ? `The bulk token of "${info.name}" expired on ${info.tokenExpiry}. Devices will fail to join Entra ID until you fetch a new one and rebuild.`
          : `The bulk token of "${info.name}" expires in ${days} day${days === 1 ? '' : 's'} (${info.tokenExpiry}). Packages built with it stop joining devices then.`;
      void (days <= 0 ? vscode.window.showErrorMessage(text, fetch) : vscode.window.showWarningMessage(text, fetch)).then((c) => {
        if (c === fetch) void vscode.commands.executeCommand('ppkg.fetchBulkToken', doc.uri);
      });
    }
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
