/**
 * Reads a WIM (a .ppkg) back with 7-Zip compiled to WASM (`7z-wasm`): an
 * independent parser, so tests do not check our writer with our own reader.
 * Also a byte-level resource reader with an XPRESS decoder written from
 * [MS-XCA] §2.2.4 (`readResource`, `xpressDecompress`), for structural tests.
 *
 *   const wim = await readWim('out.ppkg');
 *   wim.dirs        // ['Multivariant', 'Multivariant/0', ...]
 *   wim.files.get('Multivariant/0/Prov/RunTime.xml') // Buffer
 *   wim.properties?.get('ALTITUDE') // '5000'
 *
 * The tree comes from `7z l -slt`, the contents from `7z x` into a temporary
 * directory, and the image XML from the archive's "Comment" property, where
 * 7-Zip shows the WIM's XML data. Throws if 7-Zip reports any error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

import assert from 'node:assert/strict';

import SevenZip from '7z-wasm';

export interface WimListEntry {
  /** Forward slashes, no leading slash. */
  path: string;
  isDir: boolean;
  /** Bytes; 0 for directories. */
  size: number;
  /** 7-Zip's attribute letters, e.g. 'D' or 'A' / 'N'. */
  attributes: string;
  /** 7-Zip's "Modified" text, e.g. '2026-01-02 03:04:05.0000000'. */
  modified: string;
}

export interface WimContents {
  /** Every file, path → content. */
  files: Map<string, Buffer>;
  /** Every directory (not the root), sorted. */
  dirs: string[];
  /** Everything 7-Zip listed, in its order. */
  entries: WimListEntry[];
  /** The image XML as 7-Zip shows it (decoded from UTF-16), if shown. */
  xml?: string;
  /** Simple-text children of `<IMAGE INDEX="1">` (NAME, PACKAGEID, DIRCOUNT, ...), unescaped. */
  properties?: Map<string, string>;
  /** Archive-level properties of `7z l -slt` (Type, Method, Version, Images, ...). */
  archive: Map<string, string>;
}

interface RunResult {
  lines: string[];
}

/** Run one 7-Zip command in a fresh WASM instance with `hostDirs` mounted at /m0, /m1, ... */
async function run7z(hostDirs: string[], args: (mounts: string[]) => string[]): Promise<RunResult> {
  const lines: string[] = [];
  let exitCode = 0;
  const sz = await SevenZip({
    print: (s: string) => lines.push(s),
    printErr: (s: string) => lines.push(s),
    quit: (code: number) => {
      exitCode = code;
    },
  });
  const mounts = hostDirs.map((dir, i) => {
    const at = `/m${i}`;
    sz.FS.mkdir(at);
    sz.FS.mount(sz.NODEFS, { root: dir }, at);
    return at;
  });
  const argv = args(mounts);
  try {
    sz.callMain([...argv]); // callMain prepends the program name in place
  } catch (err) {
    // emscripten throws an ExitStatus for a non-zero exit(); `quit` saw the code.
    if (!(err && typeof err === 'object' && 'status' in err)) throw err;
    exitCode = (err as { status: number }).status || exitCode || 1;
  }
  const text = lines.join('\n');
  // The WASM build does not always surface 7-Zip's exit code, so its
  // error and warning banners count as failure too.
  const problem = /^(ERRORS?|WARNINGS?|Open (ERROR|WARNING)|Sub items Errors)\b|^(Headers Error|Data Error|CRC Failed|Unexpected end|There are data after)/m;
  if (exitCode !== 0 || problem.test(text)) {
    throw new Error(`7-Zip failed (exit ${exitCode}) on: 7z ${argv.join(' ')}\n${text}`);
  }
  return { lines };
}

