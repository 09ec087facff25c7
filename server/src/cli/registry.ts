/**
 * The `ppkg` command registry as data: each command's summary, usage line,
 * options, environment, exit codes and examples. The parser (`args.ts`), the
 * help (`help.ts`) and `main.ts` read it; it imports no command, so the
 * commands can import the parser without a cycle. `commands/index.ts` wires
 * each name to the module that runs it.
 */
import { type EXIT_FINDINGS, EXIT_USAGE } from './io';

/** One option of a command: what `--help` shows, and what the parser accepts (one source for both). */
export interface OptionSpec {
  name: string;
  short?: string;
  /** The argument's placeholder (`<dir>`); absent for a switch. */
  arg?: string;
  default?: string;
  description: string;
  /** For `ppkg tokens`: the subcommands that take the option (all when absent). */
  sub?: string[];
}

export interface CommandSpec {
  summary: string;
  usage: string;
  /** What Ctrl+C interrupts, for the cancel message ("fetching the bulk token"). */
  operation: string;
  options: OptionSpec[];
  /** Environment variables the command reads. */
  env?: { name: string; description: string }[];
  exitCodes: { code: number; meaning: string }[];
  examples: { command: string; description: string }[];
  /**
   * The exit code of a `project` error (a project file that is wrong or
   * cannot be read): 1 ("the project has a problem") unless the command's 1
   * means something else (diff: the two differ; token: a tenant check
   * failed), where it is 2.
   */
  projectErrorExit?: typeof EXIT_FINDINGS | typeof EXIT_USAGE;
}

const CLOUD_HELP =
  'Microsoft cloud of the tenant: public, usgov (GCC High and DoD) or china (21Vianet); picks the sign-in host, the Device Registration resource and the Graph host.';
const DEVICE_CODE_HELP =
  'Sign in with a code on another device (no browser here). Chosen by itself without a display or a browser opener (SSH, Server Core, CI).';

/** The sign-in options of `ppkg doctor` and `ppkg tokens` (Microsoft Graph). */
const GRAPH_SIGN_IN: OptionSpec[] = [
  { name: 'cloud', arg: 'public|usgov|china', default: 'public', description: CLOUD_HELP },
  { name: 'device-code', description: DEVICE_CODE_HELP },
  {
    name: 'client-id',
    arg: '<id>',
    default: 'Microsoft Graph Command Line Tools (14d82eec-…)',
    description: 'Application (client) ID to sign in to Microsoft Graph with, e.g. an app your organisation registered and consented.',
  },
  {
    name: 'authority',
    arg: '<url>',
    default: "the cloud's login host + /organizations",
    description: 'Sign-in authority, for a specific tenant (https://login.microsoftonline.com/contoso.onmicrosoft.com) or a private cloud.',
  },
  {
    name: 'graph-endpoint',
    arg: '<url>',
    default: "the cloud's Graph host",
    description: 'Microsoft Graph endpoint (for US Government DoD tenants it is found from the sign-in: dod-graph.microsoft.us).',
  },
];

const SIGN_IN_ENV = [
  { name: 'DISPLAY, WAYLAND_DISPLAY', description: 'Linux: without either, there is no browser to open and the device code flow is used.' },
  { name: 'SSH_CONNECTION, SSH_TTY, CI', description: 'When set, a browser here would not reach you: the device code flow is used.' },
  {
    name: 'NODE_EXTRA_CA_CERTS',
    description:
      'Extra trusted CA certificates, e.g. of a TLS-inspecting proxy (read by Node.js). Node.js 20 does not read HTTPS_PROXY: the CLI connects directly.',
  },
];

const COMMON_EXIT = { code: 2, meaning: 'usage error, a file that cannot be read or written, or the command could not run' };

