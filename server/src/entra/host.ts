/**
 * Messages name the commands of the host they are shown in: the CLI's
 * (`ppkg doctor --fix`) in a terminal, VS Code's (**ppkg: Check Tenant
 * Readiness**) in the editor. The extension calls setMessageHost('vscode')
 * when it activates; the CLI keeps the default.
 */
export type MessageHost = 'cli' | 'vscode';

export type CommandRef = 'doctor' | 'doctorFix' | 'fetchToken' | 'fetchTokenLonger' | 'deviceCode' | 'clientId' | 'skipChecks' | 'listAccounts';

const NAMES: Record<MessageHost, Record<CommandRef, string>> = {
  cli: {
    doctor: '`ppkg doctor`',
    doctorFix: '`ppkg doctor --fix`',
    fetchToken: '`ppkg token`',
    fetchTokenLonger: '`ppkg token --timeout <seconds>`',
    deviceCode: '--device-code',
    clientId: '--client-id',
    skipChecks: '--skip-checks',
    listAccounts: '`ppkg tokens list`',
  },
  vscode: {
    doctor: '**ppkg: Check Tenant Readiness**',
    doctorFix: '**ppkg: Check Tenant Readiness** (it offers to create it)',
    fetchToken: '**ppkg: Fetch Bulk Token**',
    fetchTokenLonger: '**ppkg: Fetch Bulk Token** again',
    deviceCode: 'the device code sign-in',
    clientId: 'the setting ppkg.entra.clientId',
    skipChecks: 'skipping the checks',
    listAccounts: 'the Bulk-Token Accounts view',
  },
};

let current: MessageHost = 'cli';

export function setMessageHost(host: MessageHost): void {
  current = host;
}

export function messageHost(): MessageHost {
  return current;
}

/** The command as the current host names it. */
export function cmd(ref: CommandRef): string {
  return NAMES[current][ref];
}
