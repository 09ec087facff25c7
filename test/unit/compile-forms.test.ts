/**
 * The compiled form of every setting kind, byte for byte as ICD writes it
 * (docs/compiled-forms.md; the reference's observed packages): file names,
 * numbering, SettingsGroup values and suffixes, characteristic nesting,
 * datatypes, exec, ForceSettingReload, scope, order, data assets, and the
 * skeleton files' byte conventions. One project per kind, nothing else in it,
 * so each expectation shows exactly what that setting adds.
 */
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileProject, CompileError, type CompileInputs, type CompileResult } from '../../server/src/compile';
import type { Project } from '../../server/src/model/project';

const ID = '{11111111-2222-3333-4444-555555555555}';
const base = (extra: Partial<Project>): Project => ({ name: 'P', id: ID, version: '1.0', ...extra });
const BOM = '\ufeff';
const CRLF = '\r\n';

function files(map: Record<string, string> = {}): CompileInputs {
  const m = new Map();
  for (const [p, content] of Object.entries(map)) {
    const data = Buffer.from(content);
    m.set(p, { data, sha256: createHash('sha256').update(data).digest(), size: data.length });
  }
  return { files: m };
}
const b64 = (content: string) => createHash('sha256').update(content).digest('base64').replace(/\//g, '.');

function compile(p: Project, inputs = files(), secrets: Record<string, string> = {}): CompileResult {
  return compileProject(p, new Map(Object.entries(secrets)), inputs);
}

function entry(r: CompileResult, path: string): string {
  const e = r.entries.find((x) => x.path === path);
  assert.ok(e, `no ${path}; have:\n${r.entries.map((x) => x.path).join('\n')}`);
  assert.equal(e.source.kind, 'buffer');
  return (e.source as { data: Buffer }).data.toString('utf8');
}

/** Runtime file names in RunTime.xml order, with their SettingsGroup. */
function runtime(r: CompileResult, index = 'RunTime'): [string, string][] {
  const xml = entry(r, `Multivariant/0/Prov/${index}.xml`);
  return [...xml.matchAll(/SettingsGroup="([^"]+)" Data="\$\(_prov\)\\(?:User_)?RunTime\\([^"]+)"/g)].map((m) => [m[2]!.replace(/&amp;/g, '&'), m[1]!]);
}

/** A provxml file as ICD writes it: BOM, declaration, CRLF, two-space indentation, no final newline. */
function provxml(...lines: string[]): string {
  return (
    BOM +
    ['<?xml version="1.0" encoding="utf-8" standalone="yes"?>', '<wap-provisioningdoc>', ...lines.map((l) => '  ' + l), '</wap-provisioningdoc>'].join(CRLF)
  );
}
/** Nested characteristics around parm lines, indented as ICD indents them. */
function nest(path: string[], parms: string[], scope?: string): string[] {
  if (!path.length) return parms;
  const [head, ...rest] = path;
  return [`<characteristic type="${head}"${scope ? ` scope="${scope}"` : ''}>`, ...nest(rest, parms).map((l) => '  ' + l), '</characteristic>'];
}
const parm = (name: string, value: string, datatype: string, exec = false) =>
  `<parm name="${name}" value="${value}" datatype="${datatype}"${exec ? ' exec="1"' : ''} />`;

test('device name: Accounts/Domain/ComputerName with its ForceSettingReload companion, in Accounts_ComputerAccount', () => {
  const r = compile(base({ device: { name: 'CTS-%SERIAL%' } }));
  assert.deepEqual(runtime(r), [['0__Accounts_ComputerAccount.provxml', 'f35dd173-1c3e-5f2b-a3a4-29b602842b09']]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__Accounts_ComputerAccount.provxml'),
    provxml(
      ...nest(['Accounts', 'Domain'], [parm('ComputerName', 'CTS-%SERIAL%', 'string')]),
      ...nest(['Provisioning', 'ForceSettingReload'], [parm('ComputerName', '1', 'integer')]),
    ),
  );
});

test('users: one file per user, Password then LocalUserGroup (Standard Users 1, Administrators 2), repeats suffixed _0, _1', () => {
  const r = compile(
    base({
      account: { localAdmin: { user: 'admin', password: 'pw1' } },
      users: [
        { name: 'kiosk', password: 'pw2', group: 'Standard Users' },
        { name: 'Lab', group: 'Administrators' },
      ],
    }),
  );
  assert.deepEqual(runtime(r), [
    ['0__Accounts_Users_admin.provxml', '316e2a31-250a-5f09-a0e1-d2e5c6b03559'],
    ['1__Accounts_Users_kiosk.provxml', '316e2a31-250a-5f09-a0e1-d2e5c6b03559_0'],
    ['2__Accounts_Users_Lab.provxml', '316e2a31-250a-5f09-a0e1-d2e5c6b03559_1'],
  ]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/1__Accounts_Users_kiosk.provxml'),
    provxml(...nest(['Accounts', 'Users', 'kiosk'], [parm('Password', 'pw2', 'string'), parm('LocalUserGroup', '1', 'integer')])),
  );
  // Only what the project states: no password, no default group.
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/2__Accounts_Users_Lab.provxml'),
    provxml(...nest(['Accounts', 'Users', 'Lab'], [parm('LocalUserGroup', '2', 'integer')])),
  );
});

