// The validators that scripts/generate-validator.mjs writes at build time.
declare module '*/generated/projectValidator.js' {
  import type { ValidateFunction } from 'ajv';
  /** The whole project. */
  export const validate: ValidateFunction;
  /** One item of `applications`, its error paths relative to the item. */
  export const validateApplication: ValidateFunction;
  export const schemaHash: string;
}
