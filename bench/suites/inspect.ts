/**
 * Reading a whole package, as admins run it: `ppkg inspect` and
 * `ppkg import` of a ~200 MB provisioning package against wimlib
 * (`wimlib-imagex apply`, C) and 7-Zip's WASM build (`7z x`) extracting it.
 *
 * The package is a real provisioning package — a project with an
 * incompressible installer (random bytes), a compressible one (text and
 * records), a dependency and policies, compiled by ppkg's compiler — whose
 * files are captured by `wimlib-imagex capture --compress=xpress`, so the
 * bench reads a package ppkg did not write.
 *
 * Each measurement is a whole process started fresh, the four interleaved
 * in rotating order (load from other users of a shared machine hits all
 * alike), medians reported; every run's output is checked (inspect's JSON
 * names every file with its SHA-256; import, wimlib and 7-Zip extract every
 * file with the right bytes) outside the timed part.
 *
 *   node --import tsx bench/suites/inspect.ts [--runs N] [--mb N]
 * Needs `node esbuild.mjs` first (bin/ppkg.js loads dist/cli.js) and wimtools.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { compileProject, type InputFile } from '../../server/src/compile';
import type { Project } from '../../server/src/model/project';
import { ratioRow, type Row } from '../lib/result';
import { summarize, type Timing } from '../lib/stats';
import { cleanAndSettle, interleave, standaloneSuite, sameHashes, sha256File, timedRun, treeHashes } from '../lib/runs';
import { fmtSeconds, SEVEN_ZIP_SCRIPT, xorshift } from '../lib/sevenZip';

export interface InspectBench {
  packageBytes: number;
  contentBytes: number;
  runs: number;
  inspect: Timing;
  import: Timing;
  wimlib: Timing;
  sevenZip: Timing;
  ratios: { inspectVsWimlib: number; inspectVsSevenZip: number; importVsWimlib: number; importVsSevenZip: number };
  loadAverage: [number, number];
}

/* ---------------------------------------------------------------- the package */

function randomBytesSeeded(n: number, rnd: () => number): Buffer {
  const b = Buffer.allocUnsafe(n + 4);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE(rnd(), i);
  return b.subarray(0, n);
}

const WORDS = [
  'Provisioning',
  'package',
  'setting',
  'msiexec',
  '/qn',
  'HKLM\\Software\\Contoso',
  'component',
  'registry',
  '.dll',
  'install',
  '\r\n',
  'Windows',
];

function compressibleBytes(n: number, rnd: () => number): Buffer {
  const out = Buffer.alloc(n);
  let at = 0;
  while (at < n) {
    if (rnd() % 3 || n - at < 64) {
      const w = out.write(WORDS[rnd() % WORDS.length]! + ' ', at);
      at += w || n - at;
    } else {
      out.writeUInt32LE(at >>> 6, at);
      out.write('RECORD', at + 16);
      at += 64;
    }
  }
  return out;
}

