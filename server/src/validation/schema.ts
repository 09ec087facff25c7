import { createHash } from 'node:crypto';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Node } from 'jsonc-parser';
import projectSchema from '../../../schemas/ppkg-project.schema.json';
import ajvSettings from './ajvOptions.json';
import { locate, pathFromPointer, type ProjectDocument } from '../model/parse';
import type { PpkgDiagnostic } from './diagnostic';

/** The project schema, bundled so the CLI, the server and the docs read the same file. */
export const PROJECT_SCHEMA: Record<string, unknown> = projectSchema as Record<string, unknown>;

interface Validators {
  /** The whole project. */
  validate: ValidateFunction;
  /** One item of `applications`, its error paths relative to the item. */
  validateApplication: ValidateFunction;
  precompiled: boolean;
}

let compiled: Validators | undefined;
/** The ids scripts/generate-validator.mjs gives the two entry points. */
const PROJECT_ID = 'ppkg-project';
const APPLICATION_ID = `${PROJECT_ID}#/properties/applications/items`;

/**
 * The schema validators. `npm run build` precompiles them (scripts/
 * generate-validator.mjs), which saves 150–300 ms of ajv compilation on every
 * CLI run and server start; when that module is missing or was made from an
 * older schema, the schema is compiled here, with the same options.
 */
function validators(): Validators {
  if (compiled) return compiled;
  const schemaHash = createHash('sha256').update(JSON.stringify(PROJECT_SCHEMA)).digest('hex');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated CommonJS, bundled by esbuild
    const generated = require('./generated/projectValidator.js') as Partial<Validators> & { schemaHash?: string };
    if (generated.schemaHash === schemaHash && generated.validate && generated.validateApplication) {
      return (compiled = { validate: generated.validate, validateApplication: generated.validateApplication, precompiled: true });
    }
  } catch {
    // not generated yet: compile below
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on this slow path
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const ajv = new Ajv(ajvSettings.options);
  // Editor keywords that vscode-json-languageservice understands; ajv only needs to tolerate them.
  ajv.addVocabulary(ajvSettings.editorKeywords);
  ajv.addSchema({ ...PROJECT_SCHEMA, $id: PROJECT_ID });
  return (compiled = { validate: ajv.getSchema(PROJECT_ID)!, validateApplication: ajv.getSchema(APPLICATION_ID)!, precompiled: false });
}

/** True when the precompiled validator is in use (for tests and the bench). */
export function usesPrecompiledValidator(): boolean {
  return validators().precompiled;
}

/**
 * The schema errors of a project value. Applications are checked one by one
 * and their errors kept per application object: after a keystroke the
 * language server's value shares every application the edit did not touch
 * with the previous version (languageService/incrementalProject.ts), so a
 * 1 MB project re-checks one application, not thousands. The result is the
 * whole-project validator's (the test in validation-schema.test.ts holds
 * them equal); only the order differs, and diagnostics are sorted later.
 */