test('OOBE: MCSF/OOBE/Desktop booleans, explicit false compiled too, one group per leaf', () => {
  const r = compile(base({ oobe: { hide: false, enableCortanaVoice: true } }));
  assert.deepEqual(runtime(r), [
    ['0__OOBE_Desktop_EnableCortanaVoice.provxml', '2f06d211-95c0-5efd-a257-d6085f324283'],
    ['1__OOBE_Desktop_HideOobe.provxml', 'b786dbf1-ec31-5be5-aa49-934e4489fae9'],
  ]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/1__OOBE_Desktop_HideOobe.provxml'),
    provxml(...nest(['MCSF', 'OOBE', 'Desktop'], [parm('HideOobe', 'false', 'boolean')])),
  );
});

test('policies: WCD labels compiled to CSP values, one file per policy, no scope on device policies', () => {
  const r = compile(
    base({
      policies: {
        Camera: { AllowCamera: 'No' },
        WindowsInkWorkspace: { AllowWindowsInkWorkspace: 'On' },
        Update: { AllowAutoUpdate: 'Turn off automatic updates' },
        MemoryDump: { AllowCrashDump: 'Allowed' },
        Start: { ForceStartSize: 2, ConfigureStartPins: '{"pinnedList":[{"packagedAppId":"a\\"b"}]}' },
        Search: { AllowCortanaInAAD: true },
        TimeLanguageSettings: { ConfigureTimeZone: 'W. Europe Standard Time' },
      },
    }),
  );
  assert.deepEqual(
    runtime(r).map(([f]) => f),
    [
      '0__Policies_Camera_AllowCamera.provxml',
      '1__Policies_MemoryDump_AllowCrashDump.provxml',
      '2__Policies_Search_AllowCortanaInAAD.provxml',
      '3__Policies_Start_ConfigureStartPins.provxml',
      '4__Policies_Start_ForceStartSize.provxml',
      '5__Policies_TimeLanguageSettings_ConfigureTimeZone.provxml',
      '6__Policies_Update_AllowAutoUpdate.provxml',
      '7__Policies_WindowsInkWorkspace_AllowWindowsInkWorkspace.provxml',
    ],
  );
  const at = (n: string) => entry(r, `Multivariant/0/Prov/RunTime/${n}`);
  assert.equal(at('0__Policies_Camera_AllowCamera.provxml'), provxml(...nest(['Policy', 'Config', 'Camera'], [parm('AllowCamera', '0', 'integer')])));
  assert.equal(
    at('7__Policies_WindowsInkWorkspace_AllowWindowsInkWorkspace.provxml'),
    provxml(...nest(['Policy', 'Config', 'WindowsInkWorkspace'], [parm('AllowWindowsInkWorkspace', '2', 'integer')])),
  );
  assert.equal(at('6__Policies_Update_AllowAutoUpdate.provxml'), provxml(...nest(['Policy', 'Config', 'Update'], [parm('AllowAutoUpdate', '5', 'integer')])));
  assert.equal(
    at('1__Policies_MemoryDump_AllowCrashDump.provxml'),
    provxml(...nest(['Policy', 'Config', 'MemoryDump'], [parm('AllowCrashDump', '1', 'integer')])),
  );
  assert.equal(at('4__Policies_Start_ForceStartSize.provxml'), provxml(...nest(['Policy', 'Config', 'Start'], [parm('ForceStartSize', '2', 'integer')])));
  assert.equal(
    at('2__Policies_Search_AllowCortanaInAAD.provxml'),
    provxml(...nest(['Policy', 'Config', 'Search'], [parm('AllowCortanaInAAD', 'true', 'boolean')])),
  );
  // Free text escaped once, quotes as &quot;.
  assert.equal(
    at('3__Policies_Start_ConfigureStartPins.provxml'),
    provxml(
      ...nest(
        ['Policy', 'Config', 'Start'],
        [parm('ConfigureStartPins', '{&quot;pinnedList&quot;:[{&quot;packagedAppId&quot;:&quot;a\\&quot;b&quot;}]}', 'string')],
      ),
    ),
  );
  assert.deepEqual(runtime(r)[0], ['0__Policies_Camera_AllowCamera.provxml', '890c67c0-8181-5652-b2a9-22d0b9aa68e8']);
});

test('user-scoped policies: User_RunTime with scope="User" on the top characteristic, numbering continuing after the device files', () => {
  const r = compile(base({ device: { name: 'A' }, policies: { FileExplorer: { AllowOptionToShowNetwork: false }, Camera: { AllowCamera: 'Yes' } } }));
  assert.deepEqual(runtime(r), [
    ['0__Accounts_ComputerAccount.provxml', 'f35dd173-1c3e-5f2b-a3a4-29b602842b09'],
    ['1__Policies_Camera_AllowCamera.provxml', '890c67c0-8181-5652-b2a9-22d0b9aa68e8'],
  ]);
  assert.deepEqual(runtime(r, 'User_RunTime'), [['2__Policies_FileExplorer_AllowOptionToShowNetwork.provxml', 'be5694f9-c93f-50f9-99b4-32c1fc276e1a']]);
  assert.match(
    entry(r, 'Multivariant/0/Prov/User_RunTime.xml'),
    /Data="\$\(_prov\)\\User_RunTime\\2__Policies_FileExplorer_AllowOptionToShowNetwork\.provxml"/,
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/User_RunTime/2__Policies_FileExplorer_AllowOptionToShowNetwork.provxml'),
    provxml(...nest(['Policy', 'Config', 'FileExplorer'], [parm('AllowOptionToShowNetwork', 'false', 'boolean')], 'User')),
  );
  assert.equal(
    entry(r, 'Multivariant/0/MasterDatastore.xml'),
    BOM +
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<ConfigurationSourceList Version="1.0">',
        '  <ConfigurationSource Name="RunTime" Path="$(_prov)\\RunTime.xml">',
        '    <EventList>',
        '      <Event Name="RunTime" />',
        '    </EventList>',
        '  </ConfigurationSource>',
        '  <ConfigurationSource Name="User_RunTime" Path="$(_prov)\\User_RunTime.xml">',
        '    <EventList>',
        '      <Event Name="User_RunTime" />',
        '    </EventList>',
        '  </ConfigurationSource>',
        '</ConfigurationSourceList>',
      ].join(CRLF),
  );
});

