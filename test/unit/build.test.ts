/**
 * buildProject end to end: the example and a project with every wizard
 * setting, read back with 7-Zip (WASM); determinism; refusals; the report;
 * secrets never in the report or logs; 0600; atomicity under SIGKILL.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildError, buildProject, defaultOutDir, packageFileName } from '../../server/src/package/build';
import { compileProject } from '../../server/src/compile';
import type { SecretResolver } from '../../server/src/model/secrets';
import { readWim } from '../support/wimReader';
import { makeTestPfx } from '../support/testCa';
import { compileDiagnostics, locator } from '../../server/src/package/build/locate';

const REPO = resolve(__dirname, '../..');
const EXAMPLE = join(REPO, 'examples/bulk-enrollment');
const work = mkdtempSync(join(tmpdir(), 'ppkg-build-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const NOW = () => new Date('2026-12-01T12:00:00Z');

const SENTINELS: Record<string, string> = {
  'bulk-token': 'SENTINEL-BPRT-7f3a9c',
  'wifi-key': 'SENTINEL-WIFI-51b2e8',
  'local-admin-password': 'SENTINEL-ADMIN-0c4d11',
  'client-pfx-password': 'SENTINEL-PFX-9e8d7c',
};
function secrets(values: Record<string, string> = SENTINELS): SecretResolver {
  return { get: async (n) => values[n], howToSet: (n) => `set the environment variable PPKG_SECRET_${n.toUpperCase().replace(/[^A-Z0-9]/g, '_')}` };
}

function copyExample(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const e of readdirSync(EXAMPLE)) if (e !== 'ppkg-out') cpSync(join(EXAMPLE, e), join(dir, e), { recursive: true });
  return join(dir, 'cts-desktops.ppkg.json');
}

/** A project with every wizard setting, small fixture files. */
function everythingProject(name: string, installerBytes = 64): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'apps'), { recursive: true });
  mkdirSync(join(dir, 'certs'), { recursive: true });
  writeFileSync(join(dir, 'apps/setup.exe'), Buffer.alloc(installerBytes, 0x5a));
  writeFileSync(join(dir, 'apps/helper.dll'), 'helper');
  cpSync(join(EXAMPLE, 'certificates/contoso-root.cer'), join(dir, 'certs/root.cer'));
  writeFileSync(join(dir, 'certs/client.pfx'), makeTestPfx(SENTINELS['client-pfx-password']!));
  const project = {
    name: 'Everything & More',
    id: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
    version: '3.1',
    owner: 'OEM',
    rank: 7,
    description: 'All wizard settings',
    device: { name: 'EV-%SERIAL%', productKey: 'NPPR9-FWDCX-D2C8J-H872K-2YT43', sharedUse: true, removePreinstalledSoftware: true },
    network: { wifi: { ssid: 'Setup Net', security: 'WPA2-Personal', key: { secret: 'wifi-key' }, autoConnect: true, hidden: false } },
    account: {
      entra: { tokenExpiry: '2027-03-01', token: { secret: 'bulk-token' }, issuedAt: '2026-11-30T08:00:00Z' },
      localAdmin: { user: 'evadmin', password: { secret: 'local-admin-password' } },
    },
    applications: [
      {
        name: 'Setup',
        installer: 'apps/setup.exe',
        commandLine: 'setup.exe /quiet',
        dependencies: ['apps/helper.dll'],
        successCodes: [0],
        restartCodes: [3010],
      },
    ],
    certificates: [
      { name: 'Root', file: 'certs/root.cer' },
      { name: 'Client', file: 'certs/client.pfx', password: { secret: 'client-pfx-password' }, keyLocation: 'SoftwareOnly' },
    ],
    oobe: { hide: true },
  };
  const file = join(dir, 'everything.ppkg.json');
  writeFileSync(file, `// fixture\n${JSON.stringify(project, null, 2)}\n`);
  return file;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

