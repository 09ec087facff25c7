import { promises as fs } from 'node:fs';
import { findProjectFiles } from '../fs/projectFiles';
import { GraphClient, type GraphClientOptions } from './graphClient';
import { parseProject, nodeAtPath } from '../model/parse';
import { addDays, daysBetween, formatIsoDate, MAX_TOKEN_LIFETIME_DAYS, parseIsoDate } from '../model/dates';

/**
 * The tenant's bulk-token accounts: each token creates an Entra user
 * `package_<GUID>@<default domain>`; deleting the user revokes the token
 * (docs/tenant-checks.md §Bulk-token accounts). Graph does not show the expiry chosen when
 * the token was fetched, so the status is judged against the 180-day maximum
 * from `createdDateTime`, or the project's `tokenExpiry` when a project file
 * records the account and gives an earlier date.
 */

/** Scopes: listing needs User.Read.All (unverified as least privileged); deleting needs User.ReadWrite.All. */
export const LIST_SCOPES = ['User.Read', 'User.Read.All'];
export const REVOKE_SCOPES = ['User.Read', 'User.ReadWrite.All'];

export const PACKAGE_USERS_REQUEST =
  "/v1.0/users?$filter=startswith(userPrincipalName,'package_')&$select=id,userPrincipalName,displayName,createdDateTime&$top=999";

export interface GraphUser {
  id: string;
  userPrincipalName: string;
  displayName?: string;
  createdDateTime?: string | null;
}

export interface ProjectReference {
  /** The project file path, as found under the scanned folders. */
  file: string;
  /** account.entra.tokenExpiry, when it is a date. */
  tokenExpiry?: string;
}

export interface BulkTokenAccount {
  id: string;
  upn: string;
  /** ISO 8601 createdDateTime, or null when Graph did not give one. */
  created: string | null;
  status: 'valid' | 'expired';
  /** Days until the (latest possible) expiry; 0 or less once expired; null when Graph gave no creation date. */
  daysLeft: number | null;
  /** YYYY-MM-DD the token stops working at the latest. */
  expires: string | null;
  /** The first project file that records this account, or null. */
  project: string | null;
  projects: string[];
}

export function isPackageUpn(upn: string): boolean {
  return /^package_[^@]+@.+/i.test(upn);
}

/** Maps lower-cased package UPN → the project files that record it in account.entra.packageUser. */
export async function scanProjectReferences(files: string[]): Promise<Map<string, ProjectReference[]>> {
  const map = new Map<string, ProjectReference[]>();
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    const doc = parseProject(text);
    const user = nodeAtPath(doc.root, ['account', 'entra', 'packageUser']);
    if (user?.type !== 'string' || typeof user.value !== 'string' || !user.value.trim()) continue;
    const expiry = nodeAtPath(doc.root, ['account', 'entra', 'tokenExpiry']);
    const tokenExpiry = expiry?.type === 'string' && parseIsoDate(String(expiry.value)) ? String(expiry.value) : undefined;
    const key = user.value.trim().toLowerCase();
    const list = map.get(key) ?? [];
    list.push({ file, tokenExpiry });
    map.set(key, list);
  }
  return map;
}

/** Pure: status of each package user at `now`, with its project references. */
export function classifyAccounts(users: GraphUser[], references: Map<string, ProjectReference[]>, now: Date): BulkTokenAccount[] {
  return users
    .filter((u) => typeof u.userPrincipalName === 'string' && isPackageUpn(u.userPrincipalName))
    .map((u) => {
      const refs = references.get(u.userPrincipalName.toLowerCase()) ?? [];
      const createdDate = u.createdDateTime ? new Date(u.createdDateTime) : undefined;
      const valid = createdDate && !Number.isNaN(createdDate.getTime()) ? createdDate : undefined;
      let expires = valid ? addDays(valid, MAX_TOKEN_LIFETIME_DAYS) : undefined;
      for (const r of refs) {
        const e = r.tokenExpiry ? parseIsoDate(r.tokenExpiry) : undefined;
        if (e && (!expires || e < expires)) expires = e;
      }
      // Without any date (Graph gives createdDateTime for every user made since 2018) we cannot tell:
      // report daysLeft null and status "valid" so that --expired never deletes on a guess.
      const daysLeft = expires ? daysBetween(now, expires) : null;
      return {
        id: u.id,
        upn: u.userPrincipalName,
        created: u.createdDateTime ?? null,
        status: daysLeft !== null && daysLeft <= 0 ? ('expired' as const) : ('valid' as const),
        daysLeft,
        expires: expires ? formatIsoDate(expires) : null,
        project: refs[0]?.file ?? null,
        projects: refs.map((r) => r.file),
      };
    })
    .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.upn.localeCompare(b.upn));
}

export interface ListOptions extends GraphClientOptions {
  /** Folders to scan for `*.ppkg.json` files. */
  folders?: string[];
  now?: () => number;
}

export interface AccountListing {
  accounts: BulkTokenAccount[];
  /** Project files scanned. */
  projectFiles: string[];
}

/** Lists the package_* users with their status and project files. */
export async function listBulkTokenAccounts(options: ListOptions): Promise<AccountListing> {
  const client = new GraphClient(options);
  const projectFiles = options.folders?.length ? await findProjectFiles(options.folders) : [];
  const references = await scanProjectReferences(projectFiles);
  const users = await client.getAll<GraphUser>(PACKAGE_USERS_REQUEST);
  const now = new Date((options.now ?? Date.now)());
  return { accounts: classifyAccounts(users, references, now), projectFiles };
}

export interface RevokeOutcome {
  upn: string;
  id: string;
  deleted: boolean;
  error?: string;
}

/**
 * Deletes the given package users (DELETE /users/{id}), one by one. Refuses
 * anything that is not a package_ account. The caller confirms first.
 */
export async function revokeBulkTokenAccounts(accounts: Pick<BulkTokenAccount, 'id' | 'upn'>[], options: GraphClientOptions): Promise<RevokeOutcome[]> {
  const client = new GraphClient(options);
  const out: RevokeOutcome[] = [];
  for (const a of accounts) {
    if (!isPackageUpn(a.upn)) {
      out.push({ upn: a.upn, id: a.id, deleted: false, error: 'not a package_ account; refused' });
      continue;
    }
    try {
      await client.delete(`/v1.0/users/${encodeURIComponent(a.id)}`);
      out.push({ upn: a.upn, id: a.id, deleted: true });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      out.push({ upn: a.upn, id: a.id, deleted: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
