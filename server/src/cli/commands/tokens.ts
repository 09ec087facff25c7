import * as path from 'node:path';
import { isPpkgError, PpkgError } from '../../errors';
import { CliError, EXIT_OK, EXIT_USAGE, type CliIO } from '../io';
import {
  isPackageUpn,
  LIST_SCOPES,
  listBulkTokenAccounts,
  REVOKE_SCOPES,
  revokeBulkTokenAccounts,
  type AccountListing,
  type BulkTokenAccount,
} from '../../tenant/bulkTokenAccounts';
import { accountsToJson, renderAccountsText, renderRevokeOutcome } from '../../tenant/report';
import { openGraphSession, tenantTestHooks, type GraphSession, type SignInArgs } from '../../tenant/session';
import { parseCommandArgs, signInArgs, type ParsedArgs } from '../args';

const USAGE = [
  'ppkg tokens list [<folders>...] [--format text|json]',
  'ppkg tokens revoke <upn>... [--dry-run] [--yes]',
  'ppkg tokens revoke --expired [<folders>...] [--dry-run] [--yes]',
  'ppkg tokens revoke --unreferenced [<folders>...] [--dry-run] [--yes]',
  '  sign-in: [--cloud public|usgov|china] [--device-code] [--client-id <id>] [--authority <url>] [--graph-endpoint <url>]',
  'Run `ppkg tokens --help` for every option.',
].join('\n');

/**
 * `ppkg tokens`: the tenant's bulk-token accounts (`package_*` users). `list`
 * shows each with its status against the 180-day limit and the project file
 * that records it; `revoke` deletes accounts (which revokes their tokens)
 * after showing exactly which and getting a confirmation.
 */
export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') return list(rest, io);
  if (sub === 'revoke') return revoke(rest, io);
  throw new CliError(`${sub ? `Unknown subcommand "${sub}".` : 'Name a subcommand: list or revoke.'}\nUsage:\n${USAGE}`);
}

function parse(args: string[], sub: 'list' | 'revoke'): ParsedArgs {
  return parseCommandArgs('tokens', args, { sub });
}

/** Signs in; a failed sign-in is a SessionError (tenant, cancelled or usage) that main() words. */
function session(values: SignInArgs, scopes: string[], io: CliIO): Promise<GraphSession> {
  return openGraphSession(values, scopes, io, tenantTestHooks(io));
}

async function fetchListing(s: GraphSession, folders: string[], io: CliIO): Promise<AccountListing> {
  const hooks = tenantTestHooks(io);
  try {
    const listing = await listBulkTokenAccounts({ ...s.graph, folders, now: hooks?.now });
    // Show project paths relative to where the admin is.
    for (const a of listing.accounts) {
      a.projects = a.projects.map((f) => display(f, io.cwd));
      a.project = a.projects[0] ?? null;
    }
    return listing;
  } catch (err) {
    const status = (err as { status?: number }).status;
    const hint =
      status === 403 ? ' Listing the package_ accounts needs the delegated permission User.Read.All (admin consent) and a role that can read users.' : '';
    const message = `Could not list the bulk-token accounts: ${err instanceof Error ? err.message : String(err)}.${hint}`;
    throw new PpkgError(isPpkgError(err) ? err.category : 'tenant', message, { code: isPpkgError(err) ? err.code : undefined, cause: err });
  }
}

function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function folderArgs(positionals: string[], io: CliIO): string[] {
  return (positionals.length ? positionals : ['.']).map((f) => path.resolve(io.cwd, f));
}

