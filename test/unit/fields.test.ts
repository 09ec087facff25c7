/**
 * Secret and file properties come from the schema's annotations
 * (model/fields.ts): the one list validation, the build and the editor read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldAt, fileFields, secretFields, secretReferences } from '../../server/src/model/fields';

const project = {
  name: 'F',
  id: '{11111111-2222-3333-4444-555555555555}',
  version: '1.0',
  network: { wifi: { ssid: 's', key: { secret: 'wifi' } } },
  account: { activeDirectory: { domain: 'd', password: 'plain' }, localAdmin: { user: 'a', password: { secret: 'admin' } } },
  users: [
    { name: 'u1', password: 'x' },
    { name: 'u2', password: { secret: 'u2' } },
  ],
  applications: [{ name: 'a', installer: 'i.msi', dependencies: ['d1.dll', 'd2.dll'] }],
  deviceContext: { commandFiles: ['c.cmd'] },
  certificates: [{ name: 'c', file: 'c.pfx', password: { secret: 'pfx' } }],
  personalization: { DeployDesktopImage: 'bg.jpg' },
  smiSettings: { AutoLogon: { Password: { secret: 'auto' } } },
  csp: [
    { uri: './Vendor/MSFT/X/Y', format: 'chr', value: { secret: 'cspv' } },
    { uri: './Vendor/MSFT/X/Z', format: 'chr', value: 'not a secret' },
  ],
  additionalSettings: [
    { path: 'Foo/Password', value: 'p' },
    { path: 'Foo/Bar', value: 'b' },
  ],
};

test('every secret-bearing property, from the schema, in document order', () => {
  assert.deepEqual(
    secretFields(project).map((f) => [f.path.join('.'), f.plainTextIsSecret]),
    [
      ['network.wifi.key', true],
      ['account.activeDirectory.password', true],
      ['account.localAdmin.password', true],
      ['users.0.password', true],
      ['users.1.password', true],
      ['certificates.0.password', true],
      ['smiSettings.AutoLogon.Password', true],
      ['csp.0.value', false],
      ['csp.1.value', false],
      ['additionalSettings.0.value', true],
    ],
  );
  assert.equal(secretFields(project).find((f) => f.path.join('.') === 'users.1.password')!.suggestedName, 'user-2-password');
});

test('every secret reference is found, also where no annotation names it', () => {
  const odd = { ...project, additionalSettings: [{ path: 'Foo/Bar', value: { secret: 'odd' } }] };
  assert.deepEqual(
    secretReferences(odd).map((r) => r.name),
    ['wifi', 'admin', 'u2', 'pfx', 'auto', 'cspv', 'odd'],
  );
  assert.equal(secretReferences(odd).find((r) => r.name === 'odd')!.what, 'value of Foo/Bar');
});

test('every file-bearing property, with the command folder flag', () => {
  assert.deepEqual(
    fileFields(project).map((f) => [f.path.join('.'), f.commandFolder]),
    [
      ['applications.0.installer', true],
      ['applications.0.dependencies.0', true],
      ['applications.0.dependencies.1', true],
      ['deviceContext.commandFiles.0', true],
      ['certificates.0.file', false],
      ['personalization.DeployDesktopImage', false],
    ],
  );
});

test('fieldAt answers for the spot under the cursor', () => {
  assert.deepEqual(fieldAt(['network', 'wifi', 'key']).secret, { what: 'Wi-Fi password', suggestedName: 'wifi-key' });
  assert.equal(fieldAt(['certificates', 1, 'password']).secret!.suggestedName, 'certificate-2-password');
  assert.deepEqual(fieldAt(['applications', 0, 'dependencies', 3]).file, { role: 'dependency', commandFolder: true });
  assert.deepEqual(fieldAt(['name']), {});
  assert.deepEqual(fieldAt(['csp', 0, 'value']), {}, 'a csp value is a secret only as a reference');
  assert.deepEqual(fieldAt(['nonsense', 3, 'x']), {});
});

test('the editor asks the schema about the field under the cursor (secretFieldOf, fileFieldOf)', async () => {
  const { fileFieldOf, secretFieldOf } = await import('../../server/src/languageService/context');
  assert.deepEqual(secretFieldOf(['network', 'wifi', 'key']), { what: 'Wi-Fi password', suggestedName: 'wifi-key' });
  assert.equal(secretFieldOf(['users', 1, 'password'])?.suggestedName, 'user-2-password');
  assert.equal(secretFieldOf(['account', 'activeDirectory', 'password'])?.suggestedName, 'domain-join-password');
  // Holds a secret only as a reference: the editor asks about a reference.
  assert.equal(secretFieldOf(['csp', 0, 'value'])?.suggestedName, 'csp-1-value');
  assert.equal(secretFieldOf(['device', 'name']), undefined);
  assert.equal(fileFieldOf(['applications', 0, 'installer']), 'installer');
  assert.equal(fileFieldOf(['applications', 0, 'dependencies', 2]), 'dependency');
  assert.equal(fileFieldOf(['certificates', 0, 'file']), 'certificate');
  assert.equal(fileFieldOf(['deviceContext', 'commandFiles', 0]), 'command file');
  assert.equal(fileFieldOf(['applications', 0, 'name']), undefined);
});