test('the example builds; 7-Zip reads back the tree, contents and image properties; rebuild is byte-identical', async () => {
  const projectPath = copyExample('example');
  const started = Date.now();
  const r = await buildProject({ projectPath, secrets: secrets(), now: NOW });
  const ms = Date.now() - started;
  assert.equal(r.packagePath, join(defaultOutDir(projectPath), 'CTS Desktops.ppkg'));
  assert.equal(defaultOutDir(projectPath), join(work, 'example/ppkg-out/cts-desktops'));
  const wim = await readWim(r.packagePath);
  assert.deepEqual(Object.fromEntries([...wim.properties!].filter(([k]) => ['NAME', 'PACKAGEID', 'VERSION', 'ALTITUDE', 'RESETCLEAR'].includes(k))), {
    NAME: 'CTS Desktops',
    PACKAGEID: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}',
    VERSION: '1.2',
    ALTITUDE: '5000',
    RESETCLEAR: '0',
  });
  assert.ok(wim.files.has('Multivariant/0/Prov/RunTime.xml'));
  assert.deepEqual(wim.files.get('Multivariant/0/customizations.xml'), readFileSync(r.customizationsPath));
  const msi = [...wim.files.keys()].find((k) => k.endsWith('/cts-agent.msi'))!;
  assert.match(msi, /^DataAsset\/2\/0_[A-Za-z0-9+.=]+\/cts-agent\.msi$/);
  assert.deepEqual(wim.files.get(msi), readFileSync(join(EXAMPLE, 'installers/cts-agent.msi')));
  const report = JSON.parse(readFileSync(r.reportPath, 'utf8'));
  assert.equal(report.backend, 'native');
  assert.equal(report.inputs.length, 4);
  for (const i of report.inputs)
    assert.equal(
      i.sha256,
      createHash('sha256')
        .update(readFileSync(join(EXAMPLE, i.path)))
        .digest('hex'),
    );
  assert.equal(
    readFileSync(join(defaultOutDir(projectPath), '.gitignore'), 'utf8')
      .trim()
      .split('\n')
      .pop(),
    '*',
  );
  // Rebuild into another folder, later: byte-identical package.
  const again = await buildProject({ projectPath, outDir: join(work, 'example-again'), secrets: secrets(), now: () => new Date('2026-12-24T00:00:00Z') });
  assert.deepEqual(readFileSync(again.packagePath), readFileSync(r.packagePath));
  console.log(`# example build: ${ms} ms`);
});

test('every wizard setting: package tree and contents equal the compiler output; secrets only where they belong', async () => {
  const projectPath = everythingProject('everything');
  const r = await buildProject({ projectPath, secrets: secrets(), now: NOW });
  const wim = await readWim(r.packagePath);
  assert.equal(wim.properties!.get('ALTITUDE'), '2007');
  assert.equal(wim.properties!.get('NAME'), 'Everything & More');
  assert.equal(wim.properties!.get('VERSION'), '3.1');
  const names = [...wim.files.keys()];
  for (const suffix of [
    'Accounts_Azure.provxml',
    'Accounts_ComputerAccount.provxml',
    'OOBE_Desktop_HideOobe.provxml',
    'Accounts_Users_evadmin.provxml',
    'Certificates_RootCertificates_Root.provxml',
    'Certificates_ClientCertificates_Client.provxml',
    'Command_0_CommandFile.provxml',
    'Command_0_DependencyPackages_0.provxml',
    'ConnectivityProfiles_WLAN_WLANSetting_Setup Net.provxml',
    'EditionUpgrade_UpgradeEditionWithProductKey.provxml',
    '__SharedPC.provxml',
    '__CleanPC.provxml',
  ]) {
    assert.ok(
      names.some((n) => n.endsWith(suffix)),
      suffix,
    );
  }
  // A BOM on every XML file but the three ICD writes without one (Multivariant, CommonSettings, DataAsset).
  const noBom = new Set(['Multivariant/Multivariant.xml', 'CommonSettings/CommonSettings.xml', 'DataAsset/DataAsset.xml']);
  for (const [p, data] of wim.files)
    if (/\.(xml|provxml)$/.test(p)) assert.equal(data.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), !noBom.has(p), p);
  assert.match(wim.files.get(names.find((n) => n.endsWith('Accounts_Azure.provxml'))!)!.toString(), /SENTINEL-BPRT-7f3a9c/);
  // Secret values appear in no output other than the package and customizations.xml.
  for (const f of allFiles(join(work, 'everything'))) {
    if (f === r.packagePath || f === r.customizationsPath) continue;
    const text = readFileSync(f).toString('latin1');
    for (const v of Object.values(SENTINELS)) assert.ok(!text.includes(v), `${f} contains a secret`);
  }
  const report = JSON.parse(readFileSync(r.reportPath, 'utf8'));
  assert.deepEqual(report.secrets.map((s: { name: string }) => s.name).sort(), Object.keys(SENTINELS).sort());
  assert.ok(report.inputs.every((i: { sha256: string; size: number }) => /^[0-9a-f]{64}$/.test(i.sha256) && i.size > 0));
  if (process.platform !== 'win32') {
    for (const f of [r.packagePath, r.customizationsPath, r.reportPath]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  }
});

