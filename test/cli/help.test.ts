/**
 * The CLI's own words: per-command help (options with argument, default and
 * meaning, environment, exit codes, examples), `ppkg help <command>`,
 * "did you mean" for a mistyped option, CI strictness (--max-warnings,
 * --strict), certificate checks with the secret from the environment, and
 * file problems without raw error codes.
 */
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { COMMANDS } from '../../server/src/cli/registry';
import type { CliIO } from '../../server/src/cli/io';
import { main } from '../../server/src/cli/main';
import { makeTestPfx } from '../support/testCa';

const EXAMPLE = resolve(__dirname, '../../examples/bulk-enrollment');
const work = mkdtempSync(join(tmpdir(), 'ppkg-cli-help-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function ppkg(args: string[], env: Record<string, string> = {}, cwd = work): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, env };
  const code = await main(args, io);
  return { code, out, err };
}

test('every command: --help and `ppkg help <command>` list each option with its argument, default and meaning, the environment, exit codes and examples', async () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const a = await ppkg([name, '--help']);
    const b = await ppkg(['help', name]);
    assert.equal(a.code, 0, name);
    assert.equal(b.code, 0, name);
    assert.equal(a.out, b.out, `${name}: the two ways show the same help`);
    const text = a.out;
    const flat = text.replace(/\s+/g, ' ');
    assert.ok(text.split('\n').length > 12, `${name}: more than a usage line`);
    for (const o of entry.options) {
      const line = `  --${o.name}${o.arg ? ` ${o.arg}` : ''}`;
      assert.ok(text.includes(line), `${name}: lists ${line}`);
      assert.ok(flat.includes(o.description), `${name}: says what --${o.name} does`);
      if (o.default) assert.ok(flat.includes(`Default: ${o.default}.`), `${name}: default of --${o.name}`);
    }
    assert.match(text, /\nExit codes:\n  0 /, name);
    assert.match(text, /\n  2 /, name);
    assert.match(text, new RegExp(`\\nExamples:\\n  .*\\bppkg ${name}\\b`), name);
  }
  const build = (await ppkg(['build', '--help'])).out;
  assert.match(build, /Environment:\n  PPKG_SECRET_<NAME>\n/);
  assert.match(build, /--out <dir>, -o <dir>\n.*only into a folder it owns/);
  assert.match((await ppkg(['validate', '--help'])).out, /--max-warnings <n>[\s\S]*--strict\n/);
  for (const c of ['doctor', 'tokens', 'token']) assert.match((await ppkg([c, '--help'])).out, /--cloud public\|usgov\|china/, `${c} takes --cloud`);
  assert.match((await ppkg(['doctor', '--help'])).out, /DISPLAY, WAYLAND_DISPLAY/);
  // The top level names --version and how to get a command's help.
  const top = await ppkg(['--help']);
  assert.match(top.out, /--version, -v/);
  assert.match(top.out, /ppkg help <command>/);
  assert.equal((await ppkg(['help', 'bild'])).code, 2);
  assert.match((await ppkg(['help', 'bild'])).err, /no command 'bild'\. Did you mean build\?/);
});