function parseSlt(lines: string[]): { archive: Map<string, string>; entries: Array<Map<string, string>> } {
  const archive = new Map<string, string>();
  const entries: Array<Map<string, string>> = [];
  let i = lines.indexOf('--');
  if (i < 0) throw new Error(`unexpected 7-Zip listing:\n${lines.join('\n')}`);
  // Archive block: "Key = Value" lines; a multi-line value is wrapped in "{" ... "}".
  for (i++; i < lines.length && lines[i] !== '----------'; i++) {
    const m = /^(.+?) = ?(.*)$/.exec(lines[i]!);
    if (!m) continue;
    let value = m[2]!;
    if (value === '' && lines[i + 1] === '{') {
      const body: string[] = [];
      for (i += 2; i < lines.length && lines[i] !== '}'; i++) body.push(lines[i]!);
      value = body.join('\n');
    }
    archive.set(m[1]!, value);
  }
  let cur: Map<string, string> | undefined;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('Path = ')) {
      cur = new Map();
      entries.push(cur);
    }
    const m = /^(.+?) = ?(.*)$/.exec(line);
    if (m && cur) cur.set(m[1]!, m[2]!);
  }
  return { archive, entries };
}

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e: string) => {
    switch (e) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

/** Simple-text children of the first IMAGE element, with a small tag scanner (nested elements are skipped). */
export function imagePropertiesFromXml(xml: string, index = 1): Map<string, string> | undefined {
  const start = xml.search(new RegExp(`<IMAGE\\s+INDEX="${index}"\\s*>`));
  if (start < 0) return undefined;
  const props = new Map<string, string>();
  const tag = /<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>|([^<]+)/g;
  tag.lastIndex = start;
  let depth = 0;
  let open: string | undefined;
  let text = '';
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    if (m[4] !== undefined) {
      if (depth === 2) text += m[4];
      continue;
    }
    const [, closing, name, selfClosing] = m;
    if (selfClosing) {
      if (depth === 1) props.set(name!, '');
      continue;
    }
    if (!closing) {
      depth++;
      if (depth === 2) {
        open = name;
        text = '';
      } else if (depth === 3) {
        open = undefined; // has child elements: not a simple property
      }
    } else {
      if (depth === 2 && open === name) props.set(name!, unescapeXml(text));
      depth--;
      if (depth === 0) break;
    }
  }
  return props;
}

