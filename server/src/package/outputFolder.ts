/**
 * The build writes only into a folder it owns: one it created (and marked),
 * or one that already holds its marker file. An existing folder with other
 * files (a repository root, a WCD project folder with its own
 * customizations.xml) is refused, never written into: `ppkg build --out .`
 * must not replace a repository's .gitignore.
 *
 * Ownership is shown by `.ppkg-output` (MARKER_FILE) in the folder. Folders
 * written by earlier ppkg versions (no marker, but ppkg's own .gitignore and
 * nothing but ppkg's outputs) are adopted. An empty folder is adopted too.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PpkgError } from '../errors';
import { atomicWriteFile, TEMP_PREFIX } from '../fs/atomicWrite';
import { describeFileError, errnoCode } from './build/fileErrors';

export const MARKER_FILE = '.ppkg-output';
const MARKER_TEXT =
  'This folder is written by `ppkg build`; it holds the built package, which carries the bulk token and passwords.\n' +
  'ppkg replaces its own files here on every build and writes nowhere else. Delete the folder when you are done.\n';
/** The first line of the .gitignore ppkg writes; how folders of earlier versions are recognised. */
export const GITIGNORE_HEADER = '# Written by ppkg build: these files hold the bulk token and passwords. Never commit them.';
export const GITIGNORE_TEXT = `${GITIGNORE_HEADER}\n*\n`;

/** Names a ppkg build writes (besides the package itself, `*.ppkg`, and ICD's `*.cat`). */
const OWN_NAMES = new Set(['.gitignore', 'customizations.xml', 'build-report.json', 'icd.log', MARKER_FILE]);

export type OutputFolderState =
  /** Does not exist: the build creates it (and its missing parents). */
  | { kind: 'absent' }
  /** Exists and is ppkg's (marker, or an earlier ppkg's folder, or empty). */
  | { kind: 'owned'; marked: boolean };

/** The build may not write into the output folder (not ppkg's, not a folder, not writable). */
export class OutputFolderError extends PpkgError {
  constructor(message: string) {
    super('io', message);
    this.name = 'OutputFolderError';
  }
}

function isOwnName(name: string): boolean {
  return OWN_NAMES.has(name) || name.startsWith(TEMP_PREFIX) || /\.(ppkg|cat)$/i.test(name);
}

/**
 * Read-only: may the build write into `dir`? Throws OutputFolderError with
 * the admin's words when it may not. `shown` is the folder as the admin
 * named it.
 */
export async function inspectOutputFolder(dir: string, shown: string = dir): Promise<OutputFolderState> {
  let st;
  try {
    st = await fs.lstat(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
      // Make sure the nearest existing parent is a folder, to fail now rather than half-way.
      await checkParent(dir, shown);
      if (errnoCode(err) === 'ENOTDIR') throw new OutputFolderError(describeFileError(err, `the output folder ${shown}`, 'create'));
      return { kind: 'absent' };
    }
    throw new OutputFolderError(describeFileError(err, `the output folder ${shown}`, 'read'));
  }
  if (st.isSymbolicLink()) {
    throw new OutputFolderError(
      `The output folder ${shown} is a symbolic link. ppkg writes only into a real folder it created; name the folder the link points to, or another one.`,
    );
  }
  if (!st.isDirectory()) {
    throw new OutputFolderError(`The output folder ${shown} is a file, not a folder. Choose a folder for the build's output (ppkg creates it).`);
  }
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new OutputFolderError(describeFileError(err, `the output folder ${shown}`, 'read'));
  }
  if (names.includes(MARKER_FILE)) return { kind: 'owned', marked: true };
  if (names.length === 0) return { kind: 'owned', marked: false };
  // A folder an earlier ppkg wrote: its .gitignore, and only ppkg's files.
  if (names.includes('.gitignore') && names.every(isOwnName)) {
    const gitignore = await fs.readFile(path.join(dir, '.gitignore'), 'utf8').catch(() => '');
    if (gitignore.startsWith(GITIGNORE_HEADER)) return { kind: 'owned', marked: false };
  }
  // The names at risk first: the ones a build would replace.
  const atRisk = names.filter((n) => OWN_NAMES.has(n) || /\.(ppkg|cat)$/i.test(n));
  const listed = [...atRisk, ...names.filter((n) => !atRisk.includes(n))].slice(0, 4).join(', ');
  const more = names.length > 4 ? ', …' : '';
  throw new OutputFolderError(
    `The output folder ${shown} already holds files that ppkg did not write (${listed}${more}). ` +
      `ppkg builds only into a folder it owns, so that it never replaces your files (a .gitignore, another customizations.xml). ` +
      `Choose a new or empty folder, for example ${path.join(shown, 'ppkg-out')}, or leave the output folder out to use ppkg-out/<project> next to the project.`,
  );
}

async function checkParent(dir: string, shown: string): Promise<void> {
  let parent = path.dirname(dir);
  for (;;) {
    try {
      const st = await fs.stat(parent);
      if (!st.isDirectory()) throw new OutputFolderError(`Cannot create the output folder ${shown}: ${parent} is a file, not a folder.`);
      return;
    } catch (err) {
      if (err instanceof OutputFolderError) throw err;
      if (errnoCode(err) !== 'ENOENT') throw new OutputFolderError(describeFileError(err, `the output folder ${shown}`, 'create'));
      const up = path.dirname(parent);
      if (up === parent) return;
      parent = up;
    }
  }
}

/**
 * Makes `dir` the build's folder: inspects it again (it may have changed
 * since), creates it if absent (0700), and writes the marker if missing.
 */
export async function claimOutputFolder(dir: string, shown: string = dir): Promise<void> {
  const state = await inspectOutputFolder(dir, shown);
  if (state.kind === 'absent') {
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new OutputFolderError(describeFileError(err, `the output folder ${shown}`, 'create'));
    }
  }
  if (state.kind === 'absent' || !state.marked) {
    try {
      await atomicWriteFile(path.join(dir, MARKER_FILE), MARKER_TEXT);
    } catch (err) {
      throw new OutputFolderError(describeFileError(err, `the output folder ${shown}`, 'write'));
    }
  }
}
