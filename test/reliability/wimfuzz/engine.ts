/**
 * Seeded fuzzing of the WIM reader. Each iteration takes one real package
 * (wimlib fixtures, packages from the test builder, packages from the
 * repo's own writer), applies a few mutations, opens the result and reads
 * every file and stream. The only acceptable outcomes are a successful read
 * or a WimReadError; any other exception, or an iteration slower than the
 * time bound, is a failure.
 *
 * Mutations: bit flips and byte sets anywhere, truncation and extension,
 * header and blob-table field edits, chunk-table edits of compressed
 * resources, and edits of dentry fields inside an uncompressed metadata
 * resource followed by fixing its SHA-1 in the blob table (so the mutation
 * reaches the tree walk instead of stopping at the hash check).
 *
 * Iteration i uses its own PRNG derived from (seed, i), so any single
 * iteration can be replayed without the ones before it.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeWim } from '../../../server/src/package/wim';
import { openWimBuffer, WimReadError } from '../../../server/src/package/wim/read';
import { readDentry } from '../../../server/src/package/wim/read/dentry';
import { Prng } from '../fuzz/prng';
import { pattern } from '../../support/bytes';
import { buildWim, securityDescriptor, sha1, type CraftFile } from './craft';
import { icdPackage } from './icdShape';

export interface CorpusItem {
  name: string;
  data: Buffer;
}

export interface FuzzFailure {
  iteration: number;
  corpus: string;
  mutations: string[];
  error: string;
  mutant: Buffer;
}

export interface FuzzResult {
  seed: number;
  iterations: number;
  /** Outcome counts: 'ok' or a WimReadError code. */
  outcomes: Record<string, number>;
  /** Mutations applied, by kind. */
  mutations: Record<string, number>;
  failures: FuzzFailure[];
  durationMs: number;
  slowestMs: number;
}

const FIXTURES = join(__dirname, '../../fixtures/wim');
/** Per-iteration bound: generous for a 2-core machine shared with others. */
const SLOW_MS = 5000;
const MiB = 1024 * 1024;

const CRAFT_FILES: CraftFile[] = [
  { path: 'Multivariant/Multivariant.xml', data: Buffer.from('\ufeff<Multivariant/>'), securityId: 1, shortName: 'MULTIV~1.XML' },
  { path: 'Multivariant/0/Prov/RunTime.xml', data: Buffer.from('\ufeff<RunTime>' + '<x/>'.repeat(3000) + '</RunTime>'), securityId: 1 },
  {
    path: 'DataAsset/1/0_x/setup.msi',
    data: pattern(70_000, 3),
    securityId: 1,
    streams: [{ name: 'Zone.Identifier', data: Buffer.from('[ZoneTransfer]\r\nZoneId=3\r\n') }],
    dataInStreamEntry: true,
  },
  { path: 'DataAsset/1/0_x/empty.txt', data: Buffer.alloc(0), securityId: 1 },
  { path: 'DataAsset/2/a.txt', data: Buffer.from('same'), hardLinkGroupId: 3n },
  { path: 'DataAsset/2/b.txt', data: Buffer.from('same'), hardLinkGroupId: 3n },
];

