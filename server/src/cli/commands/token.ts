/**
 * `ppkg token <project>`: the terminal's shell over the one bulk-token flow
 * (entra/tokenFlow.ts, shared with **ppkg: Fetch Bulk Token**). This file only
 * reads the options, refuses bad ones before anyone signs in, and tells the
 * flow how this host shows things: the device code and progress on stderr,
 * the token only where the user says (`--out` file, mode 0600, or `--print`
 * to stdout), the project file replaced atomically with its mode kept.
 *
 * The flow runs the tenant's fast checks (R1, R2, R4) between the sign-in and
 * the request; a failing check stops before any token or package_* user
 * exists (exit 1). `--skip-checks` turns them off. After a failed fetch, the
 * error names the check that looks for its cause (exit 2). Every other
 * failure is a PpkgError that main() words and maps to its exit code; a
 * project file that cannot take the facts exits 2 here (the registry's
 * projectErrorExit), as 1 means a failing tenant check.
 */
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cloudByName } from '../../entra/clouds';
import { resolveExpiry } from '../../entra/fetchToken';
import { RecordTokenError, tokenSecretName } from '../../entra/recordToken';
import { runTokenFlow, TokenFlowError, type ProjectAccess } from '../../entra/tokenFlow';
import { PpkgError } from '../../errors';
import { atomicWriteFile } from '../../fs/atomicWrite';
import { decodeProjectBytes, InvalidUtf8Error } from '../../model/projectText';
import { secretEnvVar } from '../../model/secrets';
import { describeFileError, fileProblemReason } from '../../package/build/fileErrors';
import { parseCommandArgs, usageOf } from '../args';
import { CliError, EXIT_FINDINGS, EXIT_OK, type CliIO } from '../io';

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('token', args);
  const v = {
    expiry: parsed.string('expiry'),
    'client-id': parsed.string('client-id'),
    authority: parsed.string('authority'),
    cloud: parsed.string('cloud'),
    'bulk-endpoint': parsed.string('bulk-endpoint'),
    timeout: parsed.string('timeout'),
    'poll-interval': parsed.string('poll-interval'),
    name: parsed.string('name'),
    'skip-checks': parsed.flag('skip-checks'),
    'graph-endpoint': parsed.string('graph-endpoint'),
    out: parsed.string('out'),
    print: parsed.flag('print'),
  };
  if (parsed.positionals.length !== 1) throw new CliError(`Name one project file.\n${usageOf('token')}`);
  const projectFile = path.resolve(io.cwd, parsed.positionals[0]!);

  // Everything that can be refused is refused before anyone signs in.
  const cloud = v.cloud !== undefined ? cloudByName(v.cloud) : undefined;
  if (v.cloud !== undefined && !cloud) throw new CliError(`--cloud must be public, usgov or china, not "${v.cloud}".`);
  if (v.out !== undefined && v.print) throw new CliError('Choose one place for the token: --out <file> or --print, not both.');
  let projectText: string;
  try {
    projectText = decodeProjectBytes(await fs.readFile(projectFile));
  } catch (e) {
    if (e instanceof InvalidUtf8Error) throw new PpkgError(e.category, `${projectFile}: ${e.message}`, { cause: e });
    throw new PpkgError('io', describeFileError(e, `the project file ${path.relative(io.cwd, projectFile) || projectFile}`, 'read'), { cause: e });
  }
  let secretName: string;
  try {
    secretName = tokenSecretName(projectText);
  } catch (e) {
    if (e instanceof RecordTokenError) throw new PpkgError(e.category, `${projectFile}: ${e.message}`, { cause: e });
    throw e;
  }
  const envVar = secretEnvVar(secretName);
  if (v.out === undefined && !v.print) {
    throw new CliError(
      `Say where the bulk token goes: --out <file> (written with mode 0600) or --print (to stdout). ` +
        `The project file only records its expiry and package account, and refers to the token as { "secret": "${secretName}" }; ` +
        `ppkg build reads the value from the environment variable ${envVar}.`,
    );
  }
  const outFile = v.out !== undefined ? path.resolve(io.cwd, v.out) : undefined;
  if (outFile) {
    if (outFile === projectFile) throw new CliError('--out must not be the project file: the token never goes into the project.');
    const dir = path.dirname(outFile);
    const st = await fs.stat(dir).catch(() => undefined);
    if (!st?.isDirectory()) throw new CliError(`The folder for --out does not exist: ${dir}`);
  }
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    const s = Number(v.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new CliError('--timeout must be a positive number of seconds.');
    timeoutMs = Math.round(s * 1000);
  }
  let pollIntervalMs: number | undefined;
  if (v['poll-interval'] !== undefined) {
    const ms = Number(v['poll-interval']);
    if (!Number.isFinite(ms) || ms < 0) throw new CliError('--poll-interval must be a number of milliseconds.');
    pollIntervalMs = ms;
  }
  for (const [flag, value] of [
    ['--authority', v.authority],
    ['--bulk-endpoint', v['bulk-endpoint']],
    ['--graph-endpoint', v['graph-endpoint']],
  ] as const) {
    if (value === undefined) continue;
    let u: URL | undefined;
    try {
      u = new URL(value);
    } catch {
      u = undefined;
    }
    if (!u || u.protocol !== 'https:') throw new CliError(`${flag} must be an https URL, not "${value}".`);
  }
  const now = new Date();
  // A bad --expiry is an EntraError of category usage.
  const expiry = resolveExpiry(v.expiry, now);

  // Node trusts NODE_EXTRA_CA_CERTS for the real process already; reading it
  // here as well lets tests run the command in-process against an emulator.
  const ca = readExtraCa(io.env.NODE_EXTRA_CA_CERTS);

  let result;
  try {
    result = await runTokenFlow(
      {
        host: 'cli',
        clientId: v['client-id'],
        authority: v.authority,
        cloud: cloud?.name,
        bulkEndpoint: v['bulk-endpoint'],
        // A Graph endpoint is only guessed for the known clouds; any other authority needs --graph-endpoint.
        graphEndpoint: v['graph-endpoint'],
        skipChecks: v['skip-checks'],
        expiry,
        name: v.name,
        timeoutMs,
        pollIntervalMs,
        ca,
        now: () => new Date(),
      },
      {
        // The CLI always uses the device code flow for the bulk token: whether
        // WCD's client accepts a loopback redirect is unknown (docs/bulk-token.md).
        signIn: {
          deviceCode: true,
          onDeviceCode: (message) => io.stderr(`Signing in to Entra ID with a device code (ppkg token always does; no browser is needed here).\n${message}\n`),
        },
        onProgress: (message) => io.stderr(`${message}\n`),
        onChecks: (_outcome, text) => io.stderr(text),
        project: projectOnDisk(projectFile),
        storeToken: async (token) => {
          if (!outFile) return io.stdout(token + '\n');
          try {
            await atomicWriteFile(outFile, token + '\n');
          } catch (e) {
            throw new PpkgError('io', fileProblemReason(e), { cause: e });
          }
        },
        tokenDestination: () => (outFile ? `written to ${outFile}` : 'printed'),
        signal: io.signal,
      },
    );
  } catch (e) {
    if (!(e instanceof TokenFlowError)) throw e;
    // A failing tenant check is this command's finding, as in ppkg doctor: said, then exit 1.
    if (e.failure === 'checks') {
      io.stderr(`ppkg token: ${e.message}\n`);
      return EXIT_FINDINGS;
    }
    // The terminal's wording; main() prints it (advice on its own lines) and picks the exit code.
    const options = { code: e.code, advice: e.advice, cause: e };
    if (e.failure === 'fetch' || e.failure === 'cancelled') throw new PpkgError(e.category, `${e.summary} [${e.kind}]`, options);
    if (e.failure === 'project') throw new PpkgError(e.category, `${projectFile}: ${e.message}`, options);
    throw e;
  }
  const { facts } = result;
  const recordedName = result.secretName;

  io.stderr(
    [
      `Bulk token for ${facts.packageUser} (tenant ${facts.tenant}), valid until ${facts.tokenExpiry}.`,
      outFile ? `Token written to ${outFile} (mode 0600). Never commit it.` : 'Token printed to stdout.',
      `Recorded in ${path.relative(io.cwd, projectFile) || projectFile}: tokenExpiry, issuedAt, packageUser, tenant; the token is { "secret": "${recordedName}" }.`,
      `To build, set ${envVar} to the token${outFile ? `, e.g. ${envVar}="$(cat ${shellQuote(path.relative(io.cwd, outFile) || outFile)})" ppkg build ${shellQuote(path.relative(io.cwd, projectFile) || projectFile)}` : ''}.`,
      `To revoke the token, delete the user ${facts.packageUser} in Entra ID.`,
    ].join('\n') + '\n',
  );
  return EXIT_OK;
}

/** The project on disk: strict UTF-8 in, an atomic replacement out (same mode); file problems in the admin's words. */
function projectOnDisk(file: string): ProjectAccess {
  return {
    read: async () => {
      try {
        return decodeProjectBytes(await fs.readFile(file));
      } catch (e) {
        throw e instanceof InvalidUtf8Error ? e : new PpkgError('io', fileProblemReason(e), { cause: e });
      }
    },
    write: async (text) => {
      try {
        const mode = (await fs.stat(file)).mode & 0o777;
        await atomicWriteFile(file, text, { mode });
      } catch (e) {
        throw new PpkgError('io', fileProblemReason(e), { cause: e });
      }
    },
  };
}

function readExtraCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // Node itself only warns about an unreadable file.
  }
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
