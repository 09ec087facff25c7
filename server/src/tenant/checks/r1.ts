import { cmd, messageHost } from '../../entra/host';
import { unreadable, type CheckResult, type Fetched } from '../types';

/** R1: the Microsoft.Azure.SyncFabric service principal exists (docs/tenant-checks.md §R1). */
export const SYNC_FABRIC_APP_ID = '00000014-0000-0000-c000-000000000000';
export const R1_TITLE = 'Microsoft.Azure.SyncFabric service principal';
export const R1_REQUEST = `/v1.0/servicePrincipals(appId='${SYNC_FABRIC_APP_ID}')?$select=id,appId,displayName,accountEnabled`;
export const R1_SCOPE = 'Application.Read.All';

export interface ServicePrincipal {
  id?: string;
  appId?: string;
  displayName?: string;
  accountEnabled?: boolean | null;
}

export interface R1Data {
  servicePrincipal: Fetched<ServicePrincipal>;
}

/**
 * The fix text; a function, so that it fits the host it is shown in. No VS
 * Code command writes to the tenant (only the CLI's `ppkg doctor --fix`
 * does), so in VS Code the PowerShell and Graph lines are the fix.
 */
export const r1FixCreate = (): string =>
  [
    'Create the service principal (needs Application Administrator, Cloud Application Administrator, Hybrid Identity Administrator or Global Administrator):',
    `  PowerShell: Connect-MgGraph -Scopes Application.ReadWrite.All; New-MgServicePrincipal -AppId "${SYNC_FABRIC_APP_ID}"`,
    `  Graph:      POST https://graph.microsoft.com/v1.0/servicePrincipals {"appId":"${SYNC_FABRIC_APP_ID}"}`,
    ...(messageHost() === 'vscode' ? [] : [`  or run ${cmd('doctorFix')}.`]),
  ].join('\n');

export function evaluateR1(data: R1Data): CheckResult {
  const r = data.servicePrincipal;
  const base = { check: 'R1' as const, title: R1_TITLE };
  if (!r.ok) {
    if (r.status === 404) {
      return {
        ...base,
        status: 'fail',
        message: `The service principal for Microsoft.Azure.SyncFabric (app ID ${SYNC_FABRIC_APP_ID}) is missing from the tenant. Without it, Windows Configuration Designer and ppkg cannot retrieve the bulk token.`,
        fix: r1FixCreate(),
      };
    }
    return unreadable('R1', R1_TITLE, 'the SyncFabric service principal', r, R1_SCOPE, 'any member user with default permissions');
  }
  if (r.body.accountEnabled === false) {
    return {
      ...base,
      status: 'warn',
      // The effect of a disabled SyncFabric SP on token issuance is unverified (docs/tenant-checks.md §R1).
      message:
        'The Microsoft.Azure.SyncFabric service principal exists but is disabled (accountEnabled = false). Whether this blocks bulk tokens is not documented (unverified).',
      fix: `Entra admin center > Enterprise applications > Microsoft.Azure.SyncFabric > Properties > "Enabled for users to sign in?" = Yes, or Update-MgServicePrincipal -ServicePrincipalId ${r.body.id ?? '<id>'} -AccountEnabled:$true.`,
    };
  }
  return {
    ...base,
    status: 'pass',
    message: 'The Microsoft.Azure.SyncFabric service principal exists and is enabled. (Graph cannot show that token issuance through it works.)',
    fix: '',
  };
}
