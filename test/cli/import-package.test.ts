/**
 * ppkg import of a .ppkg (detected by the WIM magic, not the extension):
 * the project, its files extracted beside it (byte for byte), the secrets
 * in a new 0600 file and nowhere else; the imported project builds the same
 * package (ppkg diff exit 0); nothing is overwritten that the command did
 * not create, nothing is written outside the output folder; hostile input
 * is exit 2 with nothing left behind.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { CliIO } from '../../server/src/cli/io';
import { main } from '../../server/src/cli/main';
import { safeFileName, secretsFileText } from '../../server/src/import/fromPackage';
import { secretEnvVar } from '../../server/src/model/secrets';
import { writeWim, type WimFileEntry } from '../../server/src/package/wim';
import { openWim } from '../../server/src/package/wim/read';
import { FIXTURE_SECRETS, SENTINEL_STRINGS } from '../fixtures/ppkg/sentinels';
import { pattern } from '../support/bytes';

const FIX = resolve(__dirname, '../fixtures/ppkg');
const work = mkdtempSync(join(tmpdir(), 'ppkg-cli-import-pkg-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function ppkg(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: work, env };
  return { code: await main(args, io), out, err };
}

function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tree(join(dir, e.name)).map((x) => `${e.name}/${x}`) : [e.name]))
    .sort();
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function noSentinel(text: string, what: string): void {
  for (const s of SENTINEL_STRINGS) assert.ok(!text.includes(s), `${what} holds ${s}`);
}

/** The secrets file as environment variables. */
function secretsEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(PPKG_SECRET_[A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  }
  return env;
}

for (const [fixture, fromXml] of [
  ['everything.ppkg', true],
  ['compiled-only.ppkg', false],
] as const) {
  test(`${fixture}: project, extracted files and a 0600 secrets file; the project rebuilds the same package`, async () => {
    const dir = join(work, fixture.replace('.ppkg', ''));
    mkdirSync(dir);
    // Not named .ppkg: a package is told by its content.
    copyFileSync(join(FIX, fixture), join(dir, 'inherited.bin'));
    const r = await ppkg(['import', relative(work, join(dir, 'inherited.bin')), '--out', relative(work, join(dir, 'out/fixture.ppkg.json'))]);
    assert.equal(r.code, 0, r.err);
    noSentinel(r.out + r.err, 'the terminal output');
    assert.match(r.out, new RegExp(`from the package's ${fromXml ? 'customizations\\.xml' : 'compiled settings'}`));
    assert.match(r.out, /in .*fixture\.secrets\.env \(readable by you only\).*never commit it/);
    assert.doesNotMatch(r.err, /would not give the same package/);
    const out = join(dir, 'out');
    assert.deepEqual(tree(out), [
      'certificates/DD2C092B0112E865DB8BF97507ECEDE6A7F16EFB.cer',
      'certificates/Fixture Client.pfx',
      'fixture.ppkg.json',
      'fixture.secrets.env',
      'images/desktop.png',
      'installers/helper.dll',
      'installers/prep.cmd',
      'installers/setup.exe',
    ]);
    // Only the output folder was written to: the package's folder has the package and the output folder.
    assert.deepEqual(readdirSync(dir).sort(), ['inherited.bin', 'out']);
    for (const [f, src] of [
      ['installers/setup.exe', 'apps/setup.exe'],
      ['installers/helper.dll', 'apps/helper.dll'],
      ['installers/prep.cmd', 'apps/prep.cmd'],
      ['images/desktop.png', 'images/desktop.png'],
      ['certificates/Fixture Client.pfx', 'certs/client.pfx'],
    ]) {
      assert.equal(sha(join(out, f)), sha(join(FIX, 'src', src)), f);
    }
    const project = readFileSync(join(out, 'fixture.ppkg.json'), 'utf8');
    noSentinel(project, 'the project file');
    assert.match(project, /"installer": "installers\/setup\.exe"/);
    assert.match(project, /"dependencies": \[\s*"installers\/helper\.dll"\s*\]/);
    assert.match(project, /"DeployDesktopImage": "images\/desktop\.png"/);
    // The fixture's bulk token states its expiry (JWT-like): the project records it.
    assert.match(project, /"tokenExpiry": "2027-01-01"/);
    assert.match(r.err, /The bulk token states its expiry: account\.entra\.tokenExpiry is set to 2027-01-01/);
    if (!fromXml) assert.match(project, /"uri": "\.\/Device\/Vendor\/MSFT\/Policy\/Config\/Update\/ActiveHoursStart",\s*"format": "int",\s*"value": 8/);
    const secretsFile = join(out, 'fixture.secrets.env');
    assert.equal(statSync(secretsFile).mode & 0o777, 0o600);
    const env = secretsEnv(secretsFile);
    assert.deepEqual(Object.values(env).sort(), Object.values(FIXTURE_SECRETS).sort());

    // The imported project, with its secrets, compiles to the same package.
    const d = await ppkg(['diff', relative(work, join(out, 'fixture.ppkg.json')), relative(work, join(dir, 'inherited.bin'))], env);
    assert.equal(d.code, 0, d.out + d.err);
    assert.match(d.out, /No differences/);
  });
}

