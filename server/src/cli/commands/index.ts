/**
 * Each `ppkg` command's module, loaded when the command runs (so `ppkg
 * validate` never loads the sign-in code). Only dynamic imports: the specs
 * live in `../registry.ts`, which imports no command, and nothing here is
 * imported back by a command.
 */
import type { CommandRunner } from '../io';
import type { CommandName } from '../registry';

export const LOADERS: Readonly<Record<CommandName, () => Promise<CommandRunner>>> = {
  validate: async () => (await import('./validate')).run,
  init: async () => (await import('./init')).run,
  build: async () => (await import('./build')).run,
  import: async () => (await import('./import')).run,
  inspect: async () => (await import('./inspect')).run,
  diff: async () => (await import('./diff')).run,
  textconv: async () => (await import('./textconv')).run,
  token: async () => (await import('./token')).run,
  doctor: async () => (await import('./doctor')).run,
  tokens: async () => (await import('./tokens')).run,
};
