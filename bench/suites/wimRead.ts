/**
 * WIM reader speed: a ~200 MB package made by
 * `wimlib-imagex capture --compress=xpress` from installer-like files
 * (stretches of text, random bytes, structured records and zeros, so some
 * chunks compress and some are stored raw) plus 200 provisioning XMLs.
 *
 * Each measurement is a whole process, started fresh, interleaved with the
 * others in rotating order so load from other users of a shared machine
 * hits all of them alike; medians are reported:
 *   ours read     node (esbuild bundle): openWim + digestFile of every file,
 *                 asked for at once as inspect does (every chunk decoded,
 *                 every SHA-1 checked, SHA-256 computed; large files side by
 *                 side on worker threads)
 *   ours extract  the same, writing every file under a temp folder (what
 *                 `ppkg import` adds)
 *   wimlib        wimlib-imagex apply PKG 1 DIR
 *   7-Zip WASM    node + 7z-wasm: 7z x PKG -oDIR
 *   ours inspect  openWim, properties, the listing, and every file under
 *                 1 MiB read (the provisioning XML): `ppkg inspect`'s part
 *   wimdir        wimdir PKG 1 --detailed
 *   7-Zip WASM l  7z l -slt PKG
 * plus the XPRESS decompressor's own throughput (CPU time, in process, on
 * the package's compressed chunks).
 *
 *   node --import tsx bench/suites/wimRead.ts [--runs N] [--mb N] [--keep DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { XpressDecompressor } from '../../server/src/package/wim/xpress/decompress';
import { ratioRow, type Row } from '../lib/result';
import { summarize, type Timing } from '../lib/stats';
import { cleanAndSettle, interleave, standaloneSuite, sameHashes, timedRun, treeHashes } from '../lib/runs';
import { fmtSeconds, SEVEN_ZIP_SCRIPT, xorshift } from '../lib/sevenZip';

export interface WimReadBench {
  packageBytes: number;
  contentBytes: number;
  files: number;
  runs: number;
  oursRead: Timing;
  oursExtract: Timing;
  wimlib: Timing;
  sevenZip: Timing;
  /** Open, properties, listing, and every file under 1 MiB read (the provisioning XML). */
  oursInspect: Timing;
  /** wimdir PKG 1 --detailed */
  wimdir: Timing;
  /** 7z l -slt PKG (7-Zip WASM) */
  sevenZipList: Timing;
  /** oursRead / wimlib, oursRead / 7-Zip, oursExtract / wimlib, oursExtract / 7-Zip (medians). */
  ratios: {
    readVsWimlib: number;
    readVsSevenZip: number;
    extractVsWimlib: number;
    extractVsSevenZip: number;
    inspectVsWimdir: number;
    inspectVsSevenZipList: number;
  };
  /** Decompressed MB (10^6 bytes) per CPU second, median of runs over all compressed chunks. */
  decompressMBps: number;
  compressedChunks: number;
  loadAverage: [number, number];
}

/* ---------------------------------------------------------------- the package */

const WORDS = [
  'Provisioning',
  'package',
  'setting',
  '<parm',
  'name="',
  'value="',
  '/>',
  '\r\n',
  'Policy',
  'Windows',
  'install',
  'component',
  'registry',
  'HKLM\\Software',
  '0x0001',
  'DataAsset',
  '{9f3c2a1e-5b6d}',
  'msiexec',
  '.dll',
  '.exe',
];

function textBytes(n: number, rnd: () => number): Buffer {
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = WORDS[rnd() % WORDS.length]! + (rnd() % 3 ? ' ' : '');
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

/** Installer-like: 1-4 MiB stretches, 40% text, 30% random, 20% records, 10% zeros. */
function installer(bytes: number, rnd: () => number): Buffer {
  const parts: Buffer[] = [];
  for (let left = bytes; left > 0;) {
    const n = Math.min(left, (1 + (rnd() % 4)) << 20);
    const k = rnd() % 10;
    let b: Buffer;
    if (k < 4) b = textBytes(n, rnd);
    else if (k < 7) {
      b = Buffer.allocUnsafe(n + 3);
      for (let i = 0; i < n; i += 4) b.writeUInt32LE(rnd(), i);
      b = b.subarray(0, n);
    } else if (k < 9) {
      b = Buffer.alloc(n);
      for (let i = 0; i + 24 <= n; i += 64) {
        b.writeUInt32LE(i / 64, i);
        b.writeUInt32LE(rnd() & 0xffff, i + 8);
        b.write('RECORD', i + 16);
      }
    } else b = Buffer.alloc(n);
    parts.push(b);
    left -= n;
  }
  return Buffer.concat(parts);
}

/** Writes the tree; returns [files, bytes]. */
export function generateTree(dir: string, totalMb = 200): [number, number] {
  const rnd = xorshift(20261201);
  const big: [string, number][] = [
    ['DataAsset/1/0_office/setup-office.exe', 0.4],
    ['DataAsset/2/0_agent/cts-agent.msi', 0.28],
    ['DataAsset/3/0_drivers/printer-pack.msi', 0.18],
    ['DataAsset/4/0_fonts/fonts.zip', 0.1],
  ];
  let bytes = 0;
  let files = 0;
  for (const [rel, share] of big) {
    const data = installer(Math.round(totalMb * share * 1024 * 1024), rnd);
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), data);
    bytes += data.length;
    files++;
  }
  const xmlDir = path.join(dir, 'Multivariant/0/Prov/RunTime');
  fs.mkdirSync(xmlDir, { recursive: true });
  for (let i = 0; i < 200; i++) {
    const data = Buffer.concat([Buffer.from('\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n'), textBytes(500 + (rnd() % 20000), rnd)]);
    fs.writeFileSync(path.join(xmlDir, `${i}__Setting${i}.provxml`), data);
    bytes += data.length;
    files++;
  }
  return [files, bytes];
}

