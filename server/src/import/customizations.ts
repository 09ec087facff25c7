/**
 * `ppkg import`: a WCD customizations.xml → a commented project file.
 *
 * Everything the project schema covers is mapped to its wizard field; every
 * other setting under `Customizations/Common` is kept as a WCD setting path in
 * `additionalSettings`, and `Targets`/`Variant` (multivariant) are kept as raw
 * XML in `additionalCustomizationsXml`, so that `ppkg build` writes them back.
 * Secrets (BPRT, passwords, Wi-Fi key, enrollment secrets) become secret
 * references: their values are never written to the project file.
 *
 * The XML is read by a strict parser that refuses DTDs and entity
 * declarations, limits size and depth (compile/xmlParse.ts).
 */
import { randomUUID } from 'node:crypto';
import type { SettingNode } from '../compile/settingsTree';
import { NAMESPACE_SETTINGS } from '../compile/types';
import { appendNodes, createXml } from '../compile/xml';
import { childElements, localName, parseXmlDocument, textOf, XmlParseError, type XElement, type XNode } from '../compile/xmlParse';
import { PpkgError, type PpkgErrorOptions } from '../errors';
import type { OwnerType, Project } from '../model/project';
import { secretEnvVar } from '../model/secrets';
import { passwordsIn } from '../validation/rules/commandSecrets';
import projectSchema from '../../../schemas/ppkg-project.schema.json';
import { projectFromSettings } from './fromSettings';

export interface ImportResult {
  projectText: string;
  warnings: string[];
  /** Names of the secrets the project refers to, to be set before building. */
  secrets: string[];
  /** PackageConfig Name (for the default project file name). */
  packageName: string;
  /**
   * The values of those secrets, by name, as the file held them. Never
   * written to the project, stdout or a log; `ppkg import` of a package may
   * store them in a 0600 file, and tests rebuild with them.
   */
  secretValues: ReadonlyMap<string, string>;
}

/** The customizations.xml cannot be imported (not readable, or settings that have no place in a project): category `project`. */
export class ImportError extends PpkgError {
  constructor(message: string, options?: PpkgErrorOptions) {
    super('project', message, options);
  }
}

/** Largest customizations.xml accepted (characters). Real ones are kilobytes. */
export const MAX_IMPORT_CHARS = 8 * 1024 * 1024;

const OWNERS: OwnerType[] = ['Microsoft', 'SiliconVendor', 'OEM', 'SystemIntegrator', 'MobileOperator', 'ITAdmin'];
/** A customizations.xml element → a settings-tree node, text leaves kept verbatim. */
function settingsNode(el: XElement): SettingNode {
  const elements = childElements(el);
  const attrs = el.attrs.filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:')).map(([k, v]): [string, string] => [k, v]);
  const node: SettingNode = { name: localName(el.name), attrs, children: elements.map(settingsNode) };
  // WCD writes values on one line; keep them exactly (a trailing space is part of a value).
  if (!elements.length) node.leaf = { value: textOf(el), source: [] };
  return node;
}

/** The path as written: absolute Windows paths lose their folder (the file must be copied next to the project). */
function importPath(p: string, warnings: string[], what: string): string {
  const trimmed = p.trim();
  if (/^[a-zA-Z]:[\\/]|^[\\/]{2}|^[\\/]/.test(trimmed)) {
    const base = trimmed.split(/[\\/]/).pop() || trimmed;
    warnings.push(
      `The ${what} "${trimmed}" is an absolute path on the machine that made the file; the project now expects "${base}" next to the project file. Copy it there (or into a subfolder and fix the path).`,
    );
    return base;
  }
  return trimmed.replace(/\\/g, '/');
}

function secretName(base: string, used: Set<string>): string {
  let name =
    base
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 60) || 'secret';
  if (used.has(name)) {
    let i = 2;
    while (used.has(`${name}-${i}`)) i++;
    name = `${name}-${i}`;
  }
  used.add(name);
  return name;
}

