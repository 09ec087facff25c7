import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { authorityFor, cloudByName, cloudOfUrl, GRAPH_ENDPOINTS, graphEndpointForTenant, type Cloud } from '../entra/clouds';
import { cmd } from '../entra/host';
import { PpkgError, type ErrorCategory } from '../errors';
import { signInSession, type SignInResult, type SignInSession } from '../entra/signIn';
import type { AccessTokenProvider } from './graphClient';

/**
 * Sign-in for the Graph preflight and the package accounts: Microsoft Graph
 * Command Line Tools as the default public client (docs/tenant-checks.md §Sign-in and consent),
 * overridable with an admin-registered app. Never used for the bulk token
 * itself (docs/bulk-token.md §Which client ID signs in, and why).
 */
export const GRAPH_CLI_TOOLS_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
export const DEFAULT_GRAPH_AUTHORITY = 'https://login.microsoftonline.com/organizations';

/** Graph hosts whose own resource URI is used for scopes; any other endpoint (an emulator) uses the global one. */
const KNOWN_GRAPH_ORIGINS = [
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
];

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

/** The program that opens a URL in the system browser, per platform. */
export function browserOpener(platform: NodeJS.Platform = process.platform): { command: string; args: (url: string) => string[] } {
  if (platform === 'win32') return { command: 'rundll32', args: (url) => ['url.dll,FileProtocolHandler', url] };
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] };
  return { command: 'xdg-open', args: (url) => [url] };
}