/* --------------------------------------------------------------- the programs */

const READ_ALL = `
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openWim } from ${JSON.stringify(path.resolve(__dirname, '../../server/src/package/wim/read'))};

async function main() {
  const [pkg, outDir] = process.argv.slice(2);
  const wim = await openWim(pkg!);
  try {
    if (outDir === '--inspect') {
      // What \`ppkg inspect\` needs: header, properties, the listing, and the
      // provisioning XML (every file under 1 MiB), not the installers.
      let lines = wim.imageProperties.length;
      for (const e of wim.entries) {
        lines++;
        if (!e.isDirectory && e.size < 1 << 20) lines += (await wim.readFile(e)).length > 0 ? 1 : 0;
      }
      console.log(JSON.stringify({ entries: wim.entries.length, lines }));
      return;
    }
    // The reader's path for whole files, as inspect and import take it: every file asked for at once,
    // the large ones read side by side on worker threads (SHA-1 checked, SHA-256 computed, optionally written).
    const files = wim.entries.filter((e) => !e.isDirectory);
    if (outDir) for (const e of wim.entries) mkdirSync(e.isDirectory ? join(outDir, ...e.path.split('/')) : dirname(join(outDir, ...e.path.split('/'))), { recursive: true });
    const digests = await Promise.all(files.map((e) => wim.digestFile(e, outDir ? { writeTo: join(outDir, ...e.path.split('/')) } : {})));
    console.log(JSON.stringify(Object.fromEntries(files.map((e, i) => [e.path, digests[i]!.sha256]))));
  } finally {
    await wim.close();
  }
}
main().catch((err) => { console.error(err); process.exit(1); });
`;

/** Decompressed bytes per CPU second over every compressed chunk of the package (parsed here, not with the reader). */
export function decompressorThroughput(pkgPath: string, rounds = 5): { mbps: number; chunks: number } {
  const wim = fs.readFileSync(pkgPath);
  const chunkSize = wim.readUInt32LE(0x14);
  const tableAt = Number(wim.readBigUInt64LE(0x38));
  const tableSize = wim.readUIntLE(0x30, 6);
  const chunks: [Buffer, number][] = [];
  for (let at = tableAt; at < tableAt + tableSize; at += 50) {
    const size = wim.readUIntLE(at, 6);
    const offset = Number(wim.readBigUInt64LE(at + 8));
    const usize = Number(wim.readBigUInt64LE(at + 16));
    if (!(wim[at + 7]! & 0x04)) continue;
    const n = Math.ceil(usize / chunkSize);
    const table = (n - 1) * 4;
    const starts = [0];
    for (let i = 0; i < n - 1; i++) starts.push(wim.readUInt32LE(offset + i * 4));
    starts.push(size - table);
    for (let i = 0; i < n; i++) {
      const u = i < n - 1 ? chunkSize : usize - (n - 1) * chunkSize;
      const c = wim.subarray(offset + table + starts[i]!, offset + table + starts[i + 1]!);
      if (c.length < u) chunks.push([c, u]);
    }
  }
  const d = new XpressDecompressor();
  const out = Buffer.alloc(chunkSize);
  const total = chunks.reduce((s, [, u]) => s + u, 0);
  const rates: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const c0 = process.cpuUsage();
    for (const [c, u] of chunks) d.decompress(c, out, 0, u);
    const cpu = process.cpuUsage(c0);
    if (r > 0) rates.push(total / 1e6 / ((cpu.user + cpu.system) / 1e6)); // round 0 warms up
  }
  return { mbps: summarize(rates).median, chunks: chunks.length };
}

