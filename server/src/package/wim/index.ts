/**
 * Pure TypeScript WIM writer: the container of a `.ppkg` (docs/wim-container.md).
 *
 *   await writeWim(tmpPath, entries, { properties, timestamp, guid });
 *
 * Write to a temporary path and rename: on failure or abort the partial file
 * is left as is.
 */
export { writeWim } from './writer';
export type { WimFileEntry, WimImageOptions } from './types';
export type { WimHeaderCompression } from './header';
