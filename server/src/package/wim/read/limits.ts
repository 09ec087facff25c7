/**
 * Bounds on what one package may make the reader allocate or walk. Every
 * number in a WIM comes from the file, so each structure the reader builds
 * is capped before it is built; exceeding a cap is a `limit` error naming
 * it. The defaults are far above any provisioning package (ICD's have tens
 * of files, a metadata resource of a few KiB) and far below what would hurt
 * the editor's language server, which shares a process with them.
 */
import { WimReadError } from './errors';

export interface WimReadLimits {
  /** Uncompressed size of the metadata resource (security data + directory tree), read whole. */
  maxMetadataBytes: number;
  /** Uncompressed size of the image XML, read whole. */
  maxXmlBytes: number;
  /** Files, directories and alternate data streams together. */
  maxEntries: number;
  /** Directory nesting below the root. */
  maxDepth: number;
  /** One file or stream name, in UTF-16 code units (NTFS's own limit). */
  maxNameLength: number;
  /** A whole path inside the image, in UTF-16 code units. */
  maxPathLength: number;
  /** Entries of the blob table (each becomes an object in memory). */
  maxBlobs: number;
  /** Security descriptors in the metadata resource. */
  maxSecurityDescriptors: number;
  /** Default cap of `readFile` (which returns one Buffer); `streamFile` has none. */
  maxFileBytes: number;
}

export const DEFAULT_WIM_READ_LIMITS: Readonly<WimReadLimits> = Object.freeze({
  maxMetadataBytes: 64 * 1024 * 1024,
  maxXmlBytes: 16 * 1024 * 1024,
  maxEntries: 100_000,
  maxDepth: 64,
  maxNameLength: 255,
  maxPathLength: 1024,
  maxBlobs: 100_000,
  maxSecurityDescriptors: 10_000,
  maxFileBytes: 1024 * 1024 * 1024,
});

export function resolveLimits(overrides: Partial<WimReadLimits> = {}): WimReadLimits {
  const limits = { ...DEFAULT_WIM_READ_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof WimReadLimits, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_WIM_READ_LIMITS)) throw new TypeError(`unknown WIM read limit '${key}'`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`WIM read limit '${key}' must be a non-negative integer`);
    }
    limits[key] = value;
  }
  return limits;
}

export function limitError(what: string, limitName: keyof WimReadLimits, limit: number): WimReadError {
  return new WimReadError('limit', `${what} exceeds the reader's limit ${limitName} = ${limit}`);
}
