/**
 * Build stage: the ICD backend. ICD writes `<name>.ppkg` and `<name>.cat`
 * into a private temporary folder inside the output folder; both are then
 * renamed into place. ICD's output goes to icd.log (atomically).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile, commitTemp, TEMP_PREFIX } from '../../fs/atomicWrite';
import { icdArguments, locateIcd, queryKitsRoot, runIcd } from '../icd';
import { StageError } from './secrets';

export async function buildWithIcd(o: {
  icdPath?: string;
  signal?: AbortSignal;
  outDir: string;
  customizationsPath: string;
  packagePath: string;
  icdLogPath: string;
  encrypt: boolean;
  progress: (m: string, f?: number) => void;
}): Promise<void> {
  let location;
  try {
    location = await locateIcd({ configured: o.icdPath, exists: existsSync, queryKitsRoot });
  } catch (err) {
    throw new StageError((err as Error).message, [], 'tool');
  }
  const tmpDir = path.join(o.outDir, `${TEMP_PREFIX}${process.pid}-icd-${Date.now().toString(36)}`);
  await fs.mkdir(tmpDir, { mode: 0o700 });
  try {
    const tmpPackage = path.join(tmpDir, path.basename(o.packagePath));
    const args = icdArguments({ customizationsPath: o.customizationsPath, packagePath: tmpPackage, storeFile: location.storeFile, encrypt: o.encrypt });
    o.progress(`Running ICD (${location.icdPath})`, 0.3);
    const { code, log } = await runIcd(location.icdPath, args, o.signal);
    await atomicWriteFile(o.icdLogPath, log);
    if (code !== 0 || !existsSync(tmpPackage)) {
      throw new StageError(`ICD failed (exit code ${code}); its output is in ${o.icdLogPath}. The previous package is unchanged.`, [], 'tool');
    }
    await commitTemp(tmpPackage, o.packagePath);
    const cat = tmpPackage.replace(/\.ppkg$/i, '.cat');
    if (existsSync(cat)) await commitTemp(cat, o.packagePath.replace(/\.ppkg$/i, '.cat'));
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
