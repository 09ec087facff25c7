/**
 * 4. A build of a project with 200 MB of installers, process against
 * process: `node bin/ppkg.js build <project> --out <dir>` (the bundle dist/cli.js) (validation, secrets
 * from PPKG_SECRET_*, compile, WIM writer, fsync, atomic rename) against
 * `wimlib-imagex capture <project folder> <out.wim> --compress=xpress` (a
 * .ppkg is an XPRESS-compressed WIM).
 *
 * The installers are generated in a temp folder (random data, five files of
 * different sizes) and deleted afterwards; the previous output is removed
 * outside the timing. Every measured package is verified: `wimverify` (when
 * wimtools is installed) must pass, and the image must list the five
 * installers (`wimlib-imagex dir`); without wimtools, the WIM header and
 * size are checked. The note says whether ppkg's package is compressed, so
 * the line stays right whether or not the writer compresses yet.
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

/** "XPRESS", "LZX", "LZMS", "uncompressed" from a WIM header's flags; undefined when it is not a WIM. */
export function wimCompression(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const h = Buffer.alloc(24);
    fs.readSync(fd, h, 0, 24, 0);
    if (h.subarray(0, 8).toString('latin1') !== 'MSWIM\0\0\0') return undefined;
    const flags = h.readUInt32LE(16);
    if (!(flags & 0x2)) return 'uncompressed';
    if (flags & 0x20000) return 'XPRESS';
    if (flags & 0x40000) return 'LZX';
    if (flags & 0x80000) return 'LZMS';
    return 'compressed';
  } finally {
    fs.closeSync(fd);
  }
}

export async function runBuild(root0: string, tmp: string, log: (s: string) => void): Promise<Row[]> {
  const totalMb = INSTALLERS.reduce((s, [, mb]) => s + mb, 0);
  const size = `${totalMb} MB, ${INSTALLERS.length} files`;
  // bin/ppkg.js runs the bundle dist/cli.js: the command users type.
  const cli = path.join(root0, 'bin', 'ppkg.js');
  if (!fs.existsSync(path.join(root0, 'dist', 'cli.js')))
    return [skippedRow(4, 'Build', 'dist/cli.js missing (node esbuild.mjs)', { kind: 'ratio', max: 1.25 })];
  const hasWimlib = which('wimlib-imagex');
  const hasWimverify = which('wimverify');
  if (!hasWimlib) log('  wimlib-imagex not found (Debian: apt-get install -y wimtools): no anchor');

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
    const env = {
      ...process.env,
      PPKG_SECRET_WIFI_KEY: 'correct horse battery',
      PPKG_SECRET_BULK_TOKEN: 'eyJ0eXAiOi' + 'x'.repeat(1400),
      PPKG_SECRET_LOCAL_ADMIN_PASSWORD: 'S3cure!Passw0rd',
    };
    const wimOut = path.join(root, 'wimlib.wim');
    const clean = () => {
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.rmSync(wimOut, { force: true });
    };
    let lastPackage = '';
    const ours = () => {
      const r = spawnSync(process.execPath, [cli, 'build', projectPath, '--out', outDir, '--quiet'], { encoding: 'utf8', env });
      if (r.status !== 0) throw new Error(`ppkg build exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 2000)}`);
      const pkg = fs.readdirSync(outDir).find((f) => f.endsWith('.ppkg'));
      if (!pkg) throw new Error('ppkg build wrote no .ppkg');
      lastPackage = path.join(outDir, pkg);
    };
    const verify = (file: string, who: string) => {
      const compression = wimCompression(file);
      if (!compression) throw new Error(`${who}: ${file} is not a WIM`);
      if (fs.statSync(file).size < (totalMb - 5) * 1024 * 1024 && compression === 'uncompressed')
        throw new Error(`${who}: the package is too small to hold the installers`);
      if (hasWimverify) {
        const v = spawnSync('wimverify', [file], { encoding: 'utf8' });
        if (v.status !== 0) throw new Error(`${who}: wimverify failed: ${(v.stderr || v.stdout).slice(0, 1000)}`);
      }
      if (hasWimlib) {
        const d = spawnSync('wimlib-imagex', ['dir', file, '1'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        if (d.status !== 0) throw new Error(`${who}: wimlib-imagex dir failed: ${d.stderr}`);
        for (const [rel] of INSTALLERS) if (!d.stdout.includes(path.basename(rel))) throw new Error(`${who}: ${path.basename(rel)} is not in the image`);
      }
      return compression;
    };
    const wimlib = () => {
      const r = spawnSync('wimlib-imagex', ['capture', projectDir, wimOut, '--compress=xpress'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`wimlib-imagex capture failed: ${r.stderr}`);
    };
    clean();
    ours();
    const compression = verify(lastPackage, 'ppkg');
    log(
      `  ppkg build → ${path.basename(lastPackage)} (${(fs.statSync(lastPackage).size / 1024 / 1024).toFixed(1)} MB, ${compression})${hasWimverify ? ', wimverify OK' : ''}`,
    );
    const note = `ppkg's package ${compression}; every package verified (${hasWimverify ? 'wimverify, ' : 'WIM header, '}${hasWimlib ? 'installers listed by wimlib-imagex dir' : 'size'})`;
    if (!hasWimlib) {
      // Verification happens outside the timing: time the build alone, then check the package.
      const t = await measure(ours, {
        warmup: 1,
        runs: 5,
        before: () => {
          if (fs.existsSync(lastPackage)) verify(lastPackage, 'ppkg');
          clean();
        },
      });
      verify(lastPackage, 'ppkg');
      return [
        ratioRow({
          group: 4,
          name: 'Build, `node bin/ppkg.js build` (process)',
          size,
          ours: t,
          target: { kind: 'ratio', max: 1.25 },
          note: `wimlib-imagex not installed: no anchor. ${note}`,
        }),
      ];
    }
    clean();
    wimlib();
    const wc = verify(wimOut, 'wimlib');
    log(`  wimlib-imagex capture → ${(fs.statSync(wimOut).size / 1024 / 1024).toFixed(1)} MB (${wc})`);
    log('  4. ppkg build vs wimlib-imagex capture --compress=xpress, both processes…');
    // Verification after each timed run (untimed): the next clean() removes the output.
    let checkedOurs = 0;
    let checkedWimlib = 0;
    const t = await measurePair(ours, wimlib, {
      warmup: 1,
      runs: 7,
      before: () => {
        if (lastPackage && fs.existsSync(lastPackage)) {
          verify(lastPackage, 'ppkg');
          checkedOurs++;
        }
        if (fs.existsSync(wimOut)) {
          verify(wimOut, 'wimlib');
          checkedWimlib++;
        }
        clean();
      },
    });
    // The last run of each side, checked after the loop.
    for (const [file, who] of [
      [lastPackage, 'ppkg'],
      [wimOut, 'wimlib'],
    ] as const) {
      if (fs.existsSync(file)) {
        verify(file, who);
        if (who === 'ppkg') checkedOurs++;
        else checkedWimlib++;
      }
    }
    log(`  verified ${checkedOurs} ppkg packages and ${checkedWimlib} wimlib images`);
    return [
      ratioRow({
        group: 4,
        name: 'Build, process against process: `node bin/ppkg.js build` (validate, compile, write WIM, fsync, rename)',
        size,
        ours: t.ours,
        anchor: t.anchor,
        anchorName: 'wimlib-imagex capture --compress=xpress',
        target: { kind: 'ratio', max: 1.25 },
        note,
      }),
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
