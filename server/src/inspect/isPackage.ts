import { promises as fs } from 'node:fs';
import { WIM_MAGIC } from './errors';

/** The file's first bytes are a WIM's (a .ppkg), whatever its extension. */
export async function isPackageFile(file: string): Promise<boolean> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(WIM_MAGIC.length);
    const { bytesRead } = await h.read(buf, 0, buf.length, 0);
    return bytesRead === buf.length && buf.equals(WIM_MAGIC);
  } finally {
    await h.close();
  }
}
