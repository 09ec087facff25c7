// npm run demo: build the example project end to end with clearly fake secrets,
// offline, through the bundled CLI (dist/cli.js). Works on a fresh clone after
// `npm install` (bin/ppkg.js loads dist/cli.js). Everything it writes lives in a git-ignored folder:
// examples/bulk-enrollment/ppkg-out/demo-project/ (examples/**/ppkg-out/).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` (npm run demo does it for you).');
  process.exit(2);
}
const example = join(root, 'examples', 'bulk-enrollment');
const work = join(example, 'ppkg-out', 'demo-project');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const entry of readdirSync(example)) if (entry !== 'ppkg-out') cpSync(join(example, entry), join(work, entry), { recursive: true });

// As if a token had just been fetched: issued now, expiring in 179 days.
const projectFile = join(work, 'cts-desktops.ppkg.json');
const now = new Date();
const expiry = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 179)).toISOString().slice(0, 10);
let text = readFileSync(projectFile, 'utf8');
text = text.replace(/"tokenExpiry":\s*"[^"]*"/, `"tokenExpiry": "${expiry}"`).replace(/"issuedAt":\s*"[^"]*"/, `"issuedAt": "${now.toISOString()}"`);
text = text.replace('"$schema": "../../schemas/ppkg-project.schema.json"', '"$schema": "../../../../schemas/ppkg-project.schema.json"');
writeFileSync(projectFile, text);

const env = {
  ...process.env,
  // DEMO VALUES ONLY: not a real bulk token or password.
  PPKG_SECRET_BULK_TOKEN: 'DEMO-NOT-A-REAL-TOKEN',
  PPKG_SECRET_WIFI_KEY: 'DEMO-NOT-A-REAL-WIFI-KEY',
  PPKG_SECRET_LOCAL_ADMIN_PASSWORD: 'DEMO-NOT-A-REAL-PASSWORD',
};
const shown = relative(root, projectFile);
function ppkg(...args) {
  console.log(`\n$ ppkg ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ppkg.js'), ...args], { cwd: root, env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.status ?? 2;
}

console.log(`Demo project: ${shown} (token expiry set to ${expiry}, issued now).`);
console.log('Secrets: PPKG_SECRET_BULK_TOKEN, PPKG_SECRET_WIFI_KEY, PPKG_SECRET_LOCAL_ADMIN_PASSWORD = clearly marked DEMO values.');
if (ppkg('validate', shown) > 1) process.exit(1);
const outDir = join(work, 'ppkg-out');
const started = process.hrtime.bigint();
const status = ppkg('build', shown, '--out', relative(root, outDir));
const ms = Number(process.hrtime.bigint() - started) / 1e6;
if (status !== 0) process.exit(status);
console.log(`\nBuild took ${ms.toFixed(0)} ms (including Node start-up).`);

const report = JSON.parse(readFileSync(join(outDir, 'build-report.json'), 'utf8'));
console.log('\nOutputs:');
for (const o of report.outputs) console.log(`  ${relative(root, join(outDir, o.path))}  (${o.size} bytes)`);
console.log('\nImage properties:');
for (const [k, v] of Object.entries(report.imageProperties ?? {})) console.log(`  ${k} = ${v}`);
console.log('\nFiles in the package:');
for (const f of report.packageFiles ?? []) console.log(`  ${f}`);
console.log('\nInputs (SHA-256):');
for (const i of report.inputs) console.log(`  ${i.sha256}  ${i.path} (${i.role}, ${i.size} bytes)`);
console.log(`\nThe demo package is not installable in a real tenant (fake token). Remove it with: rm -r ${relative(root, work)}`);
