/** Public types of the WIM writer (re-exported by `index.ts`). */
import type { WimHeaderCompression } from './header';

export interface WimFileEntry {
  /** Path inside the image, forward slashes, no leading slash: 'Multivariant/0/Prov/RunTime.xml' */
  path: string;
  /** Either in-memory bytes (small XML) or a file on disk, which must be streamed, never read whole. */
  source: { kind: 'buffer'; data: Buffer } | { kind: 'file'; path: string };
}

export interface WimImageOptions {
  /** Image properties written into the XML data, e.g. NAME, DESCRIPTION, and the ppkg extras PACKAGEID, VERSION, ALTITUDE, RESETCLEAR, NOTES (see ppkg-format.md §6). Order preserved. */
  properties: Array<[string, string]>;
  /** Every timestamp in the image (creation/modification/access, XML times). Deterministic builds pass a date derived from the project. */
  timestamp: Date;
  /** The 16-byte WIM GUID; deterministic builds derive it from the project. */
  guid: Buffer;
  signal?: AbortSignal;
  /** Progress callback in bytes of file data written. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /**
   * How the header advertises compression; resources are stored uncompressed
   * either way. Default 'xpress' (the ICD-like header, ppkg-format.md §8.9).
   * 'none' exists for the Windows acceptance matrix (§12 #1 variant b).
   */
  headerCompression?: WimHeaderCompression;
}
