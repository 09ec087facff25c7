/**
 * Reads a WIM (a .ppkg) back with 7-Zip compiled to WASM (`7z-wasm`): an
 * independent parser, so tests do not check our writer with our own reader.
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
    const dirs = entries.filter((e) => e.isDir).map((e) => e.path).sort();
    const xml = archive.get('Comment') || undefined;
    return { files, dirs, entries, xml, properties: xml ? imagePropertiesFromXml(xml) : undefined, archive };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
