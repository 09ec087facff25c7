import { isPpkgError, PpkgError } from '../../errors';
import { parseCommandArgs, signInArgs } from '../args';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO } from '../io';
import { PREFLIGHT_SCOPES, runPreflight, type PreflightReport } from '../../tenant/preflight';
import { renderPreflightText, resultsToJson } from '../../tenant/report';
import { createSyncFabricServicePrincipal, SYNC_FABRIC_FIX_SCOPE } from '../../tenant/syncFabricFix';
import { SYNC_FABRIC_APP_ID } from '../../tenant/checks/r1';
import { openGraphSession, tenantTestHooks } from '../../tenant/session';

/**
 * `ppkg doctor`: reads the tenant's bulk-enrollment prerequisites through
 * Microsoft Graph (R1–R7). Read-only, except `--fix`, which creates the
 * Microsoft.Azure.SyncFabric service principal after a confirmation.
 * Exit 0: nothing fails; 1: a check fails; 2: the preflight could not run.
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('doctor', args, { positionals: false });
  const format = parsed.string('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new CliError(`--format must be text or json, not "${format}".`);
  const v = { ...signInArgs(parsed), fix: parsed.flag('fix'), yes: parsed.flag('yes') };
  if (v.yes && !v.fix) throw new CliError('--yes only applies to --fix.');

  const scopes = v.fix ? [...PREFLIGHT_SCOPES, SYNC_FABRIC_FIX_SCOPE] : PREFLIGHT_SCOPES;
  // A failed sign-in is a SessionError (tenant, cancelled or usage): main() words it.
  const session = await openGraphSession(v, scopes, io, tenantTestHooks(io));

  let report: PreflightReport;
  try {
    report = await runPreflight(session.graph);
  } catch (err) {
    throw cannotRun(err);
  }

  let exitAfterOutput: number | undefined;
  let refusal: string | undefined;
  if (v.fix) {
    const r1 = report.results.find((r) => r.check === 'R1');
    if (r1?.status !== 'fail') {
      io.stderr('Nothing to fix: the Microsoft.Azure.SyncFabric service principal is present (the only change `--fix` makes).\n');
    } else {
      const question = `Create the Microsoft.Azure.SyncFabric service principal (app ID ${SYNC_FABRIC_APP_ID}) in the tenant?`;
      let go = v.yes === true;
      if (!go) {
        if (!io.confirm) {
          refusal =
            'Not creating the SyncFabric service principal: --fix needs a confirmation, and there is no terminal to ask. Run it in a terminal, or add --yes.';
        } else {
          go = await io.confirm(question);
          if (!go) refusal = 'Not creating the SyncFabric service principal: not confirmed.';
        }
      }
      if (go) {
        try {
          const outcome = await createSyncFabricServicePrincipal(session.graph);
          io.stderr(
            outcome.created
              ? 'Created the Microsoft.Azure.SyncFabric service principal.\n'
              : 'The Microsoft.Azure.SyncFabric service principal already exists.\n',
          );
          const again = await runPreflight({ ...session.graph, only: ['R1'] });
          report = { ...report, results: report.results.map((r) => (r.check === 'R1' ? (again.results[0] ?? r) : r)) };
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          refusal = `Could not create the SyncFabric service principal: ${message}. It needs ${SYNC_FABRIC_FIX_SCOPE} and Application Administrator, Cloud Application Administrator, Hybrid Identity Administrator or Global Administrator.`;
        }
      }
      if (refusal) exitAfterOutput = EXIT_USAGE;
    }
  }

  if (format === 'json') io.stdout(JSON.stringify(resultsToJson(report.results), null, 2) + '\n');
  else io.stdout(renderPreflightText(report, { clientId: session.clientId, authority: v.authority }));
  if (refusal) io.stderr(`ppkg doctor: ${refusal}\n`);
  if (exitAfterOutput !== undefined) return exitAfterOutput;
  return report.results.some((r) => r.status === 'fail') ? EXIT_FINDINGS : EXIT_OK;
}

/** The preflight itself failed (PreflightError, GraphError): said as such, in its category (`tenant` for anything else). */
function cannotRun(err: unknown): PpkgError {
  const message = `The preflight could not run: ${err instanceof Error ? err.message : String(err)}`;
  return isPpkgError(err)
    ? new PpkgError(err.category, message, { code: err.code, advice: err.advice, cause: err })
    : new PpkgError('tenant', message, { cause: err });
}
