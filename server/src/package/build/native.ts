/**
 * Build stage: the native backend. The WIM is written to a private temporary
 * file next to the package, checked (selfCheckPackage), then renamed over
 * the package: a reader never sees a partial package, and a build killed at
 * any point leaves the previous one.
 */
import { promises as fs } from 'node:fs';
import type { CompileResult } from '../../compile';
import { commitTemp, createPrivateFile, tempPathFor } from '../../fs/atomicWrite';
import { writeWim } from '../wim';
import { selfCheckPackage } from './selfCheck';

export async function writeNativePackage(o: {
  packagePath: string;
  compiled: CompileResult;
  signal?: AbortSignal;
  progress: (message: string, fraction?: number) => void;
}): Promise<void> {
  const { compiled, packagePath, progress } = o;
  const tmp = tempPathFor(packagePath);
  try {
    await createPrivateFile(tmp);
    await writeWim(tmp, compiled.entries, {
      properties: compiled.imageProperties,
      trailingProperties: compiled.trailingImageProperties,
      timestamp: compiled.timestamp,
      guid: compiled.guid,
      signal: o.signal,
      onProgress: (done, total) => progress('Writing the package', 0.25 + 0.7 * (total ? done / total : 1)),
    });
    progress('Checking the package', 0.95);
    await selfCheckPackage({ tempPath: tmp, packagePath, compiled, signal: o.signal });
    progress('Finishing the package', 0.96);
    await commitTemp(tmp, packagePath);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
