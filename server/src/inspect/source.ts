/**
 * What the inspector reads: the files of a package, wherever they are — an
 * opened WIM (a .ppkg) or the entries the compiler made from a project
 * (`ppkg diff` of a project). Small files (XML) are read whole; shipped
 * files are only hashed, by streaming.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CompileResult } from '../compile';
import type { WimArchive, WimEntry } from '../package/wim/read';
import { recordedSha256 } from './assetHash';

/** Largest XML file of a package read whole (provxml, RunTime.xml, DataAsset.xml, customizations.xml). */
export const MAX_PACKAGE_XML_BYTES = 8 * 1024 * 1024;

/** All the XML of one package read whole, together (real packages: well under 1 MiB). */
export const MAX_PACKAGE_XML_TOTAL = 64 * 1024 * 1024;

/** The package's XML files add up to more than any provisioning package has. */
export class PackageTooLarge extends Error {}

export interface FileDigest {
  size: number;
  sha256: string;
}

export interface PackageFiles {
  /** Every file path in the package ('/' separators). */
  readonly paths: readonly string[];
  size(path: string): number;
  /** The whole content of a small file; refuses one larger than MAX_PACKAGE_XML_BYTES. */
  read(path: string): Promise<Buffer>;
  /** Size and SHA-256 of a file, by streaming; files asked for together are read in parallel. */
  digest(path: string): Promise<FileDigest>;
  /** The WIM image properties (NAME, PACKAGEID, …) in stored order. */
  readonly properties: [string, string][];
}

/** The files of an opened package. `digests` may hold hashes already asked for (an import extracts and hashes at once). */
export function wimFiles(wim: WimArchive, digests?: ReadonlyMap<string, Promise<FileDigest>>): PackageFiles {
  const files = new Map<string, WimEntry>();
  for (const e of wim.entries) if (!e.isDirectory) files.set(e.path, e);
  const entry = (p: string) => {
    const e = files.get(p);
    if (!e) throw new Error(`internal: no file ${p} in the package`);
    return e;
  };
  // Many entries may share one blob (the WIM stores equal content once): each blob is
  // decompressed at most once, and the XML read in all is capped, so a package built to
  // point thousands of entries at one large blob costs no more than the blob.
  const bySha1 = new Map<string, Promise<FileDigest>>();
  const readBySha1 = new Map<string, Buffer>();
  let xmlBytes = 0;
  return {
    paths: [...files.keys()],
    size: (p) => entry(p).size,
    async read(p) {
      const e = entry(p);
      const hit = e.sha1 ? readBySha1.get(e.sha1) : undefined;
      if (hit) return hit;
      if (xmlBytes + e.size > MAX_PACKAGE_XML_TOTAL)
        throw new PackageTooLarge(`${p} would take the package's XML past ${MAX_PACKAGE_XML_TOTAL / 1024 / 1024} MiB in all`);
      const data = await wim.readFile(e, { maxBytes: MAX_PACKAGE_XML_BYTES });
      xmlBytes += data.length;
      if (e.sha1) readBySha1.set(e.sha1, data);
      return data;
    },
    digest(p) {
      const e = entry(p);
      const known = digests?.get(p);
      if (known) return known;
      // Asked together, large files are read side by side on worker threads.
      let d = e.sha1 ? bySha1.get(e.sha1) : undefined;
      if (!d) {
        // The SHA-256 ICD records in the folder name is checked instead of the WIM's SHA-1 when it matches.
        d = wim.digestFile(e, { knownSha256: recordedSha256(p) });
        if (e.sha1) bySha1.set(e.sha1, d);
      }
      return d;
    },
    properties: wim.imageProperties,
  };
}

/** The files the compiler made from a project: generated buffers and the project's own files (hashed by the caller). */
export function compiledFiles(compiled: CompileResult): PackageFiles {
  const byPath = new Map(compiled.entries.map((e) => [e.path, e]));
  const inputByPath = new Map<string, FileDigest>();
  for (const f of compiled.inputs.values()) if (f.path) inputByPath.set(f.path, { size: f.size, sha256: f.sha256.toString('hex') });
  const entry = (p: string) => {
    const e = byPath.get(p);
    if (!e) throw new Error(`internal: no file ${p} in the compiled package`);
    return e;
  };
  return {
    paths: [...byPath.keys()],
    size(p) {
      const e = entry(p);
      return e.source.kind === 'buffer' ? e.source.data.length : (inputByPath.get(e.source.path)?.size ?? 0);
    },
    async read(p) {
      const e = entry(p);
      if (e.source.kind === 'buffer') return e.source.data;
      throw new Error(`internal: ${p} is a project file, not generated XML`);
    },
    async digest(p) {
      const e = entry(p);
      if (e.source.kind === 'buffer') return { size: e.source.data.length, sha256: createHash('sha256').update(e.source.data).digest('hex') };
      const known = inputByPath.get(e.source.path);
      if (known) return known;
      return hashFile(e.source.path);
    },
    properties: [...compiled.imageProperties, ...compiled.trailingImageProperties],
  };
}

export async function hashFile(p: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of createReadStream(p, { highWaterMark: 1 << 20 })) {
    hash.update(piece as Buffer);
    size += (piece as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}
