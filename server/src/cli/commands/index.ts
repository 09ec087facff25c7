import type { CommandRunner } from '../io';

export interface CommandEntry {
  summary: string;
  usage: string;
  load: () => Promise<CommandRunner>;
}

/** Every `ppkg` subcommand, one module each. */
export const COMMANDS: Record<string, CommandEntry> = {
  validate: {
    summary: 'Check project files against the schema and the bulk-enrollment rules',
    usage: 'ppkg validate <files or globs...> [--format text|json|sarif] [--expiry-warning-days <days>]',
    load: async () => (await import('./validate')).run,
  },
  init: {
    summary: 'Write a commented starter project with a fresh package ID',
    usage: 'ppkg init [dir] [--name <name>]',
    load: async () => (await import('./init')).run,
  },
  build: {
    summary: 'Build the .ppkg (and customizations.xml) from a project',
    usage: 'ppkg build <project> [--out <dir>] [--backend native|icd] [--icd-path <ICD.exe>] [--quiet]',
    load: async () => (await import('./build')).run,
  },
  import: {
    summary: 'Turn a WCD customizations.xml into a project file',
    usage: 'ppkg import <customizations.xml> [--out <project>] [--force]',
    load: async () => (await import('./import')).run,
  },
  token: {
    summary: 'Fetch a bulk token (BPRT) from Entra ID for a project',
    usage: 'ppkg token <project> [--device-code] [--expiry YYYY-MM-DD] [--client-id <id>] [--authority <url>] [--cloud public|usgov|china] [--bulk-endpoint <url>] [--timeout <seconds>] [--poll-interval <ms>] [--name <display name>] [--skip-checks] [--graph-endpoint <url>] (--out <file> | --print)',
    load: async () => (await import('./token')).run,
  },
  doctor: {
    summary: "Check the tenant's bulk-enrollment prerequisites through Microsoft Graph",
    usage: 'ppkg doctor [--client-id <id>] [--authority <url>] [--graph-endpoint <url>] [--device-code] [--format text|json] [--fix [--yes]]',
    load: async () => (await import('./doctor')).run,
  },
  tokens: {
    summary: "List and revoke the tenant's bulk-token (package_*) accounts",
    usage: 'ppkg tokens list [<folders>...] [--format text|json] | ppkg tokens revoke <upn>... | --expired [<folders>...] | --unreferenced [<folders>...] [--dry-run] [--yes]',
    load: async () => (await import('./tokens')).run,
  },
};
