import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, Hover, MarkupContent, TextEdit } from 'vscode-languageserver-protocol';
import { LspClient, makeFixture, pos, type Diagnostic } from './lspClient';

let client: LspClient;
let fx: ReturnType<typeof makeFixture>;
const PROJECT_ID = '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}';
const SENTINEL = 'SENTINEL-wifi-Pa55word!';

before(async () => {
  fx = makeFixture();
  client = await LspClient.start();
  await client.connection.sendNotification('ppkg/secretNames', { byProject: { [PROJECT_ID.toUpperCase()]: ['wifi-key'] } });
});
after(async () => {
  await client.stop();
  fx.cleanup();
});

let n = 0;
async function hoverAt(text: string, needle: string, delta = 1): Promise<string> {
  const uri = fx.uri(`h${n++}.ppkg.json`);
  await client.open(uri, text);
  const h = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: pos(text, needle, delta) });
  await client.close(uri);
  return h ? (h.contents as MarkupContent).value : '';
}

const HEAD = `{\n  "name": "Lab",\n  "id": "${PROJECT_ID}",\n  "version": "1.0",\n`;

test('hover: the schema markdown (WCD term, effect, Microsoft link)', async () => {
  const md = await hoverAt(`${HEAD}  "device": { "sharedUse": true }\n}`, '"sharedUse"');
  assert.match(md, /\*\*WCD:\*\* Configure devices for shared use \(`SharedPC\/EnableSharedPCMode`\)/);
  assert.match(md, /\[Microsoft documentation\]\(https:\/\/learn\.microsoft\.com\/windows\/configuration\/wcd\/wcd-sharedpc\)/);
  const owner = await hoverAt(`${HEAD}  "owner": "OEM"\n}`, '"OEM"');
  assert.match(owner, /Device maker/);
});

test('hover on the device name: worst-case expansion and the serial budget', async () => {
  const md = await hoverAt(`${HEAD}  "device": { "name": "CONTOSO-%RAND:3%-%SERIAL%" }\n}`, 'CONTOSO');
  assert.match(md, /Device name/);
  assert.match(md, /12 fixed characters \(including 3 random digits\), leaving \*\*3 of 15\*\* for %SERIAL%/);
  assert.match(md, /CONTOSO-999-21QX|CONTOSO-999-QX|CONTOSO-999-/);
  assert.match(md, /not guaranteed to be unique/);
  const plain = await hoverAt(`${HEAD}  "device": { "name": "LAB-%RAND:4%" }\n}`, '"name": "LAB', 10);
  assert.match(plain, /at most \*\*8 of 15\*\* characters, e\.g\. `LAB-9999`/);
});

test('hover on tokenExpiry: days left (injected clock)', async () => {
  const md = await hoverAt(`${HEAD}  "account": { "entra": { "tokenExpiry": "2027-01-05", "token": { "secret": "bulk-token" } } }\n}`, '2027-01-05');
  assert.match(md, /\*\*40 days left\*\*/);
  assert.match(md, /Bulk AAD Token expiry/);
  const expired = await hoverAt(`${HEAD}  "account": { "entra": { "tokenExpiry": "2026-11-20", "token": { "secret": "bulk-token" } } }\n}`, '2026-11-20');
  assert.match(expired, /expired 6 days ago/);
});

test('hover on a secret reference: set or not, never a value', async () => {
  const set = await hoverAt(`${HEAD}  "network": { "wifi": { "ssid": "x", "key": { "secret": "wifi-key" } } }\n}`, '"wifi-key"');
  assert.match(set, /The Wi-Fi password is the secret \*\*wifi-key\*\*: \*\*set\*\*/);
  assert.match(set, /PPKG_SECRET_WIFI_KEY/);
  const unset = await hoverAt(`${HEAD}  "account": { "entra": { "tokenExpiry": "2027-01-05", "token": { "secret": "bulk-token" } } }\n}`, '"token"');
  assert.match(unset, /\*\*bulk-token\*\*: \*\*not set\*\*.*ppkg: Set Secret/);
  assert.match(unset, /Get Bulk Token/);
});

