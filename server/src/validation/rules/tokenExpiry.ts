import { addDays, daysBetween, formatIsoDate, latestSafeExpiry, MAX_TOKEN_LIFETIME_DAYS, parseIsoDate } from '../../model/dates';
import type { RuleContext } from '../context';

/**
 * Bulk token expiry rules (docs/provisioning.md §Bulk token lifetime). An
 * expired token makes devices fail to join Entra ID with no visible error.
 */
export function tokenExpiryRules(ctx: RuleContext): void {
  const entra = ctx.value(['account', 'entra']);
  if (entra === undefined || entra === null || typeof entra !== 'object' || Array.isArray(entra)) return;
  const today = ctx.today;

  let issued: Date | undefined;
  const issuedText = ctx.value(['account', 'entra', 'issuedAt']);
  if (issuedText !== undefined) {
    const t = typeof issuedText === 'string' ? Date.parse(issuedText) : NaN;
    if (Number.isNaN(t)) {
      ctx.report(
        ctx.node(['account', 'entra', 'issuedAt']),
        'error',
        'PPKG015',
        'issuedAt is not a date and time (ISO 8601, e.g. 2026-11-26T10:00:00Z). It is written by ppkg: Fetch Bulk Token; fetch the token again rather than editing it.',
      );
    } else {
      issued = new Date(t);
    }
  }

  const expiryNode = ['account', 'entra', 'tokenExpiry'];
  const expiryText = ctx.value(['account', 'entra', 'tokenExpiry']);
  const limitFrom = issued ?? today;
  const latest = latestSafeExpiry(limitFrom);
  if (expiryText === undefined) {
    ctx.report(
      ctx.keyNode(['account', 'entra']),
      'error',
      'PPKG014',
      `Entra join needs the bulk token's expiry (tokenExpiry, YYYY-MM-DD). Fetch the token with ppkg: Fetch Bulk Token, or set the date it was fetched with (at most ${MAX_TOKEN_LIFETIME_DAYS} days ahead).`,
      { latestExpiry: latest },
    );
    return;
  }
  if (typeof expiryText !== 'string') return; // the schema reports the type
  const expiry = parseIsoDate(expiryText);
  if (!expiry) {
    ctx.report(expiryNode, 'error', 'PPKG010', `"${expiryText}" is not a real date. Write the token expiry as YYYY-MM-DD, for example ${latest}.`, {
      latestExpiry: latest,
    });
    return;
  }

  const daysLeft = daysBetween(today, expiry);
  if (daysLeft <= 0) {
    ctx.report(
      expiryNode,
      'error',
      'PPKG011',
      `The bulk token expired on ${expiryText}${daysLeft < 0 ? ` (${-daysLeft} day${daysLeft === -1 ? '' : 's'} ago)` : ' (today)'}. Devices will fail to join Entra ID without a visible error. Fetch a new token (ppkg: Fetch Bulk Token) and rebuild.`,
      { latestExpiry: latestSafeExpiry(today) },
    );
    return;
  }

  const limit = addDays(limitFrom, MAX_TOKEN_LIFETIME_DAYS);
  if (expiry.getTime() > limit.getTime()) {
    const from = issued ? `after the token was issued (${formatIsoDate(issued)})` : 'from today, and no token has been fetched yet';
    ctx.report(
      expiryNode,
      'error',
      'PPKG012',
      `The expiry ${expiryText} is more than ${MAX_TOKEN_LIFETIME_DAYS} days ${from}. Entra ID refuses bulk tokens that live longer; use ${latest} or earlier.`,
      { latestExpiry: latest },
    );
    return;
  }

  const warnDays = ctx.options.expiryWarningDays;
  if (daysLeft <= warnDays) {
    ctx.report(
      expiryNode,
      'warning',
      'PPKG013',
      `The bulk token expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${expiryText}). Packages built with it stop joining devices then; plan a new token.`,
      { daysLeft },
    );
  }
}