/** The project's files and the package's tree (compiled by ppkg, not yet a WIM). */
export function generatePackageTree(dir: string, totalMb = 200): { tree: string; files: Map<string, string>; contentBytes: number } {
  const rnd = xorshift(20261201);
  const projectDir = path.join(dir, 'project');
  fs.mkdirSync(path.join(projectDir, 'apps'), { recursive: true });
  const sizes: [string, number, 'random' | 'text'][] = [
    ['apps/agent-setup.exe', 0.55, 'random'],
    ['apps/office-pack.msi', 0.4, 'text'],
    ['apps/runtime.dll', 0.05, 'text'],
  ];
  const inputs = new Map<string, InputFile>();
  let contentBytes = 0;
  for (const [rel, share, kind] of sizes) {
    const n = Math.round(totalMb * share * 1024 * 1024);
    const data = kind === 'random' ? randomBytesSeeded(n, rnd) : compressibleBytes(n, rnd);
    fs.writeFileSync(path.join(projectDir, rel), data);
    inputs.set(rel, { path: path.join(projectDir, rel), size: n, sha256: createHash('sha256').update(data).digest() });
    contentBytes += n;
  }
  const project: Project = {
    name: 'Bench Package',
    id: '{0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9}',
    version: '1.0',
    device: { name: 'BENCH-%SERIAL%' },
    account: { localAdmin: { user: 'benchadmin', password: { secret: 'admin' } } },
    applications: [
      { name: 'Agent', installer: 'apps/agent-setup.exe', commandLine: 'agent-setup.exe /quiet' },
      { name: 'Office', installer: 'apps/office-pack.msi', commandLine: 'msiexec /i office-pack.msi /qn', dependencies: ['apps/runtime.dll'] },
    ],
    policies: { Camera: { AllowCamera: 'No' }, Experience: { AllowCortana: 'No' } },
  };
  const compiled = compileProject(project, new Map([['admin', 'bench-password']]), { files: inputs });
  const tree = path.join(dir, 'tree');
  const files = new Map<string, string>();
  for (const e of compiled.entries) {
    const target = path.join(tree, ...e.path.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (e.source.kind === 'buffer') fs.writeFileSync(target, e.source.data);
    else fs.copyFileSync(e.source.path, target);
    files.set(e.path, createHash('sha256').update(fs.readFileSync(target)).digest('hex'));
  }
  return { tree, files, contentBytes };
}

/* --------------------------------------------------------------- the programs */

export async function runInspect(
  root: string,
  tmp: string,
  log: (s: string) => void,
  opts: { runs?: number; totalMb?: number } = {},
): Promise<{ results: InspectBench; rows: Row[] }> {
  // Nine rounds: on this shared 2-core VM single runs of the same command spread by ±20%, and five rounds left the medians ±10% apart run to run.
  const runs = opts.runs ?? 9;
  const cli = path.join(root, 'bin', 'ppkg.js');
  if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run node esbuild.mjs first');
  const dir = fs.mkdtempSync(path.join(tmp, 'inspect-'));
  try {
    log(`  compiling a ~${opts.totalMb ?? 200} MB provisioning package (incompressible and compressible installers)…`);
    const { tree, files, contentBytes } = generatePackageTree(dir, opts.totalMb);
    const pkg = path.join(dir, 'bench.ppkg');
    timedRun('wimlib-imagex', ['capture', tree, pkg, 'Bench Package', '--compress=xpress'], 'ignore');
    const packageBytes = fs.statSync(pkg).size;
    const assets = new Map([...files].filter(([p]) => p.startsWith('DataAsset/') && !p.endsWith('DataAsset.xml')));
    log(
      `  wimlib-imagex capture --compress=xpress: ${files.size} files, ${(contentBytes / 1e6).toFixed(0)} MB of installers → ${(packageBytes / 1e6).toFixed(0)} MB`,
    );
    fs.writeFileSync(path.join(dir, 'seven-zip.cjs'), SEVEN_ZIP_SCRIPT);

    const out = path.join(dir, 'out');
    const clean = () => cleanAndSettle(out);
    const byName = (name: string) => [...assets].find(([p]) => p.endsWith(`/${name}`))![1];
    const checks = {
      inspect: (stdout: string) => {
        const model = JSON.parse(stdout) as { assets: { name: string; sha256: string }[] };
        if (model.assets.length !== assets.size) throw new Error(`ppkg inspect listed ${model.assets.length} files, not ${assets.size}`);
        for (const a of model.assets) if (a.sha256 !== byName(a.name)) throw new Error(`ppkg inspect gave the wrong SHA-256 for ${a.name}`);
      },
      import: () => {
        for (const name of ['agent-setup.exe', 'office-pack.msi', 'runtime.dll']) {
          if (sha256File(path.join(out, 'installers', name)) !== byName(name)) throw new Error(`ppkg import extracted ${name} with the wrong bytes`);
        }
        if (!/"installer": "installers\/agent-setup\.exe"/.test(fs.readFileSync(path.join(out, 'p.ppkg.json'), 'utf8')))
          throw new Error('ppkg import wrote a project without the installer');
      },
      wimlib: () => sameHashes(treeHashes(out), files, 'wimlib-imagex apply'),
      sevenZip: () => sameHashes(treeHashes(out), files, '7-Zip WASM'),
    };
    const programs: [keyof typeof checks, () => number][] = [
      [
        'inspect',
        () => {
          const r = timedRun(process.execPath, [cli, 'inspect', pkg, '--format', 'json']);
          checks.inspect(r.out);
          return r.ms;
        },
      ],
      [
        'import',
        () => {
          const r = timedRun(process.execPath, [cli, 'import', pkg, '--out', path.join(out, 'p.ppkg.json')], 'ignore');
          checks.import();
          return r.ms;
        },
      ],
      [
        'wimlib',
        () => {
          const r = timedRun('wimlib-imagex', ['apply', pkg, '1', out], 'ignore');
          checks.wimlib();
          return r.ms;
        },
      ],
      [
        'sevenZip',
        () => {
          const r = timedRun(process.execPath, [path.join(dir, 'seven-zip.cjs'), pkg, out], 'ignore');
          checks.sevenZip();
          return r.ms;
        },
      ],
    ];
    const load0 = os.loadavg()[0]!;
    log(`  ${runs} interleaved rounds (+1 warm-up) of: ppkg inspect, ppkg import, wimlib apply, 7-Zip WASM x; each run's output checked…`);
    const samples = interleave(programs, runs, clean);
    const t = {
      inspect: summarize(samples.inspect),
      import: summarize(samples.import),
      wimlib: summarize(samples.wimlib),
      sevenZip: summarize(samples.sevenZip),
    };
    const results: InspectBench = {
      packageBytes,
      contentBytes,
      runs,
      ...t,
      ratios: {
        inspectVsWimlib: t.inspect.median / t.wimlib.median,
        inspectVsSevenZip: t.inspect.median / t.sevenZip.median,
        importVsWimlib: t.import.median / t.wimlib.median,
        importVsSevenZip: t.import.median / t.sevenZip.median,
      },
      loadAverage: [load0, os.loadavg()[0]!],
    };
    const size = `${(contentBytes / 1e6).toFixed(0)} MB of installers, ${(packageBytes / 1e6).toFixed(0)} MB XPRESS (wimlib)`;
    const rows: Row[] = [
      ratioRow({
        group: 7,
        name: 'ppkg inspect (every file hashed)',
        size,
        ours: t.inspect,
        anchor: t.wimlib,
        anchorName: 'wimlib-imagex apply',
        target: { kind: 'ratio', max: 1.5 },
      }),
      ratioRow({
        group: 7,
        name: 'ppkg inspect (every file hashed)',
        size,
        ours: t.inspect,
        anchor: t.sevenZip,
        anchorName: '7-Zip WASM x',
        target: { kind: 'ratio', max: 0.5 },
      }),
      ratioRow({
        group: 7,
        name: 'ppkg import (project + files extracted)',
        size,
        ours: t.import,
        anchor: t.wimlib,
        anchorName: 'wimlib-imagex apply',
        target: { kind: 'ratio', max: 1.5 },
      }),
      ratioRow({
        group: 7,
        name: 'ppkg import (project + files extracted)',
        size,
        ours: t.import,
        anchor: t.sevenZip,
        anchorName: '7-Zip WASM x',
        target: { kind: 'ratio', max: 0.5 },
      }),
    ];
    return { results, rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { root, log, opts } = standaloneSuite('inspect/import bench');
  const { results: r } = await runInspect(root, os.tmpdir(), log, opts);
  log('');
  log(`ppkg inspect  ${fmtSeconds(r.inspect)}`);
  log(`ppkg import   ${fmtSeconds(r.import)}`);
  log(`wimlib apply  ${fmtSeconds(r.wimlib)}`);
  log(`7-Zip WASM x  ${fmtSeconds(r.sevenZip)}`);
  log('');
  log(`inspect / wimlib ${r.ratios.inspectVsWimlib.toFixed(2)} (target ≤ 1.5)   inspect / 7-Zip WASM ${r.ratios.inspectVsSevenZip.toFixed(2)} (target ≤ 0.5)`);
  log(`import  / wimlib ${r.ratios.importVsWimlib.toFixed(2)} (target ≤ 1.5)   import  / 7-Zip WASM ${r.ratios.importVsSevenZip.toFixed(2)} (target ≤ 0.5)`);
  log(`load average ${r.loadAverage[0].toFixed(1)} → ${r.loadAverage[1].toFixed(1)}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