test('a package whose image properties another tool wrote: the warning says only package properties differ', async () => {
  // The files of an ICD-shaped package, put in a WIM whose image XML has only a NAME (as a capture by
  // wimlib or DISM gives): the settings rebuild the same, the package properties cannot.
  const dir = join(work, 'recaptured');
  mkdirSync(dir);
  const wim = await openWim(join(FIX, 'everything.ppkg'));
  const entries: WimFileEntry[] = [];
  try {
    for (const e of wim.entries) if (!e.isDirectory) entries.push({ path: e.path, source: { kind: 'buffer', data: await wim.readFile(e) } });
  } finally {
    await wim.close();
  }
  await writeWim(join(dir, 'recaptured.ppkg'), entries, {
    properties: [['NAME', 'Recaptured']],
    timestamp: new Date('2026-02-03T04:05:06Z'),
    guid: Buffer.alloc(16, 7),
  });
  const r = await ppkg(['import', 'recaptured/recaptured.ppkg', '--out', 'recaptured/out/p.ppkg.json']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /would not give the same package: \d+ differences? \(only package properties: [^)]*Package ID[^)]*\)/);
  assert.doesNotMatch(r.err, /customizations\.xml does not match/);
});

test('never overwrites: the project without --force, extracted files with other content, a secrets file', async () => {
  const dir = join(work, 'again');
  mkdirSync(dir);
  const first = await ppkg(['import', join(FIX, 'everything.ppkg'), '--out', 'again/p.ppkg.json']);
  assert.equal(first.code, 0, first.err);
  const before = tree(dir);
  const again = await ppkg(['import', join(FIX, 'everything.ppkg'), '--out', 'again/p.ppkg.json']);
  assert.equal(again.code, 2);
  assert.match(again.err, /again\/p\.ppkg\.json already exists; not overwriting it \(use --force/);
  // --force replaces the project, but the secrets file from before is not replaced.
  const forced = await ppkg(['import', join(FIX, 'everything.ppkg'), '--out', 'again/p.ppkg.json', '--force']);
  assert.equal(forced.code, 2);
  assert.match(forced.err, /p\.secrets\.env already exists \(it may hold secrets of an earlier import\); not replacing it/);
  rmSync(join(dir, 'p.secrets.env'));
  writeFileSync(join(dir, 'p.ppkg.json'), 'edited by hand');
  // Identical extracted files are kept as they are; one with other content stops the import before anything is written.
  writeFileSync(join(dir, 'installers/setup.exe'), 'my own setup.exe');
  const conflict = await ppkg(['import', join(FIX, 'everything.ppkg'), '--out', 'again/p.ppkg.json', '--force']);
  assert.equal(conflict.code, 2);
  assert.match(conflict.err, /installers\/setup\.exe already exists with other content; ppkg import does not replace files it did not create/);
  assert.equal(readFileSync(join(dir, 'installers/setup.exe'), 'utf8'), 'my own setup.exe');
  assert.equal(readFileSync(join(dir, 'p.ppkg.json'), 'utf8'), 'edited by hand');
  assert.deepEqual(
    tree(dir),
    before.filter((f) => f !== 'p.secrets.env'),
  );
  rmSync(join(dir, 'installers/setup.exe'));
  const ok = await ppkg(['import', join(FIX, 'everything.ppkg'), '--out', 'again/p.ppkg.json', '--force']);
  assert.equal(ok.code, 0, ok.err);
  assert.notEqual(readFileSync(join(dir, 'p.ppkg.json'), 'utf8'), 'edited by hand');
  assert.deepEqual(tree(dir), before);
});

test('a folder on the way that links elsewhere is refused: nothing is written through it', async () => {
  const dir = join(work, 'linked');
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(dir);
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, join(dir, 'installers'));
  const r = await ppkg(['import', join(FIX, 'everything.ppkg'), '--out', 'linked/p.ppkg.json']);
  assert.equal(r.code, 2);
  assert.match(r.err, /linked\/installers is a link or a file, not a folder/);
  assert.deepEqual(readdirSync(elsewhere), []);
  assert.deepEqual(
    tree(dir).filter((f) => !f.startsWith('installers')),
    [],
  );
});

