/**
 * The security data at the start of a metadata resource (wimlib
 * `src/security.c`): total_length u32, num_entries u32, num_entries u64
 * sizes, then the self-relative security descriptors back to back, padded
 * to 8. The directory tree starts at the padded total_length. ICD packages
 * carry 2-3 descriptors (docs/wim-container.md §Where we deliberately differ from ICD).
 */
import { align8, readU64 } from './bytes';
import { WimReadError } from './errors';
import { limitError, type WimReadLimits } from './limits';

export interface SecurityData {
  descriptors: Buffer[];
  /** Offset of the root dentry. */
  end: number;
}

export function parseSecurityData(meta: Buffer, limits: WimReadLimits): SecurityData {
  if (meta.length < 8) throw new WimReadError('corrupt', `WIM metadata resource of ${meta.length} bytes cannot hold its security data`);
  // A stored total_length of 0 means "no descriptors" (8 bytes), as wimlib reads it.
  const totalLength = align8(meta.readUInt32LE(0)) || 8;
  const count = meta.readUInt32LE(4);
  if (totalLength > meta.length) {
    throw new WimReadError('corrupt', `WIM security data claims ${totalLength} bytes but the metadata resource has ${meta.length}`);
  }
  if (8 + count * 8 > totalLength) {
    throw new WimReadError('corrupt', `WIM security data lists ${count} descriptors, more than its ${totalLength} bytes can hold`);
  }
  if (count > limits.maxSecurityDescriptors)
    throw limitError(`WIM security data with ${count} descriptors`, 'maxSecurityDescriptors', limits.maxSecurityDescriptors);
  const descriptors: Buffer[] = [];
  let at = 8 + count * 8;
  for (let i = 0; i < count; i++) {
    const size = readU64(meta, 8 + i * 8);
    if (size > totalLength - at) {
      throw new WimReadError('corrupt', `WIM security descriptor ${i} (${size} bytes) runs past the security data`);
    }
    // Copied: the metadata buffer (up to maxMetadataBytes) is dropped once parsed.
    descriptors.push(Buffer.from(meta.subarray(at, at + size)));
    at += size;
  }
  return { descriptors, end: totalLength };
}
