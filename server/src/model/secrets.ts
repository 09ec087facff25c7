/**
 * Secret references: `{ "secret": "<name>" }` stands where a bulk token,
 * Wi-Fi key or password belongs. The value is resolved only at build time.
 */
export interface SecretReference {
  secret: string;
}

export function isSecretReference(value: unknown): value is SecretReference {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { secret?: unknown }).secret === 'string';
}

/** The environment variable the CLI reads for a secret: `PPKG_SECRET_` + name upper-cased, other characters as `_`. */
export function secretEnvVar(name: string): string {
  return 'PPKG_SECRET_' + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Looks up secret values. The CLI reads the environment; VS Code reads SecretStorage. */
export interface SecretResolver {
  /** The value, or undefined when it is not set. */
  get(name: string): Promise<string | undefined>;
  /** How to set a secret, in the words of this host (for error messages). */
  howToSet(name: string): string;
}

export function environmentSecrets(env: Record<string, string | undefined>): SecretResolver {
  return {
    async get(name) {
      const value = env[secretEnvVar(name)];
      return value === undefined || value === '' ? undefined : value;
    },
    howToSet(name) {
      return `set the environment variable ${secretEnvVar(name)}`;
    },
  };
}
