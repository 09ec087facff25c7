/**
 * ppkg diff through main(): a package or a project on each side (told apart
 * by content), exit 0 same / 1 different / 2 error, text and JSON, secrets
 * compared by fingerprint and never printed.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import type { CliIO } from '../../server/src/cli/io';
import { main } from '../../server/src/cli/main';
import { secretEnvVar } from '../../server/src/model/secrets';
import { FIXTURE_SECRETS, SENTINEL_STRINGS } from '../fixtures/ppkg/sentinels';

const FIX = resolve(__dirname, '../fixtures/ppkg');
const work = mkdtempSync(join(tmpdir(), 'ppkg-cli-diff-'));
after(() => rmSync(work, { recursive: true, force: true }));
cpSync(join(FIX, 'src'), join(work, 'proj'), { recursive: true });
cpSync(join(FIX, 'everything.ppkg'), join(work, 'built.ppkg'));
cpSync(join(FIX, 'compiled-only.ppkg'), join(work, 'wimlib.ppkg'));

async function ppkg(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: work, env };
  return { code: await main(args, io), out, err };
}

const allSecrets = Object.fromEntries(Object.entries(FIXTURE_SECRETS).map(([k, v]) => [secretEnvVar(k), v]));

test('same: exit 0, project against package and package against package', async () => {
  const a = await ppkg(['diff', 'proj/everything.ppkg.json', 'built.ppkg']);
  assert.equal(a.code, 0, a.out + a.err);
  assert.match(a.out, /^--- a: proj\/everything\.ppkg\.json \(project\)\n\+\+\+ b: built\.ppkg \(package\)\n/);
  assert.match(a.out, /Note: Not compared, because the project's secret is not set/);
  assert.equal((await ppkg(['diff', 'built.ppkg', 'wimlib.ppkg'])).code, 0);
  const j = await ppkg(['diff', 'built.ppkg', 'proj/everything.ppkg.json', '--format', 'json'], allSecrets);
  assert.equal(j.code, 0);
  const d = JSON.parse(j.out);
  assert.deepEqual(
    [d.format, d.version, d.same, d.a, d.b, d.notes],
    ['ppkg-diff', 1, true, { label: 'built.ppkg', kind: 'package' }, { label: 'proj/everything.ppkg.json', kind: 'project' }, []],
  );
});

test('different: exit 1, setting and file changes; a changed secret by fingerprint only', async () => {
  const p = join(work, 'proj/everything.ppkg.json');
  const original = readFileSync(p, 'utf8');
  try {
    writeFileSync(p, original.replace('"hide": true', '"hide": false'));
    const r = await ppkg(['diff', 'built.ppkg', 'proj/everything.ppkg.json', '-f', 'json'], {
      ...allSecrets,
      [secretEnvVar('bulk-token')]: 'SENTINEL-NEW-TOKEN',
    });
    assert.equal(r.code, 1);
    for (const s of [...SENTINEL_STRINGS]) assert.ok(!r.out.includes(s) && !r.err.includes(s), `diff printed ${s}`);
    const d = JSON.parse(r.out);
    assert.deepEqual(
      d.settings.map((s: { change: string; setting: string }) => [s.change, s.setting]),
      [
        ['changed', 'Accounts/Azure/BPRT'],
        ['changed', 'OOBE/Desktop/HideOobe'],
      ],
    );
    assert.equal(d.settings[1].a, 'True');
    assert.equal(d.settings[1].b, 'False');
  } finally {
    writeFileSync(p, original);
  }
});

test('errors: exit 2 in words', async () => {
  writeFileSync(join(work, 'junk.ppkg.json'), '{ not json');
  const cases: [string[], RegExp][] = [
    [['diff', 'built.ppkg'], /Name two files to compare/],
    [['diff', 'built.ppkg', 'nope.ppkg'], /The file nope\.ppkg does not exist/],
    [['diff', 'built.ppkg', 'proj'], /proj is a folder/],
    [['diff', 'junk.ppkg.json', 'built.ppkg'], /junk\.ppkg\.json is not a readable project file \(line 1/],
    [['diff', 'built.ppkg', 'wimlib.ppkg', '--format', 'html'], /--format takes text or json/],
  ];
  for (const [args, words] of cases) {
    const r = await ppkg(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, words);
    assert.doesNotMatch(r.err, /ENOENT|EISDIR/);
  }
});