test('order: groups in WCD schema order, AllowAllTrustedApps right after the Accounts groups', () => {
  const r = compile(
    base({
      device: { name: 'N', removePreinstalledSoftware: true },
      users: [{ name: 'u', group: 'Administrators' }],
      oobe: { hide: true },
      policies: {
        ApplicationManagement: { AllowAllTrustedApps: 'Yes', AllowDeveloperUnlock: 'No' },
        Accounts: { AllowAddingNonMicrosoftAccountsManually: 'No' },
      },
      accountManagement: { UserProfilePolicies: { EnableProfileManager: true } },
      smiSettings: { NoLockScreen: true },
      licensing: { AllowWindowsEntitlementReactivation: true },
    }),
  );
  assert.deepEqual(
    runtime(r).map(([f]) => f.replace(/^\d+__/, '')),
    [
      'AccountManagement.provxml',
      'Accounts_ComputerAccount.provxml',
      'Accounts_Users_u.provxml',
      'Policies_ApplicationManagement_AllowAllTrustedApps.provxml',
      'CleanPC.provxml',
      'Licensing_AllowWindowsEntitlementReactivation.provxml',
      'OOBE_Desktop_HideOobe.provxml',
      'Policies_Accounts_AllowAddingNonMicrosoftAccountsManually.provxml',
      'Policies_ApplicationManagement_AllowDeveloperUnlock.provxml',
      'SMISettings_NoLockScreen.provxml',
    ],
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__AccountManagement.provxml'),
    provxml(...nest(['AccountManagement', 'UserProfileManagement'], [parm('EnableProfileManager', 'true', 'boolean')])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/5__Licensing_AllowWindowsEntitlementReactivation.provxml'),
    provxml(...nest(['MCSF', 'Licensing'], [parm('AllowWindowsEntitlementReactivation', 'true', 'boolean')])),
  );
});

test('CleanPC: integer 1 with exec, ForceSettingReload, no scope, the group-level file CleanPC', () => {
  const r = compile(base({ device: { removePreinstalledSoftware: true } }));
  assert.deepEqual(runtime(r), [['0__CleanPC.provxml', '5293d826-fbcf-55a1-88d8-6861c8c7102e']]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__CleanPC.provxml'),
    provxml(
      ...nest(['CleanPC'], [parm('CleanPCWithoutRetainingUserData', '1', 'integer', true)]),
      ...nest(['Provisioning', 'ForceSettingReload'], [parm('CleanPCWithoutRetainingUserData', '1', 'integer')]),
    ),
  );
  assert.doesNotMatch(entry(r, 'Multivariant/0/Prov/RunTime/0__CleanPC.provxml'), /scope=/);
  const keep = compile(base({ device: { removePreinstalledSoftware: 'keepUserData' } }));
  assert.match(entry(keep, 'Multivariant/0/Prov/RunTime/0__CleanPC.provxml'), /name="CleanPCRetainingUserData" value="1" datatype="integer" exec="1"/);
  // false: WCD has no "off" value; nothing is written.
  assert.deepEqual(runtime(compile(base({ device: { removePreinstalledSoftware: false } }))), []);
});

test('EditionUpgrade: both keys with exec; only UpgradeEditionWithProductKey gets a ForceSettingReload', () => {
  const r = compile(base({ device: { productKey: 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE', changeProductKey: 'FFFFF-GGGGG-HHHHH-IIIII-JJJJJ' } }));
  assert.deepEqual(runtime(r), [
    ['0__EditionUpgrade_ChangeProductKey.provxml', '0bdbcd69-0d44-5ebf-b914-056b6263f183'],
    ['1__EditionUpgrade_UpgradeEditionWithProductKey.provxml', '58447d95-84fd-50a8-b78f-35beb1d01425'],
  ]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__EditionUpgrade_ChangeProductKey.provxml'),
    provxml(...nest(['WindowsLicensing'], [parm('ChangeProductKey', 'FFFFF-GGGGG-HHHHH-IIIII-JJJJJ', 'string', true)])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/1__EditionUpgrade_UpgradeEditionWithProductKey.provxml'),
    provxml(
      ...nest(['WindowsLicensing'], [parm('UpgradeEditionWithProductKey', 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE', 'string', true)]),
      ...nest(['Provisioning', 'ForceSettingReload'], [parm('UpgradeEditionWithProductKey', '1', 'integer')]),
    ),
  );
});

test('PrimaryContext commands: one file per leaf present, leaf order, per-GUID suffixes, command files as data assets', () => {
  const inputs = files({ 'apps/a.msi': 'A', 'apps/b.cmd': 'B', 'apps/dep.dll': 'D' });
  const r = compile(
    base({
      applications: [
        {
          name: 'First',
          installer: 'apps/a.msi',
          commandLine: 'msiexec /i a.msi /qn',
          continueInstall: false,
          restartRequired: true,
          restartCodes: [3010],
          successCodes: [0],
        },
        { name: 'Second', installer: 'apps/b.cmd', commandLine: 'cmd /c b.cmd', dependencies: ['apps/dep.dll'] },
        { name: 'Only a line', commandLine: 'cmd /c echo hi' },
      ],
    }),
    inputs,
  );
  const names = runtime(r);
  assert.deepEqual(names, [
    ['0__ProvisioningCommands_PrimaryContext_Command_0_CommandFile.provxml', '1348d3d6-134b-5eb8-8f89-96c44bf9aa0b'],
    ['1__ProvisioningCommands_PrimaryContext_Command_0_CommandLine.provxml', '56ccb8ff-b5f2-5806-a504-ab9091876608'],
    ['2__ProvisioningCommands_PrimaryContext_Command_0_ContinueInstall.provxml', '290f8b72-c400-5dc4-8e56-b98df699071a'],
    ['3__ProvisioningCommands_PrimaryContext_Command_0_RestartRequired.provxml', '0a0302fe-0203-5635-8005-2878eac632cd'],
    ['4__ProvisioningCommands_PrimaryContext_Command_0_ReturnCodeRestart.provxml', '0c1ffbe1-4777-5325-afb2-61bfeee42220'],
    ['5__ProvisioningCommands_PrimaryContext_Command_0_ReturnCodeSuccess.provxml', '370d2f73-b454-5319-b1b1-ad5dcb6c1e42'],
    ['6__ProvisioningCommands_PrimaryContext_Command_1_CommandFile.provxml', '1348d3d6-134b-5eb8-8f89-96c44bf9aa0b_0'],
    ['7__ProvisioningCommands_PrimaryContext_Command_1_CommandLine.provxml', '56ccb8ff-b5f2-5806-a504-ab9091876608_0'],
    ['8__ProvisioningCommands_PrimaryContext_Command_1_DependencyPackages_0.provxml', '0fb42616-94a6-5da8-b711-fd15131232e9'],
    // A command line alone compiles to one file: no defaults added.
    ['9__ProvisioningCommands_PrimaryContext_Command_2_CommandLine.provxml', '56ccb8ff-b5f2-5806-a504-ab9091876608_1'],
  ]);
  const cmd = ['ProvisioningCommands', 'PrimaryContext', '$(__PackageID)'];
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/2__ProvisioningCommands_PrimaryContext_Command_0_ContinueInstall.provxml'),
    provxml(...nest([...cmd, '0'], [parm('ContinueInstall', 'false', 'boolean')])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/4__ProvisioningCommands_PrimaryContext_Command_0_ReturnCodeRestart.provxml'),
    provxml(...nest([...cmd, '0'], [parm('ReturnCodeRestart', '3010', 'integer')])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/9__ProvisioningCommands_PrimaryContext_Command_2_CommandLine.provxml'),
    provxml(...nest([...cmd, '2'], [parm('CommandLine', 'cmd /c echo hi', 'string')])),
  );
  const asset0 = `0_${b64('A')}\\a.msi`;
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__ProvisioningCommands_PrimaryContext_Command_0_CommandFile.provxml'),
    provxml(...nest(['Provisioning', 'Assets', ID, '/ProvisioningCommands/PrimaryContext/Command/0/CommandFile'], [parm(asset0, 'a.msi', 'string')])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/8__ProvisioningCommands_PrimaryContext_Command_1_DependencyPackages_0.provxml'),
    provxml(
      ...nest(
        ['Provisioning', 'Assets', ID, '/ProvisioningCommands/PrimaryContext/Command/1/DependencyPackages/Dependency'],
        [parm(`2_${b64('D')}\\dep.dll`, 'dep.dll', 'string')],
      ),
    ),
  );
  // Files numbered from 0 across kinds in RunTime order; elements from 2 by first use.
  assert.deepEqual(
    r.entries
      .filter((e) => /^DataAsset\/\d/.test(e.path))
      .map((e) => e.path)
      .sort(),
    [`DataAsset/2/0_${b64('A')}/a.msi`, `DataAsset/2/1_${b64('B')}/b.cmd`, `DataAsset/3/2_${b64('D')}/dep.dll`],
  );
  assert.equal(
    entry(r, 'DataAsset/DataAsset.xml'),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Elements Type="DataAsset">',
      '  <Element Index="2">',
      '    <Metadata Key="Name" Value="CommandFile" />',
      `    <Metadata Key="0_${b64('A')}\\a.msi" Value="/ProvisioningCommands/PrimaryContext/Command/0/CommandFile" />`,
      `    <Metadata Key="1_${b64('B')}\\b.cmd" Value="/ProvisioningCommands/PrimaryContext/Command/1/CommandFile" />`,
      '  </Element>',
      '  <Element Index="3">',
      '    <Metadata Key="Name" Value="Dependency" />',
      `    <Metadata Key="2_${b64('D')}\\dep.dll" Value="/ProvisioningCommands/PrimaryContext/Command/1/DependencyPackages/0" />`,
      '  </Element>',
      '</Elements>',
    ].join(CRLF),
  );
});

test('DeviceContext: command files (no index in the type, index in the DataAsset value) before the command line', () => {
  const r = compile(
    base({ deviceContext: { commandLine: 'cmd /c setup.cmd', commandFiles: ['s/setup.cmd', 's/tool.exe'] } }),
    files({ 's/setup.cmd': 'S', 's/tool.exe': 'T' }),
  );
  assert.deepEqual(runtime(r), [
    ['0__ProvisioningCommands_DeviceContext_CommandFiles_0.provxml', '5e7e5336-9061-50ff-8a6e-0da0ecc82ca5'],
    ['1__ProvisioningCommands_DeviceContext_CommandFiles_1.provxml', '5e7e5336-9061-50ff-8a6e-0da0ecc82ca5_0'],
    ['2__ProvisioningCommands_DeviceContext_CommandLine.provxml', '62975fa8-b6ff-5926-8327-6b2635a0a628'],
  ]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/2__ProvisioningCommands_DeviceContext_CommandLine.provxml'),
    provxml(...nest(['ProvisioningCommands', 'DeviceContext', '$(__PackageID)', 'Default'], [parm('CommandLine', 'cmd /c setup.cmd', 'string')])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/1__ProvisioningCommands_DeviceContext_CommandFiles_1.provxml'),
    provxml(
      ...nest(
        ['Provisioning', 'Assets', ID, '/ProvisioningCommands/DeviceContext/CommandFiles/CommandFile'],
        [parm(`1_${b64('T')}\\tool.exe`, 'tool.exe', 'string')],
      ),
    ),
  );
  assert.match(
    entry(r, 'DataAsset/DataAsset.xml'),
    /<Metadata Key="Name" Value="CommandFile" \/>[\s\S]*Value="\/ProvisioningCommands\/DeviceContext\/CommandFiles\/1" \/>/,
  );
});

test('personalization: images as data assets (desktop 2, lock screen 3, commands after), one file twice under two numbers, URLs as strings', () => {
  const inputs = files({ 'img/bg.jpg': 'IMG', 'run.cmd': 'R' });
  const r = compile(
    base({
      personalization: { DeployDesktopImage: 'img/bg.jpg', DeployLockScreenImage: 'img/bg.jpg', DesktopImageUrl: 'https://contoso.example/bg.jpg?a=1&b=2' },
      applications: [{ name: 'x', installer: 'run.cmd', commandLine: 'run.cmd' }],
    }),
    inputs,
  );
  assert.deepEqual(
    runtime(r).map(([f, g]) => [f, g]),
    [
      ['0__Personalization_DeployDesktopImage.provxml', '3ab9e106-44e4-5f87-937c-77f770442e91'],
      ['1__Personalization_DeployLockScreenImage.provxml', 'ece6e276-664c-5f1a-83bc-f118e31a65cf'],
      ['2__Personalization_DesktopImageUrl.provxml', '5674cdd2-3cb6-5e43-8430-fe320c1796fa'],
      ['3__ProvisioningCommands_PrimaryContext_Command_0_CommandFile.provxml', '1348d3d6-134b-5eb8-8f89-96c44bf9aa0b'],
      ['4__ProvisioningCommands_PrimaryContext_Command_0_CommandLine.provxml', '56ccb8ff-b5f2-5806-a504-ab9091876608'],
    ],
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/2__Personalization_DesktopImageUrl.provxml'),
    provxml(...nest(['Personalization'], [parm('DesktopImageUrl', 'https://contoso.example/bg.jpg?a=1&amp;b=2', 'string')])),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/1__Personalization_DeployLockScreenImage.provxml'),
    provxml(...nest(['Provisioning', 'Assets', ID, '/Personalization/DeployLockScreenImage'], [parm(`1_${b64('IMG')}\\bg.jpg`, 'bg.jpg', 'string')])),
  );
  assert.deepEqual(
    r.entries
      .filter((e) => /^DataAsset\/\d/.test(e.path))
      .map((e) => e.path)
      .sort(),
    [`DataAsset/2/0_${b64('IMG')}/bg.jpg`, `DataAsset/3/1_${b64('IMG')}/bg.jpg`, `DataAsset/4/2_${b64('R')}/run.cmd`],
  );
});

test('SMISettings: AutoLogon in one file (ENABLE as the string 1), ShellLauncher with its user shells, labels and booleans', () => {
  const r = compile(
    base({
      smiSettings: {
        AutoLogon: { Enable: 'ENABLE', UserName: 'kiosk', Password: { secret: 'auto' } },
        ShellLauncher: {
          Enable: 'ENABLE',
          UserSpecificSettings: { LocalUserSpecificSettings: { LocalUserShellSetting: [{ Username: 'kiosk', UserCustomShell: 'C:\\app\\kiosk.exe' }] } },
        },
        UIVerbosityLevel: 'Suppress',
        CrashDumpEnabled: 'Mini dump',
        BrandingNeutral: 12,
        HideAutologonUI: false,
      },
    }),
    files(),
    { auto: 'pw' },
  );
  assert.deepEqual(
    runtime(r).map(([f]) => f),
    [
      '0__SMISettings_AutoLogon.provxml',
      '1__SMISettings_BrandingNeutral.provxml',
      '2__SMISettings_CrashDumpEnabled.provxml',
      '3__SMISettings_HideAutologonUI.provxml',
      '4__SMISettings_ShellLauncher.provxml',
      '5__SMISettings_UIVerbosityLevel.provxml',
    ],
  );
  const at = (n: string) => entry(r, `Multivariant/0/Prov/RunTime/${n}`);
  assert.equal(
    at('0__SMISettings_AutoLogon.provxml'),
    provxml(
      ...nest(['MCSF', 'SMISettings', 'AutoLogon'], [parm('Enable', '1', 'string'), parm('Password', 'pw', 'string'), parm('UserName', 'kiosk', 'string')]),
    ),
  );
  assert.equal(
    at('4__SMISettings_ShellLauncher.provxml'),
    provxml(
      ...nest(
        ['MCSF', 'SMISettings', 'ShellLauncher'],
        [
          parm('Enable', 'eshell.exe', 'string'),
          ...nest(['UserSpecificSettings', 'LocalUserSpecificSettings', 'kiosk'], [parm('UserCustomShell', 'C:\\app\\kiosk.exe', 'string')]),
        ],
      ),
    ),
  );
  assert.equal(at('5__SMISettings_UIVerbosityLevel.provxml'), provxml(...nest(['MCSF', 'SMISettings'], [parm('UIVerbosityLevel', '1', 'integer')])));
  assert.equal(at('2__SMISettings_CrashDumpEnabled.provxml'), provxml(...nest(['MCSF', 'SMISettings'], [parm('CrashDumpEnabled', '7', 'integer')])));
  assert.equal(at('1__SMISettings_BrandingNeutral.provxml'), provxml(...nest(['MCSF', 'SMISettings'], [parm('BrandingNeutral', '12', 'integer')])));
});

test('DeviceManagement: one group-level file with both MemoryDump parms, in addition to the Policies ones', () => {
  const r = compile(
    base({ deviceManagement: { MemoryDump: { AllowCrashDump: 'Allowed', AllowLiveDump: 'Allowed' } }, policies: { MemoryDump: { AllowLiveDump: 'Allowed' } } }),
  );
  assert.deepEqual(runtime(r), [
    ['0__DeviceManagement.provxml', '68b6df2b-85fb-561b-b7e2-14ed14e8b31a'],
    ['1__Policies_MemoryDump_AllowLiveDump.provxml', '5ccb48b9-da32-5178-8321-503eaf8328d5'],
  ]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__DeviceManagement.provxml'),
    provxml(...nest(['Policy', 'Config', 'MemoryDump'], [parm('AllowCrashDump', '1', 'integer'), parm('AllowLiveDump', '1', 'integer')])),
  );
});

test('Active Directory join: the ComputerAccount file holds the join parms and the device name, the reload last', () => {
  const r = compile(
    base({
      device: { name: 'CORP-%RAND:4%' },
      account: { activeDirectory: { domain: 'corp.contoso.com', account: 'CORP\\joiner', password: { secret: 'join' }, ou: 'OU=PCs,DC=corp' } },
    }),
    files(),
    { join: 'pw' },
  );
  assert.deepEqual(runtime(r), [['0__Accounts_ComputerAccount.provxml', 'f35dd173-1c3e-5f2b-a3a4-29b602842b09']]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__Accounts_ComputerAccount.provxml'),
    provxml(
      ...nest(
        ['Accounts', 'Domain'],
        [
          parm('Account', 'CORP\\joiner', 'string'),
          parm('AccountOU', 'OU=PCs,DC=corp', 'string'),
          parm('ComputerName', 'CORP-%RAND:4%', 'string'),
          parm('DomainName', 'corp.contoso.com', 'string'),
          parm('Password', 'pw', 'string'),
        ],
      ),
      ...nest(['Provisioning', 'ForceSettingReload'], [parm('ComputerName', '1', 'integer')]),
    ),
  );
});

test('csp list: OMA-URIs compiled straight into provxml, device and user, every format', () => {
  const r = compile(
    base({
      csp: [
        { uri: './Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera', format: 'int', value: 0 },
        { uri: './Vendor/MSFT/Policy/Config/Browser/AllowCookies', format: 'int', value: '1' },
        { uri: './User/Vendor/MSFT/Policy/Config/Start/HideRecentlyAddedApps', format: 'bool', value: true },
        { uri: './Device/Vendor/MSFT/Policy/Config/Start/ConfigureStartPins', format: 'chr', value: '{"a":1}' },
        { uri: './Device/Vendor/MSFT/AssignedAccess/Configuration', format: 'xml', value: '<AssignedAccessConfiguration xmlns="x"/>' },
        { uri: './Device/Vendor/MSFT/Example/Blob', format: 'b64', value: 'AAEC' },
        { uri: './DevDetail/Ext/Microsoft/DNSComputerName', format: 'chr', value: 'PC-%SERIAL%' },
      ],
    }),
  );
  const device = runtime(r);
  assert.equal(device.length, 6);
  assert.equal(device[0]![0], '0__CSP_Policy_Config_Camera_AllowCamera.provxml');
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__CSP_Policy_Config_Camera_AllowCamera.provxml'),
    provxml(...nest(['Policy', 'Config', 'Camera'], [parm('AllowCamera', '0', 'integer')])),
  );
  assert.equal(
    entry(r, `Multivariant/0/Prov/RunTime/${device[3]![0]}`),
    provxml(...nest(['AssignedAccess'], [parm('Configuration', '&lt;AssignedAccessConfiguration xmlns=&quot;x&quot;/&gt;', 'string')])),
  );
  assert.equal(entry(r, `Multivariant/0/Prov/RunTime/${device[4]![0]}`), provxml(...nest(['Example'], [parm('Blob', 'AAEC', 'binary')])));
  assert.equal(
    entry(r, `Multivariant/0/Prov/RunTime/${device[5]![0]}`),
    provxml(...nest(['DevDetail', 'Ext', 'Microsoft'], [parm('DNSComputerName', 'PC-%SERIAL%', 'string')])),
  );
  const user = runtime(r, 'User_RunTime');
  assert.deepEqual(
    user.map(([f]) => f),
    ['6__CSP_Policy_Config_Start_HideRecentlyAddedApps.provxml'],
  );
  assert.equal(
    entry(r, `Multivariant/0/Prov/User_RunTime/${user[0]![0]}`),
    provxml(...nest(['Policy', 'Config', 'Start'], [parm('HideRecentlyAddedApps', 'true', 'boolean')], 'User')),
  );
  // Not ICD groups: GUIDs of ppkg's own, distinct per URI.
  assert.equal(new Set(device.map(([, g]) => g)).size, 6);
});

test('Wi-Fi and Entra join: believed forms in their ICD-derived groups', () => {
  const r = compile(
    base({
      account: { entra: { tokenExpiry: '2099-01-01', token: { secret: 't' } } },
      network: { wifi: { ssid: 'Lab & Co', security: 'WPA2-Personal', key: { secret: 'k' } } },
    }),
    files(),
    { t: 'TOKEN', k: 'passphrase1' },
  );
  assert.deepEqual(runtime(r), [
    ['0__Accounts_Azure.provxml', '641c3728-5623-544a-9144-976a2dbf3ca9'],
    // & is a legal file-name character; it is escaped in RunTime.xml's Data attribute.
    ['1__ConnectivityProfiles_WLAN_WLANSetting_Lab & Co.provxml', 'ac17da61-38b8-5bb9-bdaf-7436ac4eb133'],
  ]);
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime/0__Accounts_Azure.provxml'),
    provxml(...nest(['AADJ'], [parm('Authority', 'https://login.microsoftonline.com/common', 'string'), parm('BPRT', 'TOKEN', 'string')])),
  );
  const wifi = entry(r, 'Multivariant/0/Prov/RunTime/1__ConnectivityProfiles_WLAN_WLANSetting_Lab & Co.provxml');
  assert.match(wifi, /<characteristic type="WiFi">\r\n {4}<characteristic type="Profile">\r\n {6}<characteristic type="Lab &amp; Co">/);
  // The WLANProfile is escaped exactly once: its own & is &amp; inside the document, &amp;amp; in the attribute.
  assert.match(wifi, /&lt;name&gt;Lab &amp;amp; Co&lt;\/name&gt;/);
});

test('skeleton files byte for byte: Multivariant.xml 120 bytes and CommonSettings.xml 122 bytes without a BOM, RunTime.xml with one', () => {
  const r = compile(base({ device: { name: 'A' } }));
  const mv = r.entries.find((e) => e.path === 'Multivariant/Multivariant.xml')!.source as { data: Buffer };
  const cs = r.entries.find((e) => e.path === 'CommonSettings/CommonSettings.xml')!.source as { data: Buffer };
  assert.equal(mv.data.length, 120);
  assert.equal(cs.data.length, 122);
  assert.equal(
    mv.data.toString('utf8'),
    ['<?xml version="1.0" encoding="UTF-8"?>', '<Elements Type="Multivariant">', '  <Element Index="0">', '  </Element>', '</Elements>'].join(CRLF),
  );
  assert.equal(
    cs.data.toString('utf8'),
    ['<?xml version="1.0" encoding="UTF-8"?>', '<Elements Type="CommonSettings">', '  <Element Index="1">', '  </Element>', '</Elements>'].join(CRLF),
  );
  assert.equal(
    entry(r, 'Multivariant/0/Prov/RunTime.xml'),
    BOM +
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<ConfigurationSource Version="1.0">',
        '  <ConfigurationSet Type="provxml" SettingsGroup="f35dd173-1c3e-5f2b-a3a4-29b602842b09" Data="$(_prov)\\RunTime\\0__Accounts_ComputerAccount.provxml" />',
        '</ConfigurationSource>',
      ].join(CRLF),
  );
  // Every other XML file: BOM, no final newline.
  for (const e of r.entries) {
    const data = (e.source as { data: Buffer }).data;
    const noBom = ['Multivariant/Multivariant.xml', 'CommonSettings/CommonSettings.xml', 'DataAsset/DataAsset.xml'].includes(e.path);
    assert.equal(data.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), !noBom, e.path);
    assert.ok(!data.toString('utf8').endsWith('\n'), `${e.path} ends with a newline`);
    assert.ok(!/[^\r]\n/.test(data.toString('utf8')), `${e.path} has a bare LF`);
  }
});

test('customizations.xml and AnswerFile.xml: PackageConfig order with Notes, Settings de-indented and Name attributes removed in the AnswerFile', () => {
  const r = compile(
    base({ owner: 'OEM', rank: 3, notes: 'n & m', description: 'd', users: [{ name: 'kiosk', group: 'Standard Users' }], oobe: { hide: true } }),
  );
  const c = entry(r, 'Multivariant/0/customizations.xml');
  assert.equal(c, r.customizationsXml.toString('utf8'));
  assert.ok(
    c.startsWith(
      BOM +
        [
          '<?xml version="1.0" encoding="utf-8"?>',
          '<WindowsCustomizations>',
          '  <PackageConfig xmlns="urn:schemas-Microsoft-com:Windows-ICD-Package-Config.v1.0">',
          `    <ID>${ID}</ID>`,
          '    <Name>P</Name>',
          '    <Version>1.0</Version>',
          '    <OwnerType>OEM</OwnerType>',
          '    <Rank>3</Rank>',
          '    <Notes>n &amp; m</Notes>',
          '    <Description>d</Description>',
          '  </PackageConfig>',
          '  <Settings xmlns="urn:schemas-microsoft-com:windows-provisioning">',
        ].join(CRLF),
    ),
  );
  assert.match(c, /<User UserName="kiosk" Name="kiosk">/);
  assert.equal(
    entry(r, 'CommonSettings/1/AnswerFile.xml'),
    BOM +
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<Settings xmlns="urn:schemas-microsoft-com:windows-provisioning">',
        '  <Customizations>',
        '    <Common>',
        '      <Accounts>',
        '        <Users>',
        '          <User UserName="kiosk">',
        '            <UserGroup>Standard Users</UserGroup>',
        '          </User>',
        '        </Users>',
        '      </Accounts>',
        '      <OOBE>',
        '        <Desktop>',
        '          <HideOobe>True</HideOobe>',
        '        </Desktop>',
        '      </OOBE>',
        '    </Common>',
        '  </Customizations>',
        '</Settings>',
      ].join(CRLF),
  );
});

test('image properties in ICD order: DESCRIPTION and AUTHOR always, ALTITUDE = owner base + rank, WIMBOOT after the statistics', () => {
  const r = compile(base({ owner: 'SystemIntegrator', rank: 7 }));
  assert.deepEqual(
    r.imageProperties.map(([k]) => k),
    ['NAME', 'DESCRIPTION', 'NOTES', 'AUTHOR', 'VERSION', 'ALTITUDE', 'RESETCLEAR', 'PACKAGEID'],
  );
  assert.deepEqual(Object.fromEntries(r.imageProperties).ALTITUDE, '3007');
  assert.equal(Object.fromEntries(r.imageProperties).DESCRIPTION, '');
  assert.equal(Object.fromEntries(r.imageProperties).PACKAGEID, ID);
  assert.deepEqual(r.trailingImageProperties, [['WIMBOOT', '0']]);
  assert.equal(Object.fromEntries(compile(base({ owner: 'OEM' })).imageProperties).ALTITUDE, '2000');
});

test('no silent loss: every setting the native backend cannot compile is one located problem, and nothing is produced', () => {
  let err: CompileError | undefined;
  try {
    compile(
      base({
        applications: [{ name: 'a', commandLine: 'x', successCodes: [0, 1641] }],
        additionalSettings: [
          { path: "Workplace/Enrollments/UPN[@UPN='u']/AuthPolicy", value: 'OnPremise' },
          { path: 'Policies/Camera/AllowCamera', value: 'Maybe' },
        ],
        additionalCustomizationsXml: '<Targets/>',
      }),
    );
  } catch (e) {
    err = e as CompileError;
  }
  assert.ok(err instanceof CompileError, 'the compile must refuse');
  assert.deepEqual(err.problems.map((p) => [p.code, p.path.join('.')]).sort(), [
    ['PPKG111', 'additionalSettings.1.value'],
    ['PPKG111', 'applications.0.successCodes'],
    ['PPKG113', 'additionalCustomizationsXml'],
    ['PPKG113', 'additionalSettings.0.value'],
  ]);
  const message = (path: string) => err!.problems.find((p) => p.path.join('.') === path)!.message;
  assert.match(message('additionalSettings.1.value'), /"Maybe".*"Yes", "No".*csp.*\.\/Device\/Vendor\/MSFT\/Policy\/Config\/Camera\/AllowCamera/);
  assert.match(message('applications.0.successCodes'), /several codes/);
  assert.match(message('additionalSettings.0.value'), /Workplace\/Enrollments\/UPN\[@UPN='u'\]\/AuthPolicy is not a setting the native backend compiles/);
  // customizations.xml alone (for ICD) is still produced.
  const icd = compileProject(
    base({ additionalCustomizationsXml: '<Targets/>', additionalSettings: [{ path: 'Workplace/X', value: 'y' }] }),
    new Map(),
    files(),
    { target: 'customizations' },
  );
  assert.match(icd.customizationsXml.toString('utf8'), /<Workplace>\r\n\s+<X>y<\/X>[\s\S]*<\/Common>\r\n\s+<Targets \/>/);
  assert.deepEqual(icd.entries, []);
});

test('the same setting twice is refused where both are written', () => {
  assert.throws(
    () => compile(base({ oobe: { hide: true }, additionalSettings: [{ path: 'OOBE/Desktop/HideOobe', value: 'False' }] })),
    (e: CompileError) => e.problems.some((p) => p.code === 'PPKG112' && p.path.join('.') === 'additionalSettings.0.value' && /oobe\.hide/.test(p.message)),
  );
});