test('an unknown or mistyped option: "did you mean", the usage line, exit 2, in our words (not Node\'s)', async () => {
  const cases: [string[], RegExp][] = [
    [['build', 'p.ppkg.json', '--ot', 'x'], /^ppkg build: There is no option --ot\. Did you mean --out\?/m],
    [['validate', '.', '--max-warning', '3'], /There is no option --max-warning\. Did you mean --max-warnings\?/],
    [['doctor', '--devicecode'], /There is no option --devicecode\. Did you mean --device-code\?/],
    [['tokens', 'list', '--clud', 'usgov'], /There is no option --clud for ppkg tokens list\. Did you mean --cloud\?/],
    [['token', 'p.ppkg.json', '--print', '--expirey', '2027-01-01'], /Did you mean --expiry\?/],
  ];
  for (const [args, words] of cases) {
    const r = await ppkg(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, words);
    assert.match(r.err, /Usage: ppkg /);
    assert.doesNotMatch(r.err, /ERR_PARSE_ARGS|Unknown option '|To specify a positional argument/);
  }
  const noValue = await ppkg(['build', 'p.ppkg.json', '--out']);
  assert.equal(noValue.code, 2);
  assert.match(noValue.err, /--out needs a value: --out <dir>\./);
  const far = await ppkg(['build', 'p.ppkg.json', '--zzzzzz']);
  assert.doesNotMatch(far.err, /Did you mean/, 'no wild guess');
  const cmd = await ppkg(['valdate', '.']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.err, /unknown command 'valdate'\. Did you mean ppkg validate\?/);
});

function projectWithWarnings(dir: string, extra: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const p = {
    name: 'Warned',
    id: '6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13',
    version: '1.0',
    device: { name: 'CTS-%SERIAL%' },
    // A plain-text Wi-Fi key: PPKG070, a warning.
    network: { wifi: { ssid: 'Setup', security: 'WPA2-Personal', key: 'plain-text-key-1' } },
    ...extra,
  };
  writeFileSync(join(dir, 'p.ppkg.json'), JSON.stringify(p, null, 2));
  return join(dir, 'p.ppkg.json');
}

test('CI strictness: --max-warnings <n> and --strict fail a run with plain-text secrets (exit 1); without them warnings exit 0', async () => {
  const dir = join(work, 'strict');
  projectWithWarnings(dir);
  const plain = await ppkg(['validate', 'p.ppkg.json'], {}, dir);
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.out, /warning PPKG070/);
  const warnings = (plain.out.match(/ warning PPKG/g) ?? []).length;
  assert.ok(warnings >= 1);
  assert.equal((await ppkg(['validate', 'p.ppkg.json', '--max-warnings', String(warnings)], {}, dir)).code, 0, 'at the limit passes');
  const over = await ppkg(['validate', 'p.ppkg.json', '--max-warnings', String(warnings - 1)], {}, dir);
  assert.equal(over.code, 1);
  assert.match(over.err, new RegExp(`${warnings} warnings?, more than the ${warnings - 1} allowed by --max-warnings ${warnings - 1}`));
  const strict = await ppkg(['validate', 'p.ppkg.json', '--strict', '--format', 'sarif'], {}, dir);
  assert.equal(strict.code, 1);
  assert.match(strict.err, /allowed by --strict/);
  JSON.parse(strict.out); // the report is still complete
  for (const bad of ['-1', 'two', '1.5']) {
    const r = await ppkg(['validate', 'p.ppkg.json', `--max-warnings=${bad}`], {}, dir);
    assert.equal(r.code, 2, bad);
    assert.match(r.err, /--max-warnings must be a whole number/);
  }
  assert.equal((await ppkg(['validate', 'p.ppkg.json', '--strict', '--max-warnings', '3'], {}, dir)).code, 2);
  assert.ok(!(plain.out + over.err + strict.out).includes('plain-text-key-1'), 'the secret is never echoed');
});

