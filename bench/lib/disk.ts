/**
 * Between runs that write hundreds of MB: the previous run's output is
 * removed and the file system's dirty pages are written out (`sync`),
 * outside the timed part. Without it, whichever program runs next pays for
 * the writeback of the one before, which measured up to 0.4 s on this
 * machine's virtual disk and landed on ppkg, wimlib or 7-Zip by turn.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export function cleanAndSettle(...paths: string[]): void {
  for (const p of paths) fs.rmSync(p, { recursive: true, force: true });
  spawnSync('sync', { stdio: 'ignore' });
}
