/**
 * Messages name the commands of the host they are shown in: the CLI's
 * (`ppkg doctor --fix`) in a terminal, VS Code's (**ppkg: Check Tenant
 * Readiness**) in the editor. The extension calls setMessageHost('vscode')
 * when it activates; the CLI keeps the default. A use case that knows its
 * host (the token flow) runs inside withMessageHost, which wins over the
 * default for everything said during that call, however deep.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type MessageHost = 'cli' | 'vscode';

export type CommandRef =
  'doctor' | 'doctorFix' | 'fetchToken' | 'fetchTokenLonger' | 'deviceCode' | 'clientId' | 'skipChecks' | 'graphEndpoint' | 'listAccounts' | 'validate';

const NAMES: Record<MessageHost, Record<CommandRef, string>> = {
  cli: {
    doctor: '`ppkg doctor`',
    doctorFix: '`ppkg doctor --fix`',
    fetchToken: '`ppkg token`',
    fetchTokenLonger: '`ppkg token --timeout <seconds>`',
    deviceCode: '--device-code',
    clientId: '--client-id',
    skipChecks: '--skip-checks',
    graphEndpoint: 'pass --graph-endpoint <url>',
    listAccounts: '`ppkg tokens list`',
    validate: '`ppkg validate`',
  },
  vscode: {
    doctor: '**ppkg: Check Tenant Readiness**',
    doctorFix: '**ppkg: Check Tenant Readiness** (its report says how to create it)',
    fetchToken: '**ppkg: Fetch Bulk Token**',
    fetchTokenLonger: '**ppkg: Fetch Bulk Token** again',
    deviceCode: 'the device code sign-in',
    clientId: 'the setting ppkg.entra.clientId',
    skipChecks: '**Fetch Without Checks**',
    graphEndpoint: 'set ppkg.entra.graphEndpoint',
    listAccounts: 'the Bulk-Token Accounts view',
    validate: 'the Problems view',
  },
};

let current: MessageHost = 'cli';
const scoped = new AsyncLocalStorage<MessageHost>();

/** The process-wide default (the extension sets 'vscode' once). */
export function setMessageHost(host: MessageHost): void {
  current = host;
}

/** Runs `fn` with messages in `host`'s words, whatever the default. */
export function withMessageHost<T>(host: MessageHost, fn: () => T): T {
  return scoped.run(host, fn);
}

export function messageHost(): MessageHost {
  return scoped.getStore() ?? current;
}

/** The command as the current host names it. */
export function cmd(ref: CommandRef): string {
  return NAMES[messageHost()][ref];
}
