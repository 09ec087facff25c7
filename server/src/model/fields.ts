/**
 * Secret-bearing and file-bearing properties, read from the project schema's
 * own annotations (`x-ppkg-secret`, `x-ppkg-file`): the one list the
 * validation rules, the build and the editor share. A new secret or file
 * property needs only its annotation in schemas/ppkg-project.schema.json.
 */
import projectSchema from '../../../schemas/ppkg-project.schema.json';
import { settingAt } from '../settings/table';
import { parseSettingPath, schemaPathOf } from '../settings/wcdPath';
import type { JsonPath } from './parse';
import { isSecretReference } from './secrets';

type Schema = Record<string, unknown>;

export interface SecretField {
  path: JsonPath;
  /** What WCD calls it, for messages: "Wi-Fi password (WLANXmlSettings/SecurityKey)". */
  what: string;
  /** The secret name a quick fix proposes. */
  suggestedName: string;
  value: unknown;
  /**
   * False when the property holds a secret only if written as a reference
   * (a csp value): plain text there is not reported as a leaked secret.
   */
  plainTextIsSecret: boolean;
}

export interface FileField {
  path: JsonPath;
  /** What the file is: installer, dependency, certificate, … */
  role: string;
  /** Copied into the one command folder on the device (names must be unique). */
  commandFolder: boolean;
  value: string;
}

interface SecretAnnotation {
  what: string;
  suggestedName: string;
  onlyWhenReference?: boolean;
  onlyWhenSecretLeaf?: boolean;
}
interface FileAnnotation {
  role: string;
  commandFolder?: boolean;
}

const ROOT = projectSchema as unknown as Schema;

/** $ref resolved once per schema node (the walk runs on every keystroke of large projects). */
const resolved = new WeakMap<Schema, Schema>();
function resolve(schema: Schema): Schema {
  let r = resolved.get(schema);
  if (r) return r;
  r = schema;
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
    const target = (ROOT.definitions as Record<string, Schema>)[ref.slice('#/definitions/'.length)];
    if (target) r = { ...target, ...schema, $ref: undefined };
  }
  resolved.set(schema, r);
  return r;
}

type Kind = 'x-ppkg-secret' | 'x-ppkg-file';
/** Whether a schema node or anything below it carries the annotation: the walk skips the rest. */
const below = new Map<Kind, WeakMap<Schema, boolean>>([
  ['x-ppkg-secret', new WeakMap()],
  ['x-ppkg-file', new WeakMap()],
]);
function annotatedBelow(schema: Schema, kind: Kind): boolean {
  const cache = below.get(kind)!;
  const hit = cache.get(schema);
  if (hit !== undefined) return hit;
  cache.set(schema, false); // cycles (none today) end here
  const s = resolve(schema);
  const children = [...Object.values((s.properties as Record<string, Schema>) ?? {}), ...(s.items ? [s.items as Schema] : [])];
  const found = schema[kind] !== undefined || children.some((c) => annotatedBelow(c, kind));
  cache.set(schema, found);
  return found;
}

/** A path built only when a field is found: most of a large project holds none. */
interface Chain {
  parent: Chain | undefined;
  key: string | number;
}
function pathOf(chain: Chain | undefined): JsonPath {
  const out: JsonPath = [];
  for (let c = chain; c; c = c.parent) out.push(c.key);
  return out.reverse();
}

/** The properties of a schema node that hold the annotation at or below them (the walk visits only those). */
const keysBelow = new Map<Kind, WeakMap<Schema, [string, Schema][]>>([
  ['x-ppkg-secret', new WeakMap()],
  ['x-ppkg-file', new WeakMap()],
]);
function annotatedKeys(schema: Schema, kind: Kind): [string, Schema][] {
  const cache = keysBelow.get(kind)!;
  let keys = cache.get(schema);
  if (!keys) {
    const props = (resolve(schema).properties as Record<string, Schema> | undefined) ?? {};
    keys = Object.entries(props).filter(([, p]) => annotatedBelow(p, kind));
    cache.set(schema, keys);
  }
  return keys;
}

function walk(value: unknown, schema: Schema, chain: Chain | undefined, kind: Kind, visit: (value: unknown, schema: Schema, path: JsonPath) => void): void {
  if (schema[kind] !== undefined) visit(value, schema, pathOf(chain));
  if (Array.isArray(value)) {
    const items = resolve(schema).items as Schema | undefined;
    if (items && annotatedBelow(items, kind)) for (let i = 0; i < value.length; i++) walk(value[i], items, { parent: chain, key: i }, kind, visit);
    return;
  }
  if (value && typeof value === 'object' && !isSecretReference(value)) {
    // In document order, as the value's own keys come.
    const wanted = annotatedKeys(schema, kind);
    if (!wanted.length) return;
    if (wanted.length === 1) {
      const [k, p] = wanted[0]!;
      if (Object.prototype.hasOwnProperty.call(value, k)) walk((value as Record<string, unknown>)[k], p, { parent: chain, key: k }, kind, visit);
      return;
    }
    for (const k in value) {
      const p = wanted.find(([w]) => w === k)?.[1];
      if (p && Object.prototype.hasOwnProperty.call(value, k)) walk((value as Record<string, unknown>)[k], p, { parent: chain, key: k }, kind, visit);
    }
  }
}