/** Opens a document, asks for code actions on each finding, applies the fix and re-validates. */
async function fixAndRevalidate(
  name: string,
  text: string,
  code: string,
  title: RegExp,
): Promise<{ after: string; before: Diagnostic[]; afterDiagnostics: Diagnostic[]; action: CodeAction }> {
  const uri = fx.uri(name);
  const before = await client.open(uri, text);
  const d = before.find((x) => x.code === code);
  assert.ok(d, `${code} in ${JSON.stringify(before.map((x) => x.code))}`);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d!.range, context: { diagnostics: [d] } });
  const action = actions.find((a) => title.test(a.title));
  assert.ok(action, `${title} among ${JSON.stringify(actions.map((a) => a.title))}`);
  let edits: TextEdit[];
  if (action!.edit) edits = action!.edit.changes![uri];
  else {
    // The secret move is a client command: it stores the value, then applies this replacement.
    const args = action!.command!.arguments![0] as { range: TextEdit['range']; replacement: string; version: number };
    assert.equal(action!.command!.command, 'ppkg.moveSecretToStorage');
    assert.equal(args.version, 1);
    assert.ok(!JSON.stringify(action).includes(SENTINEL), 'the code action never carries the secret value');
    edits = [{ range: args.range, newText: args.replacement }];
  }
  const afterDiagnostics = await client.edit(uri, edits);
  const after = client.text(uri);
  await client.close(uri);
  assert.ok(!afterDiagnostics.some((x) => x.code === code), `${code} is gone after "${action!.title}": ${after}`);
  return { after, before, afterDiagnostics, action: action! };
}

const ADMIN = `"localAdmin": { "user": "a", "password": { "secret": "p" } }`;

test('fix: shorten the device name (PPKG004 and PPKG005)', async () => {
  const r = await fixAndRevalidate(
    'f1.ppkg.json',
    `${HEAD}  "device": { "name": "CONTOSO-FRONTDESK-%RAND:6%" }\n}`,
    'PPKG004',
    /^Shorten the device name to "/,
  );
  assert.deepEqual(r.afterDiagnostics, []);
  const s = await fixAndRevalidate('f2.ppkg.json', `${HEAD}  "device": { "name": "CONTOSO-DESK-%SERIAL%" }\n}`, 'PPKG005', /^Shorten the device name/);
  assert.match(s.after, /"name": "CONTOS-%SERIAL%"|"name": "[A-Z-]{1,7}%SERIAL%"/);
});

test('fix: set the expiry to the latest allowed date (PPKG012, PPKG010, PPKG014)', async () => {
  const tail = `, "token": { "secret": "bulk-token" } }, ${ADMIN} }\n}`;
  const r = await fixAndRevalidate(
    'f3.ppkg.json',
    `${HEAD}  "account": { "entra": { "tokenExpiry": "2028-01-01"${tail}`,
    'PPKG012',
    /^Set the token expiry to 2027-05-24/,
  );
  assert.deepEqual(r.afterDiagnostics, []);
  await fixAndRevalidate(
    'f4.ppkg.json',
    `${HEAD}  "account": { "entra": { "tokenExpiry": "2027-02-30"${tail}`,
    'PPKG010',
    /^Set the token expiry to 2027-05-24/,
  );
  const m = await fixAndRevalidate(
    'f5.ppkg.json',
    `${HEAD}  "account": { "entra": { "token": { "secret": "bulk-token" } }, ${ADMIN} }\n}`,
    'PPKG014',
    /^Add the token expiry 2027-05-24/,
  );
  assert.deepEqual(m.afterDiagnostics, []);
});

test('an expired token offers fetching a new one, not moving the date', async () => {
  const uri = fx.uri('f6.ppkg.json');
  const ds = await client.open(uri, `${HEAD}  "account": { "entra": { "tokenExpiry": "2026-11-01", "token": { "secret": "bulk-token" } }, ${ADMIN} }\n}`);
  const d = ds.find((x) => x.code === 'PPKG011')!;
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
  assert.deepEqual(
    actions.map((a) => [a.title, a.command?.command]),
    [['Fetch a new bulk token (ppkg: Fetch Bulk Token)', 'ppkg.fetchBulkToken']],
  );
  await client.close(uri);
});

