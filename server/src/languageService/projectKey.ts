/**
 * Secrets in VS Code live in SecretStorage under a key made of the project's
 * package ID and the secret name, so two projects can both have a
 * "bulk-token" without clashing. Shared by the server (which only ever sees
 * names) and the client (which stores values). What the two say to each
 * other over LSP is in ../protocol.ts.
 */

/** The package ID in one canonical form: lower case, without braces. Empty when there is no usable ID. */
export function projectKey(id: unknown): string {
  if (typeof id !== 'string') return '';
  return id
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();
}

/** The SecretStorage key of one secret of one project. */
export function secretStorageKey(projectId: string, secretName: string): string {
  return `ppkg/${projectKey(projectId) || 'no-id'}/${secretName}`;
}
