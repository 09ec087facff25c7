import { GraphClient, GraphError, type GraphClientOptions } from './graphClient';
import { SYNC_FABRIC_APP_ID } from './checks/r1';

/** Delegated scope needed to create the service principal. */
export const SYNC_FABRIC_FIX_SCOPE = 'Application.ReadWrite.All';

export interface SyncFabricFixResult {
  created: boolean;
  /** Already present (someone else created it meanwhile). */
  alreadyPresent: boolean;
  id?: string;
}

/**
 * Creates the Microsoft.Azure.SyncFabric service principal (R1): the only
 * write `ppkg doctor --fix` may do, and only after the admin confirmed it.
 * Needs Application.ReadWrite.All and Application Administrator, Cloud
 * Application Administrator, Hybrid Identity Administrator or Global
 * Administrator (docs/tenant-checks.md §R1).
 */
export async function createSyncFabricServicePrincipal(options: GraphClientOptions): Promise<SyncFabricFixResult> {
  const client = new GraphClient(options);
  try {
    const body = await client.post<{ id?: string }>('/v1.0/servicePrincipals', { appId: SYNC_FABRIC_APP_ID });
    return { created: true, alreadyPresent: false, id: body?.id };
  } catch (err) {
    // Graph answers 409 (or 400 with "already exists") when the SP exists; treat that as done.
    if (err instanceof GraphError && (err.status === 409 || (err.status === 400 && /already exist/i.test(err.message)))) {
      return { created: false, alreadyPresent: true };
    }
    throw err;
  }
}
