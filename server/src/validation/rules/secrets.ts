import type { JsonPath } from '../../model/parse';
import type { RuleContext } from '../context';

/** Where the format expects a secret, and the secret name a quick fix suggests. */
export function secretFields(ctx: RuleContext): { path: JsonPath; suggestedName: string; what: string }[] {
  const fields: { path: JsonPath; suggestedName: string; what: string }[] = [
    { path: ['network', 'wifi', 'key'], suggestedName: 'wifi-key', what: 'Wi-Fi password' },
    { path: ['account', 'entra', 'token'], suggestedName: 'bulk-token', what: 'bulk token' },
    { path: ['account', 'localAdmin', 'password'], suggestedName: 'local-admin-password', what: 'local administrator password' },
  ];
  const certs = ctx.value(['certificates']);
  if (Array.isArray(certs)) {
    certs.forEach((_, i) => fields.push({ path: ['certificates', i, 'password'], suggestedName: `certificate-${i + 1}-password`, what: 'certificate password' }));
  }
  return fields;
}

/** PPKG070: a plain-text secret would be committed to git (windows-provisioning.md §6 rule 14). */
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