/** True when `command` is an executable file on PATH. */
export function commandOnPath(command: string, env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): boolean {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const d of dirs) {
    for (const e of exts) {
      try {
        const st = statSync(join(d, command + e));
        if (st.isFile() && (platform === 'win32' || (st.mode & 0o111) !== 0)) return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

export type BrowserAvailability = { ok: true; opener: string } | { ok: false; reason: string };

/**
 * Can a browser be opened here, for the person at this terminal? Not in CI,
 * not over SSH (it would open on the remote machine, if at all), not on
 * Linux without a display, not without the opener program (xdg-open).
 */
export function browserAvailability(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
  onPath: (command: string) => boolean = (c) => commandOnPath(c, env, platform),
): BrowserAvailability {
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return { ok: false, reason: 'this is a CI run (CI is set)' };
  if (env.SSH_CONNECTION || env.SSH_TTY || env.SSH_CLIENT) return { ok: false, reason: 'this is an SSH session: a browser would not open on your screen' };
  if (platform !== 'win32' && platform !== 'darwin' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)' };
  }
  const opener = browserOpener(platform).command;
  if (!onPath(opener)) return { ok: false, reason: `the browser opener ${opener} is not installed` };
  return { ok: true, opener };
}

/** Opens the system browser (the interactive sign-in's loopback flow). Rejects, naming the opener, when it cannot start. */
export function openSystemBrowser(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const { command, args } = browserOpener();
    const child = spawn(command, args(url), { stdio: 'ignore', detached: true });
    child.once('error', (err) =>
      reject(new Error(`${command} could not be started (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is not installed' : 'it failed'})`)),
    );
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
export function signInTokenProvider(options: SignInProviderOptions): {
  getAccessToken: AccessTokenProvider;
  account: () => SignInResult | undefined;
  /** After the sign-in: switch to a token for other scopes (another Graph host), silently. */
  switchScopes: (scopes: string[]) => Promise<void>;
} {
  let pending: Promise<SignInSession> | undefined;
  let session: SignInSession | undefined;
  let result: SignInResult | undefined;
  const getAccessToken = async () => {
    pending ??= signInSession({
      clientId: options.clientId,
      authority: options.authority,
      scopes: options.scopes,
      deviceCode: options.deviceCode,
      onDeviceCode: options.onDeviceCode,
      openBrowser: options.deviceCode ? undefined : (options.openBrowser ?? openSystemBrowser),
      signal: options.signal,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    session = await pending;
    result ??= session;
    return result.accessToken;
  };
  const switchScopes = async (scopes: string[]) => {
    await getAccessToken();
    const other = await session!.acquireTokenSilent(scopes);
    result = { ...other, tenantClaims: { ...(session!.tenantClaims ?? {}), ...(other.tenantClaims ?? {}) } };
  };
  return { getAccessToken, account: () => result, switchScopes };
}

/** The sign-in options `ppkg doctor` and `ppkg tokens` share (names as in the CLI's help). */
export const signInOptionNames = ['cloud', 'client-id', 'authority', 'graph-endpoint', 'device-code'] as const;

export interface SignInArgs {
  'client-id'?: string;
  authority?: string;
  'graph-endpoint'?: string;
  'device-code'?: boolean;
  cloud?: string;
}

export interface GraphSession {
  /** Options for GraphClient, runPreflight, listBulkTokenAccounts, … */
  graph: import('./graphClient').GraphClientOptions;
  clientId: string;
  /** The signed-in account, once known. */
  username?: string;
  /** The Graph root in use (for messages). */
  graphEndpoint?: string;
}

/**
 * Sign-in failed before any Graph call: the command could not run. `kind` is
 * the sign-in's EntraError kind (also the `code`), `invalid-option` for an
 * option that is wrong (category `usage`).
 */
export class SessionError extends PpkgError {
  constructor(
    message: string,
    readonly kind?: string,
  ) {
    super(sessionCategory(kind), message, { code: kind });
    this.name = 'SessionError';
  }
}

function sessionCategory(kind: string | undefined): ErrorCategory {
  if (kind === 'invalid-option') return 'usage';
  if (kind === 'cancelled') return 'cancelled';
  if (kind === 'browser-unavailable') return 'tool';
  return 'tenant';
}

/**
 * Signs in (or takes the test hooks' token provider) and returns the Graph
 * options. Sign-in happens here, before any Graph call, so that its errors
 * (consent, MFA, Conditional Access) reach the admin in Entra's terms.
 *
 * The flow: the device code flow when asked (--device-code) or when no
 * browser can be opened here (browserAvailability: CI, SSH, no display, no
 * opener), said on stderr; else the browser, whose URL is printed too.
 * `--cloud` picks the login host and the Graph host; a US Government DoD
 * tenant (tenant_region_sub_scope DOD) moves to dod-graph.microsoft.us.
 */
export async function openGraphSession(
  args: SignInArgs,
  scopes: string[],
  io: { stderr: (text: string) => void; signal?: AbortSignal; env?: Record<string, string | undefined> },
  hooks: TenantTestHooks | undefined,
): Promise<GraphSession> {
  const clientId = (args['client-id'] ?? GRAPH_CLI_TOOLS_CLIENT_ID).trim();
  let cloud: Cloud | undefined;
  if (args.cloud !== undefined) {
    cloud = cloudByName(args.cloud);
    if (!cloud) throw new SessionError(`--cloud must be public, usgov or china, not "${args.cloud}".`, 'invalid-option');
  }
  const authority = args.authority ?? (cloud ? authorityFor(cloud) : DEFAULT_GRAPH_AUTHORITY);
  const explicitEndpoint = args['graph-endpoint'];
  if (explicitEndpoint !== undefined) {
    let u: URL;
    try {
      u = new URL(explicitEndpoint);
    } catch {
      throw new SessionError(`--graph-endpoint is not a URL: ${explicitEndpoint}`, 'invalid-option');
    }
    if (u.protocol !== 'https:') throw new SessionError('--graph-endpoint must be an https URL.', 'invalid-option');
  }
  const cloudName = cloud?.name ?? cloudOfUrl(authority)?.name;
  let endpoint = explicitEndpoint ?? (cloudName ? GRAPH_ENDPOINTS[cloudName] : undefined);
  const base = { ca: hooks?.ca, signal: io.signal, sleep: hooks?.sleep };
  if (hooks?.getAccessToken) return { clientId, graphEndpoint: endpoint, graph: { ...base, endpoint, getAccessToken: hooks.getAccessToken } };

  let deviceCode = args['device-code'] === true;
  if (!deviceCode && !hooks?.openBrowser) {
    const available = browserAvailability(io.env ?? process.env);
    if (!available.ok) {
      deviceCode = true;
      io.stderr(`No browser can be opened here: ${available.reason}. Signing in with a device code instead (${cmd('deviceCode')}).\n`);
    }
  }
  const opener = hooks?.openBrowser ?? openSystemBrowser;
  const provider = signInTokenProvider({
    clientId,
    authority,
    scopes: graphScopes(scopes, endpoint),
    deviceCode,
    onDeviceCode: (message) => io.stderr(`${message}\n`),
    openBrowser: async (url) => {
      io.stderr(`Opening your browser to sign in to Microsoft Graph. If it does not open, go to:\n  ${url}\nor run again with ${cmd('deviceCode')}.\n`);
      await opener(url);
    },
    signal: io.signal,
    ca: hooks?.ca,
  });
  try {
    await provider.getAccessToken();
    // US Government: GCC High and DoD sign in at the same host; DoD's Graph is elsewhere.
    if (cloudName === 'usgov' && explicitEndpoint === undefined) {
      const tenantEndpoint = graphEndpointForTenant('usgov', provider.account()?.tenantClaims);
      if (tenantEndpoint !== endpoint) {
        endpoint = tenantEndpoint;
        io.stderr(`This is a US Government DoD tenant: using Microsoft Graph at ${endpoint}.\n`);
        await provider.switchScopes(graphScopes(scopes, endpoint));
      }
    }
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    let message = err instanceof Error ? err.message : String(err);
    if (kind === 'cancelled') throw new SessionError('Signing in to Microsoft Graph was cancelled. Nothing was changed.', kind);
    if (kind === 'browser-unavailable') throw new SessionError(message, kind);
    if (kind === 'consent-required') {
      message +=
        ` The preflight reads tenant settings with admin-consent-only Graph permissions (${scopes.join(', ')}).` +
        ' A Global Administrator, Privileged Role Administrator or Cloud Application Administrator must consent once for the whole organisation,' +
        ` or pass ${cmd('clientId')} with an app your organisation registered and consented.`;
    }
    throw new SessionError(`Sign-in failed: ${message}`, kind);
  }
  return { clientId, username: provider.account()?.username, graphEndpoint: endpoint, graph: { ...base, endpoint, getAccessToken: provider.getAccessToken } };
}