export async function readWim(wimPath: string): Promise<WimContents> {
  const abs = resolve(wimPath);
  const wimDir = dirname(abs);
  const wimName = basename(abs);

  const listing = await run7z([wimDir], ([w]) => ['l', '-slt', '-sccUTF-8', `${w}/${wimName}`]);
  const { archive, entries: raw } = parseSlt(listing.lines);
  if (archive.get('Type') !== 'wim') throw new Error(`7-Zip did not open ${wimPath} as a WIM (Type = ${archive.get('Type')})`);

  const entries: WimListEntry[] = raw.map((e) => ({
    path: e.get('Path')!,
    isDir: e.get('Folder') === '+',
    size: Number(e.get('Size') || 0),
    attributes: e.get('Attributes') ?? '',
    modified: e.get('Modified') ?? '',
  }));

  const out = mkdtempSync(join(tmpdir(), 'ppkg-wim-read-'));
  try {
    await run7z([wimDir, out], ([w, o]) => ['x', '-y', '-sccUTF-8', `-o${o}`, `${w}/${wimName}`]);
    const files = new Map<string, Buffer>();
    for (const e of entries) {
      if (e.isDir) continue;
      const content = readFileSync(join(out, ...e.path.split('/')));
      if (content.length !== e.size) throw new Error(`7-Zip extracted ${content.length} bytes for '${e.path}', listed ${e.size}`);
      files.set(e.path, content);
    }
    const dirs = entries
      .filter((e) => e.isDir)
      .map((e) => e.path)
      .sort();
    const xml = archive.get('Comment') || undefined;
    return { files, dirs, entries, xml, properties: xml ? imagePropertiesFromXml(xml) : undefined, archive };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A resource header as stored (docs/wim-container.md §Byte layout). */
export interface Reshdr {
  size: number;
  flags: number;
  offset: number;
  original: number;
}

export const RESHDR_METADATA = 0x02;
export const RESHDR_COMPRESSED = 0x04;

export function parseReshdr(b: Buffer, at: number): Reshdr {
  return {
    size: b.readUIntLE(at, 6) + b[at + 6]! * 2 ** 48,
    flags: b[at + 7]!,
    offset: Number(b.readBigUInt64LE(at + 8)),
    original: Number(b.readBigUInt64LE(at + 16)),
  };
}

/** What the decoder saw, so tests can prove an encoding branch was taken. */
export interface XpressDecodeStats {
  maxOffset: number;
  lengths: Set<number>;
}

/**
 * One XPRESS block, decoded as the pseudo-code of [MS-XCA] §2.2.4 does it:
 * the 256-byte length table, then symbols until `outputSize` bytes are out,
 * loading each 16-bit word exactly when the specification does. Asserts
 * that the code is complete and that the end-of-data symbol follows the data.
 */
export function xpressDecompress(input: Buffer, outputSize: number, stats?: XpressDecodeStats): Buffer {
  assert.ok(input.length >= 256 + 4, 'room for the table and the first two words');
  const lens = new Uint8Array(512);
  for (let i = 0; i < 256; i++) {
    lens[2 * i] = input[i]! & 0xf;
    lens[2 * i + 1] = input[i]! >> 4;
  }
  // Decoding table indexed by the next 15 bits, filled length by length, symbol by symbol.
  const table = new Int32Array(1 << 15).fill(-1);
  let at = 0;
  for (let len = 1; len <= 15; len++) {
    for (let sym = 0; sym < 512; sym++) {
      if (lens[sym] !== len) continue;
      const span = 1 << (15 - len);
      assert.ok(at + span <= table.length, 'code is over-subscribed');
      table.fill(sym, at, at + span);
      at += span;
    }
  }
  assert.equal(at, 1 << 15, 'code is complete');

  const read16 = (p: number): number => {
    assert.ok(p + 2 <= input.length, `read past the end at ${p}`);
    return input.readUInt16LE(p);
  };
  const out = Buffer.alloc(outputSize);
  let outPos = 0;
  let cur = 256;
  // NextBits: a 32-bit window, `extra` bits beyond the 16 the next symbol may need.
  let next = ((read16(cur) << 16) | read16(cur + 2)) >>> 0;
  cur += 4;
  let extra = 16;
  const consume = (n: number): void => {
    next = (next << n) >>> 0;
    extra -= n;
    if (extra < 0) {
      next = (next | (read16(cur) << -extra)) >>> 0;
      extra += 16;
      cur += 2;
    }
  };
  for (;;) {
    const sym = table[next >>> 17]!;
    consume(lens[sym]!);
    if (outPos === outputSize) {
      assert.equal(sym, 256, 'end-of-data symbol after the data');
      return out;
    }
    if (sym < 256) {
      out[outPos++] = sym;
      continue;
    }
    let length = (sym - 256) & 15;
    const offsetBits = (sym - 256) >> 4;
    if (length === 15) {
      assert.ok(cur < input.length, 'length byte past the end');
      length = input[cur++]!;
      if (length === 255) {
        length = read16(cur);
        cur += 2;
        assert.ok(length !== 0, 'no 32-bit lengths in a block this size');
        assert.ok(length >= 15, 'extended length below 15');
        length -= 15;
      }
      length += 15;
    }
    length += 3;
    const offset = (offsetBits ? next >>> (32 - offsetBits) : 0) + (1 << offsetBits);
    consume(offsetBits);
    if (stats) {
      stats.maxOffset = Math.max(stats.maxOffset, offset);
      stats.lengths.add(length);
    }
    assert.ok(offset <= outPos, `offset ${offset} before the start at ${outPos}`);
    assert.ok(outPos + length <= outputSize, 'match runs past the end');
    for (let i = 0; i < length; i++, outPos++) out[outPos] = out[outPos - offset]!;
  }
}

/** Per-chunk view of a compressed resource: stored sizes, and which chunks are raw. */
export interface ResourceChunks {
  data: Buffer;
  storedSizes: number[];
  rawChunks: number;
}

/**
 * The uncompressed bytes of a resource: raw, or chunk table (u32 entries,
 * offsets from the table's end) and XPRESS chunks, a chunk whose stored
 * size equals its original size being raw (wimlib `src/resource.c`).
 */
export function readResource(wim: Buffer, r: Reshdr, chunkSize = 32768): ResourceChunks {
  assert.ok(r.offset + r.size <= wim.length, 'resource inside the file');
  const stored = wim.subarray(r.offset, r.offset + r.size);
  if (!(r.flags & RESHDR_COMPRESSED)) {
    assert.equal(r.size, r.original, 'a raw resource is stored at its original size');
    return { data: Buffer.from(stored), storedSizes: [], rawChunks: 0 };
  }
  assert.ok(r.original < 2 ** 32, 'u32 chunk entries');
  const count = Math.ceil(r.original / chunkSize);
  const tableBytes = 4 * (count - 1);
  const starts = [0];
  for (let i = 0; i + 1 < count; i++) starts.push(stored.readUInt32LE(4 * i));
  starts.push(r.size - tableBytes);
  const parts: Buffer[] = [];
  const storedSizes: number[] = [];
  let rawChunks = 0;
  for (let i = 0; i < count; i++) {
    const want = i + 1 < count ? chunkSize : r.original - chunkSize * (count - 1);
    const chunk = stored.subarray(tableBytes + starts[i]!, tableBytes + starts[i + 1]!);
    assert.ok(chunk.length > 0 && chunk.length <= want, `chunk ${i}: stored ${chunk.length} bytes for ${want}`);
    storedSizes.push(chunk.length);
    if (chunk.length === want) {
      rawChunks++;
      parts.push(Buffer.from(chunk));
    } else {
      parts.push(xpressDecompress(chunk, want));
    }
  }
  return { data: Buffer.concat(parts), storedSizes, rawChunks };
}

/** Render a self-relative security descriptor ([MS-DTYP] §2.4.6) in SDDL, for the few SIDs and flags used here. */
export function describeSecurityDescriptor(sd: Buffer): { control: number; text: string } {
  const sidAt = (at: number): string => {
    const count = sd[at + 1]!;
    const parts = [`S-${sd[at]}-${sd.readUIntBE(at + 2, 6)}`];
    for (let i = 0; i < count; i++) parts.push(String(sd.readUInt32LE(at + 8 + 4 * i)));
    const s = parts.join('-');
    return s === 'S-1-5-18' ? 'SY' : s === 'S-1-5-32-544' ? 'BA' : s;
  };
  assert.equal(sd[0], 1, 'SD revision');
  const control = sd.readUInt16LE(2);
  const [owner, group, sacl, dacl] = [4, 8, 12, 16].map((o) => sd.readUInt32LE(o));
  assert.equal(sacl, 0, 'no SACL');
  let text = `O:${sidAt(owner!)}G:${sidAt(group!)}D:`;
  assert.equal(sd[dacl!], 2, 'ACL revision');
  const aceCount = sd.readUInt16LE(dacl! + 4);
  let at = dacl! + 8;
  for (let i = 0; i < aceCount; i++) {
    assert.equal(sd[at], 0, 'ACCESS_ALLOWED');
    const flags = sd[at + 1]!;
    const size = sd.readUInt16LE(at + 2);
    const mask = sd.readUInt32LE(at + 4);
    const f = (flags & 1 ? 'OI' : '') + (flags & 2 ? 'CI' : '') + (flags & 0x10 ? 'ID' : '');
    assert.equal(flags & ~0x13, 0, 'only OI, CI, ID');
    text += `(A;${f};${mask === 0x1f01ff ? 'FA' : mask.toString(16)};;;${sidAt(at + 8)})`;
    at += size;
  }
  assert.equal(at, dacl! + sd.readUInt16LE(dacl! + 2), 'ACEs fill the ACL exactly');
  assert.equal(Math.max(at, owner! + 8 + 4 * sd[owner! + 1]!, group! + 8 + 4 * sd[group! + 1]!), sd.length, 'nothing after the last part');
  return { control, text };
}