async function refusal(projectPath: string, opts: Partial<Parameters<typeof buildProject>[0]> = {}): Promise<BuildError> {
  try {
    await buildProject({ projectPath, secrets: secrets(), now: NOW, outDir: join(work, 'refused-out'), ...opts });
  } catch (err) {
    assert.ok(err instanceof BuildError, String(err));
    assert.ok(!existsSync(join(work, 'refused-out')), 'nothing written on refusal');
    return err;
  }
  assert.fail('the build should have been refused');
}

test('refusals: validation error, expired token, missing secret (named), short Wi-Fi key, encrypt on native, ICD off Windows', async () => {
  const p = everythingProject('refuse');
  const text = readFileSync(p, 'utf8');
  writeFileSync(p, text.replace('EV-%SERIAL%', 'EV %SERIAL%'));
  let e = await refusal(p);
  assert.ok(e.diagnostics.some((d) => d.code === 'PPKG001' && d.range.start.line > 0));

  writeFileSync(p, text);
  e = await refusal(p, { now: () => new Date('2027-06-01T00:00:00Z') });
  assert.ok(e.diagnostics.some((d) => d.code === 'PPKG011'));

  const missing = { ...SENTINELS };
  delete missing['wifi-key'];
  e = await refusal(p, { secrets: secrets(missing) });
  assert.equal(e.diagnostics.length, 1);
  assert.equal(e.diagnostics[0]!.code, 'PPKG110');
  assert.match(e.message, /"wifi-key"/);
  assert.match(e.message, /PPKG_SECRET_WIFI_KEY/);
  const keyLine = text.split('\n').findIndex((l) => l.includes('"key"'));
  assert.equal(e.diagnostics[0]!.range.start.line, keyLine);

  e = await refusal(p, { secrets: secrets({ ...SENTINELS, 'wifi-key': 'short' }) });
  assert.equal(e.diagnostics[0]!.code, 'PPKG021');
  assert.ok(!e.message.includes('short'));

  writeFileSync(p, text.replace('"oobe"', '"protection": { "encrypt": true },\n  "oobe"'));
  e = await refusal(p);
  assert.equal(e.diagnostics[0]!.code, 'PPKG090');
  assert.match(e.message, /ICD backend/);

  writeFileSync(p, text);
  if (process.platform !== 'win32') {
    e = await refusal(p, { backend: 'icd' });
    assert.equal(e.kind, 'tool');
    assert.match(e.message, /only on Windows/);
  }
  for (const err of [e]) for (const v of Object.values(SENTINELS)) assert.ok(!err.message.includes(v));
});