test('hostile or broken packages: exit 2 in words, nothing left in the output folder', async () => {
  const dir = join(work, 'hostile');
  mkdirSync(dir);
  writeFileSync(join(dir, 'damaged.ppkg'), Buffer.concat([readFileSync(join(FIX, 'everything.ppkg')).subarray(0, 4000)]));
  const r = await ppkg(['import', 'hostile/damaged.ppkg', '--out', 'hostile/out/p.ppkg.json']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^ppkg import: hostile\/damaged\.ppkg is (cut short|damaged)/);
  assert.deepEqual(tree(join(dir, 'out')), []);
  // A package whose embedded customizations.xml is not XML: rebuilt from the compiled settings instead.
  const p = join(dir, 'bad-xml.ppkg');
  await writeWim(
    p,
    [
      { path: 'Multivariant/0/customizations.xml', source: { kind: 'buffer', data: Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><WindowsCustomizations/>') } },
      {
        path: 'Multivariant/0/Prov/RunTime.xml',
        source: {
          kind: 'buffer',
          data: Buffer.from(
            '<ConfigurationSource><ConfigurationSet Type="provxml" SettingsGroup="x" Data="$(_prov)\\RunTime\\0__X.provxml" /></ConfigurationSource>',
          ),
        },
      },
      {
        path: 'Multivariant/0/Prov/RunTime/0__X.provxml',
        source: {
          kind: 'buffer',
          data: Buffer.from(
            '<wap-provisioningdoc><characteristic type="MCSF"><characteristic type="OOBE"><characteristic type="Desktop"><parm name="HideOobe" value="true" datatype="boolean" /></characteristic></characteristic></characteristic></wap-provisioningdoc>',
          ),
        },
      },
    ],
    {
      properties: [
        ['NAME', 'Bad XML'],
        ['PACKAGEID', '{11111111-2222-4333-8444-555555555555}'],
        ['VERSION', '1.0'],
      ],
      timestamp: new Date('2026-01-01T00:00:00Z'),
      guid: Buffer.alloc(16, 1),
    },
  );
  const b = await ppkg(['import', 'hostile/bad-xml.ppkg', '--out', 'hostile/x/p.ppkg.json']);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /customizations\.xml cannot be read .*DOCTYPE.*rebuilt from the compiled settings/s);
  assert.match(readFileSync(join(dir, 'x/p.ppkg.json'), 'utf8'), /"oobe": \{\s*"hide": true\s*\}/);
  assert.deepEqual(tree(join(dir, 'x')), ['p.ppkg.json']);
});

test('an installer damaged inside the package: import and inspect refuse in words, nothing is left behind', async () => {
  // Large enough to be read on a worker thread; one byte of its stored data flipped. Incompressible, so
  // its chunks are stored raw and only a hash can tell: the SHA-256 in its folder name no longer
  // matches, and its SHA-1 then fails.
  const dir = join(work, 'damaged-installer');
  mkdirSync(dir);
  const installer = pattern(3 * 1024 * 1024, 5);
  const p = join(dir, 'pkg.ppkg');
  const folder = createHash('sha256').update(installer).digest('base64').replace(/\//g, '.');
  await writeWim(p, [{ path: `DataAsset/1/0_${folder}/setup.exe`, source: { kind: 'buffer', data: installer } }], {
    properties: [['NAME', 'Damaged installer']],
    timestamp: new Date('2026-01-01T00:00:00Z'),
    guid: Buffer.alloc(16, 2),
  });
  const wim = await openWim(p);
  const blobs = (wim as unknown as { blobs: Map<string, { resource: { offset: number; sizeInWim: number } }> }).blobs;
  const res = blobs.get(wim.entries.find((e) => e.path.endsWith('setup.exe'))!.sha1!)!.resource;
  await wim.close();
  const bytes = readFileSync(p);
  bytes[res.offset + Math.floor(res.sizeInWim / 2)]! ^= 0x01;
  writeFileSync(p, bytes);
  const r = await ppkg(['import', 'damaged-installer/pkg.ppkg', '--out', 'damaged-installer/out/p.ppkg.json']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^ppkg import: damaged-installer\/pkg\.ppkg is damaged/);
  assert.match(r.err, /setup\.exe/);
  assert.deepEqual(tree(join(dir, 'out')), [], 'nothing, not even the staging folder, is left');
  const i = await ppkg(['inspect', 'damaged-installer/pkg.ppkg']);
  assert.equal(i.code, 2, i.err);
  assert.match(i.err, /is damaged/);
});

test('an installer changed after the package was built (intact, but not the SHA-256 its folder records): a warning, not an error', async () => {
  const dir = join(work, 'changed-installer');
  mkdirSync(dir);
  const built = Buffer.alloc(2 * 1024 * 1024 + 5, 1);
  const changed = Buffer.from(built);
  changed[12345] = 2;
  const folder = createHash('sha256').update(built).digest('base64').replace(/\//g, '.');
  // Large enough to be read on a worker thread, and a small one read on the calling thread.
  await writeWim(
    join(dir, 'pkg.ppkg'),
    [
      { path: `DataAsset/1/0_${folder}/setup.exe`, source: { kind: 'buffer', data: changed } },
      { path: `DataAsset/1/1_${folder}/small.cmd`, source: { kind: 'buffer', data: Buffer.from('echo changed') } },
    ],
    { properties: [['NAME', 'Changed installer']], timestamp: new Date('2026-01-01T00:00:00Z'), guid: Buffer.alloc(16, 3) },
  );
  const r = await ppkg(['inspect', 'changed-installer/pkg.ppkg', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const model = JSON.parse(r.out) as { assets: { name: string; sha256: string }[]; warnings: string[] };
  assert.equal(model.assets.find((a) => a.name === 'setup.exe')?.sha256, createHash('sha256').update(changed).digest('hex'));
  for (const name of ['setup.exe', 'small.cmd'])
    assert.ok(
      model.warnings.some((w) => w.includes(name) && /does not match the SHA-256 in its folder name: the file was changed after the package was built/.test(w)),
      `no warning for ${name}: ${model.warnings.join(' | ')}`,
    );
});

test('file names are reduced to a safe set; the secrets file quotes for a shell', () => {
  assert.equal(safeFileName('../../etc/passwd'), '.._.._etc_passwd'.replace(/^\.+/, ''));
  assert.equal(safeFileName('..'), 'file');
  assert.equal(safeFileName('CON.txt'), '_CON.txt');
  assert.equal(safeFileName('a:b*c?.exe'), 'a_b_c_.exe');
  assert.equal(safeFileName('Fixture Client.pfx'), 'Fixture Client.pfx');
  const text = secretsFileText(new Map([['wifi-key', "it's $HOME `x`"]]), secretEnvVar);
  assert.match(text, /^# .*Never commit this file/);
  assert.match(text, /^PPKG_SECRET_WIFI_KEY='it'\\''s \$HOME `x`'$/m);
});