type Program = 'oursRead' | 'oursExtract' | 'wimlib' | 'sevenZip' | 'oursInspect' | 'wimdir' | 'sevenZipList';

export async function runWimRead(
  root: string,
  tmp: string,
  log: (s: string) => void,
  opts: { runs?: number; totalMb?: number } = {},
): Promise<{ results: WimReadBench; rows: Row[] }> {
  const runs = opts.runs ?? 7;
  const dir = fs.mkdtempSync(path.join(tmp, 'wimread-'));
  try {
    const src = path.join(dir, 'src');
    log(`  writing ~${opts.totalMb ?? 200} MB of installer-like files…`);
    const [files, contentBytes] = generateTree(src, opts.totalMb);
    const pkg = path.join(dir, 'package.ppkg');
    timedRun('wimlib-imagex', ['capture', src, pkg, 'bench', '--compress=xpress']);
    const packageBytes = fs.statSync(pkg).size;
    log(`  wimlib-imagex capture --compress=xpress: ${files} files, ${(contentBytes / 1e6).toFixed(0)} MB → ${(packageBytes / 1e6).toFixed(0)} MB`);

    // Ours as it ships: one esbuild bundle, plain node, with the reader's worker bundled beside it.
    fs.writeFileSync(path.join(dir, 'read-all.ts'), READ_ALL);
    fs.writeFileSync(path.join(dir, 'seven-zip.cjs'), SEVEN_ZIP_SCRIPT);
    const esbuild = path.join(root, 'node_modules', '.bin', 'esbuild');
    for (const [entry, outfile] of [
      [path.join(dir, 'read-all.ts'), 'read-all.js'],
      [path.join(root, 'server/src/package/wim/read/blobWorker.ts'), 'wimBlobWorker.js'],
    ]) {
      timedRun(esbuild, [entry!, '--bundle', '--platform=node', '--target=node20', '--log-level=warning', `--outfile=${path.join(dir, outfile!)}`]);
    }

    // Every run's output is checked against the captured tree, outside the timed part.
    const want = treeHashes(src);
    const out = path.join(dir, 'out');
    const clean = () => cleanAndSettle(out);
    const readAll = path.join(dir, 'read-all.js');
    const programs: [Program, () => number][] = [
      [
        'oursRead',
        () => {
          const r = timedRun(process.execPath, [readAll, pkg]);
          sameHashes(new Map(Object.entries(JSON.parse(r.out) as Record<string, string>)), want, 'ours read');
          return r.ms;
        },
      ],
      [
        'oursExtract',
        () => {
          const r = timedRun(process.execPath, [readAll, pkg, out]);
          sameHashes(treeHashes(out), want, 'ours extract');
          return r.ms;
        },
      ],
      [
        'wimlib',
        () => {
          const r = timedRun('wimlib-imagex', ['apply', pkg, '1', out]);
          sameHashes(treeHashes(out), want, 'wimlib-imagex apply');
          return r.ms;
        },
      ],
      [
        'sevenZip',
        () => {
          const r = timedRun(process.execPath, [path.join(dir, 'seven-zip.cjs'), pkg, out]);
          sameHashes(treeHashes(out), want, '7-Zip WASM x');
          return r.ms;
        },
      ],
      [
        'oursInspect',
        () => {
          const r = timedRun(process.execPath, [readAll, pkg, '--inspect']);
          const got = JSON.parse(r.out) as { entries: number; lines: number };
          if (got.entries < want.size || got.lines <= got.entries) throw new Error(`ours inspect listed ${got.entries} entries and read too little`);
          return r.ms;
        },
      ],
      [
        'wimdir',
        () => {
          const r = timedRun('wimdir', [pkg, '1', '--detailed']);
          for (const rel of want.keys()) if (!r.out.includes(rel.split('/').pop()!)) throw new Error(`wimdir did not list ${rel}`);
          return r.ms;
        },
      ],
      [
        'sevenZipList',
        () => {
          const r = timedRun(process.execPath, [path.join(dir, 'seven-zip.cjs'), pkg, out, 'l']);
          for (const rel of want.keys()) if (!r.out.includes(rel.split('/').pop()!)) throw new Error(`7-Zip WASM l did not list ${rel}`);
          return r.ms;
        },
      ],
    ];
    const load0 = os.loadavg()[0]!;
    log(`  ${runs} interleaved rounds (+1 warm-up) of: ours read, ours extract, wimlib apply, 7-Zip WASM x, ours inspect, wimdir, 7-Zip WASM l…`);
    const samples = interleave(programs, runs, clean);
    const t = {
      oursRead: summarize(samples.oursRead),
      oursExtract: summarize(samples.oursExtract),
      wimlib: summarize(samples.wimlib),
      sevenZip: summarize(samples.sevenZip),
      oursInspect: summarize(samples.oursInspect),
      wimdir: summarize(samples.wimdir),
      sevenZipList: summarize(samples.sevenZipList),
    };
    const { mbps, chunks } = decompressorThroughput(pkg);
    const results: WimReadBench = {
      packageBytes,
      contentBytes,
      files,
      runs,
      ...t,
      ratios: {
        readVsWimlib: t.oursRead.median / t.wimlib.median,
        readVsSevenZip: t.oursRead.median / t.sevenZip.median,
        extractVsWimlib: t.oursExtract.median / t.wimlib.median,
        extractVsSevenZip: t.oursExtract.median / t.sevenZip.median,
        inspectVsWimdir: t.oursInspect.median / t.wimdir.median,
        inspectVsSevenZipList: t.oursInspect.median / t.sevenZipList.median,
      },
      decompressMBps: mbps,
      compressedChunks: chunks,
      loadAverage: [load0, os.loadavg()[0]!],
    };
    const size = `${(contentBytes / 1e6).toFixed(0)} MB in ${files} files, ${(packageBytes / 1e6).toFixed(0)} MB XPRESS`;
    const rows: Row[] = [
      ratioRow({
        group: 6,
        name: 'WIM reader: read every file (openWim + digestFile: SHA-1 checked, SHA-256)',
        size,
        ours: t.oursRead,
        anchor: t.wimlib,
        anchorName: 'wimlib-imagex apply',
        target: { kind: 'ratio', max: 1.5 },
      }),
      ratioRow({
        group: 6,
        name: 'WIM reader: read every file',
        size,
        ours: t.oursRead,
        anchor: t.sevenZip,
        anchorName: '7-Zip WASM x',
        target: { kind: 'ratio', max: 0.5 },
      }),
      ratioRow({
        group: 6,
        name: 'WIM reader: extract every file to disk',
        size,
        ours: t.oursExtract,
        anchor: t.wimlib,
        anchorName: 'wimlib-imagex apply',
        target: { kind: 'ratio', max: 1.5 },
      }),
      ratioRow({
        group: 6,
        name: 'WIM reader: extract every file to disk',
        size,
        ours: t.oursExtract,
        anchor: t.sevenZip,
        anchorName: '7-Zip WASM x',
        target: { kind: 'ratio', max: 0.5 },
      }),
      ratioRow({
        group: 6,
        name: 'WIM reader: open, list, read the provisioning XML',
        size,
        ours: t.oursInspect,
        anchor: t.wimdir,
        anchorName: 'wimdir PKG 1 --detailed',
        target: { kind: 'ratio', max: 1.5 },
      }),
      ratioRow({
        group: 6,
        name: 'WIM reader: open, list, read the provisioning XML',
        size,
        ours: t.oursInspect,
        anchor: t.sevenZipList,
        anchorName: '7-Zip WASM l -slt',
        target: { kind: 'ratio', max: 0.5 },
      }),
    ];
    return { results, rows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { root, log, opts } = standaloneSuite('WIM reader bench');
  const { results: r } = await runWimRead(root, os.tmpdir(), log, opts);
  log('');
  log(`ours read     ${fmtSeconds(r.oursRead)}`);
  log(`ours extract  ${fmtSeconds(r.oursExtract)}`);
  log(`wimlib apply  ${fmtSeconds(r.wimlib)}`);
  log(`7-Zip WASM x  ${fmtSeconds(r.sevenZip)}`);
  log(`ours inspect  ${fmtSeconds(r.oursInspect)}   (open, list, read every file < 1 MiB)`);
  log(`wimdir        ${fmtSeconds(r.wimdir)}   (wimdir PKG 1 --detailed)`);
  log(`7-Zip WASM l  ${fmtSeconds(r.sevenZipList)}   (7z l -slt)`);
  log('');
  log(`read    / wimlib ${r.ratios.readVsWimlib.toFixed(2)} (target ≤ 1.5)   read    / 7-Zip WASM ${r.ratios.readVsSevenZip.toFixed(2)} (target ≤ 0.5)`);
  log(`extract / wimlib ${r.ratios.extractVsWimlib.toFixed(2)} (target ≤ 1.5)   extract / 7-Zip WASM ${r.ratios.extractVsSevenZip.toFixed(2)} (target ≤ 0.5)`);
  log(
    `inspect / wimdir ${r.ratios.inspectVsWimdir.toFixed(2)} (target ≤ 1.5)   inspect / 7-Zip WASM l ${r.ratios.inspectVsSevenZipList.toFixed(2)} (target ≤ 0.5)`,
  );
  log(`XPRESS decompressor: ${r.decompressMBps.toFixed(0)} MB/s per CPU second over ${r.compressedChunks} compressed chunks`);
  log(`load average ${r.loadAverage[0].toFixed(1)} → ${r.loadAverage[1].toFixed(1)}`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
