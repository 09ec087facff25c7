/** Pure HTML rendering of the tenant readiness report for the webview (no vscode import, no scripts). */
import type { PreflightReport } from '../../server/src/engine';

const ICON: Record<string, string> = { pass: '✅', warn: '⚠️', fail: '❌', unknown: '❔' };
const WORD: Record<string, string> = { pass: 'Ready', warn: 'Warning', fail: 'Blocks bulk enrollment', unknown: 'Could not check' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Turns bare https links into anchors and `code` into <code>, after escaping. */
function linkify(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, (_m, code: string) => `<code>${code}</code>`).replace(/https:\/\/[^\s<)]+[^\s<).,;]/g, (u) => `<a href="${u}">${u}</a>`);
}

export function renderReadinessHtml(report: PreflightReport, options: { cspSource: string; when: Date }): string {
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  const rows = report.results
    .map(
      (r) => `<section class="check ${r.status}">
  <h2>${ICON[r.status] ?? ''} ${escapeHtml(r.check)} · ${escapeHtml(r.title)} <span class="status">${WORD[r.status] ?? r.status}</span></h2>
  <p>${linkify(escapeHtml(r.message))}</p>
  ${r.fix && r.status !== 'pass' ? `<p class="fix"><strong>Fix:</strong> ${linkify(escapeHtml(r.fix))}</p>` : ''}
</section>`,
    )
    .join('\n');
  const scopes = report.missingScopes.length
    ? `<p class="note">Some data could not be read. A Global Administrator, Privileged Role Administrator or Cloud Application Administrator can grant admin consent for: ${escapeHtml(report.missingScopes.join(', '))}.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${options.cspSource} 'unsafe-inline';">
<title>Bulk-enrollment readiness</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 1.5em; line-height: 1.45; }
h1 { font-size: 1.4em; } h2 { font-size: 1.05em; margin: 0 0 .3em; }
.check { border-left: 4px solid var(--vscode-panel-border); padding: .4em 1em; margin: .8em 0; }
.check.pass { border-color: var(--vscode-testing-iconPassed, green); }
.check.warn { border-color: var(--vscode-editorWarning-foreground, orange); }
.check.fail { border-color: var(--vscode-editorError-foreground, red); }
.status { font-weight: normal; opacity: .8; margin-left: .5em; }
.fix { background: var(--vscode-textBlockQuote-background); padding: .4em .6em; white-space: pre-wrap; }
code { font-family: var(--vscode-editor-font-family); }
.note, .summary { opacity: .9; }
</style></head><body>
<h1>Bulk-enrollment readiness for ${escapeHtml(report.user.userPrincipalName)}</h1>
<p class="summary">${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed, ${count('unknown')} could not be checked · ${escapeHtml(options.when.toISOString().replace('T', ' ').slice(0, 16))} UTC</p>
${rows}
${scopes}
<p class="note">Not checkable through Microsoft Graph: the requester's sign-in method (password or certificate only), exclusion of the future package_ account from Conditional Access, licences, and the devices themselves.</p>
</body></html>`;
}
