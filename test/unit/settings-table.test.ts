/**
 * The WCD setting table and the SettingsGroup derivation, against the
 * constants seen in ICD-built packages (docs/compiled-forms.md).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsGroupGuid, uuidV5 } from '../../server/src/settings/groups';
import { listAt, LISTS } from '../../server/src/settings/lists';
import { SETTINGS, settingAt } from '../../server/src/settings/table';

/** Group path → SettingsGroup, as observed in ICD-built packages (65 groups, plus Accounts/Azure, WLANConfig and Dependency from PackageStack's ICD-copied constants). */
export const OBSERVED_GROUPS: Record<string, string> = {
  AccountManagement: 'a8f17d20-e9a2-548b-8237-114dfba62a88',
  'Accounts/ComputerAccount': 'f35dd173-1c3e-5f2b-a3a4-29b602842b09',
  'Accounts/Users/User': '316e2a31-250a-5f09-a0e1-d2e5c6b03559',
  CleanPC: '5293d826-fbcf-55a1-88d8-6861c8c7102e',
  DeviceManagement: '68b6df2b-85fb-561b-b7e2-14ed14e8b31a',
  'EditionUpgrade/ChangeProductKey': '0bdbcd69-0d44-5ebf-b914-056b6263f183',
  'EditionUpgrade/UpgradeEditionWithProductKey': '58447d95-84fd-50a8-b78f-35beb1d01425',
  'Licensing/AllowWindowsEntitlementReactivation': 'b093fcb7-5866-595a-b0d4-4b2f7e995d9d',
  'Licensing/DisallowKMSClientOnlineAVSValidation': 'e171810c-149d-5a1d-826b-3e7853a45a08',
  'OOBE/Desktop/EnableCortanaVoice': '2f06d211-95c0-5efd-a257-d6085f324283',
  'OOBE/Desktop/HideOobe': 'b786dbf1-ec31-5be5-aa49-934e4489fae9',
  'Personalization/DeployDesktopImage': '3ab9e106-44e4-5f87-937c-77f770442e91',
  'Personalization/DeployLockScreenImage': 'ece6e276-664c-5f1a-83bc-f118e31a65cf',
  'Personalization/DesktopImageUrl': '5674cdd2-3cb6-5e43-8430-fe320c1796fa',
  'Personalization/LockScreenImageUrl': '2896ba7e-660c-5ef6-bc42-121869851e43',
  'Policies/Accounts/AllowAddingNonMicrosoftAccountsManually': 'cd7b14c5-a61f-5026-8d26-500d048457c4',
  'Policies/ApplicationManagement/AllowAllTrustedApps': '1d06ee0e-b4a8-559b-b253-c7f645eb1b9c',
  'Policies/ApplicationManagement/AllowAppStoreAutoUpdate': '906d27af-1115-5085-b0b8-316776721f34',
  'Policies/ApplicationManagement/AllowDeveloperUnlock': 'c4684a03-b91a-51de-b573-694e8cf0d59f',
  'Policies/Camera/AllowCamera': '890c67c0-8181-5652-b2a9-22d0b9aa68e8',
  'Policies/Experience/AllowCortana': 'a350abbc-39b8-5c12-b0c7-97ae6e1c24db',
  'Policies/FileExplorer/AllowOptionToShowNetwork': 'be5694f9-c93f-50f9-99b4-32c1fc276e1a',
  'Policies/FileExplorer/AllowOptionToShowThisPC': '2c59a0da-b3bf-5918-92a1-add4e385ef90',
  'Policies/Games/AllowAdvancedGamingServices': '0906466e-f791-5b27-9bbf-8beed5ad7cb3',
  'Policies/MemoryDump/AllowCrashDump': '2c4ce52b-f48b-5e25-af93-c2c57cd94502',
  'Policies/MemoryDump/AllowLiveDump': '5ccb48b9-da32-5178-8321-503eaf8328d5',
  'Policies/Power/AllowHibernate': '386efbd6-8dd0-5acc-b65d-d3f9adc95c2d',
  'Policies/Privacy/AllowInputPersonalization': 'edb3f8bc-19ad-5cb6-a5ad-ea3b9e37e731',
  'Policies/Privacy/DisableAdvertisingId': 'c64f5ca8-5bd4-5f53-8b85-0af24e38ad8c',
  'Policies/Search/AllowCloudSearch': 'a923015f-76c7-52b1-90b1-6a4eab605f96',
  'Policies/Search/AllowCortanaInAAD': '3d1fc8fa-eb08-5dde-a9bb-12a4c1762645',
  'Policies/Start/ConfigureStartPins': 'd66ea0fd-afd5-5f17-a853-597f25399be1',
  'Policies/Start/ForceStartSize': '4c4e8bd3-f893-5655-b5df-4c0e81af3b9f',
  'Policies/Start/HideFrequentlyUsedApps': '588deec0-3d5a-512a-92b1-9b20c0682e16',
  'Policies/Start/HideHibernate': 'e9bb6af0-a9d1-5022-acd9-58811cc9bdf9',
  'Policies/Start/HidePeopleBar': 'a202c1e4-f9bf-5550-8138-7cc4472e9747',
  'Policies/System/AllowBuildPreview': '01fa975f-3c5b-5b25-b1ba-7cb7bc96af71',
  'Policies/System/AllowLocation': '64f4cf33-741d-5ee9-a838-4c812727d580',
  'Policies/TextInput/AllowIMELogging': '325533c7-1a83-5d24-80d6-a058d2a1cf29',
  'Policies/TextInput/AllowInputPanel': 'a1847b28-6d46-5af7-87f6-88cdd703ce66',
  'Policies/TimeLanguageSettings/ConfigureTimeZone': '64a494d3-3ba7-53d7-b59a-80322acd936a',
  'Policies/Update/AllowAutoUpdate': 'c5f987b4-c656-58f7-80c7-2ccee5984b63',
  'Policies/Update/UpdateNotificationLevel': '2d18e909-9848-50d1-9806-f9a2196ad57f',
  'Policies/WindowsInkWorkspace/AllowSuggestedAppsInWindowsInkWorkspace': 'bf2f284b-b21d-572d-a52e-83c9225ddd8f',
  'Policies/WindowsInkWorkspace/AllowWindowsInkWorkspace': 'dccba372-0d1e-5304-bbd2-3765f25a2ee3',
  'Policies/WindowsLogon/EnableFirstLogonAnimation': '28516d56-aa13-5187-b280-54ed17c334df',
  'Policies/WindowsLogon/HideFastUserSwitching': 'debda261-5224-5fcb-b839-e6e0f34484e5',
  'ProvisioningCommands/DeviceContext/CommandFiles/CommandFile': '5e7e5336-9061-50ff-8a6e-0da0ecc82ca5',
  'ProvisioningCommands/DeviceContext/CommandLine': '62975fa8-b6ff-5926-8327-6b2635a0a628',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/CommandFile': '1348d3d6-134b-5eb8-8f89-96c44bf9aa0b',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/CommandLine': '56ccb8ff-b5f2-5806-a504-ab9091876608',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/ContinueInstall': '290f8b72-c400-5dc4-8e56-b98df699071a',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/RestartRequired': '0a0302fe-0203-5635-8005-2878eac632cd',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/ReturnCodeRestart': '0c1ffbe1-4777-5325-afb2-61bfeee42220',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/ReturnCodeSuccess': '370d2f73-b454-5319-b1b1-ad5dcb6c1e42',
  'SMISettings/AutoLogon': '6f6df20e-0d2d-5e2f-8c49-d3d44a23cd37',
  'SMISettings/BrandingNeutral': 'd57f87b6-b792-5e36-be21-cf41218e2472',
  'SMISettings/CrashDumpEnabled': 'f2a6b5ba-908d-5240-9b52-55f15d4e9212',
  'SMISettings/DisableBootMenu': '6d1c0ad8-3f11-5a9d-b391-ca7737105bb3',
  'SMISettings/HideAllBootUI': 'e6f757c5-4752-56c2-beb1-5a5312a76a88',
  'SMISettings/HideAutologonUI': '7bc2ffbb-5c44-540e-bed8-af21733d5a38',
  'SMISettings/HideBootLogo': '51c3ffea-2a31-56a1-804c-ad9af42d52ec',
  'SMISettings/NoLockScreen': '04e80586-7113-58f5-8210-f4318faef2ee',
  'SMISettings/ShellLauncher': '520a5feb-8ea5-5c30-a595-5fb738020196',
  'SMISettings/UIVerbosityLevel': 'e150b3f9-7add-5102-a449-f70d02193c92',
  // From PackageStack, whose constants were copied from ICD output.
  'Accounts/Azure': '641c3728-5623-544a-9144-976a2dbf3ca9',
  'ConnectivityProfiles/WLAN/WLANSetting/WLANConfig': 'ac17da61-38b8-5bb9-bdaf-7436ac4eb133',
  'ProvisioningCommands/PrimaryContext/Command/CommandConfig/DependencyPackages/Dependency': '0fb42616-94a6-5da8-b711-fd15131232e9',
};

