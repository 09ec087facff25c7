// The validator that scripts/generate-validator.mjs writes at build time.
declare module '*/generated/projectValidator.js' {
  import type { ValidateFunction } from 'ajv';
  const validate: ValidateFunction & { schemaHash: string };
  export default validate;
}
