import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import Module from 'node:module';
import { rootCertificates } from 'node:tls';
import { parse } from 'jsonc-parser';
import { startEntraEmulator, type EntraEmulator, type EntraScenario } from '../support/entraEmulator';
import { healthyTenant, startGraphEmulator, type GraphEmulator, type TenantScenario } from '../support/graphEmulator';
import { getTestCa } from '../support/testCa';

/**
 * **ppkg: Fetch Bulk Token** as VS Code runs it (client/src/tokenCommands.ts),
 * with a stand-in for the `vscode` module that answers the prompts and
 * records what the admin would see, against the Entra and Graph emulators:
 * the same flow as `ppkg token`, the tenant checks included, in VS Code's
 * words. (The real editor runs it in test/e2e/token.test.ts.)
 */
const ACCESS = 'SENTINEL-VSC-DRS-ACCESS-3e8a51';
const GRAPH = 'SENTINEL-VSC-GRAPH-ACCESS-c40b7d';
const BPRT = 'SENTINEL-VSC-BPRT-0.AAAA-91f2aa';
const SECRETS = [ACCESS, GRAPH, BPRT];
const ID = '0f4f2c1e-0000-4000-8000-000000000001';
const PROJECT = `{
  "id": "{${ID}}",
  "package": { "name": "Kiosk" }, // keep
  "account": { "entra": { "token": { "secret": "kiosk-token" } } }
}
`;

/** What the fake VS Code showed, and what it was asked. */
const ui = {
  messages: [] as { level: 'info' | 'warning' | 'error'; text: string; actions: string[] }[],
  progress: [] as string[],
  commands: [] as string[],
  settings: {} as Record<string, string>,
  /** The button the admin clicks on the next error message. */
  clickOnError: undefined as string | undefined,
  pickDeviceCode: true,
};

class Uri {
  constructor(readonly fsPath: string) {}
  static parse(s: string) {
    return new Uri(s);
  }
  static file(s: string) {
    return new Uri(s);
  }
  toString() {
    return this.fsPath;
  }
}

let text = PROJECT;
const document = {
  uri: new Uri('/ws/kiosk.ppkg.json'),
  fileName: '/ws/kiosk.ppkg.json',
  languageId: 'ppkg-project',
  getText: () => text,
  positionAt: (offset: number) => offset,
  save: async () => true,
};

const show =
  (level: 'info' | 'warning' | 'error') =>
  async (t: string, ...rest: unknown[]) => {
    const actions = rest.filter((r): r is string => typeof r === 'string');
    ui.messages.push({ level, text: t, actions });
    if (level === 'error' && ui.clickOnError && actions.includes(ui.clickOnError)) {
      const c = ui.clickOnError;
      ui.clickOnError = undefined;
      return c;
    }
    return undefined;
  };

const fakeVscode = {
  Uri,
  ProgressLocation: { Notification: 15 },
  Range: class {
    constructor(
      readonly start: number,
      readonly end: number,
    ) {}
  },
  WorkspaceEdit: class {
    edits: { start: number; end: number; text: string }[] = [];
    replace(_uri: Uri, range: { start: number; end: number }, t: string) {
      this.edits.push({ start: range.start, end: range.end, text: t });
    }
  },
  workspace: {
    getConfiguration: () => ({ get: (key: string, dflt?: unknown) => ui.settings[key] ?? dflt }),
    openTextDocument: async () => document,
    applyEdit: async (edit: { edits: { start: number; end: number; text: string }[] }) => {
      for (const e of edit.edits) text = text.slice(0, e.start) + e.text + text.slice(e.end);
      return true;
    },
    findFiles: async () => [],
  },
  window: {
    activeTextEditor: undefined,
    showInputBox: async (o: { value: string; validateInput: (v: string) => string | undefined }) => {
      assert.equal(o.validateInput(o.value), undefined, 'the proposed expiry is valid');
      return o.value;
    },
    showQuickPick: async (items: { method: string }[]) => items.find((i) => i.method === (ui.pickDeviceCode ? 'deviceCode' : 'browser')),
    withProgress: async (_o: unknown, task: (p: unknown, c: unknown) => Promise<unknown>) =>
      task({ report: (r: { message?: string }) => r.message && ui.progress.push(r.message) }, { onCancellationRequested: () => undefined }),
    showInformationMessage: show('info'),
    showWarningMessage: show('warning'),
    showErrorMessage: show('error'),
  },
  commands: { executeCommand: async (id: string) => void ui.commands.push(id) },
  env: { clipboard: { writeText: async () => undefined }, openExternal: async () => true },
};

