import { spawn } from 'node:child_process';
import { signIn, type SignInResult } from '../entra/signIn';
import type { AccessTokenProvider } from './graphClient';

/**
 * Sign-in for the Graph preflight and the package accounts: Microsoft Graph
 * Command Line Tools as the default public client (tenant-preflight.md §2.1),
 * overridable with an admin-registered app. Never used for the bulk token
 * itself (§2.2: "Do not reuse this client ID for the DRS/BPRT token").
 */
export const GRAPH_CLI_TOOLS_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
export const DEFAULT_GRAPH_AUTHORITY = 'https://login.microsoftonline.com/organizations';

/** Graph hosts whose own resource URI is used for scopes; any other endpoint (an emulator) uses the global one. */
const KNOWN_GRAPH_ORIGINS = ['https://graph.microsoft.com', 'https://graph.microsoft.us', 'https://dod-graph.microsoft.us', 'https://microsoftgraph.chinacloudapi.cn'];

/** `User.Read` → `https://graph.microsoft.com/User.Read`, plus offline_access. */
export function graphScopes(scopes: string[], graphEndpoint?: string): string[] {
  let resource = 'https://graph.microsoft.com';
  if (graphEndpoint) {
    try {
      const origin = new URL(graphEndpoint).origin;
      if (KNOWN_GRAPH_ORIGINS.includes(origin)) resource = origin;
    } catch {
      // The endpoint is validated by the Graph client.
    }
  }
  return [...new Set(scopes)].map((s) => `${resource}/${s}`).concat('offline_access');
}

/**
 * Hooks the in-process tests set on the CliIO object under this symbol: a fake
 * token provider and the test CA. A symbol key cannot come from the command
 * line or the environment, so no user-visible switch weakens TLS or sign-in.
 */
export const TENANT_TEST_HOOKS = Symbol.for('ppkg.tenant.testHooks');

export interface TenantTestHooks {
  getAccessToken?: AccessTokenProvider;
  /** Extra trusted CA (PEM) for the Graph emulator (and the Entra emulator's sign-in). */
  ca?: string;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock for account status (ms since epoch). */
  now?: () => number;
  /** Replaces the system browser in the interactive sign-in. */
  openBrowser?: (url: string) => Promise<void>;
}

export function tenantTestHooks(io: object): TenantTestHooks | undefined {
  return (io as { [TENANT_TEST_HOOKS]?: TenantTestHooks })[TENANT_TEST_HOOKS];
}

/** Opens the system browser (the interactive sign-in's loopback flow). */
export function openSystemBrowser(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, args] =
      process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : process.platform === 'darwin'
          ? ['open', [url]]
          : ['xdg-open', [url]];
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

export interface SignInProviderOptions {
  clientId: string;
  authority: string;
  scopes: string[];
  deviceCode?: boolean;
  onDeviceCode: (message: string) => void;
  openBrowser?: (url: string) => Promise<void>;
  signal?: AbortSignal;
  ca?: string;
}

/** An access-token provider that signs in once (on first use) and reuses the token. */
export function signInTokenProvider(options: SignInProviderOptions): { getAccessToken: AccessTokenProvider; account: () => SignInResult | undefined } {
  let pending: Promise<SignInResult> | undefined;
  let result: SignInResult | undefined;
  const getAccessToken = async () => {
    pending ??= signIn({
      clientId: options.clientId,
      authority: options.authority,
      scopes: options.scopes,
      deviceCode: options.deviceCode,
      onDeviceCode: options.onDeviceCode,
      openBrowser: options.deviceCode ? undefined : (options.openBrowser ?? openSystemBrowser),
      signal: options.signal,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    result = await pending;
    return result.accessToken;
  };
  return { getAccessToken, account: () => result };
}

/** The sign-in options `ppkg doctor` and `ppkg tokens` share (node:util parseArgs spec). */
export const signInOptionSpec = {
  'client-id': { type: 'string' },
  authority: { type: 'string' },
  'graph-endpoint': { type: 'string' },
  'device-code': { type: 'boolean', default: false },
} as const;

export interface SignInArgs {
  'client-id'?: string;
  authority?: string;
  'graph-endpoint'?: string;
  'device-code'?: boolean;
}

export interface GraphSession {
  /** Options for GraphClient, runPreflight, listBulkTokenAccounts, … */
  graph: import('./graphClient').GraphClientOptions;
  clientId: string;
  /** The signed-in account, once known. */
  username?: string;
}

/** Sign-in failed before any Graph call: the command could not run. */
export class SessionError extends Error {
  constructor(message: string, readonly kind?: string) {
    super(message);
    this.name = 'SessionError';
  }
}

/**
 * Signs in (or takes the test hooks' token provider) and returns the Graph
 * options. Sign-in happens here, before any Graph call, so that its errors
 * (consent, MFA, Conditional Access) reach the admin in Entra's terms.
 */
export async function openGraphSession(
  args: SignInArgs,
  scopes: string[],
  io: { stderr: (text: string) => void; signal?: AbortSignal },
  hooks: TenantTestHooks | undefined,
): Promise<GraphSession> {
  const clientId = (args['client-id'] ?? GRAPH_CLI_TOOLS_CLIENT_ID).trim();
  const authority = args.authority ?? DEFAULT_GRAPH_AUTHORITY;
  const endpoint = args['graph-endpoint'];
  if (endpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(endpoint);
    } catch {
      throw new SessionError(`--graph-endpoint is not a URL: ${endpoint}`);
    }
    if (u.protocol !== 'https:') throw new SessionError('--graph-endpoint must be an https URL.');
  }
  const base = { endpoint, ca: hooks?.ca, signal: io.signal, sleep: hooks?.sleep };
  if (hooks?.getAccessToken) return { clientId, graph: { ...base, getAccessToken: hooks.getAccessToken } };

  const provider = signInTokenProvider({
    clientId,
    authority,
    scopes: graphScopes(scopes, endpoint),
    deviceCode: args['device-code'] === true,
    onDeviceCode: (message) => io.stderr(`${message}\n`),
    openBrowser: hooks?.openBrowser,
    signal: io.signal,
    ca: hooks?.ca,
  });
  try {
    await provider.getAccessToken();
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    let message = err instanceof Error ? err.message : String(err);
    if (kind === 'consent-required') {
      message +=
        ` The preflight reads tenant settings with admin-consent-only Graph permissions (${scopes.join(', ')}).` +
        ' A Global Administrator, Privileged Role Administrator or Cloud Application Administrator must consent once for the whole organisation,' +
        ' or pass --client-id with an app your organisation registered and consented.';
    }
    throw new SessionError(`Sign-in failed: ${message}`, kind);
  }
  return { clientId, username: provider.account()?.username, graph: { ...base, getAccessToken: provider.getAccessToken } };
}
