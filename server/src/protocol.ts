/**
 * What the VS Code client and the language server share over LSP, and the
 * one module both sides import for it: custom method names, the command IDs
 * either side sends to the other, and their payloads. Any other client (an
 * editor other than VS Code) speaks the same.
 *
 * Constants and types only: this file imports nothing but types, so the
 * client bundle never pulls engine code in through it
 * (test/unit/client-boundary.test.ts checks that).
 */

// --- Custom messages ----------------------------------------------------------

/**
 * Notification, client → server: the secret *names* the client holds per
 * project key (never values). Completion offers them and hover says whether
 * a reference is set. Replaces what the server knew. The same map can come
 * with `initialize` as `initializationOptions.secretNames`.
 */
export const SECRET_NAMES_NOTIFICATION = 'ppkg/secretNames';

/** `ppkg/secretNames`: secret names by project key (the package ID, lower case, without braces). */
export interface SecretNamesParams {
  byProject: Record<string, string[]>;
}

/**
 * Request, client → server: validates every `*.ppkg.json` under the folders
 * (default: the workspace folders), publishes their diagnostics, and answers
 * with the counts per file.
 */
export const VALIDATE_WORKSPACE_REQUEST = 'ppkg/validateWorkspace';

export interface ValidateWorkspaceParams {
  /** Folders (file URIs) to scan; default: the workspace folders. */
  folders?: string[];
}

export interface ValidateWorkspaceResult {
  files: { uri: string; errors: number; warnings: number; information: number }[];
}

// --- Commands -----------------------------------------------------------------

/** Client command IDs that the server's code actions and code lenses refer to. */
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

/**
 * Server command (workspace/executeCommand) behind a Command-shaped quick
 * fix, for clients without code-action literals: its one argument is a
 * WorkspaceEdit, which the server sends back as workspace/applyEdit.
 */
export const APPLY_EDIT_COMMAND = 'ppkg.server.applyEdit';
