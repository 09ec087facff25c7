/**
 * The JSON Schema of the mirrored sections (policies, smiSettings, …),
 * generated from the setting table so that validation, completion and hover
 * offer exactly what the compiler compiles. `scripts/generate-schema.ts`
 * writes them into schemas/ppkg-project.schema.json; a test checks the file
 * is up to date.
 */
import { listAt } from './lists';
import { MIRRORED_SECTIONS, type MirroredSectionDef } from './mirror';
import { SETTINGS } from './table';
import type { SettingDef } from './types';

type Schema = Record<string, unknown>;

const SECTION_DOCS: Record<MirroredSectionDef['key'], string> = {
  accountManagement: 'https://learn.microsoft.com/windows/configuration/wcd/wcd-accountmanagement',
  deviceManagement: 'https://learn.microsoft.com/windows/configuration/wcd/wcd-devicemanagement',
  licensing: 'https://learn.microsoft.com/windows/configuration/wcd/wcd-licensing',
  personalization: 'https://learn.microsoft.com/windows/configuration/wcd/wcd-personalization',
  policies: 'https://learn.microsoft.com/windows/configuration/wcd/wcd-policies',
  smiSettings: 'https://learn.microsoft.com/windows/configuration/wcd/wcd-smisettings',
};

const SECTION_TEXT: Record<MirroredSectionDef['key'], string> = {
  accountManagement: "User profile management for shared devices, by WCD's names.",
  deviceManagement: "Device management settings, by WCD's names.",
  licensing: "Windows licensing behaviour, by WCD's names.",
  personalization: 'Desktop and lock screen images, shipped in the package or downloaded from a URL.',
  policies:
    'Policy CSP settings by area and policy, with the values WCD offers. ppkg compiles the policies WCD is known to compile; for any other policy, use the `csp` list with its OMA-URI (`./Device/Vendor/MSFT/Policy/Config/<Area>/<Policy>`).',
  smiSettings: "Kiosk and embedded-device settings (automatic sign-in, custom shell, boot screens), by WCD's names.",
};

function evidenceText(def: SettingDef): string {
  return 'observed' in def.evidence
    ? 'Compiled as ICD compiles it (seen in ICD-built packages).'
    : 'Compiled in the form ppkg believes ICD uses; see docs/settings.md.';
}

function cspText(def: SettingDef): string {
  if (def.asset) return 'The file is copied into the package as a data asset.';
  const root = def.csp.startsWith('MCSF/') ? './' : def.scope === 'user' ? './User/Vendor/MSFT/' : './Device/Vendor/MSFT/';
  return `Compiled to \`${root}${def.csp}\` (${def.type}${def.exec ? ', executed' : ''}).`;
}

function leafSchema(def: SettingDef): Schema {
  const md = `**WCD:** ${def.title} (\`${def.path}\`)\n\n${def.description}\n\n${cspText(def)} ${evidenceText(def)}\n\n[Microsoft documentation](${def.docs})`;
  switch (def.wcd) {
    case 'bool':
      return { type: 'boolean', markdownDescription: md };
    case 'int':
      return { type: 'integer', markdownDescription: md };
    case 'choice':
      return {
        type: 'string',
        enum: def.choices!.map((c) => c.label),
        markdownEnumDescriptions: def.choices!.map((c) => `Compiled as ${c.value}.${c.believed ? ' (Believed, not yet seen in an ICD-built package.)' : ''}`),
        markdownDescription: md,
      };
    case 'secret':
      return {
        $ref: '#/definitions/secretValue',
        markdownDescription: md,
        'x-ppkg-secret': { what: def.title, suggestedName: def.path.split('/').slice(-2).join('-').toLowerCase() },
      };
    case 'file':
      return {
        type: 'string',
        minLength: 1,
        markdownDescription: `${md.replace(/\n\n\[Microsoft/, '\n\nA path relative to this project file.\n\n[Microsoft')}`,
        'x-ppkg-file': { role: def.title },
      };
    default:
      return { type: 'string', markdownDescription: md };
  }
}

interface Trie {
  children: Map<string, Trie>;
  setting?: SettingDef;
}

function insert(trie: Trie, segments: string[], def: SettingDef): void {
  let node = trie;
  for (const s of segments) {
    let next = node.children.get(s);
    if (!next) node.children.set(s, (next = { children: new Map() }));
    node = next;
  }
  node.setting = def;
}

function objectSchema(trie: Trie, schemaPath: string, title: string, docs: string, extra?: Schema): Schema {
  const properties: Record<string, Schema> = {};
  for (const name of [...trie.children.keys()].sort()) {
    const child = trie.children.get(name)!;
    const childPath = `${schemaPath}/${name}`;
    if (child.setting && child.children.size === 0) {
      properties[name] = leafSchema(child.setting);
      continue;
    }
    const list = listAt(childPath);
    const childTitle = `${title} › ${name}`;
    const body = objectSchema(child, childPath, childTitle, docs);
    if (list) {
      const item = body as { properties: Record<string, Schema>; required?: string[] };
      item.properties = {
        [list.key]: {
          type: 'string',
          minLength: 1,
          markdownDescription: `**WCD:** ${childTitle} › @${list.key} (\`${childPath}/@${list.key}\`)\n\nThe key of this entry.\n\n[Microsoft documentation](${docs})`,
        },
        ...item.properties,
      };
      item.required = [list.key];
      properties[name] = {
        type: 'array',
        markdownDescription: `**WCD:** ${childTitle} (\`${childPath}\`)\n\nA list; each entry names its ${list.key}.\n\n[Microsoft documentation](${docs})`,
        items: item,
      };
    } else {
      properties[name] = { ...body, markdownDescription: `**WCD:** ${childTitle} (\`${childPath}\`)\n\n[Microsoft documentation](${docs})` };
    }
  }
  return { type: 'object', additionalProperties: false, ...(extra ?? {}), properties };
}

/** The schema of every mirrored section, keyed by project property. */
export function mirroredSectionSchemas(): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const section of MIRRORED_SECTIONS) {
    const trie: Trie = { children: new Map() };
    for (const def of SETTINGS) {
      const segments = def.path.split('/');
      if (segments[0] !== section.element) continue;
      insert(trie, segments.slice(1), def);
    }
    const docs = SECTION_DOCS[section.key];
    out[section.key] = objectSchema(trie, section.element, section.title.replace(/^Runtime settings › /, ''), docs, {
      markdownDescription: `**WCD:** ${section.title} (\`${section.element}\`)\n\n${SECTION_TEXT[section.key]}\n\n[Microsoft documentation](${docs})`,
    });
  }
  return out;
}
