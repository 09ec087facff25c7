import type { JsonPath } from '../../model/parse';
import { secretFields as annotatedSecretFields } from '../../model/fields';
import type { RuleContext } from '../context';

/** Where the format expects a secret, and the secret name a quick fix suggests (the schema's x-ppkg-secret properties). */
export function secretFields(ctx: RuleContext): { path: JsonPath; suggestedName: string; what: string }[] {
  return annotatedSecretFields(ctx.doc.value)
    .filter((f) => f.plainTextIsSecret)
    .map((f) => ({ path: f.path, suggestedName: f.suggestedName, what: f.what.replace(/ \(.*\)$/, '') }));
}

/** PPKG070: a plain-text secret would be committed to git (docs/provisioning.md §Secrets and encryption). */
export function secretRules(ctx: RuleContext): void {
  for (const field of secretFields(ctx)) {
    if (typeof ctx.value(field.path) !== 'string') continue;
    ctx.report(
      ctx.node(field.path),
      'warning',
      'PPKG070',
      `The ${field.what} is written in plain text and would be committed to git. Move it to a secret: { "secret": "${field.suggestedName}" } (quick fix: Move to SecretStorage).`,
      { secretName: field.suggestedName, path: field.path },
    );
  }
}
