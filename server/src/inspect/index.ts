/**
 * Reading packages back: `inspectPackage(path)` opens a .ppkg with the WIM
 * reader and returns the inspect model (model.ts, docs/inspect.md);
 * `renderInspectText` prints it. `ppkg inspect`, `ppkg textconv`,
 * `ppkg diff`, `ppkg import` of a package and the VS Code package view all
 * go through here.
 */
import { openWim } from '../package/wim/read';
import { inspectPackageFiles, type InspectOptions, type InspectResult } from './inspect';
import { wimFiles } from './source';

export { inspectPackageFiles, settingName, CUSTOMIZATIONS_XML, type InspectOptions, type InspectResult } from './inspect';
export { renderInspectText, settingLine } from './text';
export { packageProblem, unreadablePackage, WIM_MAGIC } from './errors';
export { isPackageFile } from './isPackage';
export { compiledFiles, hashFile, wimFiles, type FileDigest, type PackageFiles } from './source';
export { MASK, fingerprint, type SecretPolicy } from './secrets';
export type * from './model';

export async function inspectPackage(path: string, options: InspectOptions = {}): Promise<InspectResult> {
  const wim = await openWim(path);
  try {
    return await inspectPackageFiles(wimFiles(wim), options);
  } finally {
    await wim.close();
  }
}
