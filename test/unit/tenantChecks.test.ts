import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateR1 } from '../../server/src/tenant/checks/r1';
import { evaluateR2 } from '../../server/src/tenant/checks/r2';
import { evaluateR3 } from '../../server/src/tenant/checks/r3';
import { evaluateR4, type DeviceRegistrationPolicy } from '../../server/src/tenant/checks/r4';
import { evaluateR5, type EnrollmentConfiguration } from '../../server/src/tenant/checks/r5';
import { evaluateR6, type ConditionalAccessPolicy } from '../../server/src/tenant/checks/r6';
import { evaluateR7 } from '../../server/src/tenant/checks/r7';
import { explainTokenFailure } from '../../server/src/tenant/preflight';
import type { Fetched } from '../../server/src/tenant/types';

const ok = <T>(body: T): Fetched<T> => ({ ok: true, body });
const denied: Fetched<never> = { ok: false, status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges', requestId: 'rid-1' };
const notFound: Fetched<never> = { ok: false, status: 404, code: 'Request_ResourceNotFound', message: 'not found' };
const INTUNE = '3a2c62db-5318-420d-8d74-23affee5d9d5';

test('R1: present passes, disabled warns, 404 fails, 403 unknown naming scope', () => {
  assert.equal(evaluateR1({ servicePrincipal: ok({ id: 'x', accountEnabled: true }) }).status, 'pass');
  assert.equal(evaluateR1({ servicePrincipal: ok({ id: 'x', accountEnabled: false }) }).status, 'warn');
  const fail = evaluateR1({ servicePrincipal: notFound });
  assert.equal(fail.status, 'fail');
  assert.match(fail.fix, /New-MgServicePrincipal -AppId "00000014-0000-0000-c000-000000000000"/);
  const unknown = evaluateR1({ servicePrincipal: denied });
  assert.equal(unknown.status, 'unknown');
  assert.match(unknown.message, /Application\.Read\.All/);
  assert.match(unknown.message, /rid-1/);
});

test('R2: tenant-wide passes, AU-scoped fails, none fails, direct-only warns, unreadable unknown', () => {
  assert.equal(evaluateR2({ assignments: { source: 'self', body: [{ roleDefinitionId: INTUNE, directoryScopeId: '/' }] } }).status, 'pass');
  const au = evaluateR2({ assignments: { source: 'self', body: [{ roleDefinitionId: INTUNE, directoryScopeId: '/administrativeUnits/au-1' }] } });
  assert.equal(au.status, 'fail');
  assert.match(au.message, /scoped to an administrative unit/);
  const none = evaluateR2({
    assignments: { source: 'transitive', body: [{ roleDefinitionId: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451', directoryScopeId: '/' }] },
  });
  assert.equal(none.status, 'fail');
  assert.equal(evaluateR2({ assignments: { source: 'direct', body: [] } }).status, 'warn');
  const unknown = evaluateR2({ assignments: { failures: [{ ok: false, status: 400, message: 'bad' }, denied] } });
  assert.equal(unknown.status, 'unknown');
  assert.match(unknown.message, /RoleManagement\.Read\.Directory/);
});

test('R3: all passes, selected+member passes, not member fails, none fails, invalid warns, 403 unknown', () => {
  assert.equal(evaluateR3({ policy: ok({ appliesTo: 'all', isValid: true }) }).status, 'pass');
  const groups = [{ id: 'g1', displayName: 'MDM users' }];
  assert.equal(evaluateR3({ policy: ok({ appliesTo: 'selected', includedGroups: groups }), membership: ok(['g1']) }).status, 'pass');
  const out = evaluateR3({ policy: ok({ appliesTo: 'selected', includedGroups: groups }), membership: ok([]) });
  assert.equal(out.status, 'fail');
  assert.match(out.message, /not in the MDM user scope/);
  assert.equal(evaluateR3({ policy: ok({ appliesTo: 'none' }) }).status, 'fail');
  assert.equal(evaluateR3({ policy: notFound }).status, 'fail');
  assert.equal(evaluateR3({ policy: ok({ appliesTo: 'all', isValid: false }) }).status, 'warn');
  const u = evaluateR3({ policy: denied });
  assert.equal(u.status, 'unknown');
  assert.match(u.message, /Policy\.Read\.All/);
  assert.equal(evaluateR3({ policy: ok({ appliesTo: 'selected', includedGroups: groups }), membership: denied }).status, 'unknown');
});

test('R4: all passes, enumerated-included warns, enumerated-excluded fails, none fails, 403 unknown', () => {
  const pol = (t: string, extra: object = {}): Fetched<DeviceRegistrationPolicy> =>
    ok({ azureADJoin: { allowedToJoin: { '@odata.type': `#microsoft.graph.${t}`, ...extra } } });
  assert.equal(evaluateR4({ meId: 'me', policy: pol('allDeviceRegistrationMembership') }).status, 'pass');
  assert.equal(evaluateR4({ meId: 'me', policy: pol('enumeratedDeviceRegistrationMembership', { users: ['ME'], groups: [] }) }).status, 'warn');
  assert.equal(
    evaluateR4({ meId: 'me', policy: pol('enumeratedDeviceRegistrationMembership', { users: [], groups: ['g'] }), membership: ok(['g']) }).status,
    'warn',
  );
  assert.equal(
    evaluateR4({ meId: 'me', policy: pol('enumeratedDeviceRegistrationMembership', { users: ['other'], groups: ['g'] }), membership: ok([]) }).status,
    'fail',
  );
  assert.equal(evaluateR4({ meId: 'me', policy: pol('noDeviceRegistrationMembership') }).status, 'fail');
  const u = evaluateR4({ meId: 'me', policy: denied });
  assert.equal(u.status, 'unknown');
  assert.match(u.message, /Policy\.Read\.DeviceConfiguration/);
  assert.match(u.message, /Cloud Device Administrator/);
});

test('R5: default allows passes, blocked fails, version limits warn, missing/403 unknown', () => {
  const def = (w: object): EnrollmentConfiguration[] => [
    // A custom (singular, priority 1) restriction that blocks Windows must be ignored.
    { '@odata.type': '#microsoft.graph.deviceEnrollmentPlatformRestrictionConfiguration', priority: 1, windowsRestriction: { platformBlocked: true } },
    {
      '@odata.type': '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration',
      id: 't_DefaultPlatformRestrictions',
      priority: 0,
      windowsRestriction: w,
    },
  ];
  assert.equal(evaluateR5({ configurations: ok(def({ platformBlocked: false })) }).status, 'pass');
  assert.equal(evaluateR5({ configurations: ok(def({ platformBlocked: true })) }).status, 'fail');
  const warn = evaluateR5({ configurations: ok(def({ platformBlocked: false, osMinimumVersion: '10.0.22631' })) });
  assert.equal(warn.status, 'warn');
  assert.match(warn.message, /10\.0\.22631/);
  assert.equal(evaluateR5({ configurations: ok([]) }).status, 'unknown');
  const u = evaluateR5({ configurations: denied });
  assert.equal(u.status, 'unknown');
  assert.match(u.message, /DeviceManagementServiceConfig\.Read\.All/);
});

test('R6: no MFA policy passes, registerdevice MFA fails, broad MFA warns with exclusions, MFA-on-join warns, 403 unknown', () => {
  const dr = ok<DeviceRegistrationPolicy>({ multiFactorAuthConfiguration: 'notRequired' });
  const mfa = (extra: Partial<ConditionalAccessPolicy>): ConditionalAccessPolicy => ({
    displayName: 'P',
    state: 'enabled',
    grantControls: { builtInControls: ['mfa'] },
    ...extra,
  });
  assert.equal(evaluateR6({ policies: ok([]), deviceRegistration: dr }).status, 'pass');
  const reg = evaluateR6({
    policies: ok([
      mfa({ displayName: 'MFA to join', conditions: { users: { includeUsers: ['All'] }, applications: { includeUserActions: ['urn:user:registerdevice'] } } }),
    ]),
    deviceRegistration: dr,
  });
  assert.equal(reg.status, 'fail');
  assert.match(reg.message, /MFA to join/);
  // A policy that includes nobody cannot apply.
  assert.equal(
    evaluateR6({
      policies: ok([mfa({ conditions: { users: { includeUsers: ['None'] }, applications: { includeUserActions: ['urn:user:registerdevice'] } } })]),
      deviceRegistration: dr,
    }).status,
    'pass',
  );
  const broad = evaluateR6({
    policies: ok([
      mfa({
        displayName: 'All MFA',
        conditions: { users: { includeUsers: ['All'], excludeGroups: ['g-breakglass'] }, applications: { includeApplications: ['All'] } },
      }),
    ]),
    deviceRegistration: dr,
  });
  assert.equal(broad.status, 'warn');
  assert.match(broad.message, /g-breakglass/);
  // Report-only and disabled policies do not count.
  assert.equal(
    evaluateR6({
      policies: ok([
        mfa({ state: 'enabledForReportingButNotEnforced', conditions: { users: { includeUsers: ['All'] }, applications: { includeApplications: ['All'] } } }),
      ]),
      deviceRegistration: dr,
    }).status,
    'pass',
  );
  assert.equal(evaluateR6({ policies: ok([]), deviceRegistration: ok({ multiFactorAuthConfiguration: 'required' }) }).status, 'warn');
  const u = evaluateR6({ policies: denied, deviceRegistration: dr });
  assert.equal(u.status, 'unknown');
  assert.match(u.message, /Security Reader/);
});

test('R7: managed passes, federated in PHS rollout fails, other feature warns, not covered passes, 403 unknown', () => {
  const fed = ok({ authenticationType: 'Federated' });
  assert.equal(evaluateR7({ upn: 'a@contoso.example', domain: ok({ authenticationType: 'Managed' }) }).status, 'pass');
  const phs = { displayName: 'PHS', feature: 'passwordHashSync', isEnabled: true, isAppliedToOrganization: false, appliesTo: [{ id: 'g-sr' }] };
  assert.equal(evaluateR7({ upn: 'a@contoso.example', domain: fed, rollout: ok([phs]), membership: ok(['g-sr']) }).status, 'fail');
  assert.equal(evaluateR7({ upn: 'a@contoso.example', domain: fed, rollout: ok([phs]), membership: ok([]) }).status, 'pass');
  assert.equal(evaluateR7({ upn: 'a@contoso.example', domain: fed, rollout: ok([{ ...phs, isEnabled: false }]), membership: ok(['g-sr']) }).status, 'pass');
  assert.equal(
    evaluateR7({ upn: 'a@contoso.example', domain: fed, rollout: ok([{ ...phs, feature: 'seamlessSso', isAppliedToOrganization: true }]) }).status,
    'warn',
  );
  const u = evaluateR7({ upn: 'a@contoso.example', domain: fed, rollout: denied });
  assert.equal(u.status, 'unknown');
  assert.match(u.message, /Policy\.Read\.HybridAuthentication/);
  assert.equal(evaluateR7({ upn: 'a@contoso.example', domain: denied }).status, 'unknown');
});

test('explainTokenFailure maps AADSTS codes and entra error kinds to checks', () => {
  assert.deepEqual(explainTokenFailure('AADSTS240001: BulkAADJTokenUnauthorized')?.checks, ['R4', 'R2']);
  assert.deepEqual(explainTokenFailure('not-authorized-to-join')?.checks, ['R4', 'R2']);
  assert.deepEqual(explainTokenFailure('federated-staged-rollout')?.checks, ['R7']);
  assert.deepEqual(explainTokenFailure('The operation returned empty response. Please try again')?.checks, ['R7']);
  assert.deepEqual(explainTokenFailure('AADSTS50076')?.checks, ['R6']);
  assert.deepEqual(explainTokenFailure('AADSTS53003')?.checks, ['R6']);
  assert.deepEqual(explainTokenFailure('syncfabric-missing')?.checks, ['R1']);
  assert.deepEqual(explainTokenFailure('insufficient-role')?.checks, ['R2']);
  assert.deepEqual(explainTokenFailure('not-in-mdm-scope')?.checks, ['R3']);
  assert.deepEqual(explainTokenFailure('AADSTS65001')?.checks, []);
  assert.equal(explainTokenFailure('network'), undefined);
});
