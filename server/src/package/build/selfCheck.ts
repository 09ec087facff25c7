/**
 * Build stage: the package's self-check, between writing it to its temporary
 * path and the atomic rename over the final name. A failing check throws and
 * the previous package stays in place.
 *
 * The compiler's owner provides the real check (reading the package back and
 * comparing it with what was compiled); until then this stage passes.
 */
import type { CompileResult } from '../../compile';

export interface SelfCheckInput {
  /** The finished package at its temporary path (not yet visible under its name). */
  tempPath: string;
  /** The final name, for messages. */
  packagePath: string;
  compiled: CompileResult;
  signal?: AbortSignal;
}

export async function selfCheckPackage(_input: SelfCheckInput): Promise<void> {
  // Intentionally empty: the lead's self-check goes here.
}
