import projectSchema from '../../../schemas/ppkg-project.schema.json';
import type { PpkgProject } from './generated/project';
import type { SecretReference } from './secrets';

/**
 * The project file (`*.ppkg.json`) as a typed value. The types are generated
 * from schemas/ppkg-project.schema.json at build time
 * (scripts/generate-types.mjs); this module names their parts. Validation
 * runs on the raw value first, so code that receives a `Project` may rely on
 * the shapes.
 *
 * Every property maps to settings of WCD's customizations.xml
 * (compile/projectSettings.ts); a property left out writes nothing — ppkg
 * adds no value the project does not state.
 */
export type SecretValue = SecretReference | string;

/** The whole project, as the schema describes it. */
export type Project = PpkgProject;
export type OwnerType = NonNullable<Project['owner']>;
export type WifiNetwork = NonNullable<NonNullable<Project['network']>['wifi']>;
export type LocalUser = NonNullable<Project['users']>[number];
export type Application = NonNullable<Project['applications']>[number];
export type Certificate = NonNullable<Project['certificates']>[number];
export type CspSetting = NonNullable<Project['csp']>[number];
export type CspFormat = CspSetting['format'];

/** A mirrored WCD subtree: element names as keys; leaves are text, numbers, booleans, secrets or file paths; keyed lists are arrays. */
export interface MirroredSection {
  [element: string]: MirroredValue;
}
export type MirroredValue = string | number | boolean | SecretReference | MirroredSection | MirroredSection[];

type Schema = { default?: unknown; properties?: Record<string, Schema>; items?: Schema };
/** A default declared in the schema, by property path (`[]` steps into array items). */
function schemaDefault<T>(...path: string[]): T {
  let s: Schema | undefined = projectSchema as Schema;
  for (const p of path) s = p === '[]' ? s?.items : s?.properties?.[p];
  if (s?.default === undefined) throw new Error(`the schema declares no default for ${path.join('.')}`);
  return s.default as T;
}

/**
 * The defaults ppkg writes, read from the schema (declared once, there):
 * PackageConfig's OwnerType is required by WCD, the Wi-Fi network type is
 * the wizard's required choice, and a certificate file goes to a store.
 * Nothing else has a default that ppkg writes.
 */
export const DEFAULTS = {
  owner: schemaDefault<OwnerType>('owner'),
  rank: schemaDefault<number>('rank'),
  wifiSecurity: schemaDefault<NonNullable<WifiNetwork['security']>>('network', 'wifi', 'security'),
  certificateStore: schemaDefault<NonNullable<Certificate['store']>>('certificates', '[]', 'store'),
};
