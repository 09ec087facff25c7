/**
 * Ordinary file problems in the admin's words: which file, what went wrong,
 * what to do. Never the raw code (ENOENT, EACCES…), the system's message or
 * a temporary file's name: callers name the file the admin knows.
 */

export type FileAction = 'read' | 'write' | 'create' | 'replace';

const VERB: Record<FileAction, string> = { read: 'read', write: 'write', create: 'create', replace: 'replace' };

/** The error's system code (ENOENT, …), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** True for the errors of an ordinary file operation (as opposed to a bug). */
export function isFileSystemError(err: unknown): boolean {
  return errnoCode(err) !== undefined && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * One sentence, starting with a capital: `what` is the file as the admin
 * knows it, e.g. `the output folder ppkg-out/cts` or `the installer "apps/setup.exe"`.
 */
export function describeFileError(err: unknown, what: string, action: FileAction): string {
  const code = errnoCode(err);
  const verb = VERB[action];
  switch (code) {
    case 'ENOENT':
      return action === 'read'
        ? `${cap(what)} does not exist. Check the path, or create it first.`
        : `Cannot ${verb} ${what}: a folder on its path does not exist. Check the path.`;
    case 'EACCES':
    case 'EPERM':
      return `You have no permission to ${verb} ${what}. Check the permissions of the file and its folder, or choose a folder you can write to.`;
    case 'EEXIST':
      return `Cannot ${verb} ${what}: something with that name is already there. Remove or rename it, or choose another name.`;
    case 'ENOTDIR':
      return `Cannot ${verb} ${what}: a part of its path is a file, not a folder. Check the path.`;
    case 'EISDIR':
      return `Cannot ${verb} ${what}: it is a folder, not a file. Name a file.`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `The disk is full: cannot ${verb} ${what}. Free some space and try again.`;
    case 'EROFS':
      return `Cannot ${verb} ${what}: the disk is read-only. Choose a folder on a writable disk.`;
    case 'EBUSY':
    case 'ETXTBSY':
      return `Cannot ${verb} ${what}: another program has it open (an antivirus scan, Explorer's preview, an editor). Close it and try again.`;
    case 'EMFILE':
    case 'ENFILE':
      return `Cannot ${verb} ${what}: too many files are open on this machine. Close some programs and try again.`;
    case 'ELOOP':
      return `Cannot ${verb} ${what}: its path has a symbolic link that points back to itself.`;
    case 'ENAMETOOLONG':
      return `Cannot ${verb} ${what}: its path is too long. Use a shorter folder path.`;
    case 'EIO':
      return `The disk reported an error while trying to ${verb} ${what}. Check the disk, then try again.`;
    case 'EXDEV':
      return `Cannot ${verb} ${what} across disks. Keep the output on one disk.`;
    default:
      return `Cannot ${verb} ${what}${code ? ` (system error ${code})` : ''}. Check the file and try again.`;
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The reason alone, as a short clause ("no permission to read it"), for messages that name the file themselves. */
export function fileProblemReason(err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'no permission';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of its path is a file, not a folder';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EBUSY':
    case 'ETXTBSY':
      return 'another program has it open';
    case 'ELOOP':
      return 'a symbolic link loop';
    case 'EIO':
      return 'the disk reported an error';
    default:
      return 'the system refused';
  }
}
