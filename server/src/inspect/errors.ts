/**
 * Why a package cannot be read, in an admin's words. The WIM reader's
 * codes (package/wim/read/errors.ts) and the XML problems of the package's
 * own files become one sentence naming the package; file-system errors are
 * left to the caller (describeFileError).
 */
import { PpkgError } from '../errors';
import { isWimReadError } from '../package/wim/read';
import { PackageXmlError } from './provxml';

export function packageProblem(err: unknown, shown: string): string | undefined {
  if (err instanceof PackageXmlError) return `${shown} cannot be read: ${err.message}.`;
  if (!isWimReadError(err)) return undefined;
  const detail = err.message;
  switch (err.code) {
    case 'not-a-wim':
      return `${shown} is not a provisioning package: it is not a WIM image (an encrypted package, WCD's "Encrypt package", cannot be read without ICD).`;
    case 'truncated':
      return `${shown} is cut short: it is damaged, or was not copied completely (${detail}).`;
    case 'corrupt':
      return `${shown} is damaged (${detail}).`;
    case 'unsupported':
      return `${shown} uses a WIM feature provisioning packages never use, so it was not read (${detail}).`;
    case 'limit':
      return `${shown} is larger or deeper than any provisioning package, so it was not read (${detail}).`;
    case 'unsafe-name':
      return `${shown} holds a file name that is unsafe to extract, so it was not read (${detail}).`;
    case 'hash-mismatch':
      return `${shown} is damaged: a file does not match its checksum (${detail}).`;
    default:
      return `${shown} cannot be read (${detail}).`;
  }
}

/** The first bytes of a WIM: `MSWIM\0\0\0`. */
export const WIM_MAGIC = Buffer.from('MSWIM\0\0\0', 'latin1');

/** A package the reader refused (WimReadError, PackageXmlError), in the admin's words (category `tool`); undefined for anything else. */
export function unreadablePackage(err: unknown, shown: string): PpkgError | undefined {
  const problem = packageProblem(err, shown);
  return problem === undefined ? undefined : new PpkgError('tool', problem, { code: (err as PpkgError).code, cause: err });
}
