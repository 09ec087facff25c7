/**
 * Cloud fidelity, checked against public implementations of the same
 * protocol (docs/bulk-token.md): the Device Registration resource of each
 * cloud, the Graph host of US Government DoD tenants, and messages that name
 * the commands of the host they are shown in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLOUDS, drsScopeFor, graphEndpointForTenant } from '../../server/src/entra/clouds';
import { adminMessage, errorFromServer } from '../../server/src/entra/errors';
import { fetchBulkToken } from '../../server/src/entra/fetchToken';
import { setMessageHost } from '../../server/src/entra/host';
import { tokenFailureAdvice } from '../../server/src/tenant/tokenPreflight';
import { startEntraEmulator } from '../support/entraEmulator';
import { getTestCa } from '../support/testCa';

test('the Device Registration resource per cloud', () => {
  assert.equal(CLOUDS.public.drsResource, 'urn:ms-drs:enterpriseregistration.windows.net');
  assert.equal(CLOUDS.usgov.drsResource, 'urn:ms-drs:enterpriseregistration.microsoftonline.us');
  assert.equal(CLOUDS.china.drsResource, 'urn:ms-drs:enterpriseregistration.partner.microsoftonline.cn');
  assert.equal(drsScopeFor('https://login.microsoftonline.us/organizations'), 'urn:ms-drs:enterpriseregistration.microsoftonline.us/.default');
  assert.equal(drsScopeFor('https://login.chinacloudapi.cn/organizations'), 'urn:ms-drs:enterpriseregistration.partner.microsoftonline.cn/.default');
  assert.equal(drsScopeFor('https://127.0.0.1:9/organizations'), 'urn:ms-drs:enterpriseregistration.windows.net/.default', 'unknown host: public');
  assert.equal(
    drsScopeFor('https://127.0.0.1:9/organizations', 'usgov'),
    'urn:ms-drs:enterpriseregistration.microsoftonline.us/.default',
    '--cloud wins over the host',
  );
});

test('fetchBulkToken --cloud usgov signs in for the US Government DRS resource', async () => {
  const em = await startEntraEmulator({ signIn: { interval: 0.01 } });
  try {
    await fetchBulkToken({
      authority: em.authority,
      cloud: 'usgov',
      ca: getTestCa().caPem,
      deviceCode: true,
      onDeviceCode: () => undefined,
      pollIntervalMs: 5,
    });
    const scope = em.requestsTo('/oauth2/v2.0/devicecode')[0]!.form!.scope!.split(' ');
    assert.ok(scope.includes('urn:ms-drs:enterpriseregistration.microsoftonline.us/.default'), scope.join(' '));
    assert.ok(!scope.includes('urn:ms-drs:enterpriseregistration.windows.net/.default'));
  } finally {
    await em.close();
  }
});

test('US Government DoD vs GCC High: the token claim tenant_region_sub_scope picks the Graph host', () => {
  assert.equal(graphEndpointForTenant('usgov', { tenant_region_sub_scope: 'DOD' }), 'https://dod-graph.microsoft.us');
  assert.equal(graphEndpointForTenant('usgov', { tenant_region_sub_scope: 'DODCON' }), 'https://graph.microsoft.us');
  assert.equal(graphEndpointForTenant('usgov', {}), 'https://graph.microsoft.us');
  assert.equal(graphEndpointForTenant('public', { tenant_region_sub_scope: 'GCC' }), 'https://graph.microsoft.com', 'GCC (moderate) is in the public cloud');
  assert.equal(graphEndpointForTenant('china', undefined), 'https://microsoftgraph.chinacloudapi.cn');
});

test('AADSTS90092 is the missing SyncFabric service principal; AADSTS90093 is Graph forbidden (consent), not the role', () => {
  const e92 = errorFromServer({ stage: 'poll', error: 'invalid_request', description: 'AADSTS90092: Non-retryable error has occurred.', errorCodes: [90092] });
  assert.equal(e92.kind, 'syncfabric-missing');
  assert.match(e92.message, /New-MgServicePrincipal -AppId 00000014-0000-0000-c000-000000000000.*`ppkg doctor --fix`/);
  const e93 = errorFromServer({ stage: 'poll', error: 'invalid_request', description: 'AADSTS90093: Graph returned 403.', errorCodes: [90093] });
  assert.equal(e93.kind, 'graph-forbidden');
  assert.match(e93.message, /not about your role/);
  assert.doesNotMatch(e93.message, /Cloud Device Administrator|Intune Administrator/);
  assert.equal(tokenFailureAdvice(e93), undefined, 'no role check is blamed');
});

test('messages name CLI commands in the CLI and VS Code commands in VS Code', () => {
  try {
    setMessageHost('vscode');
    const sync = adminMessage('syncfabric-missing');
    assert.match(sync, /\*\*ppkg: Check Tenant Readiness\*\*/);
    assert.doesNotMatch(sync, /ppkg doctor/);
    assert.match(adminMessage('timeout', { waitedSeconds: 300 }), /\*\*ppkg: Fetch Bulk Token\*\* again/);
    assert.doesNotMatch(adminMessage('timeout', { waitedSeconds: 300 }), /--timeout/);
    const advice = tokenFailureAdvice(errorFromServer({ stage: 'poll', description: 'AADSTS90092: x', errorCodes: [90092] }))!;
    assert.match(advice, /run \*\*ppkg: Check Tenant Readiness\*\* to confirm/);
    assert.doesNotMatch(advice, /`ppkg /);
  } finally {
    setMessageHost('cli');
  }
  assert.match(adminMessage('syncfabric-missing'), /`ppkg doctor --fix`/);
  assert.match(adminMessage('timeout', { waitedSeconds: 300 }), /`ppkg token --timeout <seconds>`/);
});