/** Every secret-bearing property present in the project, in document order. */
export function secretFields(project: unknown): SecretField[] {
  const out: SecretField[] = [];
  if (annotatedBelow(ROOT, 'x-ppkg-secret'))
    walk(project, ROOT, undefined, 'x-ppkg-secret', (value, schema, path) => {
      const a = schema['x-ppkg-secret'] as SecretAnnotation | undefined;
      if (!a) return;
      if (a.onlyWhenSecretLeaf) {
        // An additionalSettings value is a secret when its WCD leaf is one (…/Password, BPRT, …).
        const settingPath = (project as { additionalSettings?: { path?: unknown }[] }).additionalSettings?.[path[1] as number]?.path;
        const segments = typeof settingPath === 'string' ? parseSettingPath(settingPath) : undefined;
        const def = segments ? settingAt(schemaPathOf(segments)) : undefined;
        const leaf = segments?.[segments.length - 1]?.name.toLowerCase() ?? '';
        if (def?.wcd !== 'secret' && !isSecretReference(value) && !/(password|bprt|securitykey|secret)$/.test(leaf)) return;
        out.push({ path, what: `value of ${String(settingPath)}`, suggestedName: a.suggestedName, value, plainTextIsSecret: true });
        return;
      }
      out.push({ path, what: a.what, suggestedName: suggestedName(a.suggestedName, path), value, plainTextIsSecret: !a.onlyWhenReference });
    });
  return out;
}

/** Secret names that stay unique in lists: certificate-1-password, user-2-password. */
function suggestedName(base: string, path: JsonPath): string {
  const index = path.find((s): s is number => typeof s === 'number');
  if (index === undefined) return base;
  const parts = base.split('-');
  return [parts[0], String(index + 1), ...parts.slice(1)].join('-');
}

/** Every file-bearing property present in the project, in document order. */
export function fileFields(project: unknown): FileField[] {
  const out: FileField[] = [];
  if (annotatedBelow(ROOT, 'x-ppkg-file'))
    walk(project, ROOT, undefined, 'x-ppkg-file', (value, schema, path) => {
      const a = schema['x-ppkg-file'] as FileAnnotation | undefined;
      if (!a || typeof value !== 'string' || value === '') return;
      out.push({ path, role: a.role, commandFolder: a.commandFolder === true, value });
    });
  return out;
}

/**
 * Every secret reference in the project, wherever it is, with what WCD calls
 * the field when the schema names it: the build resolves all of them, so a
 * reference can never reach the compiler unresolved.
 */
export function secretReferences(project: unknown): { path: JsonPath; name: string; what: string }[] {
  const named = new Map(secretFields(project).map((f) => [f.path.join('\u0000'), f.what]));
  const out: { path: JsonPath; name: string; what: string }[] = [];
  const walk = (v: unknown, path: JsonPath): void => {
    if (isSecretReference(v)) {
      out.push({ path, name: v.secret, what: named.get(path.join('\u0000')) ?? `value of ${path.join('.')}` });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(project, []);
  return out;
}

/**
 * What the schema says of the property at a path (array indexes as numbers):
 * whether it holds a secret or names a file. For the editor, which asks
 * about the spot under the cursor rather than walking a whole project.
 * With `reference`, the value there is a secret reference: properties that
 * hold a secret only in that case (an OMA-URI value, an advanced setting's
 * value) count as well.
 */
export function fieldAt(
  path: JsonPath,
  options: { reference?: boolean } = {},
): { secret?: { what: string; suggestedName: string }; file?: { role: string; commandFolder: boolean } } {
  let s: Schema | undefined = ROOT;
  for (const step of path) {
    if (!s) return {};
    const r: Schema = resolve(s);
    s = typeof step === 'number' ? (r.items as Schema | undefined) : (r.properties as Record<string, Schema> | undefined)?.[step];
  }
  if (!s) return {};
  const secret = s['x-ppkg-secret'] as SecretAnnotation | undefined;
  const file = s['x-ppkg-file'] as FileAnnotation | undefined;
  return {
    ...(secret && (options.reference || (!secret.onlyWhenReference && !secret.onlyWhenSecretLeaf))
      ? { secret: { what: secret.what.replace(/ \(.*\)$/, ''), suggestedName: suggestedName(secret.suggestedName, path) } }
      : {}),
    ...(file ? { file: { role: file.role, commandFolder: file.commandFolder === true } } : {}),
  };
}