test('fix: move a plain-text secret to SecretStorage (PPKG070) without the value leaving the client', async () => {
  const text = `${HEAD}  "network": { "wifi": { "ssid": "x", "key": "${SENTINEL}" } }\n}`;
  const r = await fixAndRevalidate('f7.ppkg.json', text, 'PPKG070', /^Move the Wi-Fi password to SecretStorage as "wifi-key"/);
  assert.match(r.after, /"key": \{ "secret": "wifi-key" \}/);
  assert.ok(!r.after.includes(SENTINEL));
  for (const d of r.before) assert.ok(!String(d.message).includes(SENTINEL));
  const args = r.action.command!.arguments![0] as Record<string, unknown>;
  assert.equal(args.projectId, '6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13');
  assert.deepEqual(args.path, ['network', 'wifi', 'key']);
});

test('fix: add a local administrator account (PPKG040, PPKG041)', async () => {
  const r = await fixAndRevalidate(
    'f8.ppkg.json',
    `${HEAD}  "account": {\n    "entra": { "tokenExpiry": "2027-01-05", "token": { "secret": "bulk-token" } }\n  }\n}\n`,
    'PPKG040',
    /^Add a local administrator account/,
  );
  assert.deepEqual(r.afterDiagnostics, []);
  assert.match(r.after, /"localAdmin": \{\n      "user": "localadmin",\n      "password": \{\n        "secret": "local-admin-password"\n      \}\n    \}/);
  const o = await fixAndRevalidate(
    'f9.ppkg.json',
    `${HEAD}  // setup screens off\n  "oobe": { "hide": true }\n}\n`,
    'PPKG041',
    /^Add a local administrator account/,
  );
  assert.deepEqual(o.afterDiagnostics, []);
  assert.match(o.after, /\/\/ setup screens off/);
});

test('fix: a file path that differs only in case (PPKG035)', async () => {
  const text = `${HEAD}  "applications": [ { "name": "A", "installer": "Installers/CTS-Agent.msi", "commandLine": "msiexec /i cts-agent.msi /qn" } ]\n}`;
  const r = await fixAndRevalidate('f10.ppkg.json', text, 'PPKG035', /^Change the path to "installers\/cts-agent.msi"/);
  assert.deepEqual(r.afterDiagnostics, []);
});

test('fix: rename an unknown property to the suggestion (PPKG101)', async () => {
  const r = await fixAndRevalidate('f11.ppkg.json', `${HEAD}  "device": { "nmae": "PC-%SERIAL%" }\n}`, 'PPKG101', /^Rename "nmae" to "name"/);
  assert.deepEqual(r.afterDiagnostics, []);
});

test('more fixes: product key case (PPKG050), msiexec quiet switch (PPKG036), Open network key (PPKG022)', async () => {
  await fixAndRevalidate('f12.ppkg.json', `${HEAD}  "device": { "productKey": "nppr9-fwdcx-d2c8j-h872k-2yt43" }\n}`, 'PPKG050', /upper case/);
  const q = await fixAndRevalidate(
    'f13.ppkg.json',
    `${HEAD}  "applications": [ { "name": "A", "installer": "installers/cts-agent.msi", "commandLine": "msiexec /i cts-agent.msi" } ]\n}`,
    'PPKG036',
    /\/qn/,
  );
  assert.match(q.after, /"msiexec \/i cts-agent.msi \/qn"/);
  await fixAndRevalidate(
    'f14.ppkg.json',
    `${HEAD}  "network": { "wifi": { "ssid": "x", "security": "Open", "key": { "secret": "k" } } }\n}`,
    'PPKG022',
    /Remove the key/,
  );
});

test('hover on a plain-text secret shows the field, never the value', async () => {
  const md = await hoverAt(`${HEAD}  "network": { "wifi": { "ssid": "x", "key": "${SENTINEL}" } }\n}`, SENTINEL);
  assert.match(md, /Network password/);
  assert.ok(!md.includes(SENTINEL));
});
