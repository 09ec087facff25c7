import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import { main } from '../../server/src/cli/main';
import type { CliIO } from '../../server/src/cli/io';

const root = resolve(__dirname, '../..');

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
}
interface SarifLog {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: SarifResult[] }[];
}

async function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A folder with one clean project and one broken one (fixed clock is not needed: the dates are far from today's limits). */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-cli-'));
  const clean = {
    name: 'Clean',
    id: '6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13',
    version: '1.0',
    device: { name: 'CTS-%SERIAL%' },
  };
  writeFileSync(join(dir, 'clean.ppkg.json'), JSON.stringify(clean, null, 2));
  writeFileSync(
    join(dir, 'broken.ppkg.json'),
    '{\n  "name": "Broken",\n  "id": "6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13",\n  "version": "1.0",\n  "device": { "name": "CTS DESK-%RAND:3%" }\n}\n',
  );
  writeFileSync(join(dir, 'warn.ppkg.json'), JSON.stringify({ ...clean, network: { wifi: { ssid: 'N', security: 'WEP', key: { secret: 'k' } } } }, null, 2));
  return dir;
}

describe('ppkg validate', () => {
  const dir = workspace();

  test('text output reads like a compiler, 1-based, and exits 1 on an error', async () => {
    const r = await runCli(['validate', 'broken.ppkg.json'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^broken\.ppkg\.json:5:27: error PPKG001 The device name contains a space\./m);
    assert.match(r.stdout, /1 file checked: 1 error, 0 warnings\.\n$/);
  });

  test('warnings alone exit 0', async () => {
    const r = await runCli(['validate', 'warn.ppkg.json', 'clean.ppkg.json'], dir);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /warn\.ppkg\.json:\d+:\d+: warning PPKG023/);
    assert.match(r.stdout, /2 files checked: 0 errors, 1 warning\./);
  });

  test('json output: 0-based ranges and the documented shape', async () => {
    const r = await runCli(['validate', '--format', 'json', '*.ppkg.json'], dir);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(out));
    const d = out.find((x) => x.code === 'PPKG001')!;
    assert.deepEqual(d, {
      file: 'broken.ppkg.json',
      range: { start: { line: 4, character: 26 }, end: { line: 4, character: 27 } },
      severity: 'error',
      code: 'PPKG001',
      message: d.message,
    });
    assert.ok(out.some((x) => x.file === 'warn.ppkg.json' && x.severity === 'warning'));
    for (const x of out) assert.deepEqual(Object.keys(x).sort(), ['code', 'file', 'message', 'range', 'severity']);
  });

  test('sarif output is valid SARIF 2.1.0 with rules and 1-based regions', async () => {
    const r = await runCli(['validate', '--format', 'sarif', dir], dir);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as SarifLog;
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new AjvDraft04({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const valid = ajv.validate(schema, JSON.parse(r.stdout));
    assert.ok(valid, JSON.stringify(ajv.errors?.slice(0, 5)));
    const result = sarif.runs[0].results.find((x) => x.ruleId === 'PPKG001')!;
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 5, startColumn: 27, endLine: 5, endColumn: 28 });
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'broken.ppkg.json');
    const rules = sarif.runs[0].tool.driver.rules;
    assert.equal(rules[result.ruleIndex].id, 'PPKG001');
    assert.ok(sarif.runs[0].results.some((x) => x.level === 'warning'));
  });

  test('exit 2 on usage errors and unreadable files', async () => {
    assert.equal((await runCli(['validate'], dir)).code, 2);
    assert.equal((await runCli(['validate', '--format', 'xml', 'clean.ppkg.json'], dir)).code, 2);
    const missing = await runCli(['validate', 'nope.ppkg.json'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.ppkg\.json: no such file/);
    assert.equal((await runCli(['validate', 'nothing/**/*.ppkg.json'], dir)).code, 2);
    assert.equal((await runCli(['frobnicate'], dir)).code, 2);
  });

  test('invalid UTF-8 is a located diagnostic, not a crash', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ppkg-utf8-'));
    writeFileSync(join(d, 'bad.ppkg.json'), Buffer.concat([Buffer.from('{\n  "name": "a'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n}')]));
    const r = await runCli(['validate', 'bad.ppkg.json'], d);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^bad\.ppkg\.json:2:13: error PPKG082 The file is not valid UTF-8 \(byte 0xff at offset 14\)/m);
  });

  test('the example validates against a clock inside its token lifetime', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ppkg-example-'));
    cpSync(join(root, 'examples'), d, { recursive: true });
    const r = await runCli(['validate', '--format', 'json', 'bulk-enrollment'], d);
    const findings = JSON.parse(r.stdout) as { code: string }[];
    // The example's token expires 2027-05-24: before that, it is clean or only warns that the token is near its end.
    assert.ok(
      findings.every((f) => ['PPKG013', 'PPKG011'].includes(f.code)),
      JSON.stringify(findings),
    );
  });
});

describe('ppkg init', () => {
  test('writes a starter with a fresh GUID that validates clean, and never overwrites', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ppkg-init-'));
    const r = await runCli(['init', 'kiosks', '--name', 'CTS Kiosks'], dir);
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, 'kiosks', 'cts-kiosks.ppkg.json');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\/\/ CTS Kiosks/);
    assert.match(text, /"id": "\{[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\}"/);
    const v = await runCli(['validate', file], dir);
    assert.equal(v.code, 0, v.stdout);
    assert.match(v.stdout, /0 errors, 0 warnings/);
    const again = await runCli(['init', 'kiosks', '--name', 'CTS Kiosks'], dir);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const other = await runCli(['init', 'kiosks2'], dir);
    const id1 = /"id": "([^"]+)"/.exec(text)![1];
    const id2 = /"id": "([^"]+)"/.exec(readFileSync(join(dir, 'kiosks2', 'bulk-enrollment.ppkg.json'), 'utf8'))![1];
    assert.equal(other.code, 0);
    assert.notEqual(id1, id2);
  });
});

describe('the ppkg binary', () => {
  before(() => {
    const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  test('bin/ppkg.js runs validate with the real process and exit code', () => {
    const dir = workspace();
    const r = spawnSync(process.execPath, [join(root, 'bin/ppkg.js'), 'validate', 'broken.ppkg.json', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0].file, 'broken.ppkg.json');
    const help = spawnSync(process.execPath, [join(root, 'bin/ppkg.js'), '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /validate\s+Check project files/);
  });
});

test('--backend: settings only ICD compiles are errors for a native build, not for an ICD one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ppkg-backend-'));
  writeFileSync(
    join(dir, 'p.ppkg.json'),
    JSON.stringify({
      name: 'B',
      id: '{11111111-2222-3333-4444-555555555555}',
      version: '1.0',
      additionalSettings: [{ path: "Workplace/Enrollments/UPN[@UPN='u']/AuthPolicy", value: 'OnPremise' }],
    }),
  );
  const native = await runCli(['validate', 'p.ppkg.json'], dir);
  assert.equal(native.code, 1);
  assert.match(native.stdout, /error PPKG113 .*csp list.*--backend icd/);
  const icd = await runCli(['validate', 'p.ppkg.json', '--backend', 'icd'], dir);
  assert.equal(icd.code, 0, icd.stdout + icd.stderr);
  const bad = await runCli(['validate', 'p.ppkg.json', '--backend', 'wimlib'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--backend must be native or icd/);
});