const stored = new Map<string, string>();
const secrets = {
  set: async (key: string, name: string, value: string) => void stored.set(`${key}/${name}`, value),
  has: (key: string, name: string) => stored.has(`${key}/${name}`),
  delete: async (key: string, name: string) => void stored.delete(`${key}/${name}`),
};
const logLines: string[] = [];
let accountsChanged = 0;

type Commands = typeof import('../../client/src/tokenCommands');
let commands: Commands;
const load = (Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown })._load;
let agentCa: unknown;

before(() => {
  (Module as unknown as { _load: typeof load })._load = (request, ...rest) => (request === 'vscode' ? fakeVscode : load(request, ...rest));
  // VS Code's extension host trusts the OS (or NODE_EXTRA_CA_CERTS) for every request; here, the test CA for this process.
  agentCa = https.globalAgent.options.ca;
  https.globalAgent.options.ca = [...rootCertificates, getTestCa().caPem];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  commands = require('../../client/src/tokenCommands') as Commands;
});
after(() => {
  (Module as unknown as { _load: typeof load })._load = load;
  https.globalAgent.options.ca = agentCa as string[] | undefined;
});

async function run(s: { entra?: EntraScenario; tenant?: Partial<TenantScenario>; graphSetting?: boolean; until?: () => boolean } = {}) {
  const entra: EntraEmulator = await startEntraEmulator({
    accessToken: ACCESS,
    silentAccessToken: GRAPH,
    bulkToken: BPRT,
    signIn: { interval: 0.01 },
    ...s.entra,
  });
  const graph: GraphEmulator = await startGraphEmulator(healthyTenant({ acceptToken: GRAPH, ...s.tenant }));
  text = PROJECT;
  stored.clear();
  ui.messages.length = 0;
  ui.progress.length = 0;
  ui.commands.length = 0;
  logLines.length = 0;
  ui.settings = { authority: entra.authority, bulkTokenEndpoint: entra.bulkEndpoint, ...(s.graphSetting === false ? {} : { graphEndpoint: graph.url }) };
  const deps = { secrets, log: { appendLine: (l: string) => void logLines.push(l) }, sessions: {}, onAccountsChanged: () => void accountsChanged++ };
  try {
    await commands.fetchBulkTokenCommand(deps as unknown as Parameters<Commands['fetchBulkTokenCommand']>[0], document.uri);
    // A button's follow-up runs after the command returned: wait for what it should lead to.
    for (let waited = 0; s.until && !s.until(); waited += 20) {
      assert.ok(waited < 5000, 'the follow-up never finished');
      await new Promise((r) => setTimeout(r, 20));
    }
    const everything = JSON.stringify([ui.messages, ui.progress, logLines, text]);
    for (const secret of SECRETS) assert.ok(!everything.includes(secret), `a token was shown, logged or recorded: ${secret}`);
    return { entra, graph };
  } finally {
    await graph.close();
    await entra.close();
  }
}