export function importCustomizations(xmlText: string): ImportResult {
  if (xmlText.length > MAX_IMPORT_CHARS)
    throw new ImportError(
      `The file has ${xmlText.length} characters; a customizations.xml is a few kilobytes (at most ${MAX_IMPORT_CHARS} accepted). Is this the right file?`,
    );
  let root: XElement;
  try {
    root = parseXmlDocument(xmlText, { maxChars: MAX_IMPORT_CHARS });
  } catch (err) {
    if (err instanceof XmlParseError) throw new ImportError(`Not a readable customizations.xml: ${err.message}`);
    throw err;
  }
  const warnings: string[] = [];
  const secrets: string[] = [];
  const used = new Set<string>();
  const secretRef = (base: string, what: string) => {
    const name = secretName(base, used);
    secrets.push(name);
    warnings.push(
      `The ${what} was not copied into the project: it is now the secret "${name}". Set it before building (${secretEnvVar(name)}, or ppkg: Set Secret in VS Code).`,
    );
    return { secret: name };
  };

  const rootName = localName(root.name);
  if (rootName !== 'WindowsCustomizations') {
    if (rootName === 'WindowsCustomizatons')
      warnings.push('The root element is misspelled <WindowsCustomizatons> (as in a Microsoft sample); it is read as <WindowsCustomizations>.');
    else throw new ImportError(`The root element is <${root.name}>; a WCD customizations.xml starts with <WindowsCustomizations>.`);
  }
  const children = childElements(root);
  const pc = children.find((c) => localName(c.name) === 'PackageConfig');
  const settings = children.find((c) => localName(c.name) === 'Settings');
  if (!pc) throw new ImportError('The file has no <PackageConfig> (package name, ID and version): is it a WCD customizations.xml?');
  const rawField = (n: string) => {
    const e = childElements(pc).find((c) => localName(c.name) === n);
    return e ? textOf(e) : undefined;
  };
  const field = (n: string) => rawField(n)?.trim();

  const project: Project = { name: '', id: '', version: '' };
  project.name = field('Name') || 'Imported package';
  if (!field('Name')) warnings.push('PackageConfig has no Name; the project is called "Imported package".');
  const id = field('ID') ?? '';
  if (
    /^(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/.test(
      id,
    )
  )
    project.id = id;
  else {
    project.id = `{${randomUUID()}}`;
    warnings.push(`PackageConfig ID "${id}" is not a GUID; the project got a new package ID. Devices will see it as a different package.`);
  }
  const version = field('Version') ?? '';
  if (/^([0-9]+\.[0-9]+|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$/.test(version)) project.version = version;
  else {
    project.version = '1.0';
    warnings.push(`PackageConfig Version "${version}" is not N.N or N.N.N.N; the project uses 1.0.`);
  }
  const owner = field('OwnerType');
  if (owner !== undefined) {
    const match = OWNERS.find((o) => o.toLowerCase() === owner.toLowerCase());
    if (match) project.owner = match;
    else warnings.push(`PackageConfig OwnerType "${owner}" is unknown; the project uses ITAdmin.`);
  }
  const rank = field('Rank');
  if (rank !== undefined) {
    const r = Number(rank);
    if (Number.isInteger(r) && r >= 0 && r <= 99) project.rank = r;
    else warnings.push(`PackageConfig Rank "${rank}" is not 0–99; it was left out (0).`);
  }
  const description = field('Description');
  if (description !== undefined) project.description = description;
  // Notes: kept as written, also when empty.
  const notes = rawField('Notes');
  if (notes !== undefined) project.notes = notes;
  const found = new Map<string, string>();

  const customizations = settings ? childElements(settings).find((c) => localName(c.name) === 'Customizations') : undefined;
  const common = customizations ? childElements(customizations).find((c) => localName(c.name) === 'Common') : undefined;
  if (common) {
    const secretValues = new Map<string, string>();
    projectFromSettings(settingsNode(common), project, {
      secret: (base, what, value) => {
        const ref = secretRef(base, what);
        secretValues.set(ref.secret, value);
        return ref;
      },
      file: (p, what) => importPath(p, warnings, what),
      warn: (m) => warnings.push(m),
    });
    for (const [k, v] of secretValues) found.set(k, v);
    const extra = project.additionalSettings?.length ?? 0;
    if (extra) {
      warnings.push(
        `${extra} setting${extra === 1 ? '' : 's'} ha${extra === 1 ? 's' : 've'} no property of ${extra === 1 ? 'its' : 'their'} own and ${extra === 1 ? 'is' : 'are'} kept in additionalSettings as WCD paths; the native build compiles those the setting table knows and refuses the others (PPKG113: use the csp list, or build with --backend icd).`,
      );
    }
  } else warnings.push('The file has no Settings/Customizations/Common section: the project has no settings.');

  // Targets, Variant and anything else next to Common: raw XML.
  const rest: XNode[] = customizations
    ? customizations.children.filter((n) => !(n.type === 'element' && localName(n.name) === 'Common') && !(n.type === 'text' && !n.text.trim()))
    : [];
  if (rest.some((n) => n.type === 'element')) {
    const wrapper = createXml().ele(NAMESPACE_SETTINGS, 'ppkgWrapper');
    appendNodes(wrapper, rest);
    const text = wrapper.doc().end({ headless: true, prettyPrint: true, indent: '  ', newline: '\n' });
    const lines = text
      .split('\n')
      .slice(1, -1)
      .map((s) => s.replace(/^ {2}/, ''));
    project.additionalCustomizationsXml = lines.join('\n');
    warnings.push('The multivariant settings (Targets/Variant) are kept as raw XML in additionalCustomizationsXml; only the ICD backend applies them.');
  }
  const otherTop = children.filter((c) => !['PackageConfig', 'Settings'].includes(localName(c.name)));
  if (otherTop.length) warnings.push(`Left out: ${otherTop.map((c) => `<${c.name}>`).join(', ')} (not part of a customizations.xml the project can express).`);

  // Passwords written into command lines (PPKG071): say so now, not only in validate.
  const lines: [string, string | undefined][] = [
    ...(project.applications ?? []).map((a): [string, string | undefined] => [`the command line of "${a.name}"`, a.commandLine]),
    ['the device-context command line', project.deviceContext?.commandLine],
  ];
  for (const [what, line] of lines) {
    if (line && passwordsIn(line).length)
      warnings.push(
        `${what[0]!.toUpperCase()}${what.slice(1)} holds a password in plain text; it is now in the project file. Move it out before committing (ppkg validate reports it as PPKG071).`,
      );
  }
  return { projectText: renderProject(project, { secrets }), warnings, secrets, packageName: project.name, secretValues: found };
}

const SECTION_COMMENTS: Record<string, string> = {
  device: 'Set up device',
  network: 'Set up network',
  account: 'Account management. Secrets are references: set them with PPKG_SECRET_<NAME> (CLI) or ppkg: Set Secret (VS Code).',
  users: 'Local accounts, in order',
  applications: 'Add applications: run as SYSTEM during setup, silently, in this order',
  deviceContext: 'A command run as SYSTEM when the package is applied, with its files',
  certificates: 'Add certificates',
  oobe: 'Out-of-box experience',
  personalization: 'Runtime settings by WCD name',
  policies: 'Policies by area, with the values WCD offers',
  csp: 'OMA-URI settings',
  additionalSettings: 'Settings outside the wizard, as WCD setting paths under Customizations/Common',
  additionalCustomizationsXml: 'Multivariant settings (Targets/Variant), raw customizations.xml',
};

function renderProject(project: Project, o: { secrets: string[] }): string {
  const head = ['// Imported from a WCD customizations.xml by `ppkg import`. Review it, then `ppkg validate` and `ppkg build`.'];
  if (o.secrets.length) head.push(`// Secrets to set before building: ${o.secrets.map((s) => `${s} (${secretEnvVar(s)})`).join(', ')}.`);
  // Sections in the order of the schema, whatever order the file had.
  const order = Object.keys((projectSchema as { properties: Record<string, unknown> }).properties);
  const keys = (Object.keys(project) as (keyof Project)[]).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const body = keys.map((k, i) => {
    const value = JSON.stringify(project[k], null, 2).replace(/\n/g, '\n  ');
    const comment = SECTION_COMMENTS[k] ? `\n  // ${SECTION_COMMENTS[k]}\n` : '';
    return `${comment}  ${JSON.stringify(k)}: ${value}${i < keys.length - 1 ? ',' : ''}`;
  });
  return `${head.join('\n')}\n{\n${body.join('\n')}\n}\n`;
}
