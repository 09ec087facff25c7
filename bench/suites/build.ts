/**
 * 4. A native build of a project with 200 MB of installers against
 * `wimlib-imagex capture --compress=none` of the same project folder.
 *
 * The installers are generated in a temp folder (random data, five files of
 * different sizes) and deleted afterwards. Both sides read the same files
 * from the page cache and write into the same temp folder; the previous
 * output is removed outside the timing. Our build also validates, hashes the
 * inputs for the build report (SHA-256), compiles customizations.xml and
 * fsyncs the package before the atomic rename; wimlib does none of that, so
 * an extra line times wimlib followed by an fsync of its output (`sync FILE`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateProject } from '../lib/generate';
import { ratioRow, skippedRow, type Row } from '../lib/result';
import { measure, measurePair } from '../lib/stats';

const INSTALLERS: [string, number][] = [
  ['installers/office/setup-office.exe', 80],
  ['installers/cts-agent/cts-agent.msi', 55],
  ['installers/drivers/printer-pack.msi', 35],
  ['payload/fonts/fonts.zip', 20],
  ['installers/vpn/vpn-client.msi', 10],
];

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

function writeRandomFile(file: string, mb: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  const block = randomBytes(1024 * 1024);
  try {
    for (let i = 0; i < mb; i++) {
      // Every megabyte differs (and every file), so nothing deduplicates.
      block.writeUInt32LE(i, 0);
      block.write(file, 4, 'utf8');
      fs.writeSync(fd, block);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function projectText(): string {
  // The generator's header (device, Wi-Fi, accounts), with our five installers as applications.
  const g = generateProject({ bytes: 1, comments: true });
  const apps = [
    { name: 'Microsoft 365 Apps', installer: INSTALLERS[0][0], commandLine: 'setup-office.exe /configure config.xml' },
    { name: 'CTS Agent', installer: INSTALLERS[1][0], commandLine: 'msiexec /i cts-agent.msi /qn /norestart', restartCodes: [3010] },
    { name: 'Printer drivers', installer: INSTALLERS[2][0], commandLine: 'msiexec /i printer-pack.msi /qn', dependencies: [INSTALLERS[3][0]] },
    { name: 'VPN client', installer: INSTALLERS[4][0], commandLine: 'msiexec /i vpn-client.msi /qn /norestart' },
  ];
  const start = g.text.indexOf('"applications": [') + '"applications": ['.length;
  const end = g.text.indexOf('\n  ],', start);
  return g.text.slice(0, start) + '\n' + apps.map((a) => '    ' + JSON.stringify(a)).join(',\n') + g.text.slice(end);
}

export async function runBuild(root0: string, tmp: string, log: (s: string) => void): Promise<Row[]> {
  const totalMb = INSTALLERS.reduce((s, [, mb]) => s + mb, 0);
  const size = `${totalMb} MB, ${INSTALLERS.length} files`;
  let buildProject: typeof import('../../server/src/package/build').buildProject;
  try {
    ({ buildProject } = await import('../../server/src/package/build'));
  } catch (err) {
    return [skippedRow(4, 'Native build', `server/src/package/build.ts has not landed (${(err as Error).message.split('\n')[0]})`, { kind: 'ratio', max: 1.25 })];
  }
  const hasWimlib = which('wimlib-imagex');
  if (!hasWimlib) log('  wimlib-imagex not found (Debian: apt-get install -y wimtools): skipping the wimlib comparison');

  const root = fs.mkdtempSync(path.join(tmp, 'build-'));
  const projectDir = path.join(root, 'project');
  const outDir = path.join(root, 'out');
  try {
    log(`  writing ${totalMb} MB of installers…`);
    for (const [rel, mb] of INSTALLERS) writeRandomFile(path.join(projectDir, rel), mb);
    for (const cert of ['certificates/contoso-root.cer', 'certificates/contoso-issuing-ca.cer']) {
      fs.mkdirSync(path.join(projectDir, 'certificates'), { recursive: true });
      // A real certificate: the build parses it.
      fs.copyFileSync(path.join(root0, 'examples', 'bulk-enrollment', 'certificates', 'contoso-root.cer'), path.join(projectDir, cert));
    }
    const projectPath = path.join(projectDir, 'cts-desktops.ppkg.json');
    fs.writeFileSync(projectPath, projectText());

    const values: Record<string, string> = { 'wifi-key': 'correct horse battery', 'bulk-token': 'eyJ0eXAiOi' + 'x'.repeat(1400), 'local-admin-password': 'S3cure!Passw0rd' };
    const secrets = { get: async (n: string) => values[n], howToSet: (n: string) => `set ${n}` };
    const wimOut = path.join(root, 'wimlib.wim');
    const clean = () => {
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.rmSync(wimOut, { force: true });
    };
    const ours = async () => {
      await buildProject({ projectPath, outDir, backend: 'native', secrets });
    };
    const wimlib = () => {
      const r = spawnSync('wimlib-imagex', ['capture', projectDir, wimOut, '--compress=none'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`wimlib-imagex capture failed: ${r.stderr}`);
    };
    clean();
    await ours();
    const pkg = fs.readdirSync(outDir).find((f) => f.endsWith('.ppkg'));
    const pkgBytes = pkg ? fs.statSync(path.join(outDir, pkg)).size : 0;
    log(`  ppkg build → ${pkg} (${(pkgBytes / 1024 / 1024).toFixed(1)} MB)`);
    const rows: Row[] = [];
    if (hasWimlib) {
      clean();
      wimlib();
      log(`  wimlib-imagex capture → ${(fs.statSync(wimOut).size / 1024 / 1024).toFixed(1)} MB`);
      log('  4. native build vs wimlib-imagex capture…');
      const t = await measurePair(ours, wimlib, { warmup: 1, runs: 7, before: clean });
      rows.push(ratioRow({ group: 4, name: 'Native build, `buildProject` (validate, hash, compile, write WIM, fsync, rename)', size, ours: t.ours, anchor: t.anchor, anchorName: 'wimlib-imagex capture --compress=none', target: { kind: 'ratio', max: 1.25 } }));
      if (which('sync')) {
        const durable = await measurePair(ours, () => {
          wimlib();
          spawnSync('sync', [wimOut]);
        }, { warmup: 0, runs: 5, before: clean });
        rows.push(ratioRow({ group: 4, name: 'Native build vs wimlib with the same durability', size, ours: durable.ours, anchor: durable.anchor, anchorName: 'wimlib-imagex capture --compress=none + sync FILE', info: true }));
      }
      // Where the build's time goes: the WIM writer alone on the same five files (no validation, no SHA-256 pass, no fsync).
      const { writeWim } = await import('../../server/src/package/wim');
      const rawOut = path.join(root, 'raw.wim');
      const entries = INSTALLERS.map(([rel]) => ({ path: `Multivariant/0/${rel}`, source: { kind: 'file' as const, path: path.join(projectDir, rel) } }));
      const raw = await measurePair(
        () => writeWim(rawOut, entries, { properties: [['NAME', 'bench']], timestamp: new Date(0), guid: Buffer.alloc(16, 1) }),
        wimlib,
        { warmup: 0, runs: 5, before: () => { clean(); fs.rmSync(rawOut, { force: true }); } },
      );
      rows.push(ratioRow({ group: 4, name: 'WIM writer alone: writeWim of the five installers (no validation, hashing pass or fsync)', size, ours: raw.ours, anchor: raw.anchor, anchorName: 'wimlib-imagex capture --compress=none', info: true }));
    } else {
      const t = await measure(ours, { warmup: 1, runs: 5, before: clean });
      rows.push(ratioRow({ group: 4, name: 'Native build, `buildProject`', size, ours: t, target: { kind: 'ratio', max: 1.25 }, note: 'wimlib-imagex not installed (apt-get install -y wimtools): no anchor, no ratio' }));
    }
    return rows;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