test('Fetch Bulk Token runs the tenant checks with the one sign-in, then stores the token in SecretStorage and records the facts', async () => {
  const { entra, graph } = await run();
  assert.equal(entra.requestsTo('/oauth2/v2.0/devicecode').length, 1, 'one prompt');
  assert.ok(graph.requests.length > 0, 'the checks read Graph');
  assert.ok(graph.requests.every((q) => q.authorization === `Bearer ${GRAPH}`));
  assert.ok(ui.progress.includes('Tenant checks R1, R2, R4 passed.'));
  assert.ok(logLines.includes('[token] Tenant checks R1, R2, R4 passed.'));
  assert.equal(stored.get(`${ID}/kiosk-token`), BPRT);
  const entraFacts = (parse(text) as { account: { entra: Record<string, string> } }).account.entra;
  assert.equal(entraFacts.packageUser, entra.packageUsers[0]);
  assert.ok(text.includes('// keep'));
  const done = ui.messages.find((m) => m.level === 'info')!;
  assert.match(
    done.text,
    new RegExp(`^Bulk token stored as "kiosk-token" \\(expires ${entraFacts.tokenExpiry}\\)\\. Package account: ${entra.packageUsers[0]}\\.$`),
  );
  assert.ok(accountsChanged > 0);
});

test("a failing check stops before the request, in VS Code's words, and offers the readiness report and Fetch Without Checks", async () => {
  ui.clickOnError = 'Fetch Without Checks';
  const { entra } = await run({ tenant: { syncFabric: null }, until: () => ui.messages.some((m) => m.level === 'info') });
  const error = ui.messages.find((m) => m.level === 'error')!;
  assert.match(error.text, /^Stopped before requesting a bulk token: a tenant check failed\. FAIL R1 /);
  assert.match(error.text, /\*\*ppkg: Check Tenant Readiness\*\* shows the full report, and \*\*Fetch Without Checks\*\* fetches without these checks\.$/);
  assert.doesNotMatch(error.text, /`ppkg |--skip-checks/);
  assert.deepEqual(error.actions, ['Check Tenant Readiness', 'Fetch Without Checks']);
  // Clicking "Fetch Without Checks" fetches again, with a new sign-in and no Graph token.
  assert.equal(entra.requestsTo('/oauth2/v2.0/devicecode').length, 2);
  assert.equal(entra.requestsTo('/oauth2/v2.0/token').filter((r) => r.form?.grant_type === 'refresh_token').length, 1, 'only the first run asked for Graph');
  assert.equal(entra.requestsTo('/webapp/bulkaadjtoken/begin').length, 1, 'begin only without the checks');
  assert.equal(stored.get(`${ID}/kiosk-token`), BPRT);
  assert.ok(logLines.some((l) => /without the tenant checks/.test(l)));
});

test('a refused fetch names the checks behind it and offers the readiness report; nothing is stored', async () => {
  ui.clickOnError = 'Check Tenant Readiness';
  await run({
    until: () => ui.commands.length > 0,
    entra: {
      bulk: {
        completion: { kind: 'error', code: 240001, error: 'BulkAADJTokenUnauthorized', description: 'User is not authorized to register devices in Azure AD.' },
      },
    },
  });
  const error = ui.messages.find((m) => m.level === 'error')!;
  assert.match(
    error.text,
    /This is what checks R4 \(users may join devices\) and R2 \(a bulk-token role for the whole tenant\) look for: run \*\*ppkg: Check Tenant Readiness\*\* to confirm\./,
  );
  assert.deepEqual(error.actions, ['Check Tenant Readiness']);
  assert.deepEqual(ui.commands, ['ppkg.checkTenantReadiness']);
  assert.equal(stored.size, 0);
  assert.equal(text, PROJECT);
});

test('a private authority without ppkg.entra.graphEndpoint: the checks are skipped and the setting is named', async () => {
  const { entra, graph } = await run({ graphSetting: false });
  assert.ok(
    ui.progress.some((p) =>
      /^Tenant checks skipped: no Microsoft Graph endpoint is known for the sign-in authority 127\.0\.0\.1:\d+ \(set ppkg\.entra\.graphEndpoint\)\. Run \*\*ppkg: Check Tenant Readiness\*\*/.test(
        p,
      ),
    ),
    JSON.stringify(ui.progress),
  );
  assert.equal(graph.requests.length, 0);
  assert.equal(entra.requestsTo('/oauth2/v2.0/token').filter((r) => r.form?.grant_type === 'refresh_token').length, 0);
  assert.equal(stored.get(`${ID}/kiosk-token`), BPRT);
});
