import type { Severity } from './diagnostic';

export interface RuleInfo {
  code: string;
  severity: Severity;
  title: string;
  /** Why the rule exists, in the admin's terms; shown in the README and SARIF. */
  reason: string;
}

/**
 * Every diagnostic code ppkg emits. Codes are stable: CI baselines and
 * SARIF results refer to them. The README's rule table is checked against
 * this list by a test.
 */
export const RULE_CATALOG: RuleInfo[] = [
  { code: 'PPKG000', severity: 'error', title: 'Malformed JSON', reason: 'The project file must be JSON with comments; every other rule still runs on what parses.' },
  { code: 'PPKG001', severity: 'error', title: 'Forbidden character in device name', reason: 'Windows accepts letters, digits and "-" in a computer name; a space, punctuation or an emoji (counted as one character, whatever its UTF-16 length) fails the package on the device.' },
  { code: 'PPKG002', severity: 'error', title: 'Device name only digits', reason: 'Windows (DnsValidateName) rejects computer names made only of digits.' },
  { code: 'PPKG003', severity: 'error', title: 'Device name over 63 characters', reason: '63 characters is the DNS host name limit.' },
  { code: 'PPKG004', severity: 'warning', title: 'Device name over 15 characters', reason: 'The wizard, NetBIOS and Active Directory join allow 15 characters after %RAND:x% is expanded.' },
  { code: 'PPKG005', severity: 'error', title: 'No or little room for %SERIAL%', reason: 'Windows cuts the serial number from the left to fit 15 characters: with none left every device gets the same name (error); with fewer than 8 left, devices whose serials end alike collide (warning).' },
  { code: 'PPKG006', severity: 'error', title: 'Malformed or unknown macro', reason: 'Only %SERIAL% and %RAND:x% (x from 1 to 14) exist; anything else is written literally or rejected on the device.' },
  { code: 'PPKG010', severity: 'error', title: 'Token expiry is not a date', reason: 'The bulk token expiry must be a real YYYY-MM-DD date.' },
  { code: 'PPKG011', severity: 'error', title: 'Bulk token expired', reason: 'With an expired token, devices fail to join Entra ID without a visible error.' },
  { code: 'PPKG012', severity: 'error', title: 'Token lifetime over 180 days', reason: 'Entra ID issues bulk tokens for at most 180 days from the day they are fetched.' },
  { code: 'PPKG013', severity: 'warning', title: 'Bulk token expires soon', reason: 'Warns a number of days ahead (setting ppkg.expiryWarningDays, default 30) so a new token can be fetched in time.' },
  { code: 'PPKG014', severity: 'error', title: 'Entra join without an expiry', reason: 'The expiry is what ppkg checks the token against; the token command records it.' },
  { code: 'PPKG015', severity: 'error', title: 'issuedAt is not a date-time', reason: 'The 180-day limit counts from the recorded issue time.' },
  { code: 'PPKG020', severity: 'error', title: 'WPA2-Personal without a key', reason: 'A WPA2-Personal network needs its pre-shared key.' },
  { code: 'PPKG021', severity: 'error', title: 'Wi-Fi key length', reason: 'A WPA2-Personal key has 8 to 63 characters.' },
  { code: 'PPKG022', severity: 'warning', title: 'Open network with a key', reason: 'An Open network has no key; WCD omits it.' },
  { code: 'PPKG023', severity: 'warning', title: 'WEP network', reason: 'WEP is obsolete and insecure.' },
  { code: 'PPKG030', severity: 'error', title: 'File missing', reason: 'Installers, dependencies and certificates are copied into the package at build time.' },
  { code: 'PPKG031', severity: 'error', title: 'File outside the project folder', reason: 'Absolute paths, ../ and links out of the folder make a build depend on one machine and can leak unrelated files into a package.' },
  { code: 'PPKG032', severity: 'error', title: 'Duplicate command file name', reason: 'All installers and dependencies land in one folder on the device, so equal file names overwrite each other.' },
  { code: 'PPKG033', severity: 'error', title: '.pfx without a password', reason: 'A client certificate is imported with its password.' },
  { code: 'PPKG034', severity: 'error', title: 'Unsupported certificate file', reason: 'WCD takes .cer/.crt (root, CA) and .pfx (client) files.' },
  { code: 'PPKG035', severity: 'error', title: 'File path differs in case', reason: 'Windows ignores case but Linux and macOS builds do not; the quick fix corrects it.' },
  { code: 'PPKG036', severity: 'warning', title: 'msiexec without a quiet switch', reason: 'Commands run as SYSTEM during setup; a dialog waits until the 30-minute timeout.' },
  { code: 'PPKG037', severity: 'error', title: 'Certificate is not PKCS#12', reason: 'A client certificate is imported from a PKCS#12 (.pfx) file with its private key; any other file fails on the device after the join.' },
  { code: 'PPKG038', severity: 'error', title: 'Certificate password does not open the .pfx', reason: 'Windows imports the .pfx with CertificatePassword; a wrong one fails the package on every device. Checked when the secret is available (the build always checks).' },
  { code: 'PPKG040', severity: 'warning', title: 'Entra join without a local administrator', reason: 'If the join fails, a local administrator is the only way into the device.' },
  { code: 'PPKG041', severity: 'warning', title: 'Hidden OOBE without a local account', reason: 'HideOobe skips account creation; without an account in the package nobody can sign in.' },
  { code: 'PPKG050', severity: 'error', title: 'Product key form', reason: 'A product key is XXXXX-XXXXX-XXXXX-XXXXX-XXXXX.' },
  { code: 'PPKG070', severity: 'warning', title: 'Plain-text secret', reason: 'A bulk token, Wi-Fi key or password written in the project file would be committed to git; use { "secret": "<name>" }.' },
  { code: 'PPKG080', severity: 'error', title: 'Duplicate property', reason: 'JSON keeps the last of two equal keys silently, which hides edits in review.' },
  { code: 'PPKG082', severity: 'error', title: 'File too large or unreadable', reason: 'A project file is a few kilobytes; huge or undecodable files are refused before parsing.' },
  { code: 'PPKG090', severity: 'information', title: 'Encryption needs ICD', reason: 'Only ICD on Windows can encrypt a package; the native backend refuses such a project.' },
  { code: 'PPKG110', severity: 'error', title: 'Secret not set (build)', reason: 'The build resolves every secret reference; the message names the secret and how to set it (PPKG_SECRET_<NAME>, or ppkg: Set Secret).' },
  { code: 'PPKG111', severity: 'error', title: 'Setting cannot be compiled (build)', reason: 'A value cannot be written to customizations.xml or the package (for example a line break where Windows takes one line).' },
  { code: 'PPKG112', severity: 'warning', title: 'Advanced setting overrides a wizard setting (build)', reason: 'An additionalSettings path is also set by the wizard settings; the advanced value wins.' },
  { code: 'PPKG113', severity: 'warning', title: 'Not compiled by the native backend (build)', reason: 'additionalSettings and multivariant XML are kept in customizations.xml, but only ICD compiles them into the package.' },
  { code: 'PPKG100', severity: 'error', title: 'Invalid value', reason: 'The value does not match the project schema (type, allowed values, form).' },
  { code: 'PPKG101', severity: 'error', title: 'Unknown property', reason: 'The property is not part of the format, often a typo; it would be ignored.' },
  { code: 'PPKG102', severity: 'error', title: 'Missing property', reason: 'The schema requires this property.' },
  { code: 'PPKG999', severity: 'error', title: 'Internal error', reason: 'A rule failed; please report it. The other rules still ran.' },
];

export function ruleInfo(code: string): RuleInfo | undefined {
  return RULE_CATALOG.find((r) => r.code === code);
}