async function list(args: string[], io: CliIO): Promise<number> {
  const parsed = parse(args, 'list');
  const format = parsed.string('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new CliError(`--format must be text or json, not "${format}".`);
  const folders = folderArgs(parsed.positionals, io);
  const s = await session(signInArgs(parsed), LIST_SCOPES, io);
  const listing = await fetchListing(s, folders, io);
  if (format === 'json') io.stdout(JSON.stringify(accountsToJson(listing.accounts), null, 2) + '\n');
  else io.stdout(renderAccountsText(listing.accounts, listing.projectFiles.length));
  return EXIT_OK;
}

async function revoke(args: string[], io: CliIO): Promise<number> {
  const parsed = parse(args, 'revoke');
  const v = {
    ...signInArgs(parsed),
    expired: parsed.flag('expired'),
    unreferenced: parsed.flag('unreferenced'),
    'dry-run': parsed.flag('dry-run'),
    yes: parsed.flag('yes'),
  };
  if (v.expired && v.unreferenced) throw new CliError('Use --expired or --unreferenced, not both (run them one after the other).');
  const bySelector = v.expired || v.unreferenced;
  if (!bySelector && parsed.positionals.length === 0) {
    throw new CliError(`Name the package_ accounts to revoke, or use --expired or --unreferenced.\nUsage:\n${USAGE}`);
  }
  if (!bySelector) {
    const notPackage = parsed.positionals.filter((u) => !isPackageUpn(u));
    if (notPackage.length) {
      throw new CliError(
        `Refusing: ${notPackage.join(', ')} ${notPackage.length === 1 ? 'is' : 'are'} not a bulk-token account (package_…@domain). ppkg tokens only deletes package_ users.`,
      );
    }
  }
  const folders = bySelector ? folderArgs(parsed.positionals, io) : [];

  // A dry run only reads.
  const s = await session(v, v['dry-run'] ? LIST_SCOPES : REVOKE_SCOPES, io);
  const listing = await fetchListing(s, folders, io);

  let selected: BulkTokenAccount[];
  if (v.expired) {
    selected = listing.accounts.filter((a) => a.status === 'expired');
  } else if (v.unreferenced) {
    if (listing.projectFiles.length === 0) {
      throw new CliError(
        `Refusing: no *.ppkg.json project file was found in ${folders.map((f) => display(f, io.cwd) || '.').join(', ')}, so every account would look unreferenced. Name the folders that hold your projects.`,
      );
    }
    selected = listing.accounts.filter((a) => a.projects.length === 0);
  } else {
    const byUpn = new Map(listing.accounts.map((a) => [a.upn.toLowerCase(), a]));
    const missing = parsed.positionals.filter((u) => !byUpn.has(u.toLowerCase()));
    if (missing.length) throw new CliError(`Not found in the tenant: ${missing.join(', ')}. Nothing was deleted.`);
    selected = [...new Set(parsed.positionals.map((u) => byUpn.get(u.toLowerCase())!))];
  }

  if (selected.length === 0) {
    io.stdout(
      v.expired
        ? 'No expired bulk-token accounts. Nothing to revoke.\n'
        : v.unreferenced
          ? 'Every bulk-token account is recorded in a project file. Nothing to revoke.\n'
          : 'Nothing to revoke.\n',
    );
    return EXIT_OK;
  }

  const lines = selected.map((a) => {
    const created = a.created ? a.created.slice(0, 10) : '?';
    const state = a.status === 'expired' ? 'expired' : `valid, ${a.daysLeft ?? '?'} day(s) left`;
    return `  ${a.upn}  (created ${created}, ${state}${a.project ? `, ${a.project}` : ', no project'})`;
  });
  io.stdout(
    `${v['dry-run'] ? 'Would delete' : 'Will delete'} ${selected.length} bulk-token account(s). Deleting an account revokes its token: packages that carry it can no longer join devices.\n${lines.join('\n')}\n`,
  );
  if (v['dry-run']) {
    io.stdout('Dry run: nothing was deleted.\n');
    return EXIT_OK;
  }
  if (!v.yes) {
    if (!io.confirm) {
      throw new CliError('Refusing to delete without confirmation: there is no terminal to ask. Check the list above and run again with --yes.');
    }
    const ok = await io.confirm(`Delete these ${selected.length} account(s) from Entra ID?`);
    if (!ok) {
      io.stderr('Cancelled: nothing was deleted.\n');
      return EXIT_USAGE;
    }
  }
  const outcomes = await revokeBulkTokenAccounts(selected, s.graph);
  io.stdout(renderRevokeOutcome(outcomes));
  const failed = outcomes.filter((o) => !o.deleted);
  if (failed.length) {
    io.stderr(
      `ppkg tokens: ${failed.length} account(s) were not deleted. Deleting users needs the delegated permission User.ReadWrite.All and a role that may delete these users (e.g. User Administrator; which roles suffice for package_ accounts is unverified).\n`,
    );
    return EXIT_USAGE;
  }
  return EXIT_OK;
}