test('validate checks a .pfx with its password when the secret is set (PPKG037, PPKG038); silent without it; the password never shows', async () => {
  const dir = join(work, 'pfx');
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const secret = 'SENTINEL-VALIDATE-PFX-4e1';
  writeFileSync(join(dir, 'certs/client.pfx'), makeTestPfx('the-real-password'));
  writeFileSync(
    join(dir, 'p.ppkg.json'),
    JSON.stringify(
      {
        name: 'Certs',
        id: '6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13',
        version: '1.0',
        certificates: [{ name: 'Client', file: 'certs/client.pfx', password: { secret: 'client-pfx' } }],
      },
      null,
      2,
    ),
  );
  const unset = await ppkg(['validate', 'p.ppkg.json'], {}, dir);
  assert.equal(unset.code, 0, unset.out);
  const wrong = await ppkg(['validate', 'p.ppkg.json'], { PPKG_SECRET_CLIENT_PFX: secret }, dir);
  assert.equal(wrong.code, 1);
  assert.match(wrong.out, /p\.ppkg\.json:\d+:\d+: error PPKG038 The client certificate "certs\/client\.pfx" does not open with the secret "client-pfx"/);
  const right = await ppkg(['validate', 'p.ppkg.json'], { PPKG_SECRET_CLIENT_PFX: 'the-real-password' }, dir);
  assert.equal(right.code, 0, right.out);
  writeFileSync(join(dir, 'certs/client.pfx'), 'not a certificate at all');
  const junk = await ppkg(['validate', 'p.ppkg.json'], { PPKG_SECRET_CLIENT_PFX: secret }, dir);
  assert.equal(junk.code, 1);
  assert.match(junk.out, /error PPKG037 The client certificate "certs\/client\.pfx": it is not a PKCS#12 \(\.pfx\) file/);
  for (const r of [wrong, junk]) assert.ok(!(r.out + r.err).includes(secret), 'the secret never appears');
});

test('file problems in admin words: no ENOENT, EACCES, EEXIST, ENOTDIR, temp-file names or "internal error"', async () => {
  const raw = /\b(ENOENT|EACCES|EEXIST|ENOTDIR|EISDIR|EPERM)\b|\.ppkg-tmp-|internal error/;
  writeFileSync(join(work, 'a-file'), 'x');
  const dir = join(work, 'words');
  mkdirSync(dir);
  for (const e of readdirSync(EXAMPLE)) if (e !== 'ppkg-out') cpSync(join(EXAMPLE, e), join(dir, e), { recursive: true });
  const expiry = new Date(Date.now() + 100 * 86400_000).toISOString().slice(0, 10);
  const projectFile = join(dir, 'cts-desktops.ppkg.json');
  writeFileSync(
    projectFile,
    readFileSync(projectFile, 'utf8')
      .replace(/"tokenExpiry": "[^"]*"/, `"tokenExpiry": "${expiry}"`)
      .replace(/"issuedAt": "[^"]*"/, `"issuedAt": "${new Date().toISOString()}"`),
  );
  const env = { PPKG_SECRET_BULK_TOKEN: 'SENTINEL-W-TOKEN', PPKG_SECRET_WIFI_KEY: 'SENTINEL-W-WIFI', PPKG_SECRET_LOCAL_ADMIN_PASSWORD: 'SENTINEL-W-PW' };
  const cases: [string[], RegExp][] = [
    [['build', 'words/cts-desktops.ppkg.json', '--out', 'a-file/out'], /Cannot create the output folder a-file\/out: .*a-file is a file, not a folder/],
    [['build', 'words/cts-desktops.ppkg.json', '--out', 'a-file'], /The output folder a-file is a file, not a folder/],
    [['build', 'missing.ppkg.json'], /Cannot read the project file .*missing\.ppkg\.json: it does not exist/],
    [['validate', 'a-file/x.ppkg.json'], /a-file\/x\.ppkg\.json: no such file/],
    [['init', 'a-file'], /Cannot create the folder a-file: a part of its path is a file, not a folder|a-file/],
    [['import', 'words'], /words is not a file/],
    [['import', 'nothing.xml'], /The customizations\.xml nothing\.xml does not exist/],
    [['token', 'a-file/p.ppkg.json', '--print'], /the project file a-file\/p\.ppkg\.json|Cannot read the project file/i],
  ];
  for (const [args, words] of cases) {
    const r = await ppkg(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, words, args.join(' '));
    assert.doesNotMatch(r.err, raw, args.join(' '));
  }
  // A project the build cannot read (a folder where the file should be).
  const folderProject = await ppkg(['build', 'words'], env);
  assert.equal(folderProject.code, 2);
  assert.doesNotMatch(folderProject.err, raw);
  if (process.getuid?.() !== 0) {
    chmodSync(projectFile, 0o000);
    const r = await ppkg(['validate', 'words/cts-desktops.ppkg.json'], env);
    chmodSync(projectFile, 0o644);
    assert.match(r.err, /no permission/);
    assert.doesNotMatch(r.err, raw);
  }
});