export function schemaErrors(value: unknown): ErrorObject[] {
  const { validate, validateApplication } = validators();
  const apps = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).applications : undefined;
  if (!Array.isArray(apps) || apps.length === 0) return validate(value) ? [] : (validate.errors ?? []);
  // The rest of the project, with an empty list in place of the applications (the list itself has no constraint).
  const rest = Object.defineProperty({ ...(value as Record<string, unknown>) }, 'applications', {
    value: [],
    enumerable: true,
    writable: true,
    configurable: true,
  });
  const errors = validate(rest) ? [] : [...(validate.errors ?? [])];
  apps.forEach((app, i) => {
    let own = app !== null && typeof app === 'object' ? applicationErrors.get(app) : undefined;
    if (!own) {
      own = validateApplication(app) ? [] : (validateApplication.errors ?? []);
      if (app !== null && typeof app === 'object') applicationErrors.set(app, own);
    }
    for (const e of own)
      errors.push({ ...e, instancePath: `/applications/${i}${e.instancePath}`, schemaPath: e.schemaPath.replace(/^#/, '#/properties/applications/items') });
  });
  return errors;
}

/** Each application's errors, relative to it, kept while the application object lives. */
const applicationErrors = new WeakMap<object, ErrorObject[]>();

/** PPKG100: a value of the wrong type or outside the allowed values. */
export const CODE_SCHEMA_VALUE = 'PPKG100';
/** PPKG101: a property the format does not know (often a typo). */
export const CODE_UNKNOWN_PROPERTY = 'PPKG101';
/** PPKG102: a required property is missing. */
export const CODE_MISSING_PROPERTY = 'PPKG102';

/**
 * Validates the parsed value against the schema and maps each ajv error to the
 * range an admin would point at: a wrong value marks the value, an unknown
 * property marks its key, a missing property marks the key of the object that
 * lacks it.
 */
export function validateAgainstSchema(doc: ProjectDocument): PpkgDiagnostic[] {
  if (doc.value === undefined) return [];
  const found = schemaErrors(doc.value);
  // A valid project never needs the tree of offsets (doc.root is built lazily, and findings locate their nodes).
  if (found.length === 0) return [];
  const errors = collapseAlternatives(found);
  const out: PpkgDiagnostic[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const d = toDiagnostic(doc, error);
    if (!d) continue;
    const key = `${d.range.start.line}:${d.range.start.character}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/**
 * `anyOf` (a secret reference or a string) fails with one error per branch
 * plus the anyOf itself. Keep errors that point deeper than the anyOf (inside
 * an object the admin clearly meant as a secret reference), drop the branch
 * errors at the same spot, and keep the anyOf error as the one message there.
 */
function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const anyOfAt = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  if (anyOfAt.size === 0) return errors;
  return errors.filter((e) => {
    if (e.keyword === 'anyOf') {
      // When the value is an object, the deeper errors say more.
      return !errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath + '/'));
    }
    // Branch errors at the anyOf's own spot (their schemaPath may be inside a
    // $ref, so it does not always mention anyOf): the anyOf message replaces them.
    return !anyOfAt.has(e.instancePath);
  });
}

function toDiagnostic(doc: ProjectDocument, error: ErrorObject): PpkgDiagnostic | undefined {
  const path = pathFromPointer(error.instancePath);
  const found = locate(doc, path);
  if (!found) return undefined;
  const node = found.node;
  const where = describePath(path);
  const parentSchema = (error.parentSchema ?? {}) as Record<string, unknown>;

  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      // The unknown property's key (the first one, when a parsed file repeats it; a patched document has no repeats).
      const target = (doc.locate ? doc.locate([...path, name])?.key : findProperty(node, name)?.children?.[0]) ?? node;
      const allowed = Object.keys((parentSchema.properties as Record<string, unknown>) ?? {}).filter((k) => k !== '$schema');
      const suggestion = closest(name, allowed);
      return {
        range: doc.lines.rangeOf(target.offset, target.length),
        severity: 'error',
        code: CODE_UNKNOWN_PROPERTY,
        message:
          `Unknown property "${name}"${where ? ` in ${where}` : ''}.` +
          (suggestion ? ` Did you mean "${suggestion}"?` : '') +
          (allowed.length ? ` Allowed: ${allowed.join(', ')}.` : ''),
        data: suggestion ? { property: name, suggestion } : { property: name },
      };
    }
    case 'required': {
      const name = String((error.params as { missingProperty: string }).missingProperty);
      const keyNode = found.key;
      // The root object has no key: mark its opening brace.
      const range = keyNode ? doc.lines.rangeOf(keyNode.offset, keyNode.length) : doc.lines.rangeOf(node.offset, 1);
      const propSchema = ((parentSchema.properties as Record<string, Record<string, unknown>>) ?? {})[name];
      const term = propSchema ? wcdTerm(propSchema) : undefined;
      return {
        range,
        severity: 'error',
        code: CODE_MISSING_PROPERTY,
        message: `Missing required property "${name}"${term ? ` (${term})` : ''}${where ? ` in ${where}` : ''}.`,
        data: { property: name },
      };
    }
    default:
      return {
        range: doc.lines.rangeOf(node.offset, node.length),
        severity: 'error',
        code: CODE_SCHEMA_VALUE,
        message: valueMessage(error, parentSchema, where),
      };
  }
}

function valueMessage(error: ErrorObject, parentSchema: Record<string, unknown>, where: string): string {
  const subject = where ? `${where}: ` : '';
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'pattern':
      return subject + (typeof parentSchema.patternErrorMessage === 'string' ? parentSchema.patternErrorMessage : `The value does not have the expected form.`);
    case 'enum':
      return `${subject}"${String(error.data)}" is not allowed. Use one of: ${(p.allowedValues as unknown[]).join(', ')}.`;
    case 'type':
      return `${subject}Expected ${article(String(p.type))}, found ${jsonType(error.data)}.`;
    case 'anyOf':
      return `${subject}Expected a secret reference { "secret": "<name>" } or a text value, found ${jsonType(error.data)}.`;
    case 'minLength':
      return p.limit === 1 ? `${subject}Must not be empty.` : `${subject}Must have at least ${p.limit} characters.`;
    case 'maxLength':
      return `${subject}Must have at most ${p.limit} characters (it has ${String(error.data).length}).`;
    case 'minimum':
    case 'maximum':
      return `${subject}Must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${p.limit}.`;
    case 'minItems':
      return `${subject}Must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}.`;
    default:
      return `${subject}${error.message ?? 'Invalid value'}.`;
  }
}

function article(type: string): string {
  const words: Record<string, string> = {
    string: 'a text value',
    boolean: 'true or false',
    integer: 'a whole number',
    number: 'a number',
    array: 'a list [ … ]',
    object: 'an object { … }',
    null: 'null',
  };
  return words[type] ?? type;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a text value';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  return 'an object';
}

function describePath(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function findProperty(objectNode: Node, name: string): Node | undefined {
  return objectNode.children?.find((p) => p.type === 'property' && p.children?.[0]?.value === name);
}

/** The WCD term of a schema property, taken from the first line of its description. */
export function wcdTerm(propSchema: Record<string, unknown>): string | undefined {
  const md = propSchema.markdownDescription;
  if (typeof md !== 'string') return undefined;
  const m = /^\*\*WCD:\*\* (.+)$/m.exec(md);
  return m ? m[1].replace(/ \(`[^`]*`\)$/, '') : undefined;
}

/** The allowed name closest to a typo, if it is close enough to be a likely intent. */
function closest(name: string, candidates: string[]): string | undefined {
  // A typo is short; the edit distance of a huge key would cost seconds on every keystroke.
  if (name.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance < name.length && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of two neighbours as one edit ("nmae" → "name"), as typos usually are. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
