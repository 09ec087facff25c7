import * as vscode from 'vscode';
import { projectKey, secretStorageKey, type SecretResolver } from '../../server/src/engine';

const INDEX_KEY = 'ppkg.secretNames';

/**
 * Secrets in VS Code's SecretStorage, namespaced by the project's package ID
 * and the secret name. SecretStorage cannot list its keys, so the *names*
 * are indexed in globalState (never values); the language server learns
 * those names for completion and hover.
 */
export class SecretStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    context.subscriptions.push(this.changed);
  }

  namesByProject(): Record<string, string[]> {
    return { ...(this.context.globalState.get<Record<string, string[]>>(INDEX_KEY) ?? {}) };
  }

  names(projectId: string): string[] {
    return this.namesByProject()[projectKey(projectId)] ?? [];
  }

  has(projectId: string, name: string): boolean {
    return this.names(projectId).includes(name);
  }

  get(projectId: string, name: string): Thenable<string | undefined> {
    return this.context.secrets.get(secretStorageKey(projectId, name));
  }

  async set(projectId: string, name: string, value: string): Promise<void> {
    await this.context.secrets.store(secretStorageKey(projectId, name), value);
    const index = this.namesByProject();
    const key = projectKey(projectId);
    index[key] = [...new Set([...(index[key] ?? []), name])].sort();
    await this.context.globalState.update(INDEX_KEY, index);
    this.changed.fire();
  }

  async delete(projectId: string, name: string): Promise<void> {
    await this.context.secrets.delete(secretStorageKey(projectId, name));
    const index = this.namesByProject();
    const key = projectKey(projectId);
    index[key] = (index[key] ?? []).filter((n) => n !== name);
    if (index[key].length === 0) delete index[key];
    await this.context.globalState.update(INDEX_KEY, index);
    this.changed.fire();
  }

  /** What the build engine asks for a project's secrets. */
  resolver(projectId: string): SecretResolver {
    return {
      get: async (name) => {
        const v = await this.get(projectId, name);
        return v === undefined || v === '' ? undefined : v;
      },
      howToSet: (name) => `run "ppkg: Set Secret" in VS Code and set "${name}" for this project`,
    };
  }
}
