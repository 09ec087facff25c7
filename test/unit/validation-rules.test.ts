import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { validateText } from '../../server/src/validation/validate';
import type { PpkgDiagnostic } from '../../server/src/validation/diagnostic';
import { now, rangeOf, validProject } from '../support/projectText';

function check(project: unknown, options: Parameters<typeof validateText>[1] = {}) {
  const text = typeof project === 'string' ? project : JSON.stringify(project, null, 2);
  return { text, diagnostics: validateText(text, { now, ...options }).diagnostics };
}
const codes = (ds: PpkgDiagnostic[]) => ds.map((d) => d.code);
function only(ds: PpkgDiagnostic[], code: string): PpkgDiagnostic {
  const found = ds.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected exactly one ${code}, got ${JSON.stringify(ds.map((d) => `${d.code} ${d.message}`))}`);
  return found[0];
}
const withDevice = (name: string) => validProject({ device: { name } });

test('the valid project has no findings', () => {
  assert.deepEqual(check(validProject()).diagnostics, []);
});

describe('device name', () => {
  test('PPKG001 marks each space or forbidden character', () => {
    const { text, diagnostics } = check(withDevice('CTS DESK.1'));
    const found = diagnostics.filter((d) => d.code === 'PPKG001');
    assert.equal(found.length, 2);
    assert.deepEqual(found[0].range, rangeOf(text, '"CTS DESK.1"', 0, { start: 4, length: 1 }));
    assert.deepEqual(found[1].range, rangeOf(text, '"CTS DESK.1"', 0, { start: 9, length: 1 }));
    assert.equal(found[0].severity, 'error');
    assert.match(found[0].message, /a space/);
    assert.match(found[1].message, /"\."/);
  });
  test('PPKG001 accepts letters, digits and dashes', () => {
    assert.ok(!codes(check(withDevice('CTS-DESK-01')).diagnostics).includes('PPKG001'));
  });
  test('PPKG002 rejects names that can only be digits', () => {
    const { text, diagnostics } = check(withDevice('123%RAND:4%'));
    const d = only(diagnostics, 'PPKG002');
    assert.deepEqual(d.range, rangeOf(text, '"123%RAND:4%"'));
    assert.ok(!codes(check(withDevice('123-%RAND:4%')).diagnostics).includes('PPKG002'));
    assert.ok(!codes(check(withDevice('A123')).diagnostics).includes('PPKG002'));
  });
  test('PPKG003 is an error over 63 characters', () => {
    const name = 'CTS-' + 'A'.repeat(60);
    const d = only(check(withDevice(name)).diagnostics, 'PPKG003');
    assert.equal(d.severity, 'error');
    assert.ok(!codes(check(withDevice('CTS-' + 'A'.repeat(59))).diagnostics).includes('PPKG003'));
  });
  test('PPKG004 warns over 15 after expanding %RAND:x% and shows the expansion', () => {
    const { text, diagnostics } = check(withDevice('CTS-DESKTOP-%RAND:5%'));
    const d = only(diagnostics, 'PPKG004');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /up to 17 characters, e\.g\. "CTS-DESKTOP-99999"/);
    assert.deepEqual(d.range, rangeOf(text, '"CTS-DESKTOP-%RAND:5%"'));
    assert.equal(typeof d.data?.suggestedName, 'string');
    assert.ok(!codes(check(withDevice('CTS-DESK-%RAND:5%')).diagnostics).includes('PPKG004'));
  });
  test('PPKG005 warns when fewer than 8 characters are left for %SERIAL%, with an example', () => {
    const d = only(check(withDevice('CTS-FRONT-%SERIAL%')).diagnostics, 'PPKG005');
    assert.match(d.message, /Only 5 characters left/);
    assert.match(d.message, /serial PF3K8Z21QX gives "CTS-FRONT-21QX"|gives "CTS-FRONT-Z21QX"/);
    assert.ok(!codes(check(withDevice('CTS-%SERIAL%')).diagnostics).includes('PPKG005'));
  });
  for (const [name, macro] of [
    ['CTS-%RAND:0%', '%RAND:0%'],
    ['CTS-%RAND:15%', '%RAND:15%'],
    ['CTS-%RAND:99%', '%RAND:99%'],
    ['CTS-%SERIAL', '%SERIAL'],
    ['CTS-%FOO%', '%FOO%'],
    ['CTS-%serial%', '%serial%'],
    ['CTS-%RAND:%', '%RAND:%'],
    ['CTS-50%', '%'],
  ] as const) {
    test(`PPKG006 marks the malformed macro in ${name}`, () => {
      const { text, diagnostics } = check(withDevice(name));
      const d = only(diagnostics, 'PPKG006');
      assert.equal(d.severity, 'error');
      assert.deepEqual(d.range, rangeOf(text, `"${name}"`, 0, { start: 1 + name.indexOf(macro), length: macro.length }));
    });
  }
  test('PPKG006 accepts %RAND:1% to %RAND:14% and %SERIAL%', () => {
    for (const n of ['A%RAND:1%', 'A%RAND:14%', 'A-%SERIAL%']) assert.ok(!codes(check(withDevice(n)).diagnostics).includes('PPKG006'), n);
  });
});

describe('bulk token expiry', () => {
  const entra = (e: Record<string, unknown>) =>
    validProject({ account: { entra: { token: { secret: 'bulk-token' }, ...e }, localAdmin: { user: 'a', password: { secret: 'p' } } } });
  test('PPKG010 rejects dates that do not exist', () => {
    const { text, diagnostics } = check(entra({ tokenExpiry: '2027-02-30' }));
    const d = only(diagnostics, 'PPKG010');
    assert.deepEqual(d.range, rangeOf(text, '"2027-02-30"'));
    assert.equal(only(check(entra({ tokenExpiry: 'next week' })).diagnostics, 'PPKG010').severity, 'error');
  });
  test('PPKG011 rejects an expired token, including one expiring today', () => {
    const d = only(check(entra({ tokenExpiry: '2026-11-01' })).diagnostics, 'PPKG011');
    assert.match(d.message, /expired on 2026-11-01 \(25 days ago\)/);
    assert.equal(d.data?.latestExpiry, '2027-05-24');
    only(check(entra({ tokenExpiry: '2026-11-26' })).diagnostics, 'PPKG011');
    assert.ok(!codes(check(entra({ tokenExpiry: '2026-11-27' })).diagnostics).includes('PPKG011'));
  });
  test('PPKG012 rejects more than 180 days after issue', () => {
    const d = only(
      check(entra({ tokenExpiry: '2026-07-01', issuedAt: '2026-01-01T00:00:00Z' }), { now: () => new Date('2026-03-01T00:00:00Z') }).diagnostics,
      'PPKG012',
    );
    assert.match(d.message, /after the token was issued \(2026-01-01\)/);
    assert.equal(d.data?.latestExpiry, '2026-06-29');
    assert.ok(
      !codes(
        check(entra({ tokenExpiry: '2026-06-30', issuedAt: '2026-01-01T00:00:00Z' }), { now: () => new Date('2026-03-01T00:00:00Z') }).diagnostics,
      ).includes('PPKG012'),
    );
  });
  test('PPKG012 counts from today when no token was fetched yet', () => {
    const d = only(check(entra({ tokenExpiry: '2027-05-26' })).diagnostics, 'PPKG012');
    assert.match(d.message, /from today/);
    assert.ok(!codes(check(entra({ tokenExpiry: '2027-05-25' })).diagnostics).includes('PPKG012'));
  });
  test('PPKG013 warns within the warning window, with the days left; the window is a setting', () => {
    const d = only(check(entra({ tokenExpiry: '2026-12-06' })).diagnostics, 'PPKG013');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /expires in 10 days/);
    assert.equal(d.data?.daysLeft, 10);
    assert.ok(!codes(check(entra({ tokenExpiry: '2026-12-06' }), { expiryWarningDays: 5 }).diagnostics).includes('PPKG013'));
    assert.ok(!codes(check(entra({ tokenExpiry: '2027-01-30' })).diagnostics).includes('PPKG013'));
  });
  test('PPKG014 requires an expiry for Entra join, marking the entra key', () => {
    const { text, diagnostics } = check(entra({}));
    assert.deepEqual(only(diagnostics, 'PPKG014').range, rangeOf(text, '"entra"'));
  });
  test('PPKG015 rejects an issuedAt that is not a date-time', () => {
    only(check(entra({ tokenExpiry: '2027-01-01', issuedAt: 'yesterday' })).diagnostics, 'PPKG015');
  });
});

describe('Wi-Fi', () => {
  const wifi = (w: Record<string, unknown>) => validProject({ network: { wifi: { ssid: 'Net', ...w } } });
  test('PPKG020 WPA2-Personal (explicit or default) without a key', () => {
    const { text, diagnostics } = check(wifi({ security: 'WPA2-Personal' }));
    assert.deepEqual(only(diagnostics, 'PPKG020').range, rangeOf(text, '"wifi"'));
    assert.match(only(check(wifi({})).diagnostics, 'PPKG020').message, /defaults to WPA2-Personal/);
  });
  test('PPKG021 key outside 8–63 characters, never showing the key', () => {
    const d = only(check(wifi({ security: 'WPA2-Personal', key: 'short12' })).diagnostics, 'PPKG021');
    assert.ok(!d.message.includes('short12'));
    only(check(wifi({ security: 'WPA2-Personal', key: 'x'.repeat(64) })).diagnostics, 'PPKG021');
    assert.ok(!codes(check(wifi({ security: 'WPA2-Personal', key: 'x'.repeat(8) })).diagnostics).includes('PPKG021'));
    assert.ok(!codes(check(wifi({ security: 'WPA2-Personal', key: { secret: 'k' } })).diagnostics).includes('PPKG021'));
  });
  test('PPKG022 Open with a key is a warning', () => {
    const d = only(check(wifi({ security: 'Open', key: { secret: 'k' } })).diagnostics, 'PPKG022');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(check(wifi({ security: 'Open' })).diagnostics, []);
  });
  test('PPKG023 WEP is accepted with a warning', () => {
    const { text, diagnostics } = check(wifi({ security: 'WEP', key: { secret: 'k' } }));
    const d = only(diagnostics, 'PPKG023');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, '"WEP"'));
    assert.ok(!diagnostics.some((x) => x.severity === 'error'));
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-rules-'));
  const outside = mkdtempSync(join(tmpdir(), 'ppkg-outside-'));
  mkdirSync(join(dir, 'installers'));
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'installers', 'Agent.msi'), 'x');
  writeFileSync(join(dir, 'installers', 'setup.cmd'), 'x');
  writeFileSync(join(dir, 'other', 'setup.cmd'), 'y');
  writeFileSync(join(dir, 'root.cer'), 'x');
  writeFileSync(join(dir, 'client.pfx'), 'x');
  writeFileSync(join(dir, 'notes.txt'), 'x');
  writeFileSync(join(outside, 'secret.msi'), 'x');
  symlinkSync(join(outside, 'secret.msi'), join(dir, 'link.msi'));
  symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
  symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
  const projectPath = join(dir, 'p.ppkg.json');
  const app = (installer: string, extra: Record<string, unknown> = {}) => ({ name: 'A', installer, commandLine: 'cmd /c x', ...extra });
  const apps = (...a: unknown[]) => check(validProject({ applications: a }), { projectPath });

  test('existing files inside the folder pass', () => {
    assert.deepEqual(apps(app('installers/setup.cmd', { dependencies: ['root.cer'] })).diagnostics, []);
  });
  test('PPKG030 missing installer, dependency and certificate, on the value', () => {
    const { text, diagnostics } = apps(app('installers/nope.msi', { dependencies: ['gone.dll'] }));
    const found = diagnostics.filter((d) => d.code === 'PPKG030');
    assert.equal(found.length, 2);
    assert.deepEqual(found[0].range, rangeOf(text, '"installers/nope.msi"'));
    assert.deepEqual(found[1].range, rangeOf(text, '"gone.dll"'));
    only(check(validProject({ certificates: [{ name: 'c', file: 'missing.cer' }] }), { projectPath }).diagnostics, 'PPKG030');
    assert.match(only(apps(app('installers')).diagnostics, 'PPKG030').message, /is a folder/);
  });
  test('PPKG031 absolute paths, traversal and links out of the folder', () => {
    for (const p of ['/etc/passwd', 'C:\\Windows\\notepad.exe', '../outside.msi', 'installers/../../x.msi', 'link.msi']) {
      assert.equal(only(apps(app(p)).diagnostics, 'PPKG031').severity, 'error', p);
    }
  });
  test('a symbolic link loop is an error, not a crash', () => {
    const d = apps(app('loop-a')).diagnostics;
    assert.ok(
      d.some((x) => x.code === 'PPKG030'),
      JSON.stringify(d),
    );
  });
  test('PPKG032 two command files with the same name', () => {
    const { text, diagnostics } = apps(app('installers/setup.cmd'), app('other/setup.cmd'));
    assert.deepEqual(only(diagnostics, 'PPKG032').range, rangeOf(text, '"other/setup.cmd"'));
    assert.ok(!codes(apps(app('installers/setup.cmd'), app('installers/setup.cmd')).diagnostics).includes('PPKG032'));
  });
  test('PPKG033 a .pfx needs a password; PPKG034 unsupported certificate files', () => {
    const certs = (c: unknown[]) => check(validProject({ certificates: c }), { projectPath }).diagnostics;
    only(certs([{ name: 'c', file: 'client.pfx' }]), 'PPKG033');
    assert.deepEqual(certs([{ name: 'c', file: 'client.pfx', password: { secret: 'pfx' } }]), []);
    only(certs([{ name: 'c', file: 'notes.txt' }]), 'PPKG034');
    assert.deepEqual(certs([{ name: 'c', file: 'root.cer' }]), []);
  });
  test('PPKG035 a path that differs only in case, with the real path for the quick fix', () => {
    const d = only(apps(app('Installers/agent.msi', { commandLine: 'msiexec /i Agent.msi /qn' })).diagnostics, 'PPKG035');
    assert.equal(d.data?.actualPath, 'installers/Agent.msi');
  });
  test('without a project path only the form of paths is checked', () => {
    const { diagnostics } = check(validProject({ applications: [app('installers/nope.msi'), app('/abs.msi', { name: 'Second' })] }));
    assert.deepEqual(codes(diagnostics), ['PPKG031']);
  });
});

describe('accounts, product key, secrets, structure', () => {
  test('PPKG040 Entra join without a local admin', () => {
    const p = validProject();
    delete (p.account as Record<string, unknown>).localAdmin;
    const text = JSON.stringify(p, null, 2);
    assert.deepEqual(only(check(text).diagnostics, 'PPKG040').range, rangeOf(text, '"entra"'));
  });
  test('PPKG041 hidden OOBE without a local account', () => {
    const p = validProject({ oobe: { hide: true }, account: {} });
    only(check(p).diagnostics, 'PPKG041');
    assert.ok(!codes(check(validProject({ oobe: { hide: true } })).diagnostics).includes('PPKG041'));
  });
  test('PPKG036 msiexec without a quiet switch', () => {
    const p = (commandLine: string) => validProject({ applications: [{ name: 'A', installer: 'a.msi', commandLine }] });
    only(check(p('msiexec /i a.msi')).diagnostics, 'PPKG036');
    assert.ok(!codes(check(p('msiexec /i a.msi /qn')).diagnostics).includes('PPKG036'));
    assert.ok(!codes(check(p('msiexec /i a.msi /quiet /norestart')).diagnostics).includes('PPKG036'));
  });
  test('PPKG050 product key form', () => {
    const { text, diagnostics } = check(validProject({ device: { name: 'CTS-%SERIAL%', productKey: 'NPPR9-FWDCX-D2C8J-H872K' } }));
    assert.deepEqual(only(diagnostics, 'PPKG050').range, rangeOf(text, '"NPPR9-FWDCX-D2C8J-H872K"'));
    assert.equal(
      only(check(validProject({ device: { productKey: 'nppr9-fwdcx-d2c8j-h872k-2yt43' } })).diagnostics, 'PPKG050').data?.fixed,
      'NPPR9-FWDCX-D2C8J-H872K-2YT43',
    );
    assert.deepEqual(check(validProject({ device: { productKey: 'NPPR9-FWDCX-D2C8J-H872K-2YT43' } })).diagnostics, []);
  });
  test('PPKG070 plain-text secrets warn without echoing the value', () => {
    const p = validProject({ network: { wifi: { ssid: 'N', key: 'SENTINEL-WIFI-KEY' } } });
    const d = only(check(p).diagnostics, 'PPKG070');
    assert.equal(d.severity, 'warning');
    assert.ok(!JSON.stringify(d).includes('SENTINEL'));
    assert.deepEqual(d.data, { secretName: 'wifi-key', path: ['network', 'wifi', 'key'] });
  });
  test('PPKG080 duplicate keys, on the second key', () => {
    const text = '{ "name": "a", "id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13", "version": "1.0", "name": "b" }';
    assert.deepEqual(only(check(text).diagnostics, 'PPKG080').range, rangeOf(text, '"name"', 1));
  });
  test('PPKG090 encryption is information, naming the ICD backend', () => {
    const d = only(check(validProject({ protection: { encrypt: true } })).diagnostics, 'PPKG090');
    assert.equal(d.severity, 'information');
    assert.match(d.message, /--backend icd/);
  });
});

describe('what the native build would refuse, found while editing', () => {
  test('PPKG113: a WCD path the setting table does not know, on its value; not with --backend icd', () => {
    const project = validProject({ additionalSettings: [{ path: "Workplace/Enrollments/UPN[@UPN='u']/AuthPolicy", value: 'OnPremise' }] });
    const { text, diagnostics } = check(project);
    const d = only(diagnostics, 'PPKG113');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, '"OnPremise"'));
    assert.match(d.message, /Workplace\/Enrollments\/UPN\[@UPN='u'\]\/AuthPolicy is not a setting the native backend compiles.*csp.*--backend icd/);
    assert.ok(!codes(check(project, { backend: 'icd' }).diagnostics).includes('PPKG113'));
  });
  test('PPKG113: multivariant XML', () => {
    const d = only(check(validProject({ additionalCustomizationsXml: '<Targets/>' })).diagnostics, 'PPKG113');
    assert.match(d.message, /Targets\/Variant/);
  });
  test('PPKG111: a label WCD does not offer, and a list of return codes, each on its property', () => {
    const { text, diagnostics } = check(
      validProject({
        additionalSettings: [{ path: 'Policies/Camera/AllowCamera', value: '0' }],
        applications: [{ name: 'A', commandLine: 'x', successCodes: [0, 1641] }],
      }),
    );
    const found = diagnostics.filter((d) => d.code === 'PPKG111');
    assert.equal(found.length, 2);
    assert.deepEqual(found.map((d) => d.range).sort((a, b) => a.start.line - b.start.line)[0], rangeOf(text, '"0"'));
    assert.ok(found.some((d) => /several codes/.test(d.message)));
    // The labels as fixes, the one for the CSP value written ("0" is No) preferred.
    const label = found.find((d) => /AllowCamera/.test(d.message))!;
    assert.deepEqual((label.data as { fixes: unknown[] }).fixes, [
      { title: 'Use "Yes" (compiled as 1)', isPreferred: false, edits: [{ path: ['additionalSettings', 0, 'value'], value: 'Yes' }] },
      { title: 'Use "No" (compiled as 0)', isPreferred: true, edits: [{ path: ['additionalSettings', 0, 'value'], value: 'No' }] },
    ]);
  });
  test("a label in a mirrored section is the schema's finding, not also PPKG111", () => {
    const ds = check(validProject({ policies: { Camera: { AllowCamera: 'Maybe' } } })).diagnostics;
    assert.deepEqual(codes(ds), ['PPKG100']);
    assert.match(ds[0]!.message, /Yes, No/);
  });
  test('PPKG112: the same setting from a property and from additionalSettings', () => {
    const d = only(
      check(validProject({ device: { name: 'CTS-%SERIAL%' }, additionalSettings: [{ path: 'Accounts/ComputerAccount/ComputerName', value: 'X' }] }))
        .diagnostics,
      'PPKG112',
    );
    assert.equal(d.severity, 'error');
    assert.match(d.message, /device\.name/);
  });
  test('PPKG114: an advanced setting with a property of its own, with a fix that moves it', () => {
    const d = only(
      check(
        validProject({
          additionalSettings: [
            { path: 'Policies/Camera/AllowCamera', value: 'No' },
            { path: 'OOBE/Desktop/HideOobe', value: 'True' },
          ],
        }),
      ).diagnostics.filter((x) => x.message.includes('Camera')),
      'PPKG114',
    );
    assert.equal(d.severity, 'warning');
    assert.deepEqual((d.data as { fixes: unknown[] }).fixes, [
      {
        title: 'Move to policies.Camera.AllowCamera',
        isPreferred: true,
        edits: [
          { path: ['policies', 'Camera', 'AllowCamera'], value: 'No' },
          { path: ['additionalSettings', 0], remove: true },
        ],
      },
    ]);
    const oobe = check(validProject({ additionalSettings: [{ path: 'OOBE/Desktop/HideOobe', value: 'True' }] })).diagnostics.find((x) => x.code === 'PPKG114')!;
    assert.deepEqual((oobe.data as { fixes: { edits: unknown[] }[] }).fixes[0]!.edits[0], { path: ['oobe', 'hide'], value: true });
    // Not offered when the property is set already (that is PPKG112), or for a value the property cannot hold.
    assert.ok(!codes(check(validProject({ additionalSettings: [{ path: 'Policies/Camera/AllowCamera', value: 'Maybe' }] })).diagnostics).includes('PPKG114'));
  });
  test('PPKG045: a local user defined twice', () => {
    const d = only(check(validProject({ users: [{ name: 'ctsadmin', group: 'Administrators' }] })).diagnostics, 'PPKG045');
    assert.match(d.message, /"ctsadmin" is defined twice/);
  });
  test('PPKG039: two applications or two certificates of one store with the same name', () => {
    const d = only(
      check(
        validProject({
          applications: [
            { name: 'Agent', commandLine: 'a' },
            { name: 'agent', commandLine: 'b' },
          ],
        }),
      ).diagnostics,
      'PPKG039',
    );
    assert.match(d.message, /applications\[0\] already has the name "agent"/);
    assert.ok(
      !codes(
        check(
          validProject({
            certificates: [
              { name: 'C', file: 'a.cer' },
              { name: 'C', file: 'b.cer', store: 'CA' },
            ],
          }),
        ).diagnostics,
      ).includes('PPKG039'),
    );
  });
});

describe('Active Directory join', () => {
  const ad = (over: Record<string, unknown> = {}, project: Record<string, unknown> = {}) => {
    const p = validProject(project);
    const account = { ...(p.account as Record<string, unknown>) };
    delete account.entra;
    return validProject({
      ...project,
      account: { ...account, activeDirectory: { domain: 'corp.contoso.com', account: 'CORP\\joiner', password: { secret: 'join' }, ...over } },
    });
  };
  test('a complete join is clean', () => {
    assert.deepEqual(check(ad()).diagnostics, []);
  });
  test('PPKG043: the NetBIOS name of the computer account has at most 15 characters (an error, not PPKG004)', () => {
    const d = only(check(ad({}, { device: { name: 'BRANCH-DESK-%RAND:5%' } })).diagnostics, 'PPKG043');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /at most 15 characters; this one can be 17/);
    assert.ok(!codes(check(ad({}, { device: { name: 'BR-%SERIAL%' } })).diagnostics).includes('PPKG043'), '%SERIAL% is cut to fit');
  });
  test('PPKG042: a join without a local account; PPKG044: AD and Entra together', () => {
    const noLocal = ad();
    delete (noLocal.account as Record<string, unknown>).localAdmin;
    only(check(noLocal).diagnostics, 'PPKG042');
    const withUser = { ...noLocal, users: [{ name: 'support', group: 'Standard Users' }] };
    assert.ok(!codes(check(withUser).diagnostics).includes('PPKG042'), 'any local account is a way in');
    const both = validProject({ account: { ...(validProject().account as object), activeDirectory: { domain: 'corp.contoso.com' } } });
    assert.equal(only(check(both).diagnostics, 'PPKG044').severity, 'error');
  });
  test('PPKG046 without a device name; PPKG047 not a domain name; PPKG048 an account without its domain', () => {
    const p = ad({ domain: 'corp contoso', account: 'joiner' });
    delete (p as Record<string, unknown>).device;
    const ds = check(p).diagnostics;
    only(ds, 'PPKG046');
    only(ds, 'PPKG047');
    only(ds, 'PPKG048');
  });
  test('PPKG070 covers the join password', () => {
    only(check(ad({ password: 'Plain1!' })).diagnostics, 'PPKG070');
  });
});

describe('passwords in command lines (PPKG071)', () => {
  const line = (commandLine: string) => check(validProject({ applications: [{ name: 'A', commandLine }] }));
  for (const [commandLine, password] of [
    ['net user svc Winter2026! /add', 'Winter2026!'],
    ['cmd /c net user admin "P@ss word" /add', '"P@ss word"'],
    ['reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" /v DefaultPassword /t REG_SZ /d S3cret /f', 'S3cret'],
    ['setup.exe /quiet /p:Hunter2', 'Hunter2'],
    ['agent.exe --password=abc123 --silent', 'abc123'],
    ['msiexec /i a.msi /qn SERVICE_PASSWORD="x y z"', '"x y z"'],
  ] as const) {
    test(`marks the password in: ${commandLine}`, () => {
      const { text, diagnostics } = line(commandLine);
      const d = only(diagnostics, 'PPKG071');
      assert.equal(d.severity, 'warning');
      assert.ok(!d.message.includes(password.replace(/"/g, '')), 'the message never repeats the password');
      // The password itself is marked; when the JSON literal has escapes (\" or \\), its text and value do not line up, so the whole value is.
      const literal = JSON.stringify(commandLine);
      const plain = literal.slice(1, -1) === commandLine;
      assert.deepEqual(
        d.range,
        plain ? rangeOf(text, literal, 0, { start: 1 + commandLine.indexOf(password), length: password.length }) : rangeOf(text, literal),
      );
    });
  }
  test('prompts, variables and other switches are not passwords', () => {
    for (const ok of ['net user svc * /add', 'net user svc %PW% /add', 'net user svc /delete', 'msiexec /i a.msi /qn /norestart', 'robocopy a b /purge']) {
      assert.ok(!codes(line(ok).diagnostics).includes('PPKG071'), ok);
    }
  });
  test('also in the device-context command line', () => {
    only(check(validProject({ deviceContext: { commandLine: 'net user x y /add' } })).diagnostics, 'PPKG071');
  });
});

describe('csp list', () => {
  const csp = (entries: unknown[]) => check(validProject({ csp: entries })).diagnostics;
  test('valid entries of every format are clean', () => {
    assert.deepEqual(
      csp([
        { uri: './Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera', format: 'int', value: 0 },
        { uri: './User/Vendor/MSFT/Policy/Config/Start/HideRecentlyAddedApps', format: 'bool', value: true },
        { uri: './Vendor/MSFT/Example/Blob', format: 'b64', value: 'AAEC' },
        { uri: './Vendor/MSFT/AssignedAccess/Configuration', format: 'xml', value: '<a/>' },
      ]),
      [],
    );
  });
  test('PPKG060 not an OMA-URI; PPKG061 a value that does not fit; PPKG062 a node set twice', () => {
    codes(csp([{ uri: './Vendor/MSFT/Policy', format: 'chr', value: 'x' }])).includes('PPKG060') || assert.fail('PPKG060');
    only(csp([{ uri: './Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera', format: 'int', value: 'zero' }]), 'PPKG061');
    only(csp([{ uri: './Vendor/MSFT/X/Y', format: 'xml', value: '<a>' }]), 'PPKG061');
    only(csp([{ uri: './Vendor/MSFT/X/Y', format: 'b64', value: 'not base64!' }]), 'PPKG061');
    only(
      csp([
        { uri: './Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera', format: 'int', value: 0 },
        { uri: './Vendor/MSFT/Policy/Config/Camera/AllowCamera', format: 'int', value: 1 },
      ]),
      'PPKG062',
    );
  });
});