test(
  'files are re-checked at build: a file that becomes a link out of the project after validation is refused by the build itself',
  { skip: process.platform === 'win32' },
  async () => {
    const p = everythingProject('symlink');
    const outside = join(work, 'outside.dll');
    writeFileSync(outside, 'outside');
    // Validation passes on the real file; the swap happens after it, while secrets resolve.
    let swapped = false;
    const e = await refusal(p, {
      onProgress: (m) => {
        if (m !== 'Resolving secrets' || swapped) return;
        swapped = true;
        rmSync(join(work, 'symlink/apps/helper.dll'));
        symlinkSync(outside, join(work, 'symlink/apps/helper.dll'));
      },
    });
    assert.ok(swapped, 'the swap happened after validation');
    assert.equal(e.diagnostics.length, 1);
    assert.equal(e.diagnostics[0]!.code, 'PPKG031');
    // The build's wording, not validation's ("is a link to a file outside…").
    assert.match(e.diagnostics[0]!.message, /The dependency "apps\/helper\.dll" resolves to .*outside\.dll, outside the project folder/);
    const depLine = readFileSync(p, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('"apps/helper.dll"') && !l.includes('installer'));
    assert.equal(e.diagnostics[0]!.range.start.line, depLine);
    // Validation alone would also catch a link made before the build.
    const again = await refusal(p);
    assert.match(again.diagnostics.find((d) => d.code === 'PPKG031')!.message, /is a link to a file outside the project folder/);
  },
);

