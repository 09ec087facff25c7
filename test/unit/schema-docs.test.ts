import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROJECT_SCHEMA } from '../../server/src/validation/schema';

type Schema = Record<string, unknown>;

/** Every property of the project format, with its JSON path. */
function properties(schema: Schema, at: string[] = []): [string, Schema][] {
  const out: [string, Schema][] = [];
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [name, prop] of Object.entries(props)) {
    out.push([[...at, name].join('.'), prop]);
    out.push(...properties(prop, [...at, name]));
    if (prop.items) out.push(...properties(prop.items as Schema, [...at, `${name}[]`]));
  }
  return out;
}

test('every wizard property is documented in WCD terms with a link to Microsoft', () => {
  const all = properties(PROJECT_SCHEMA);
  assert.ok(all.length > 50, `${all.length} properties`);
  // $schema is the editor's; the advanced-settings entries describe raw WCD paths.
  const wizard = all.filter(([p]) => p !== '$schema' && !p.startsWith('additionalSettings[]'));
  for (const [p, prop] of wizard) {
    const md = prop.markdownDescription;
    assert.equal(typeof md, 'string', `${p} has no description`);
    assert.match(md as string, /^\*\*WCD:\*\* /, `${p} does not start with its WCD name`);
    assert.match(md as string, /\]\(https:\/\/learn\.microsoft\.com\//, `${p} has no Microsoft link`);
  }
});

test('WCD defaults are declared where the wizard has them', () => {
  const byPath = new Map(properties(PROJECT_SCHEMA));
  const expected: Record<string, unknown> = {
    owner: 'ITAdmin',
    rank: 0,
    'network.wifi.security': 'WPA2-Personal',
    'network.wifi.autoConnect': true,
    'applications[].continueInstall': true,
    'applications[].restartRequired': false,
    'applications[].successCodes': [0],
    'applications[].restartCodes': [3010],
    'oobe.hide': false,
    'protection.encrypt': false,
  };
  for (const [p, value] of Object.entries(expected)) assert.deepEqual(byPath.get(p)?.default, value, p);
});

test('the mirrored sections of the schema are the setting table (scripts/generate-schema.ts)', async () => {
  const { readFileSync } = await import('node:fs');
  const { generatedSchemaText, SCHEMA_PATH } = await import('../../scripts/generate-schema');
  const current = readFileSync(SCHEMA_PATH, 'utf8');
  assert.equal(generatedSchemaText(current), current, 'run node --import tsx scripts/generate-schema.ts');
  // Every policy of the table can be written, with exactly its labels.
  const policies = (PROJECT_SCHEMA.properties as Record<string, Schema>).policies!.properties as Record<string, Schema>;
  const camera = (policies.Camera!.properties as Record<string, Schema>).AllowCamera!;
  assert.deepEqual(camera.enum, ['Yes', 'No']);
  assert.match(camera.markdownDescription as string, /\.\/Device\/Vendor\/MSFT\/Policy\/Config\/Camera\/AllowCamera/);
});