const SPECS = {
  validate: {
    summary: 'Check project files against the schema and the bulk-enrollment rules',
    usage:
      'ppkg validate <files, folders or globs...> [--format text|json|sarif] [--expiry-warning-days <days>] [--max-warnings <n> | --strict] [--backend native|icd]',
    operation: 'checking the project files',
    options: [
      {
        name: 'format',
        short: 'f',
        arg: 'text|json|sarif',
        default: 'text',
        description: 'Output format: compiler-style lines, JSON, or SARIF 2.1.0 for code scanning.',
      },
      { name: 'expiry-warning-days', arg: '<days>', default: '30', description: 'Warn (PPKG013) when the bulk token expires within this many days.' },
      {
        name: 'max-warnings',
        arg: '<n>',
        description: 'Fail (exit 1) when there are more than n warnings in all, e.g. a plain-text secret (PPKG070) or a token about to expire (PPKG013).',
      },
      { name: 'strict', description: 'Same as --max-warnings 0: any warning fails the run.' },
      {
        name: 'backend',
        arg: 'native|icd',
        default: 'native',
        description: 'The backend the projects are built with. With native, settings only ICD compiles (PPKG113) are errors, as the native build refuses them.',
      },
    ],
    env: [{ name: 'PPKG_SECRET_<NAME>', description: 'A certificate password secret, when set, lets validation check that the .pfx opens with it (PPKG038).' }],
    exitCodes: [
      { code: 0, meaning: 'no errors (and no more warnings than --max-warnings allows)' },
      { code: 1, meaning: 'a project has an error, or more warnings than --max-warnings allows' },
      COMMON_EXIT,
    ],
    examples: [
      { command: 'ppkg validate "**/*.ppkg.json"', description: 'check every project in the repository' },
      { command: 'ppkg validate projects --strict --format sarif > ppkg.sarif', description: 'in CI: fail on any warning, report for code scanning' },
    ],
  },
  init: {
    summary: 'Write a commented starter project with a fresh package ID',
    usage: 'ppkg init [dir] [--name <name>]',
    operation: 'writing the starter project',
    options: [
      { name: 'name', arg: '<name>', default: 'Bulk Enrollment', description: 'Package name (WCD: Project name); also the file name, <name>.ppkg.json.' },
    ],
    exitCodes: [
      { code: 0, meaning: 'the project was written' },
      { code: 2, meaning: 'usage error, or the file exists or cannot be written' },
    ],
    examples: [{ command: 'ppkg init kiosks --name "Kiosk Devices"', description: 'write kiosks/Kiosk Devices.ppkg.json' }],
  },
  build: {
    summary: 'Build the .ppkg (and customizations.xml) from a project',
    usage: 'ppkg build <project> [--out <dir>] [--backend native|icd] [--icd-path <ICD.exe>] [--quiet]',
    operation: 'the build',
    options: [
      {
        name: 'out',
        short: 'o',
        arg: '<dir>',
        default: 'ppkg-out/<project> next to the project',
        description:
          'Output folder. ppkg writes only into a folder it owns (one it created, marked .ppkg-output); an existing folder with other files is refused.',
      },
      {
        name: 'backend',
        arg: 'native|icd',
        default: 'native',
        description: "native writes the .ppkg itself on any OS; icd runs Windows Configuration Designer's ICD.exe (Windows with the ADK; needed to encrypt).",
      },
      { name: 'icd-path', arg: '<ICD.exe>', default: 'where the Windows ADK installs it', description: 'Path to ICD.exe (icd backend only).' },
      { name: 'quiet', short: 'q', description: 'Print nothing on success.' },
    ],
    env: [
      {
        name: 'PPKG_SECRET_<NAME>',
        description: 'The value of each { "secret": "<name>" } in the project: the name upper-cased, other characters as _ (wifi-key → PPKG_SECRET_WIFI_KEY).',
      },
    ],
    exitCodes: [
      { code: 0, meaning: 'the package was built' },
      { code: 1, meaning: 'the project has an error (validation, a missing secret, a certificate that does not open); nothing was written' },
      { code: 2, meaning: "usage error, the output folder is not ppkg's, a file cannot be read or written, or ICD failed" },
    ],
    examples: [
      { command: 'PPKG_SECRET_BULK_TOKEN="$(cat token.txt)" ppkg build cts-desktops.ppkg.json', description: 'build into ppkg-out/cts-desktops' },
      { command: 'ppkg build cts-desktops.ppkg.json --out /secure/builds/cts', description: 'build into a new folder elsewhere' },
    ],
  },
  import: {
    summary: 'Turn a WCD customizations.xml, or a .ppkg package, into a project file',
    usage: 'ppkg import <customizations.xml | package.ppkg> [--out <project>] [--force]',
    operation: 'the import',
    options: [
      {
        name: 'out',
        short: 'o',
        arg: '<project>',
        default: '<package name>.ppkg.json next to the input',
        description:
          'The project file to write. From a package, the installers, dependencies and certificates are extracted beside it (installers/, certificates/, images/).',
      },
      { name: 'force', description: 'Replace the project file if it exists. Extracted files and the secrets file are never replaced.' },
    ],
    exitCodes: [
      { code: 0, meaning: 'the project was written (from a package: with its files, and the secrets in a 0600 file whose name is printed)' },
      { code: 1, meaning: 'the XML has settings that cannot be imported' },
      {
        code: 2,
        meaning:
          'usage error, a file that cannot be read or written, a file that is already there, or a package that cannot be read (damaged, encrypted, unsafe names)',
      },
    ],
    examples: [
      { command: 'ppkg import wcd-project/customizations.xml --out cts.ppkg.json', description: 'import a WCD project' },
      { command: 'ppkg import inherited.ppkg --out recovered/cts.ppkg.json', description: 'recover the project of a package whose WCD project is lost' },
    ],
  },
  inspect: {
    summary: 'Show what a .ppkg package does: settings, users, commands, files, certificates, risks',
    usage: 'ppkg inspect <file.ppkg> [--format text|json] [--show-secrets]',
    operation: 'reading the package',
    options: [
      { name: 'format', short: 'f', arg: 'text|json', default: 'text', description: 'Output format: readable text, or JSON (documented in docs/inspect.md).' },
      { name: 'show-secrets', description: 'Print the bulk token, passwords and the Wi-Fi key in clear text instead of •••• with a fingerprint.' },
    ],
    exitCodes: [
      { code: 0, meaning: 'the package was read' },
      { code: 2, meaning: 'usage error, or the file cannot be read or is not a readable package (damaged, encrypted, unsafe names)' },
    ],
    examples: [
      { command: 'ppkg inspect inherited.ppkg', description: 'what the package does, secrets masked' },
      { command: 'ppkg inspect inherited.ppkg --format json > inherited.json', description: 'the same as JSON, for scripts' },
    ],
  },
  diff: {
    summary: 'Compare two packages or project files setting by setting',
    usage: 'ppkg diff <a> <b> [--format text|json]',
    operation: 'comparing',
    projectErrorExit: EXIT_USAGE,
    options: [
      { name: 'format', short: 'f', arg: 'text|json', default: 'text', description: 'Output format: readable text, or JSON (documented in docs/inspect.md).' },
    ],
    env: [
      {
        name: 'PPKG_SECRET_<NAME>',
        description: "A project's secret, when set, is compared by its fingerprint; an unset one counts as the same as the package's.",
      },
    ],
    exitCodes: [{ code: 0, meaning: 'the two are the same, setting for setting and file for file' }, { code: 1, meaning: 'they differ' }, COMMON_EXIT],
    examples: [
      {
        command: 'ppkg diff cts-desktops.ppkg.json "ppkg-out/cts-desktops/CTS Desktops.ppkg"',
        description: 'check a package against the project it should come from',
      },
      { command: 'ppkg diff old.ppkg new.ppkg --format json', description: 'what changed between two packages, for scripts' },
    ],
  },
  textconv: {
    summary: 'Print a package as text for git diff (diff.ppkg.textconv)',
    usage: 'ppkg textconv <file.ppkg>',
    operation: 'reading the package',
    options: [],
    exitCodes: [
      { code: 0, meaning: 'the text was printed' },
      { code: 2, meaning: 'usage error, or the file is not a readable package' },
    ],
    examples: [
      { command: 'git config diff.ppkg.textconv "npx ppkg textconv"', description: 'with "*.ppkg diff=ppkg" in .gitattributes: readable diffs of packages' },
    ],
  },
  token: {
    summary: 'Fetch a bulk token (BPRT) from Entra ID for a project',
    usage:
      'ppkg token <project> (--out <file> | --print) [--cloud public|usgov|china] [--device-code] [--expiry YYYY-MM-DD] [--client-id <id>] [--authority <url>] [--bulk-endpoint <url>] [--graph-endpoint <url>] [--skip-checks] [--name <display name>] [--timeout <seconds>] [--poll-interval <ms>]',
    operation: 'fetching the bulk token',
    projectErrorExit: EXIT_USAGE,
    options: [
      {
        name: 'out',
        short: 'o',
        arg: '<file>',
        description: 'Write the token to this file (mode 0600). The project only records its expiry and package account.',
      },
      { name: 'print', description: 'Print the token to stdout instead.' },
      { name: 'cloud', arg: 'public|usgov|china', default: 'public', description: CLOUD_HELP },
      {
        name: 'device-code',
        description:
          'Sign in with a code on another device. The token command always uses this flow (see docs/bulk-token.md); the switch is accepted for symmetry.',
      },
      {
        name: 'expiry',
        arg: 'YYYY-MM-DD',
        default: 'today + 179 days',
        description: 'When the token stops working (00:00 UTC of that day); at most 180 days ahead.',
      },
      {
        name: 'client-id',
        arg: '<id>',
        default: 'Windows Configuration Designer (de0853a1-…)',
        description: "Application (client) ID for the Device Registration sign-in. Use it when your tenant blocks WCD's client; see docs/bulk-token.md.",
      },
      {
        name: 'authority',
        arg: '<url>',
        default: "the cloud's login host + /organizations",
        description: 'Sign-in authority, for a specific tenant or a private cloud.',
      },
      { name: 'bulk-endpoint', arg: '<url>', default: "the authority's host + /webapp/bulkaadjtoken", description: 'The bulk-token service.' },
      {
        name: 'graph-endpoint',
        arg: '<url>',
        default: "the cloud's Graph host",
        description: 'Microsoft Graph endpoint for the tenant checks before the request.',
      },
      { name: 'skip-checks', description: 'Skip the tenant checks (SyncFabric, role, device join) that run before the request.' },
      { name: 'name', arg: '<display name>', default: 'package_<id>', description: 'Display name of the package_ account Entra ID creates.' },
      { name: 'timeout', arg: '<seconds>', default: '300', description: 'How long to wait for the bulk-token service.' },
      { name: 'poll-interval', arg: '<ms>', default: '1000', description: 'Wait between polls of the bulk-token service.' },
    ],
    env: [{ name: 'NODE_EXTRA_CA_CERTS', description: 'Extra trusted CA certificates (a TLS-inspecting proxy).' }],
    exitCodes: [
      { code: 0, meaning: 'the token was fetched, stored where asked and recorded in the project' },
      { code: 1, meaning: 'a tenant check failed before any token or package_ account was made' },
      { code: 2, meaning: 'usage error, sign-in or the bulk-token service failed, cancelled, or a file cannot be written' },
    ],
    examples: [
      { command: 'ppkg token cts-desktops.ppkg.json --out ~/secrets/cts.token', description: 'fetch a 179-day token into a private file' },
      { command: 'ppkg token gov.ppkg.json --cloud usgov --print', description: 'a US Government tenant, token to stdout' },
    ],
  },
  doctor: {
    summary: "Check the tenant's bulk-enrollment prerequisites through Microsoft Graph",
    usage:
      'ppkg doctor [--cloud public|usgov|china] [--device-code] [--client-id <id>] [--authority <url>] [--graph-endpoint <url>] [--format text|json] [--fix [--yes]]',
    operation: 'checking the tenant',
    options: [
      ...GRAPH_SIGN_IN,
      { name: 'format', short: 'f', arg: 'text|json', default: 'text', description: 'Output format.' },
      {
        name: 'fix',
        description: 'Create the missing Microsoft.Azure.SyncFabric service principal (R1, AADSTS90092), after asking; the only change doctor makes.',
      },
      { name: 'yes', short: 'y', description: 'With --fix: do not ask.' },
    ],
    env: SIGN_IN_ENV,
    exitCodes: [
      { code: 0, meaning: 'no check fails' },
      { code: 1, meaning: 'a check fails' },
      { code: 2, meaning: 'usage error, sign-in failed or cancelled, or the checks could not run' },
    ],
    examples: [
      { command: 'ppkg doctor', description: 'check the tenant (browser sign-in, or a device code without a browser)' },
      { command: 'ppkg doctor --fix', description: 'also create the SyncFabric service principal if it is missing' },
    ],
  },
  tokens: {
    summary: "List and revoke the tenant's bulk-token (package_*) accounts",
    usage:
      'ppkg tokens list [<folders>...] [--format text|json] | ppkg tokens revoke (<upn>... | --expired [<folders>...] | --unreferenced [<folders>...]) [--dry-run] [--yes]',
    operation: 'the bulk-token accounts',
    options: [
      ...GRAPH_SIGN_IN,
      { name: 'format', short: 'f', arg: 'text|json', default: 'text', description: 'list: output format.', sub: ['list'] },
      { name: 'expired', description: 'revoke: every account whose token has expired.', sub: ['revoke'] },
      { name: 'unreferenced', description: 'revoke: every account no project file in the folders records.', sub: ['revoke'] },
      { name: 'dry-run', description: 'revoke: show what would be deleted, delete nothing.', sub: ['revoke'] },
      { name: 'yes', short: 'y', description: 'revoke: do not ask.', sub: ['revoke'] },
    ],
    env: SIGN_IN_ENV,
    exitCodes: [
      { code: 0, meaning: 'listed, or every selected account was deleted' },
      { code: 2, meaning: 'usage error, sign-in failed or cancelled, not confirmed, or an account was not deleted' },
    ],
    examples: [
      { command: 'ppkg tokens list .', description: 'the package_ accounts, with the project that records each' },
      { command: 'ppkg tokens revoke --expired --dry-run', description: 'what revoking the expired accounts would delete' },
    ],
  },
} satisfies Record<string, CommandSpec>;

/** The name of a `ppkg` subcommand. */
export type CommandName = keyof typeof SPECS;

/** Every `ppkg` subcommand, in the order the help lists them; `commands/index.ts` loads each one's module. */
export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = SPECS;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}
