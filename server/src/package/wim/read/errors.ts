/**
 * The one error type the WIM reader throws for anything wrong with the
 * package itself (category `tool`: a package that cannot be read). `code` is
 * stable, for callers (inspect words it for the admin); `message` is for
 * people and names the offending part. Errors of the file system (ENOENT,
 * EACCES) are passed through unchanged.
 */
import { PpkgError } from '../../../errors';

export type WimReadErrorCode =
  /** The magic is wrong: not a WIM at all (or an encrypted/signed package). */
  | 'not-a-wim'
  /** Something points past the end of the file. */
  | 'truncated'
  /** Internally inconsistent: bad sizes, bad compressed data, bad tree. */
  | 'corrupt'
  /** A valid WIM using a feature a provisioning package never has (LZX, LZMS, solid, split, several images). */
  | 'unsupported'
  /** Over one of the reader's limits (`WimReadLimits`). */
  | 'limit'
  /** A file name that is unsafe to extract (`..`, separators, drive letters, control characters, invalid UTF-16). */
  | 'unsafe-name'
  /** Data whose SHA-1 is not the one the package records. */
  | 'hash-mismatch';

export class WimReadError extends PpkgError {
  override readonly name = 'WimReadError';
  declare readonly code: WimReadErrorCode;
  constructor(code: WimReadErrorCode, message: string) {
    super('tool', message, { code });
  }
}

export function isWimReadError(err: unknown): err is WimReadError {
  return err instanceof WimReadError;
}
