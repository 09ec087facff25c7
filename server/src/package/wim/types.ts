/** Public types of the WIM writer (re-exported by `index.ts`). */
import type { PackageEntry } from '../../compile/types';
import type { WimHeaderCompression } from './header';

/** A file of the image: the compiler's package entry (the container serves the compiler, not the reverse). */
export type WimFileEntry = PackageEntry;

export interface WimImageOptions {
  /**
   * Image properties written into the XML data before the statistics, in
   * this order. ICD's are NAME, DESCRIPTION, NOTES, AUTHOR, VERSION,
   * ALTITUDE, RESETCLEAR, PACKAGEID (docs/wim-container.md §Image XML). An empty
   * value is written `<AUTHOR></AUTHOR>`.
   */
  properties: Array<[string, string]>;
  /** Properties written after LASTMODIFICATIONTIME, in this order; ICD's is WIMBOOT. */
  trailingProperties?: Array<[string, string]>;
  /** Every timestamp in the image (creation/modification/access, XML times). Deterministic builds pass a date derived from the project. */
  timestamp: Date;
  /** The 16-byte WIM GUID; deterministic builds derive it from the project. */
  guid: Buffer;
  signal?: AbortSignal;
  /** Progress callback in bytes of file data read (before compression). */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /**
   * Default 'xpress', as ICD: XPRESS-compressed metadata, file resources
   * compressed when that makes them smaller. 'none' writes every resource
   * raw under an uncompressed header, for the Windows acceptance matrix
   * (docs/wim-container.md §Not verified on Windows).
   */
  headerCompression?: WimHeaderCompression;
}