test('client certificates: a .pfx that is not PKCS#12, or whose password does not open it, refuses the build naming the certificate', async () => {
  const p = everythingProject('pfx');
  const pfx = join(work, 'pfx/certs/client.pfx');
  const text = readFileSync(p, 'utf8');
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
  // Wrong password (the secret is the sentinel; the file opens with another).
  writeFileSync(pfx, makeTestPfx('another-password'));
  let e = await refusal(p);
  assert.equal(e.diagnostics.length, 1);
  assert.equal(e.diagnostics[0]!.code, 'PPKG038');
  assert.match(e.message, /The client certificate "certs\/client\.pfx" does not open with the secret "client-pfx-password"/);
  assert.equal(e.diagnostics[0]!.range.start.line, lineOf('"client-pfx-password"') - 1, 'on the password property of the certificate');
  // Not PKCS#12 at all.
  writeFileSync(pfx, Buffer.from([0x30, 0x82, 0x00, 0x04, 1, 2, 3, 4]));
  e = await refusal(p);
  assert.equal(e.diagnostics[0]!.code, 'PPKG037');
  assert.match(e.message, /"certs\/client\.pfx": it is not a PKCS#12 \(\.pfx\) file/);
  assert.equal(e.diagnostics[0]!.range.start.line, lineOf('"certs/client.pfx"'));
  // A legacy (3DES, SHA-1) export with the right password builds.
  writeFileSync(pfx, makeTestPfx(SENTINELS['client-pfx-password']!, { legacy: true }));
  const r = await buildProject({ projectPath: p, outDir: join(work, 'pfx-out'), secrets: secrets(), now: NOW });
  assert.ok(existsSync(r.packagePath));
  for (const v of Object.values(SENTINELS)) assert.ok(!e.message.includes(v));
});

test('output folder: the build writes only into a folder it owns; other folders are refused before anything is written', async () => {
  const p = everythingProject('owned');
  // A folder with someone else's files: refused, nothing in it changes.
  const foreign = join(work, 'foreign-out');
  mkdirSync(foreign);
  writeFileSync(join(foreign, '.gitignore'), 'node_modules/\n');
  writeFileSync(join(foreign, 'customizations.xml'), '<WindowsCustomizations>mine</WindowsCustomizations>');
  let err = await buildProject({ projectPath: p, outDir: foreign, secrets: secrets(), now: NOW }).catch((x: unknown) => x);
  assert.ok(err instanceof BuildError);
  assert.equal(err.kind, 'io');
  assert.match(err.message, /already holds files that ppkg did not write \(.*\.gitignore.*\)|already holds files that ppkg did not write/);
  assert.match(err.message, /new or empty folder/);
  assert.deepEqual(readdirSync(foreign).sort(), ['.gitignore', 'customizations.xml']);
  assert.equal(readFileSync(join(foreign, '.gitignore'), 'utf8'), 'node_modules/\n');
  // A new folder: created, marked; built again: still ours.
  const mine = join(work, 'owned-out/nested');
  const r = await buildProject({ projectPath: p, outDir: mine, secrets: secrets(), now: NOW });
  assert.ok(existsSync(join(mine, '.ppkg-output')));
  await buildProject({ projectPath: p, outDir: mine, secrets: secrets(), now: NOW });
  assert.ok(existsSync(r.packagePath));
  // An empty folder is adopted; a folder of an earlier ppkg (its .gitignore, its outputs) too.
  const empty = join(work, 'empty-out');
  mkdirSync(empty);
  await buildProject({ projectPath: p, outDir: empty, secrets: secrets(), now: NOW });
  assert.ok(existsSync(join(empty, '.ppkg-output')));
  const legacy = join(work, 'legacy-out');
  mkdirSync(legacy);
  writeFileSync(join(legacy, '.gitignore'), '# Written by ppkg build: these files hold the bulk token and passwords. Never commit them.\n*\n');
  writeFileSync(join(legacy, 'Old.ppkg'), 'old');
  writeFileSync(join(legacy, 'build-report.json'), '{}');
  await buildProject({ projectPath: p, outDir: legacy, secrets: secrets(), now: NOW });
  assert.ok(existsSync(join(legacy, '.ppkg-output')));
  // A file where the folder should be, a path through a file, a link: refused in words, no raw code.
  writeFileSync(join(work, 'a-file'), 'x');
  for (const [out, words] of [
    [join(work, 'a-file'), /is a file, not a folder/],
    [join(work, 'a-file/sub'), /a-file is a file, not a folder/],
  ] as const) {
    err = await buildProject({ projectPath: p, outDir: out, secrets: secrets(), now: NOW }).catch((x: unknown) => x);
    assert.ok(err instanceof BuildError);
    assert.match(err.message, words);
    assert.doesNotMatch(err.message, /ENOTDIR|EEXIST|ENOENT|EACCES|internal error/);
  }
  if (process.platform !== 'win32') {
    symlinkSync(mine, join(work, 'link-out'));
    err = await buildProject({ projectPath: p, outDir: join(work, 'link-out'), secrets: secrets(), now: NOW }).catch((x: unknown) => x);
    assert.ok(err instanceof BuildError);
    assert.match(err.message, /symbolic link/);
  }
});

test('compile problems: every problem of a CompileError becomes a located diagnostic, one per setting', async () => {
  const p = everythingProject('problems');
  const text = readFileSync(p, 'utf8');
  const { parseProject } = await import('../../server/src/model/parse');
  const { diag } = locator(parseProject(text));
  const ds = compileDiagnostics(
    {
      message: 'two settings cannot be compiled',
      problems: [
        { path: ['network', 'wifi', 'ssid'], code: 'PPKG111', message: 'SSID problem' },
        { path: ['device', 'name'], code: 'PPKG111', message: 'name problem' },
        { path: ['device', 'name'], code: 'PPKG111', message: 'second problem on the same setting' },
      ],
    },
    diag,
  );
  assert.deepEqual(
    ds.map((d) => d.message),
    ['name problem', 'SSID problem'],
  );
  const lines = text.split('\n');
  assert.equal(
    ds[0]!.range.start.line,
    lines.findIndex((l) => l.includes('"EV-%SERIAL%"')),
  );
  assert.equal(
    ds[1]!.range.start.line,
    lines.findIndex((l) => l.includes('"Setup Net"')),
  );
  // Without problems: the error's own path and code.
  const one = compileDiagnostics({ message: 'one', path: ['oobe', 'hide'], code: 'PPKG111' }, diag);
  assert.equal(one.length, 1);
  assert.equal(
    one[0]!.range.start.line,
    lines.findIndex((l) => l.includes('"hide"')),
  );
});

/**
 * Records every file the code under test opens for writing, and every
 * rename, through node:fs (callback, sync and promise APIs, which the build
 * and the WIM writer use).
 */
async function auditWrites<T>(fn: () => Promise<T>): Promise<{ result: T; writes: string[]; renames: [string, string][] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fsMod = require('node:fs') as typeof import('node:fs');
  const writes: string[] = [];
  const renames: [string, string][] = [];
  const isWrite = (flags: unknown) => flags !== undefined && flags !== 'r' && flags !== 'rs' && flags !== fsMod.constants.O_RDONLY;
  const spies: { target: object; name: string; see: (a: unknown[]) => void }[] = [
    { target: fsMod.promises, name: 'open', see: (a) => isWrite(a[1]) && writes.push(resolve(String(a[0]))) },
    { target: fsMod.promises, name: 'writeFile', see: (a) => typeof a[0] === 'string' && writes.push(resolve(a[0])) },
    { target: fsMod.promises, name: 'appendFile', see: (a) => writes.push(resolve(String(a[0]))) },
    { target: fsMod.promises, name: 'copyFile', see: (a) => writes.push(resolve(String(a[1]))) },
    { target: fsMod.promises, name: 'rename', see: (a) => renames.push([resolve(String(a[0])), resolve(String(a[1]))]) },
    { target: fsMod, name: 'writeFileSync', see: (a) => typeof a[0] === 'string' && writes.push(resolve(a[0])) },
    { target: fsMod, name: 'openSync', see: (a) => isWrite(a[1]) && writes.push(resolve(String(a[0]))) },
    { target: fsMod, name: 'createWriteStream', see: (a) => writes.push(resolve(String(a[0]))) },
  ];
  const mocks = spies.map(({ target, name, see }) => {
    const original = (target as Record<string, (...x: unknown[]) => unknown>)[name]!;
    return mock.method(target as Record<string, (...x: unknown[]) => unknown>, name, function (this: unknown, ...a: unknown[]) {
      see(a);
      return original.apply(this, a);
    });
  });
  try {
    const result = await fn();
    return { result, writes, renames };
  } finally {
    for (const m of mocks) m.mock.restore();
  }
}

/**
 * Output files written in place (opened for writing under their final name),
 * and files of `mustBeRenamed` that did not arrive by a rename from a temporary file.
 */
function inPlaceWrites(outDir: string, audit: { writes: string[]; renames: [string, string][] }, mustBeRenamed: string[] = []): string[] {
  const finals = new Set(
    readdirSync(outDir)
      .filter((n) => !n.startsWith('.ppkg-tmp-'))
      .map((n) => join(outDir, n)),
  );
  const bad = audit.writes.filter((w) => finals.has(w));
  for (const name of mustBeRenamed) {
    const f = join(outDir, name);
    if (!audit.renames.some(([from, to]) => to === f && from.includes('/.ppkg-tmp-'))) bad.push(`${f} (not renamed from a temporary file)`);
  }
  return [...new Set(bad)];
}

test('atomic everywhere: every file a build writes (package, customizations.xml, report, .gitignore, marker) is renamed into place; an in-place write is caught', async () => {
  const p = everythingProject('audit');
  const out = join(work, 'audit-out');
  // Twice: creating the folder, and replacing the files of a previous build.
  for (const round of [1, 2]) {
    const audit = await auditWrites(() => buildProject({ projectPath: p, outDir: out, secrets: secrets(), now: NOW }));
    assert.deepEqual(
      readdirSync(out).sort(),
      ['.gitignore', '.ppkg-output', 'Everything & More.ppkg', 'build-report.json', 'customizations.xml'],
      `round ${round}`,
    );
    // The marker is written once, when the build claims the folder; the rest on every build.
    const every = ['.gitignore', 'Everything & More.ppkg', 'build-report.json', 'customizations.xml'];
    assert.deepEqual(inPlaceWrites(out, audit, round === 1 ? [...every, '.ppkg-output'] : every), [], `round ${round}: written in place`);
    assert.ok(
      audit.writes.some((w) => w.includes('/.ppkg-tmp-')),
      'the audit sees the temporary files being written',
    );
  }
  // The control: the same audit catches a file written in place.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fsp = (require('node:fs') as typeof import('node:fs')).promises;
  const control = await auditWrites(async () => {
    await fsp.writeFile(join(out, 'customizations.xml'), '<in place/>');
    const h = await fsp.open(join(out, 'build-report.json'), 'r+');
    await h.close();
  });
  const caught = inPlaceWrites(out, control);
  assert.ok(caught.includes(join(out, 'customizations.xml')), 'writeFile in place is caught');
  assert.ok(caught.includes(join(out, 'build-report.json')), 'open r+ in place is caught');
});

test('package file name and compile determinism helpers', () => {
  assert.equal(packageFileName('A/B:C*'), 'A_B_C_.ppkg');
  assert.equal(packageFileName('CON'), 'package-CON.ppkg');
  assert.equal(typeof compileProject, 'function');
});

function runChild(projectPath: string, outDir: string, killAt: string): Promise<'killed' | 'finished'> {
  const script = join(work, 'child.ts');
  writeFileSync(
    script,
    `import { buildProject } from ${JSON.stringify(join(REPO, 'server/src/package/build.ts'))};
const values: Record<string, string> = ${JSON.stringify(SENTINELS)};
const killAt = process.env.KILL_AT!;
let paused = false;
buildProject({
  projectPath: process.env.PROJECT!, outDir: process.env.OUT!, now: () => new Date('2026-12-01T12:00:00Z'),
  secrets: { get: async (n) => values[n], howToSet: () => '' },
  onProgress: (m, f) => {
    if (paused || !m.startsWith(killAt.split('@')[0]!)) return;
    if (killAt.includes('@') && (f ?? 0) < Number(killAt.split('@')[1])) return;
    paused = true;
    process.stdout.write('PAUSED\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10000);
  },
}).then(() => process.stdout.write('DONE\\n'));
`,
  );
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO,
      env: { ...process.env, KILL_AT: killAt, PROJECT: projectPath, OUT: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('PAUSED')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', () =>
      out.includes('PAUSED') ? resolvePromise('killed') : out.includes('DONE') ? resolvePromise('finished') : reject(new Error(`child failed: ${err}`)),
    );
  });
}

