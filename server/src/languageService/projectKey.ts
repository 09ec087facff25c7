/**
 * Secrets in VS Code live in SecretStorage under a key made of the project's
 * package ID and the secret name, so two projects can both have a
 * "bulk-token" without clashing. Shared by the server (which only ever sees
 * names) and the client (which stores values).
 */

/** The package ID in one canonical form: lower case, without braces. Empty when there is no usable ID. */
export function projectKey(id: unknown): string {
  if (typeof id !== 'string') return '';
  return id.trim().replace(/^\{|\}$/g, '').toLowerCase();
}

/** The SecretStorage key of one secret of one project. */
export function secretStorageKey(projectId: string, secretName: string): string {
  return `ppkg/${projectKey(projectId) || 'no-id'}/${secretName}`;
}

/** Custom LSP messages between the client and the server. */
export const SECRET_NAMES_NOTIFICATION = 'ppkg/secretNames';
export const VALIDATE_WORKSPACE_REQUEST = 'ppkg/validateWorkspace';

/** `ppkg/secretNames`: the secret *names* stored per project key (never values). Replaces what the server knew. */
export interface SecretNamesParams {
  byProject: Record<string, string[]>;
}

export interface ValidateWorkspaceParams {
  /** Folders (file URIs) to scan; default: the workspace folders. */
  folders?: string[];
}

export interface ValidateWorkspaceResult {
  files: { uri: string; errors: number; warnings: number; information: number }[];
}

/** Client command IDs that code actions and code lenses refer to. */
export const COMMANDS = {
  moveSecretToStorage: 'ppkg.moveSecretToStorage',
  fetchBulkToken: 'ppkg.fetchBulkToken',
  revokeBulkToken: 'ppkg.revokeBulkToken',
  setSecret: 'ppkg.setSecret',
} as const;

/** Arguments of `ppkg.moveSecretToStorage`: where the plain-text value is and what replaces it. No value. */
export interface MoveSecretArgs {
  uri: string;
  /** Document version the range refers to; the client refuses a stale one. */
  version: number;
  /** The string literal (with quotes) holding the plain-text secret. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  secretName: string;
  projectId: string;
  /** JSON path of the field, for messages. */
  path: (string | number)[];
  /** What the field is, in WCD terms (e.g. "Wi-Fi password"). */
  what: string;
  /** The text that replaces the literal: `{ "secret": "<name>" }`. */
  replacement: string;
}
