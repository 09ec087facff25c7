/** Public types of the WIM reader (re-exported by `index.ts`). */

/** A named (alternate) data stream of a file or directory, e.g. `Zone.Identifier`. */
export interface WimStream {
  name: string;
  /** Uncompressed bytes. */
  size: number;
  /** SHA-1 of the content, lower-case hex; undefined for an empty stream. */
  sha1: string | undefined;
}

export interface WimEntry {
  /** Path inside the image: '/' separators, no leading '/'. '' for the root. */
  path: string;
  /** Last path component ('' for the root). */
  name: string;
  isDirectory: boolean;
  /** FILE_ATTRIBUTE_* bits as stored (0x10 directory, 0x20 archive, 0x80 normal, …). */
  attributes: number;
  /** Index into `securityDescriptors`, or −1 for none. */
  securityId: number;
  /** Bytes of the unnamed data stream; 0 for directories and empty files. */
  size: number;
  /** SHA-1 of the unnamed data stream, lower-case hex; undefined for directories and empty files. */
  sha1: string | undefined;
  /** Windows FILETIMEs: 100 ns ticks since 1601-01-01 UTC (`fileTimeToDate` converts). */
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  /** DOS 8.3 name, when the package has one (ICD's often do; they carry no meaning). */
  shortName?: string;
  /** Named data streams, in stored order, when there are any. */
  streams?: WimStream[];
  /** Non-zero when the file is one of several hard links to the same data. */
  hardLinkGroupId?: bigint;
}

/** A FILETIME as a Date (millisecond precision). */
export function fileTimeToDate(ft: bigint): Date {
  return new Date(Number(ft / 10_000n) - 11_644_473_600_000);
}
