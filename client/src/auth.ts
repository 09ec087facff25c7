import * as vscode from 'vscode';
import { cloudDefaults, signInToGraph, type AccessTokenProvider, type CloudName } from '../../server/src/engine';

/** Settings under ppkg.entra.*: which cloud, tenant and sign-in app. */
export interface EntraSettings {
  cloud: CloudName;
  tenant: string;
  /** The app that asks for the bulk token; default WCD's own client. */
  clientId: string;
  /** The app that reads Microsoft Graph (readiness, accounts); default Microsoft Graph Command Line Tools. */
  graphClientId: string;
  authority: string;
  /** Empty: derived from the authority's cloud by the engine. */
  bulkTokenEndpoint?: string;
  /** The Graph root: the setting, else the cloud's. */
  graphEndpoint: string;
  /** The setting ppkg.entra.graphEndpoint alone (like --graph-endpoint): the token flow derives the rest from the authority. */
  graphEndpointSetting?: string;
}

export function entraSettings(): EntraSettings {
  const c = vscode.workspace.getConfiguration('ppkg.entra');
  const cloudName = c.get<string>('cloud', 'public');
  const cloud: CloudName = cloudName === 'usgov' || cloudName === 'china' ? cloudName : 'public';
  const tenant = (c.get<string>('tenant', '') || 'organizations').trim();
  const graphEndpointSetting = (c.get<string>('graphEndpoint', '') || '').trim() || undefined;
  const defaults = cloudDefaults(cloud, tenant);
  return {
    cloud,
    tenant,
    clientId: (c.get<string>('clientId', '') || defaults.bulkTokenClientId).trim(),
    graphClientId: (c.get<string>('graphClientId', '') || defaults.graphClientId).trim(),
    // Overrides for a private cloud or a test server, as the CLI's --authority, --bulk-endpoint and --graph-endpoint.
    authority: (c.get<string>('authority', '') || '').trim() || defaults.authority,
    bulkTokenEndpoint: (c.get<string>('bulkTokenEndpoint', '') || '').trim() || undefined,
    graphEndpoint: graphEndpointSetting || defaults.graphEndpoint,
    graphEndpointSetting,
  };
}

export type SignInMethod = 'browser' | 'deviceCode';

/** Asks how to sign in: the system browser (loopback redirect) or a device code (remote sessions, no browser). */
export async function pickSignInMethod(): Promise<SignInMethod | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(globe) Sign in with the browser', description: 'Opens your browser; returns here when done', method: 'browser' as const },
      {
        label: '$(device-mobile) Sign in with a device code',
        description: 'For remote sessions: enter a code on another device',
        method: 'deviceCode' as const,
      },
    ],
    { placeHolder: 'Sign in to Microsoft Entra ID with an account that may create bulk tokens' },
  );
  return picked?.method;
}

export function openBrowser(url: string): Promise<void> {
  return Promise.resolve(vscode.env.openExternal(vscode.Uri.parse(url, true))).then((ok) => {
    if (!ok) throw new Error('The browser could not be opened. Try signing in with a device code.');
  });
}

/**
 * The device code inside a progress notification, which closes by itself
 * when the sign-in ends; the code is put on the clipboard.
 */
export function deviceCodeInProgress(progress: vscode.Progress<{ message?: string }>): (message: string) => void {
  return (message) => {
    const code = /code\s+([A-Z0-9-]{6,})/i.exec(message)?.[1];
    progress.report({ message: code ? `${message} (The code is on the clipboard.)` : message });
    if (code) void vscode.env.clipboard.writeText(code);
  };
}

/**
 * A Microsoft Graph access-token provider that signs in on first use and
 * keeps the token in memory for this VS Code session only.
 */
export class GraphSessions {
  private readonly cache = new Map<string, { token: string; expires: number; username: string }>();

  provider(scopes: string[], method: SignInMethod, signal?: AbortSignal): { getAccessToken: AccessTokenProvider; username: () => string | undefined } {
    const s = entraSettings();
    const key = `${s.authority}|${s.graphClientId}|${scopes.slice().sort().join(' ')}`;
    let username: string | undefined = this.cache.get(key)?.username;
    const getAccessToken = async () => {
      const hit = this.cache.get(key);
      if (hit && hit.expires - Date.now() > 5 * 60_000) return hit.token;
      // The device code lives in a progress notification that closes by itself once the sign-in ends.
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'ppkg: Signing in to Microsoft Graph' },
        (progress) =>
          signInToGraph({
            clientId: s.graphClientId,
            authority: s.authority,
            scopes,
            graphEndpoint: s.graphEndpoint,
            deviceCode: method === 'deviceCode',
            onDeviceCode: deviceCodeInProgress(progress),
            openBrowser: method === 'browser' ? openBrowser : undefined,
            signal,
          }),
      );
      username = result.username;
      this.cache.set(key, { token: result.accessToken, expires: result.expiresOn?.getTime() ?? Date.now() + 30 * 60_000, username: result.username });
      return result.accessToken;
    };
    return { getAccessToken, username: () => username };
  }

  hasSession(scopes: string[]): boolean {
    const s = entraSettings();
    const hit = this.cache.get(`${s.authority}|${s.graphClientId}|${scopes.slice().sort().join(' ')}`);
    return !!hit && hit.expires > Date.now();
  }

  clear(): void {
    this.cache.clear();
  }
}
