/**
 * Writes the mirrored sections of schemas/ppkg-project.schema.json (policies,
 * smiSettings, …) from the setting table (server/src/settings/schemaSections.ts).
 *
 *   node --import tsx scripts/generate-schema.ts          rewrite the schema
 *   node --import tsx scripts/generate-schema.ts --check  exit 1 when it is stale
 *
 * The rest of the schema is written by hand; the sections keep their place.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mirroredSectionSchemas } from '../server/src/settings/schemaSections';
import { settingAt } from '../server/src/settings/table';

/**
 * Wizard properties whose values are a WCD setting's labels: their enum is
 * the setting table's, so the two cannot disagree.
 */
const WIZARD_ENUMS: [string[], string][] = [
  [['users', 'items', 'group'], 'Accounts/Users/User/UserGroup'],
  [['certificates', 'items', 'keyLocation'], 'Certificates/ClientCertificates/ClientCertificate/KeyLocation'],
  [['network', 'wifi', 'security'], 'ConnectivityProfiles/WLAN/WLANSetting/WLANConfig/WLANXmlSettings/SecurityType'],
];

export const SCHEMA_PATH = join(__dirname, '..', 'schemas', 'ppkg-project.schema.json');

/** The schema text with the generated sections in place. */
export function generatedSchemaText(current: string): string {
  const schema = JSON.parse(current) as { properties: Record<string, unknown> };
  const sections = mirroredSectionSchemas();
  for (const [key, value] of Object.entries(sections)) {
    if (!(key in schema.properties)) throw new Error(`schemas/ppkg-project.schema.json has no "${key}" property to fill in`);
    schema.properties[key] = value;
  }
  for (const [path, settingPath] of WIZARD_ENUMS) {
    let node = schema as unknown as Record<string, Record<string, unknown>>;
    for (const step of path)
      node = (step === 'items' ? node.items : (node.properties as Record<string, unknown>)[step]) as Record<string, Record<string, unknown>>;
    const labels = settingAt(settingPath)!.choices!.map((c) => c.label);
    const old = node.enum as unknown as string[];
    // Keep the order (and so the enum descriptions) as written when it is the same set.
    if (!old || old.length !== labels.length || !labels.every((l) => old.includes(l))) (node as Record<string, unknown>).enum = labels;
  }
  return JSON.stringify(schema, null, 2) + '\n';
}

if (require.main === module) {
  const current = readFileSync(SCHEMA_PATH, 'utf8');
  const next = generatedSchemaText(current);
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('schemas/ppkg-project.schema.json is out of date with the setting table: run node --import tsx scripts/generate-schema.ts');
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(`${SCHEMA_PATH}.tmp`, next);
    renameSync(`${SCHEMA_PATH}.tmp`, SCHEMA_PATH);
    console.log('schemas/ppkg-project.schema.json: mirrored sections regenerated');
  }
}
