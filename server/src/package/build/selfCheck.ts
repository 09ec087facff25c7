/**
 * Build stage: the package's self-check, between writing it to its temporary
 * path and the atomic rename over the final name. A failing check throws and
 * the previous package stays in place.
 *
 * The check reads the package back and compares it with what was compiled
 * (package/verify.ts).
 */
import type { CompileResult } from '../../compile';
import { verifyPackage } from '../verify';

export interface SelfCheckInput {
  /** The finished package at its temporary path (not yet visible under its name). */
  tempPath: string;
  /** The final name, for messages. */
  packagePath: string;
  compiled: CompileResult;
  signal?: AbortSignal;
}

export async function selfCheckPackage(input: SelfCheckInput): Promise<void> {
  await verifyPackage(input.tempPath, input.compiled, input.signal);
}
