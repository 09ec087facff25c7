/**
 * PPKG071: a password inside a command line. Admins often create accounts or
 * set auto-logon with `net user`, `reg add … DefaultPassword` or an
 * installer's password switch; the password then sits in plain text in the
 * project file (and so in git) and in the package. The finding marks the
 * password itself and never repeats it.
 */
import type { JsonPath } from '../../model/parse';
import type { RuleContext } from '../context';
import { PerIndex, reportEach, type ItemFinding } from '../perItem';

/** Where commands are written in a project, besides the applications (checked one by one). */
function otherCommandLines(ctx: RuleContext): { path: JsonPath; text: string }[] {
  const out: { path: JsonPath; text: string }[] = [];
  const dc = ctx.string(['deviceContext', 'commandLine']);
  if (dc !== undefined) out.push({ path: ['deviceContext', 'commandLine'], text: dc });
  const extra = ctx.value(['additionalSettings']);
  if (Array.isArray(extra))
    extra.forEach((s, i) => {
      const path = (s as { path?: unknown })?.path;
      const value = (s as { value?: unknown })?.value;
      if (typeof path === 'string' && /CommandLine$/i.test(path) && typeof value === 'string')
        out.push({ path: ['additionalSettings', i, 'value'], text: value });
    });
  return out;
}

const TOKEN = String.raw`("[^"]*"|'[^']*'|[^\s"']+)`;

/** Password-bearing patterns: each captures the password as its last group. */
const PATTERNS: { what: string; re: RegExp }[] = [
  // net user <name> <password> [/add …]; `*` prompts and is not a password.
  { what: 'net user', re: new RegExp(String.raw`\bnet(?:\.exe)?\s+user\s+${TOKEN}\s+(?!\*(?:\s|$))(?![/-])${TOKEN}`, 'gi') },
  // reg add …\Winlogon /v DefaultPassword … /d <password>
  { what: 'DefaultPassword', re: new RegExp(String.raw`DefaultPassword\b[^\r\n]*?\s[/-]d\s+${TOKEN}`, 'gi') },
  // /p:<pw>, /password:<pw>, /pwd=<pw>, -Password <pw>, --password=<pw>
  { what: 'a password switch', re: new RegExp(String.raw`(?:^|\s)(?:/|--?)(?:p|pw|pwd|pass|password)(?::|=|\s+)${TOKEN}`, 'gi') },
  // msiexec properties such as PASSWORD=… or SERVICE_PASSWORD="…"
  { what: 'a PASSWORD property', re: new RegExp(String.raw`\b[A-Z_]*PASSWORD=${TOKEN}`, 'g') },
  // ConvertTo-SecureString "<pw>" -AsPlainText
  { what: 'ConvertTo-SecureString', re: new RegExp(String.raw`ConvertTo-SecureString\s+(?:-String\s+)?${TOKEN}[^\r\n]*-AsPlainText`, 'gi') },
];

/** The password spans in a command line: [start, end) of each, with what gave it away. */
export function passwordsIn(text: string): { start: number; end: number; what: string }[] {
  const found: { start: number; end: number; what: string }[] = [];
  for (const { what, re } of PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const pw = m[m.length - 1]!;
      const start = m.index + m[0].lastIndexOf(pw);
      const unquoted = pw.replace(/^["']|["']$/g, '');
      // Variables and prompts are not passwords written in the file.
      if (!unquoted || /^%[^%]+%$|^\$[\w:{}]+$|^\*$/.test(unquoted)) continue;
      if (!found.some((f) => f.start === start)) found.push({ start, end: start + pw.length, what });
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function findingsIn(text: string, path: JsonPath): ItemFinding[] {
  return passwordsIn(text).map((pw) => ({
    path,
    severity: 'warning' as const,
    code: 'PPKG071',
    message: `This command line holds a password in plain text (after ${pw.what}): it would be committed to git and lands in the package for anyone to read. Create accounts with users or account.localAdmin, auto-logon with smiSettings.AutoLogon (the password as a secret), or fetch the password at run time.`,
    sub: { start: pw.start, end: pw.end },
  }));
}

export function commandSecretRules(ctx: RuleContext): void {
  const apps = ctx.value(['applications']);
  if (Array.isArray(apps)) {
    const kept = ctx.memo('commandSecrets/applications', () => new PerIndex<ItemFinding[]>());
    const { values } = kept.map(apps, '', (app) => {
      const line = (app as { commandLine?: unknown })?.commandLine;
      return typeof line === 'string' ? findingsIn(line, ['commandLine']) : [];
    });
    reportEach(ctx, 'applications', values);
  }
  for (const line of otherCommandLines(ctx))
    for (const f of findingsIn(line.text, line.path)) ctx.report(f.path, f.severity, f.code, f.message, undefined, f.sub);
}
