/**
 * Calendar arithmetic for bulk-token expiry, on UTC calendar dates
 * (`YYYY-MM-DD`). The token service takes a date, and (inferred from the one
 * published sample, unverified against a live tenant) the token stops working
 * at 00:00 UTC of that date.
 */

/** Entra ID refuses bulk tokens that live longer than this (docs/provisioning.md §Bulk token lifetime). */
export const MAX_TOKEN_LIFETIME_DAYS = 180;

/**
 * The expiry we offer by default and in quick fixes: one day inside the limit,
 * as WCD's own examples and AADInternals do, because the service says the date
 * "must be less than 180 days from the current date".
 */
export const SAFE_TOKEN_LIFETIME_DAYS = 179;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Parses `YYYY-MM-DD` into a UTC midnight Date, or undefined if it is not a real calendar date. */
export function parseIsoDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date;
}

export function formatIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** UTC midnight of the day `instant` falls on. */
export function utcDay(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}

export function addDays(day: Date, days: number): Date {
  return new Date(utcDay(day).getTime() + days * DAY_MS);
}

/** Whole days from `from` to `to` (calendar days, UTC). */
export function daysBetween(from: Date, to: Date): number {
  return Math.round((utcDay(to).getTime() - utcDay(from).getTime()) / DAY_MS);
}

/** The latest expiry date we suggest for a token issued (or to be issued) at `issued`. */
export function latestSafeExpiry(issued: Date): string {
  return formatIsoDate(addDays(issued, SAFE_TOKEN_LIFETIME_DAYS));
}

/** The expiry as the token service expects it in the `exp` field: MM/dd/yyyy, as WCD and AADInternals send it. */
export function toBulkTokenExp(isoDate: string): string {
  const d = parseIsoDate(isoDate);
  if (!d) throw new Error(`Not a date: ${isoDate}`);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${mm}/${dd}/${d.getUTCFullYear()}`;
}
