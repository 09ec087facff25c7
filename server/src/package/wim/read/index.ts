/**
 * Pure TypeScript WIM reader: reads a `.ppkg` (a single-image WIM) back for
 * `ppkg inspect`, `ppkg import`, `ppkg diff` and the native build's own
 * check of what it wrote. API and limits: docs/wim-reader.md.
 *
 *   const wim = await openWim('package.ppkg');
 *   try {
 *     for (const e of wim.entries) if (!e.isDirectory) await wim.readFile(e);
 *   } finally {
 *     await wim.close();
 *   }
 */
export { openWim, openWimBuffer, type WimArchive } from './archive';
export { WimReadError, isWimReadError, type WimReadErrorCode } from './errors';
export { DEFAULT_WIM_READ_LIMITS, type WimReadLimits } from './limits';
export type { WimCompression, WimHeaderInfo, WimResourceHeader } from './header';
export { fileTimeToDate, type WimEntry, type WimStream } from './types';