test(
  'atomic: SIGKILL at several points leaves the previous package intact and no partial file; stale temps are cleaned',
  { skip: process.platform === 'win32' },
  async () => {
    const p = everythingProject('atomic', 2 * 1024 * 1024 + 7);
    const out = join(work, 'atomic-out');
    const v1 = await buildProject({ projectPath: p, outDir: out, secrets: secrets(), now: NOW });
    const v1Bytes = readFileSync(v1.packagePath);
    // Version 2 of the project, built once elsewhere as the reference.
    writeFileSync(p, readFileSync(p, 'utf8').replace('"version": "3.1"', '"version": "3.2"'));
    const v2Bytes = readFileSync((await buildProject({ projectPath: p, outDir: join(work, 'atomic-ref'), secrets: secrets(), now: NOW })).packagePath);
    assert.notDeepEqual(v1Bytes, v2Bytes);

    let sawTemp = false;
    for (const [point, expectNew] of [
      ['Reading the installers', false],
      ['Writing the package@0.5', false],
      ['Finishing the package', false],
      ['Writing the build report', true],
    ] as const) {
      const outcome = await runChild(p, out, point);
      assert.equal(outcome, 'killed', point);
      const now = readFileSync(v1.packagePath);
      assert.ok(now.equals(expectNew ? v2Bytes : v1Bytes), `package at the output path after a kill at "${point}"`);
      if (point.startsWith('Writing the package')) sawTemp = readdirSync(out).some((n) => n.startsWith('.ppkg-tmp-'));
      for (const name of readdirSync(out)) {
        if (name.startsWith('.ppkg-tmp-') || name === '.gitignore' || name === '.ppkg-output') continue;
        assert.ok(['Everything & More.ppkg', 'customizations.xml', 'build-report.json'].includes(name), `unexpected ${name}`);
      }
      if (expectNew) continue;
      // Reset to v1 for the next kill point.
      writeFileSync(p, readFileSync(p, 'utf8').replace('"version": "3.2"', '"version": "3.1"'));
      await buildProject({ projectPath: p, outDir: out, secrets: secrets(), now: NOW });
      assert.deepEqual(
        readdirSync(out).filter((n) => n.startsWith('.ppkg-tmp-')),
        [],
        'stale temporary files of killed builds are removed',
      );
      writeFileSync(p, readFileSync(p, 'utf8').replace('"version": "3.1"', '"version": "3.2"'));
    }
    assert.ok(sawTemp, 'a build killed while writing left its (partial) temporary file');
  },
);