test('UUID v5 of the DNS namespace: RFC 9562 test vector', () => {
  // RFC 9562 appendix A.4: www.example.com in the DNS namespace.
  assert.equal(uuidV5('www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('every observed SettingsGroup is the derivation of its group path', () => {
  assert.equal(Object.keys(OBSERVED_GROUPS).length, 68);
  for (const [path, guid] of Object.entries(OBSERVED_GROUPS)) assert.equal(settingsGroupGuid(path), guid, path);
});

test('every table row whose group ICD was seen to use gets that GUID, and every observed group is in the table', () => {
  const groups = new Set(SETTINGS.map((s) => s.group));
  for (const path of Object.keys(OBSERVED_GROUPS)) assert.ok(groups.has(path), `the table has no group ${path}`);
  for (const def of SETTINGS) if (OBSERVED_GROUPS[def.group]) assert.equal(settingsGroupGuid(def.group), OBSERVED_GROUPS[def.group], def.path);
});

test('table rows are well formed', () => {
  const paths = new Set<string>();
  for (const def of SETTINGS) {
    assert.ok(!paths.has(def.path), `${def.path} twice`);
    paths.add(def.path);
    assert.equal(settingAt(def.path), def);
    assert.ok(def.path === def.group || def.path.startsWith(def.group + '/'), `${def.path}: group ${def.group} is not a prefix`);
    if (def.wcd === 'choice') assert.ok(def.choices?.length, `${def.path}: a choice without labels`);
    if (def.asset) assert.equal(def.wcd, 'file', def.path);
    if (!def.asset && !def.compiler) assert.ok(def.csp.split('/').length >= 2, `${def.path}: no characteristic path`);
    assert.ok(def.title && def.description, def.path);
    assert.match(def.docs, /^https:\/\/learn\.microsoft\.com\//, def.path);
    const why = 'observed' in def.evidence ? def.evidence.observed : def.evidence.believed;
    assert.ok(why.length > 10, `${def.path}: say why the form is right`);
    // Placeholders name list elements on the way to the leaf.
    for (const t of [def.csp, def.asset?.type ?? '', def.asset?.dataAssetValue ?? '']) {
      for (const [, name] of t.matchAll(/\{([A-Za-z]+)\}/g)) {
        if (name === 'thumbprint') continue;
        const segs = def.path.split('/');
        const at = segs.indexOf(name!);
        assert.ok(at >= 0 && listAt(segs.slice(0, at + 1).join('/')), `${def.path}: {${name}} is not a list element of the path`);
      }
    }
  }
  for (const l of LISTS)
    assert.ok(
      SETTINGS.some((d) => d.path.startsWith(l.path + '/') || d.path === l.path),
      `list ${l.path} is not used`,
    );
});

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no invented SettingsGroup GUID remains in the engine: every v5 GUID literal is a derived one', () => {
  const derived = new Set(SETTINGS.map((s) => settingsGroupGuid(s.group)));
  const found: string[] = [];
  for (const file of sources(join(__dirname, '../../server/src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\b[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b/gi)) {
      found.push(m[0]);
      assert.ok(derived.has(m[0].toLowerCase()), `${file}: ${m[0]} is not derived from a group of the setting table`);
    }
  }
  // The scan would see a literal if one came back: prove it looks.
  assert.ok(!found.length || found.every((g) => derived.has(g)));
});
