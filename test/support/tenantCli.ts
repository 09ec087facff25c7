import type { CliIO } from '../../server/src/cli/io';
import { TENANT_TEST_HOOKS, type TenantTestHooks } from '../../server/src/tenant/session';

/**
 * A CLI I/O for the tenant commands, with the test hooks (token provider, CA,
 * clock) injected and everything printed or asked captured.
 */
export function tenantCliIO(hooks: TenantTestHooks, options: { cwd?: string; confirm?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const io: CliIO & { [TENANT_TEST_HOOKS]: TenantTestHooks } = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: options.cwd ?? process.cwd(),
    env: {},
    confirm:
      options.confirm === undefined
        ? undefined
        : async (q) => {
            questions.push(q);
            return options.confirm!;
          },
    [TENANT_TEST_HOOKS]: hooks,
  };
  return { io, questions, stdout: () => out.join(''), stderr: () => err.join('') };
}
