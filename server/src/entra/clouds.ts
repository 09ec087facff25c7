/**
 * The Entra ID clouds a bulk token can be fetched from: where to sign in,
 * which Device Registration Service (DRS) resource the token is for, and
 * where the bulk-token (BPRT) service and Microsoft Graph live.
 *
 * DRS resources (docs/bulk-token.md): the resource is `urn:ms-drs:` + the
 * cloud's DRS host. Public: `urn:ms-drs:enterpriseregistration.windows.net`;
 * US Government: `urn:ms-drs:enterpriseregistration.microsoftonline.us` (both
 * as AADInternals requests them); China (21Vianet): the DRS host is
 * `enterpriseregistration.partner.microsoftonline.cn` (Microsoft's Intune
 * China network endpoints, "ADRS"), so `urn:ms-drs:enterpriseregistration.partner.microsoftonline.cn`,
 * inferred from that rule and unverified against a live tenant.
 *
 * Unverified: that the sovereign clouds serve `/webapp/bulkaadjtoken/*` on
 * their login host.
 */

export type CloudName = 'public' | 'usgov' | 'china';

export interface Cloud {
  name: CloudName;
  /** Human name, for messages. */
  label: string;
  /** Sign-in host, with scheme, without a trailing slash. */
  loginHost: string;
  /** The Device Registration Service resource (audience of the token the bulk-token service takes). */
  drsResource: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  public: {
    name: 'public',
    label: 'Microsoft Entra ID (global)',
    loginHost: 'https://login.microsoftonline.com',
    drsResource: 'urn:ms-drs:enterpriseregistration.windows.net',
  },
  usgov: {
    name: 'usgov',
    label: 'Microsoft Entra ID for US Government',
    loginHost: 'https://login.microsoftonline.us',
    drsResource: 'urn:ms-drs:enterpriseregistration.microsoftonline.us',
  },
  china: {
    name: 'china',
    label: 'Microsoft Entra ID operated by 21Vianet',
    loginHost: 'https://login.chinacloudapi.cn',
    drsResource: 'urn:ms-drs:enterpriseregistration.partner.microsoftonline.cn',
  },
};

/** The Windows Configuration Designer client; the default, as WCD itself uses it (docs/bulk-token.md §Which client ID signs in, and why). */
export const WCD_CLIENT_ID = 'de0853a1-ab20-47bd-990b-71ad5077ac7b';

/** The Device Registration Service resource of the public cloud. */
export const DRS_RESOURCE = 'urn:ms-drs:enterpriseregistration.windows.net';
export const DRS_SCOPE = `${DRS_RESOURCE}/.default`;

/**
 * The DRS scope to sign in for: the named cloud's, else the cloud of the
 * authority's host, else (an emulator, a private cloud) the public one.
 */
export function drsScopeFor(authority: string, cloud?: CloudName): string {
  const c = cloud ? CLOUDS[cloud] : cloudOfUrl(authority);
  return `${(c ?? CLOUDS.public).drsResource}/.default`;
}

/** Work or school accounts of any tenant: the bulk token needs an organizational account. */
export const DEFAULT_TENANT = 'organizations';
export const DEFAULT_AUTHORITY = `${CLOUDS.public.loginHost}/${DEFAULT_TENANT}`;

/** The SyncFabric service principal that creates the `package_<pid>` user (docs/tenant-checks.md §R1). */
export const SYNCFABRIC_APP_ID = '00000014-0000-0000-c000-000000000000';

export function cloudByName(name: string): Cloud | undefined {
  return Object.prototype.hasOwnProperty.call(CLOUDS, name) ? CLOUDS[name as CloudName] : undefined;
}

/** The cloud whose login host serves `url`, or undefined for any other host (an emulator, say). */
export function cloudOfUrl(url: string): Cloud | undefined {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
  return Object.values(CLOUDS).find((c) => new URL(c.loginHost).host === host);
}

/**
 * The Microsoft Graph root of each cloud. US Government: GCC High
 * (graph.microsoft.us); DoD tenants sign in at the same host but use
 * dod-graph.microsoft.us, told apart by the token's `tenant_region_sub_scope`
 * claim (`DOD`; GCC High says `DODCON`): graphEndpointForTenant.
 */
export const GRAPH_ENDPOINTS: Record<CloudName, string> = {
  public: 'https://graph.microsoft.com',
  usgov: 'https://graph.microsoft.us',
  china: 'https://microsoftgraph.chinacloudapi.cn',
};

export const DOD_GRAPH_ENDPOINT = 'https://dod-graph.microsoft.us';

/**
 * The Graph root for a signed-in tenant of `cloud`: US Government DoD tenants
 * (`tenant_region_sub_scope` = `DOD` in the token) use dod-graph.microsoft.us,
 * every other tenant its cloud's Graph root.
 */
export function graphEndpointForTenant(cloud: CloudName, claims: Record<string, unknown> | undefined): string {
  const sub = typeof claims?.tenant_region_sub_scope === 'string' ? claims.tenant_region_sub_scope.toUpperCase() : undefined;
  if (cloud === 'usgov' && sub === 'DOD') return DOD_GRAPH_ENDPOINT;
  return GRAPH_ENDPOINTS[cloud];
}

/** The Graph root that goes with an authority's cloud; undefined for any other host (an emulator, a private cloud). */
export function graphEndpointForAuthority(authority: string): string | undefined {
  const cloud = cloudOfUrl(authority);
  return cloud ? GRAPH_ENDPOINTS[cloud.name] : undefined;
}

export function authorityFor(cloud: Cloud, tenant: string = DEFAULT_TENANT): string {
  return `${cloud.loginHost}/${tenant}`;
}

/**
 * The bulk-token service base (`…/webapp/bulkaadjtoken`) that goes with an
 * authority: same scheme and host. `begin` and `poll` hang off it.
 */
export function bulkEndpointFor(authority: string): string {
  const u = new URL(authority);
  return `${u.protocol}//${u.host}/webapp/bulkaadjtoken`;
}

/**
 * Where an administrator grants the WCD app consent for the whole tenant
 * (the URL the AADInternals post uses; the redirect goes to the Azure portal).
 */
export function adminConsentUrl(authority: string = DEFAULT_AUTHORITY, clientId: string = WCD_CLIENT_ID): string {
  const cloud = cloudOfUrl(authority) ?? CLOUDS.public;
  // Unverified for the sovereign clouds, whose portals live elsewhere.
  return `${cloud.loginHost}/common/adminConsent?client_id=${encodeURIComponent(clientId)}&redirect_uri=https://portal.azure.com/TokenAuthorize`;
}
