import type { CheckResult } from './types';
import type { PreflightReport } from './preflight';
import type { BulkTokenAccount, RevokeOutcome } from './bulkTokenAccounts';

/** Rendering of preflight results and bulk-token accounts for the CLI and the VS Code client. */

export interface CheckJson {
  check: string;
  status: string;
  message: string;
  fix: string;
}

/** The machine-readable form: exactly `{ check, status, message, fix }` per check. */
export function resultsToJson(results: CheckResult[]): CheckJson[] {
  return results.map((r) => ({ check: r.check, status: r.status, message: r.message, fix: r.fix }));
}

const LABEL: Record<CheckResult['status'], string> = { pass: 'PASS   ', warn: 'WARN   ', fail: 'FAIL   ', unknown: 'UNKNOWN' };

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

export interface TextReportOptions {
  /** The client ID used for sign-in, for the admin-consent link when scopes were missing. */
  clientId?: string;
  /** The sign-in authority (default https://login.microsoftonline.com/organizations), for the admin-consent link. */
  authority?: string;
}

/** A report an admin can read: one block per check, the fix under it, a summary line. */
export function renderPreflightText(report: PreflightReport, options: TextReportOptions = {}): string {
  const lines: string[] = [`Bulk-enrollment readiness for ${report.user.userPrincipalName}`, ''];
  for (const r of report.results) {
    lines.push(`${LABEL[r.status]}  ${r.check}  ${r.title}`);
    lines.push(indent(r.message, '               '));
    if (r.fix && r.status !== 'pass') lines.push(indent(`Fix: ${r.fix}`, '               '));
    lines.push('');
  }
  const count = (s: CheckResult['status']) => report.results.filter((r) => r.status === s).length;
  lines.push(`${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed, ${count('unknown')} could not be checked.`);
  if (report.missingScopes.length > 0) {
    lines.push(
      '',
      `Some data could not be read. If the sign-in app lacks admin consent, a Global Administrator, Privileged Role Administrator or Cloud Application Administrator can grant it for: ${report.missingScopes.join('; ')}.`,
    );
    if (options.clientId)
      lines.push(
        `  Admin consent: ${(options.authority ?? 'https://login.microsoftonline.com/organizations').replace(/\/+$/, '')}/adminconsent?client_id=${encodeURIComponent(options.clientId)}`,
      );
  }
  lines.push(
    '',
    'Not checkable through Graph: the sign-in method of the requester (password or certificate only), exclusion of the future package_ account from Conditional Access, licences, and the devices themselves.',
  );
  return lines.join('\n') + '\n';
}

/** `ppkg tokens list --format json`: `[{ upn, created, status, daysLeft, project }]`. */
export function accountsToJson(
  accounts: BulkTokenAccount[],
): { upn: string; created: string | null; status: string; daysLeft: number | null; project: string | null }[] {
  return accounts.map((a) => ({ upn: a.upn, created: a.created, status: a.status, daysLeft: a.daysLeft, project: a.project }));
}

export function renderAccountsText(accounts: BulkTokenAccount[], projectFileCount?: number): string {
  if (accounts.length === 0) return 'No bulk-token (package_) accounts in the tenant.\n';
  const rows = accounts.map((a) => [
    a.upn,
    a.created ? a.created.slice(0, 10) : '?',
    a.status,
    a.daysLeft === null ? '?' : a.status === 'expired' ? `expired ${a.expires ?? ''}`.trim() : `${a.daysLeft} (until ${a.expires})`,
    a.projects.length ? a.projects.join(', ') : '-',
  ]);
  const head = ['ACCOUNT', 'CREATED', 'STATUS', 'DAYS LEFT', 'PROJECT'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const lines = [fmt(head), ...rows.map(fmt)];
  const expired = accounts.filter((a) => a.status === 'expired').length;
  lines.push(
    '',
    `${accounts.length} account(s), ${expired} expired. Each valid account is a live credential for joining devices; revoke unused ones with \`ppkg tokens revoke\`.`,
  );
  if (projectFileCount !== undefined)
    lines.push(`Matched against ${projectFileCount} project file(s). Status assumes the 180-day maximum unless the project records an earlier tokenExpiry.`);
  return lines.join('\n') + '\n';
}

export function renderRevokeOutcome(outcomes: RevokeOutcome[]): string {
  return outcomes.map((o) => (o.deleted ? `Deleted ${o.upn}\n` : `Not deleted ${o.upn}: ${o.error ?? 'unknown error'}\n`)).join('');
}