/** The packages mutations start from. */
export async function loadCorpus(): Promise<CorpusItem[]> {
  const corpus: CorpusItem[] = ['xpress.wim', 'xpress-4k.wim', 'none.wim', 'ntfs-acl.wim'].map((f) => ({ name: f, data: readFileSync(join(FIXTURES, f)) }));
  const sds = [
    securityDescriptor('S-1-5-32-544', 'S-1-5-18', [['S-1-5-18', 0x1f01ff, 0x3]]),
    securityDescriptor('S-1-5-32-544', 'S-1-5-18', [['S-1-5-18', 0x1f01ff, 0x10]]),
  ];
  corpus.push({ name: 'crafted, uncompressed metadata', data: buildWim(CRAFT_FILES, { descriptors: sds, rootSecurityId: 0, compressBlobs: true }) });
  corpus.push({ name: 'ICD-shaped', data: icdPackage() });
  corpus.push({
    name: 'crafted, XPRESS metadata, 4 KiB chunks',
    data: buildWim(CRAFT_FILES, { descriptors: sds, rootSecurityId: 0, compressBlobs: true, compressMetadata: true, chunkSize: 4096 }),
  });

  // The repo's own writer, whatever it currently writes.
  const dir = await mkdtemp(join(tmpdir(), 'ppkg-wimfuzz-'));
  try {
    // XPRESS (the default, ICD's shape) and uncompressed: the latter's metadata takes the dentry edits.
    for (const headerCompression of ['xpress', 'none'] as const) {
      const out = join(dir, `${headerCompression}.ppkg`);
      await writeWim(
        out,
        [
          { path: 'Multivariant/Multivariant.xml', source: { kind: 'buffer', data: Buffer.from('\ufeff<Multivariant/>') } },
          { path: 'Multivariant/0/Prov/RunTime.xml', source: { kind: 'buffer', data: Buffer.from('\ufeff<RunTime/>'.repeat(4000)) } },
          { path: 'DataAsset/1/0_abc/installer.msi', source: { kind: 'buffer', data: pattern(50_000, 8) } },
        ],
        {
          properties: [
            ['NAME', 'fuzz'],
            ['PACKAGEID', '{00000000-0000-0000-0000-000000000001}'],
          ],
          timestamp: new Date('2026-01-02T03:04:05Z'),
          guid: Buffer.alloc(16, 7),
          headerCompression,
        },
      );
      corpus.push({ name: `writeWim ${headerCompression}`, data: await readFile(out) });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return corpus;
}

/* ----------------------------------------------------------- structure */

interface Res {
  /** Byte offset of the 24-byte resource header (in the header or the blob table). */
  at: number;
  flags: number;
  offset: number;
  size: number;
  usize: number;
}

function reshdr(b: Buffer, at: number): Res {
  return { at, size: b.readUIntLE(at, 6), flags: b[at + 7]!, offset: Number(b.readBigUInt64LE(at + 8)), usize: Number(b.readBigUInt64LE(at + 16)) };
}

/** Blob-table entries of a (possibly already mutated) package, when the table is still locatable. */
function blobEntries(b: Buffer): Res[] {
  if (b.length < 208) return [];
  const table = reshdr(b, 0x30);
  if (table.flags & 0x04 || table.offset + table.size > b.length || table.size > 50 * 10_000) return [];
  const out: Res[] = [];
  for (let at = table.offset; at + 50 <= table.offset + table.size; at += 50) out.push(reshdr(b, at));
  return out;
}

/** Offsets of every dentry in an uncompressed metadata resource (walked as stored; the input is trusted here). */
function dentryOffsets(meta: Buffer): number[] {
  const offsets: number[] = [];
  const sdLen = Math.ceil((meta.readUInt32LE(0) || 8) / 8) * 8;
  const lists = [sdLen];
  const seen = new Set<number>();
  while (lists.length && offsets.length < 10_000) {
    let at = lists.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    for (;;) {
      const d = readDentry(meta, at);
      if (!d) break;
      offsets.push(at);
      if (d.attributes & 0x10 && d.subdirOffset) lists.push(d.subdirOffset);
      at += d.totalLength;
      if (at === sdLen + d.totalLength) break; // the root has no siblings
    }
  }
  return offsets;
}

const INTERESTING = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

function interesting(rng: Prng, around: number[]): number {
  const k = rng.int(4);
  if (k === 0) return rng.pick(INTERESTING);
  if (k === 1 && around.length) return Math.max(0, rng.pick(around) + rng.int(17) - 8);
  if (k === 2) return rng.int(2 ** 32);
  return rng.pick(around.length ? around : INTERESTING);
}

function writeField(b: Buffer, at: number, width: 1 | 2 | 4 | 8, value: number): void {
  if (at < 0 || at + width > b.length) return;
  if (width === 1) b[at] = value & 0xff;
  else if (width === 2) b.writeUInt16LE(value & 0xffff, at);
  else if (width === 4) b.writeUInt32LE(value >>> 0, at);
  else b.writeBigUInt64LE(BigInt(Math.max(0, Math.floor(value))) & 0xffff_ffff_ffff_ffffn, at);
}

type Mutator = (b: Buffer, rng: Prng) => Buffer | undefined;

const MUTATORS: Record<string, [number, Mutator]> = {
  flip: [
    3,
    (b, rng) => {
      for (let n = 1 + rng.int(8); n > 0; n--) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return b;
    },
  ],
  'set byte': [
    2,
    (b, rng) => {
      for (let n = 1 + rng.int(4); n > 0; n--) b[rng.int(b.length)] = rng.pick([0, 1, 0x7f, 0x80, 0xfe, 0xff]);
      return b;
    },
  ],
  truncate: [1, (b, rng) => b.subarray(0, rng.int(b.length))],
  extend: [1, (b, rng) => Buffer.concat([b, Buffer.from(Array.from({ length: 1 + rng.int(300) }, () => rng.int(256)))])],
  'header field': [
    3,
    (b, rng) => {
      const [at, width] = rng.pick<[number, 1 | 2 | 4 | 8]>([
        [0x08, 4],
        [0x0c, 4],
        [0x10, 4],
        [0x14, 4],
        [0x28, 2],
        [0x2a, 2],
        [0x2c, 4],
        [0x30, 8],
        [0x37, 1],
        [0x38, 8],
        [0x40, 8],
        [0x48, 8],
        [0x4f, 1],
        [0x50, 8],
        [0x58, 8],
        [0x78, 4],
      ]);
      writeField(b, at, width, interesting(rng, [b.length, 208, b.length - 208]));
      return b;
    },
  ],
  'blob table field': [
    4,
    (b, rng) => {
      const entries = blobEntries(b);
      if (!entries.length) return undefined;
      const e = rng.pick(entries);
      const [rel, width] = rng.pick<[number, 1 | 2 | 4 | 8]>([
        [0, 8],
        [7, 1],
        [8, 8],
        [16, 8],
        [24, 2],
        [26, 4],
        [30, 1],
        [49, 1],
      ]);
      writeField(b, e.at + rel, width, interesting(rng, [e.size, e.usize, e.offset, b.length, ...entries.map((x) => x.offset)]));
      return b;
    },
  ],
  'chunk table': [
    4,
    (b, rng) => {
      const compressed = blobEntries(b).filter((e) => e.flags & 0x04 && e.usize > 0 && e.offset + e.size <= b.length);
      if (!compressed.length) return undefined;
      const e = rng.pick(compressed);
      const chunkSize = b.readUInt32LE(0x14) || 32768;
      // The fields may already be mutated: stay inside the resource.
      const entries = Math.min(Math.ceil(e.usize / chunkSize) - 1, Math.floor(e.size / 4));
      if (entries < 1) {
        // One chunk: edit the compressed stream instead (its code lengths or data).
        const at = e.offset + rng.int(Math.min(e.size, 300));
        b[at] = rng.int(256);
        return b;
      }
      const i = rng.int(entries);
      const at = e.offset + i * 4;
      const cur = b.readUInt32LE(at);
      const prev = i > 0 ? b.readUInt32LE(at - 4) : 0;
      writeField(b, at, 4, rng.pick([0, prev, prev + 1, cur - 1, cur + 1, cur + 256, e.size, e.size - entries * 4, 0xffffffff, interesting(rng, [cur])]));
      return b;
    },
  ],
  'dentry field + fixed hash': [
    5,
    (b, rng) => {
      const entries = blobEntries(b);
      const meta = entries.find((e) => e.flags & 0x02);
      if (!meta || meta.flags & 0x04 || meta.offset + meta.size > b.length || meta.size < 112) return undefined;
      const region = b.subarray(meta.offset, meta.offset + meta.size);
      let offsets: number[];
      try {
        offsets = dentryOffsets(region);
      } catch {
        return undefined;
      }
      if (!offsets.length) return undefined;
      for (let n = 1 + rng.int(2); n > 0; n--) {
        const d = rng.pick(offsets);
        const [rel, width] = rng.pick<[number, 1 | 2 | 4 | 8]>([
          [0x00, 8],
          [0x08, 4],
          [0x0c, 4],
          [0x10, 8],
          [0x40, 1],
          [0x58, 8],
          [0x60, 2],
          [0x62, 2],
          [0x64, 2],
          [0x66, 2],
          [0x68, 2],
        ]);
        const around = [...offsets, meta.size, d, 102, 104, 112];
        if (rng.chance(0.2)) region[d + 0x66 + rng.int(8)] = rng.pick([0x2e, 0x2f, 0x5c, 0x3a, 0x00, 0xd8, 0xdc]);
        else writeField(region, d + rel, width, interesting(rng, around));
      }
      if (rng.chance(0.1)) writeField(region, 0, 4, interesting(rng, [8, region.readUInt32LE(0), meta.size]));
      sha1(region).copy(b, meta.at + 30);
      return b;
    },
  ],
};

const WEIGHTS = Object.fromEntries(Object.entries(MUTATORS).map(([k, [w]]) => [k, w])) as Record<string, number>;

/** Opens a mutant and reads everything in it; returns 'ok' or the WimReadError code, throws anything else. */
export async function exercise(data: Buffer): Promise<string> {
  try {
    const wim = await openWimBuffer(data, { maxFileBytes: 64 * MiB });
    for (const e of wim.entries) {
      if (e.isDirectory) continue;
      await wim.readFile(e);
      for (const s of e.streams ?? []) await wim.readFile(s);
    }
    const biggest = wim.entries.reduce((a, e) => (e.size > (a?.size ?? -1) ? e : a), wim.entries[0]);
    if (biggest && !biggest.isDirectory) for await (const piece of wim.streamFile(biggest)) void piece;
    return 'ok';
  } catch (err) {
    if (err instanceof WimReadError) return err.code;
    throw err;
  }
}

export function iterationRng(seed: number, i: number): Prng {
  return new Prng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
}

/** One mutant: which corpus item, which mutations, the bytes. */
export function mutate(corpus: CorpusItem[], seed: number, i: number): { item: CorpusItem; mutations: string[]; mutant: Buffer } {
  const rng = iterationRng(seed, i);
  const item = rng.pick(corpus);
  let mutant: Buffer = Buffer.from(item.data);
  const mutations: string[] = [];
  for (let n = 1 + rng.int(3); n > 0 && mutant.length > 0; n--) {
    const kind = rng.weighted(WEIGHTS);
    const next = MUTATORS[kind]![1](mutant, rng);
    if (next) {
      mutant = next;
      mutations.push(kind);
    }
  }
  return { item, mutations, mutant };
}

export async function runWimFuzz(opts: {
  seed: number;
  iterations: number;
  from?: number;
  corpus?: CorpusItem[];
  log?: (s: string) => void;
}): Promise<FuzzResult> {
  const corpus = opts.corpus ?? (await loadCorpus());
  const outcomes: Record<string, number> = {};
  const mutationCounts: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let slowestMs = 0;
  const start = performance.now();
  const from = opts.from ?? 0;
  for (let i = from; i < from + opts.iterations; i++) {
    const { item, mutations, mutant } = mutate(corpus, opts.seed, i);
    for (const m of mutations) mutationCounts[m] = (mutationCounts[m] ?? 0) + 1;
    const t = performance.now();
    let outcome: string;
    try {
      outcome = await exercise(mutant);
    } catch (err) {
      outcome = 'FAILURE';
      failures.push({ iteration: i, corpus: item.name, mutations, error: err instanceof Error ? (err.stack ?? err.message) : String(err), mutant });
    }
    const ms = performance.now() - t;
    slowestMs = Math.max(slowestMs, ms);
    if (ms > SLOW_MS) failures.push({ iteration: i, corpus: item.name, mutations, error: `took ${ms.toFixed(0)} ms (bound ${SLOW_MS} ms)`, mutant });
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (opts.log && (i - from + 1) % 1000 === 0) opts.log(`  ${i - from + 1} iterations, ${failures.length} failures`);
  }
  return { seed: opts.seed, iterations: opts.iterations, outcomes, mutations: mutationCounts, failures, durationMs: performance.now() - start, slowestMs };
}
