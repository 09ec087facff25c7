/**
 * ppkg inspect and ppkg textconv: text and JSON, secrets masked unless
 * --show-secrets, bad input as exit 2 in words; and textconv doing its job
 * inside real git (`*.ppkg diff=ppkg`, `diff.ppkg.textconv`), through the
 * built binary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { CliIO } from '../../server/src/cli/io';
import { main } from '../../server/src/cli/main';
import { buildProject } from '../../server/src/package/build';
import { FIXTURE_SECRETS, SENTINEL_STRINGS } from '../fixtures/ppkg/sentinels';

const REPO = resolve(__dirname, '../..');
const FIX = join(REPO, 'test/fixtures/ppkg');
const work = mkdtempSync(join(tmpdir(), 'ppkg-cli-inspect-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function ppkg(args: string[], cwd = FIX): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, env: {} };
  return { code: await main(args, io), out, err };
}

function noSentinel(text: string): void {
  for (const s of SENTINEL_STRINGS) assert.ok(!text.includes(s), `output holds ${s}`);
}

test('inspect: the text names settings, risks, commands and files; JSON is the documented model; secrets masked', async () => {
  const t = await ppkg(['inspect', 'everything.ppkg']);
  assert.equal(t.code, 0, t.err);
  assert.equal(t.err, '');
  noSentinel(t.out);
  assert.match(t.out, /^Provisioning package everything\.ppkg\n  Name {16}Inspect Fixture\n/);
  assert.match(t.out, /Owner and rank {6}SystemIntegrator, rank 12 \(ALTITUDE 3012\)/);
  assert.match(t.out, /\nRisks\n  ! 3 commands run as SYSTEM during setup\./);
  assert.match(t.out, /Accounts\/Azure\/BPRT = •••• \([0-9a-f]{8}\)/);
  assert.match(t.out, /\n  1\. \[DeviceContext\] cmd \/c prep\.cmd\n/);
  const j = await ppkg(['inspect', 'everything.ppkg', '--format', 'json']);
  assert.equal(j.code, 0);
  noSentinel(j.out);
  const model = JSON.parse(j.out);
  assert.equal(model.format, 'ppkg-inspect');
  assert.equal(model.version, 1);
  assert.deepEqual(Object.keys(model), [
    'format',
    'version',
    'image',
    'settings',
    'users',
    'commands',
    'assets',
    'otherFiles',
    'certificates',
    'risks',
    'warnings',
  ]);
  assert.equal(model.risks.bulkToken.expires, '2027-01-01T00:00:00.000Z');
});

test('inspect --show-secrets prints them, with a warning on stderr', async () => {
  const r = await ppkg(['inspect', 'everything.ppkg', '--show-secrets', '-f', 'json']);
  assert.equal(r.code, 0);
  assert.ok(r.out.includes(FIXTURE_SECRETS['bulk-token']!));
  assert.ok(r.out.includes(FIXTURE_SECRETS['autologon-password']!));
  assert.match(r.err, /--show-secrets prints the bulk token and passwords in clear text/);
});

test('bad input: exit 2 and one sentence naming the file; no raw error codes, no stack', async () => {
  writeFileSync(join(work, 'notes.ppkg'), 'just text, not a package');
  writeFileSync(join(work, 'cut.ppkg'), Buffer.from('MSWIM\0\0\0' + 'x'.repeat(50), 'latin1'));
  mkdirSync(join(work, 'folder.ppkg'));
  const cases: [string[], RegExp][] = [
    [['inspect', 'notes.ppkg'], /^ppkg inspect: notes\.ppkg is not a provisioning package: it is not a WIM image/],
    [['inspect', 'cut.ppkg'], /^ppkg inspect: cut\.ppkg is cut short/],
    [['inspect', 'missing.ppkg'], /^ppkg inspect: The package missing\.ppkg does not exist\./],
    [['inspect', 'folder.ppkg'], /^ppkg inspect: folder\.ppkg is not a file\./],
    [['inspect'], /Name one package/],
    [['inspect', 'notes.ppkg', '--format', 'xml'], /--format takes text or json/],
    [['textconv', 'notes.ppkg'], /^ppkg textconv: notes\.ppkg is not a provisioning package/],
  ];
  for (const [args, words] of cases) {
    const r = await ppkg(args, work);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, words);
    assert.doesNotMatch(r.err, /ENOENT|EISDIR|WimReadError|\n\s+at /);
    assert.equal(r.out, '');
  }
});

test('textconv prints the inspect text without a path; git shows readable package diffs with it', async () => {
  const r = await ppkg(['textconv', 'everything.ppkg']);
  assert.equal(r.code, 0);
  const inspect = await ppkg(['inspect', 'everything.ppkg']);
  assert.equal(r.out, inspect.out.replace('Provisioning package everything.ppkg\n', 'Provisioning package\n'));

  const repo = join(work, 'repo');
  mkdirSync(repo);
  const run = (...args: string[]) => {
    const x = spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: work } });
    assert.equal(x.status, 0, `git ${args.join(' ')}: ${x.stderr}`);
    return x.stdout;
  };
  run('init', '-q');
  run('config', 'user.email', 'ci@example.invalid');
  run('config', 'user.name', 'ci');
  // The two lines of the README, with the repository's built binary standing in for npx.
  writeFileSync(join(repo, '.gitattributes'), '*.ppkg diff=ppkg\n');
  run('config', 'diff.ppkg.textconv', `"${process.execPath}" "${join(REPO, 'bin/ppkg.js')}" textconv`);
  copyFileSync(join(FIX, 'everything.ppkg'), join(repo, 'kiosk.ppkg'));
  run('add', '.');
  run('commit', '-q', '-m', 'one');
  // A rebuilt package: same settings, one policy value changed.
  const src = join(work, 'src');
  cpSync(join(FIX, 'src'), src, { recursive: true });
  writeFileSync(
    join(src, 'everything.ppkg.json'),
    readFileSync(join(src, 'everything.ppkg.json'), 'utf8').replace('"AllowCamera": "No"', '"AllowCamera": "Yes"'),
  );
  const built = await buildProject({
    projectPath: join(src, 'everything.ppkg.json'),
    secrets: { get: async (n) => FIXTURE_SECRETS[n], howToSet: () => '' },
    now: () => new Date('2026-12-01T00:00:00Z'),
  });
  copyFileSync(built.packagePath, join(repo, 'kiosk.ppkg'));
  const diff = run('diff');
  noSentinel(diff);
  assert.match(diff, /^-  Policies\/Camera\/AllowCamera = No \(0\)$/m);
  assert.match(diff, /^\+  Policies\/Camera\/AllowCamera = Yes \(1\)$/m);
  assert.doesNotMatch(diff, /Binary files/);
});
