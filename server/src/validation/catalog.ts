import type { Severity } from './diagnostic';

export interface RuleInfo {
  code: DiagnosticCode;
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
export const RULE_CATALOG = [
  {
    code: 'PPKG000',
    severity: 'error',
    title: 'Malformed JSON',
    reason: 'The project file must be JSON with comments; every other rule still runs on what parses.',
  },
  {
    code: 'PPKG001',
    severity: 'error',
    title: 'Forbidden character in device name',
    reason:
      'Windows accepts letters, digits and "-" in a computer name; a space, punctuation or an emoji (counted as one character, whatever its UTF-16 length) fails the package on the device.',
  },
  { code: 'PPKG002', severity: 'error', title: 'Device name only digits', reason: 'Windows (DnsValidateName) rejects computer names made only of digits.' },
  { code: 'PPKG003', severity: 'error', title: 'Device name over 63 characters', reason: '63 characters is the DNS host name limit.' },
  {
    code: 'PPKG004',
    severity: 'warning',
    title: 'Device name over 15 characters',
    reason: 'The wizard, NetBIOS and Active Directory join allow 15 characters after %RAND:x% is expanded.',
  },
  {
    code: 'PPKG005',
    severity: 'error',
    title: 'No or little room for %SERIAL%',
    reason:
      'Windows cuts the serial number from the left to fit 15 characters: with none left every device gets the same name (error); with fewer than 8 left, devices whose serials end alike collide (warning).',
  },
  {
    code: 'PPKG006',
    severity: 'error',
    title: 'Malformed or unknown macro',
    reason: 'Only %SERIAL% and %RAND:x% (x from 1 to 14) exist; anything else is written literally or rejected on the device.',
  },
  { code: 'PPKG010', severity: 'error', title: 'Token expiry is not a date', reason: 'The bulk token expiry must be a real YYYY-MM-DD date.' },
  { code: 'PPKG011', severity: 'error', title: 'Bulk token expired', reason: 'With an expired token, devices fail to join Entra ID without a visible error.' },
  {
    code: 'PPKG012',
    severity: 'error',
    title: 'Token lifetime over 180 days',
    reason: 'Entra ID issues bulk tokens for at most 180 days from the day they are fetched.',
  },
  {
    code: 'PPKG013',
    severity: 'warning',
    title: 'Bulk token expires soon',
    reason: 'Warns a number of days ahead (setting ppkg.expiryWarningDays, default 30) so a new token can be fetched in time.',
  },
  {
    code: 'PPKG014',
    severity: 'error',
    title: 'Entra join without an expiry',
    reason: 'The expiry is what ppkg checks the token against; the token command records it.',
  },
  { code: 'PPKG015', severity: 'error', title: 'issuedAt is not a date-time', reason: 'The 180-day limit counts from the recorded issue time.' },
  { code: 'PPKG020', severity: 'error', title: 'WPA2-Personal without a key', reason: 'A WPA2-Personal network needs its pre-shared key.' },
  { code: 'PPKG021', severity: 'error', title: 'Wi-Fi key length', reason: 'A WPA2-Personal key has 8 to 63 characters.' },
  { code: 'PPKG022', severity: 'warning', title: 'Open network with a key', reason: 'An Open network has no key; WCD omits it.' },
  { code: 'PPKG023', severity: 'warning', title: 'WEP network', reason: 'WEP is obsolete and insecure.' },
  { code: 'PPKG030', severity: 'error', title: 'File missing', reason: 'Installers, dependencies and certificates are copied into the package at build time.' },
  {
    code: 'PPKG031',
    severity: 'error',
    title: 'File outside the project folder',
    reason: 'Absolute paths, ../ and links out of the folder make a build depend on one machine and can leak unrelated files into a package.',
  },
  {
    code: 'PPKG032',
    severity: 'error',
    title: 'Duplicate command file name',
    reason: 'All installers and dependencies land in one folder on the device, so equal file names overwrite each other.',
  },
  { code: 'PPKG033', severity: 'error', title: '.pfx without a password', reason: 'A client certificate is imported with its password.' },
  { code: 'PPKG034', severity: 'error', title: 'Unsupported certificate file', reason: 'WCD takes .cer/.crt (root, CA) and .pfx (client) files.' },
  {
    code: 'PPKG035',
    severity: 'error',
    title: 'File path differs in case',
    reason: 'Windows ignores case but Linux and macOS builds do not; the quick fix corrects it.',
  },
  {
    code: 'PPKG036',
    severity: 'warning',
    title: 'msiexec without a quiet switch',
    reason: 'Commands run as SYSTEM during setup; a dialog waits until the 30-minute timeout.',
  },
  {
    code: 'PPKG037',
    severity: 'error',
    title: 'Certificate is not PKCS#12',
    reason: 'A client certificate is imported from a PKCS#12 (.pfx) file with its private key; any other file fails on the device after the join.',
  },
  {
    code: 'PPKG038',
    severity: 'error',
    title: 'Certificate password does not open the .pfx',
    reason:
      'Windows imports the .pfx with CertificatePassword; a wrong one fails the package on every device. Checked when the secret is available (the build always checks).',
  },
  {
    code: 'PPKG039',
    severity: 'error',
    title: 'Two entries with one name',
    reason: 'WCD tells applications and certificates apart by name; two entries with the same name would be merged into one setting.',
  },
  {
    code: 'PPKG040',
    severity: 'warning',
    title: 'Entra join without a local administrator',
    reason: 'If the join fails, a local administrator is the only way into the device.',
  },
  {
    code: 'PPKG041',
    severity: 'warning',
    title: 'Hidden OOBE without a local account',
    reason: 'HideOobe skips account creation; without an account in the package nobody can sign in.',
  },
  {
    code: 'PPKG042',
    severity: 'warning',
    title: 'Active Directory join without a local account',
    reason: 'Microsoft warns that a device whose domain join fails cannot be signed in to unless the package creates a local account.',
  },
  {
    code: 'PPKG043',
    severity: 'error',
    title: 'Device name too long for Active Directory',
    reason: 'The computer account takes the NetBIOS name, at most 15 characters; a longer name fails the join on the device.',
  },
  {
    code: 'PPKG044',
    severity: 'error',
    title: 'Active Directory and Entra join together',
    reason: 'A device joins one directory; the wizard offers Active Directory or Microsoft Entra ID.',
  },
  {
    code: 'PPKG045',
    severity: 'error',
    title: 'Local user defined twice',
    reason: 'WCD keeps one account per user name; the second definition would change the first.',
  },
  {
    code: 'PPKG046',
    severity: 'warning',
    title: 'Active Directory join without a device name',
    reason: 'Devices would join the domain with the random names Windows gives them at setup.',
  },
  { code: 'PPKG047', severity: 'error', title: 'Not a domain name', reason: 'The join needs the DNS or NetBIOS name of the Active Directory domain.' },
  {
    code: 'PPKG048',
    severity: 'warning',
    title: 'Join account without a domain',
    reason: 'Write the join account as DOMAIN\\user or user@domain, or Windows looks it up in the wrong place.',
  },
  { code: 'PPKG050', severity: 'error', title: 'Product key form', reason: 'A product key is XXXXX-XXXXX-XXXXX-XXXXX-XXXXX.' },
  {
    code: 'PPKG060',
    severity: 'error',
    title: 'Not an OMA-URI',
    reason: 'A csp entry needs an OMA-URI such as ./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera, as in an Intune custom profile.',
  },
  {
    code: 'PPKG061',
    severity: 'error',
    title: 'Value does not fit its format',
    reason: 'int takes a whole number, bool true or false, b64 Base64 and xml a well-formed document; Windows rejects anything else.',
  },
  { code: 'PPKG062', severity: 'error', title: 'OMA-URI set twice', reason: 'The device keeps only one of two values for the same CSP node.' },
  {
    code: 'PPKG070',
    severity: 'warning',
    title: 'Plain-text secret',
    reason: 'A bulk token, Wi-Fi key or password written in the project file would be committed to git; use { "secret": "<name>" }.',
  },
  {
    code: 'PPKG071',
    severity: 'warning',
    title: 'Password in a command line',
    reason: 'net user, reg add … DefaultPassword or a /p: switch puts a password in plain text into the project file, git and the package.',
  },
  { code: 'PPKG080', severity: 'error', title: 'Duplicate property', reason: 'JSON keeps the last of two equal keys silently, which hides edits in review.' },
  {
    code: 'PPKG082',
    severity: 'error',
    title: 'File too large or unreadable',
    reason: 'A project file is a few kilobytes; huge or undecodable files are refused before parsing.',
  },
  {
    code: 'PPKG090',
    severity: 'information',
    title: 'Encryption needs ICD',
    reason: 'Only ICD on Windows can encrypt a package; the native backend refuses such a project.',
  },
  {
    code: 'PPKG110',
    severity: 'error',
    title: 'Secret not set (build)',
    reason: 'The build resolves every secret reference; the message names the secret and how to set it (PPKG_SECRET_<NAME>, or ppkg: Set Secret).',
  },
  {
    code: 'PPKG111',
    severity: 'error',
    title: 'Setting cannot be compiled',
    reason:
      'A value ICD would not accept for its setting (a label WCD does not offer, several return codes, a line break where Windows takes one line): the native build refuses it rather than guess.',
  },
  {
    code: 'PPKG112',
    severity: 'error',
    title: 'Setting set twice',
    reason: 'Two properties (for example a property and an additionalSettings path) set the same WCD setting; the package would keep only one value.',
  },
  {
    code: 'PPKG113',
    severity: 'error',
    title: 'Not compiled by the native backend',
    reason:
      'The native backend compiles every setting exactly as ICD does, or refuses it: this one (an unknown WCD path, multivariant XML) only ICD compiles. Use the csp list, or build with --backend icd.',
  },
  {
    code: 'PPKG114',
    severity: 'warning',
    title: 'Advanced setting with a property of its own',
    reason: 'An additionalSettings path that the project format has a property for reads better in review there; the quick fix moves it.',
  },
  { code: 'PPKG100', severity: 'error', title: 'Invalid value', reason: 'The value does not match the project schema (type, allowed values, form).' },
  { code: 'PPKG101', severity: 'error', title: 'Unknown property', reason: 'The property is not part of the format, often a typo; it would be ignored.' },
  { code: 'PPKG102', severity: 'error', title: 'Missing property', reason: 'The schema requires this property.' },
  { code: 'PPKG999', severity: 'error', title: 'Internal error', reason: 'A rule failed; please report it. The other rules still ran.' },
] as const satisfies readonly { code: `PPKG${number}`; severity: Severity; title: string; reason: string }[];

/** A code the catalog lists: every finding's code is one (the compiler checks each report against this list). */
export type DiagnosticCode = (typeof RULE_CATALOG)[number]['code'];

export function ruleInfo(code: string): RuleInfo | undefined {
  return RULE_CATALOG.find((r) => r.code === code);
}
