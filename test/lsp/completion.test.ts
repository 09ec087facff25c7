import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { validateText } from '../../server/src/validation/validate';
import { applyEdits, expandSnippet, LspClient, makeFixture, offsetAt, TEST_NOW } from './lspClient';

let client: LspClient;
let fx: ReturnType<typeof makeFixture>;
const PROJECT_ID = '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}';

before(async () => {
  fx = makeFixture();
  client = await LspClient.start();
  // The client tells the server which secrets exist for which project: names only.
  await client.connection.sendNotification('ppkg/secretNames', { byProject: { [PROJECT_ID]: ['wifi-key', 'branch-wifi'] } });
});
after(async () => {
  await client.stop();
  fx.cleanup();
});

let n = 0;
/** Opens `text` with the cursor at `|` and returns the completion items there. */
async function completeAt(
  textWithCursor: string,
  name = `c${n++}.ppkg.json`,
): Promise<{ items: CompletionItem[]; text: string; uri: string; at: { line: number; character: number } }> {
  const offset = textWithCursor.indexOf('|');
  const text = textWithCursor.slice(0, offset) + textWithCursor.slice(offset + 1);
  const uri = fx.uri(name);
  await client.open(uri, text);
  const before = text.slice(0, offset);
  const at = { line: (before.match(/\n/g) ?? []).length, character: offset - (before.lastIndexOf('\n') + 1) };
  const result = await client.request<CompletionList | CompletionItem[] | null>('textDocument/completion', { textDocument: { uri }, position: at });
  await client.close(uri);
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return { items, text, uri, at };
}

/** The document after accepting an item (snippet placeholders at their defaults). */
function accept(text: string, at: { line: number; character: number }, item: CompletionItem): string {
  const extra = item.additionalTextEdits ?? [];
  if (item.textEdit && 'range' in item.textEdit)
    return applyEdits(text, [{ range: item.textEdit.range, newText: expandSnippet(item.textEdit.newText) }, ...extra]);
  const o = offsetAt(text, at);
  return applyEdits(text.slice(0, o) + expandSnippet(item.insertText ?? item.label) + text.slice(o), extra);
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const HEAD = `{\n  "name": "Lab",\n  "id": "${PROJECT_ID}",\n  "version": "1.0",\n`;
const codesOf = (text: string) => validateText(text, { now: () => new Date(TEST_NOW) }).diagnostics.map((d) => d.code);

test('property names at the top level, with the WCD description as documentation', async () => {
  const { items } = await completeAt(`${HEAD}  |\n}`);
  for (const k of ['device', 'network', 'account', 'applications', 'certificates', 'owner', 'rank', 'oobe', 'protection'])
    assert.ok(labels(items).includes(k), k);
  assert.ok(!labels(items).includes('name'), 'present keys are not offered again');
  const device = items.find((i) => i.label === 'device')!;
  const doc = typeof device.documentation === 'string' ? device.documentation : device.documentation?.value;
  assert.match(doc!, /\*\*WCD:\*\* Set up device/);
});

test('whole-section snippets produce a valid section', async () => {
  const { items, text, at } = await completeAt(`${HEAD}  |\n}`);
  for (const key of ['device', 'network', 'account', 'applications', 'certificates']) {
    const item = items.find((i) => i.label === `${key} section`);
    assert.ok(item, `${key} section`);
    assert.equal(item!.insertTextFormat, 2);
    const after = accept(text, at, item!);
    const codes = codesOf(after).filter((c) => !['PPKG030', 'PPKG040'].includes(c));
    assert.deepEqual(codes, [], `${key}: ${after}`);
  }
  const account = accept(
    text,
    at,
    items.find((i) => i.label === 'account section')!,
  );
  // The Entra snippet carries the latest allowed expiry, not a YYYY-MM-DD placeholder.
  assert.match(account, /"tokenExpiry": "2027-05-24"/);
  assert.match(account, /"password": \{\s*"secret": "local-admin-password"/);
});

test('property names inside a section, and after a missing comma (which accepting inserts)', async () => {
  const { items, text, at } = await completeAt(`${HEAD}  "device": {\n    "name": "PC-%SERIAL%"\n    |\n  }\n}`);
  assert.deepEqual(
    labels(items)
      .filter((l) => ['productKey', 'sharedUse', 'removePreinstalledSoftware'].includes(l))
      .sort(),
    ['productKey', 'removePreinstalledSoftware', 'sharedUse'],
  );
  // The value the schema proposes (its default, if it declares one) or an empty tab stop the user fills in.
  const accepted = accept(
    text,
    at,
    items.find((i) => i.label === 'sharedUse')!,
  );
  assert.match(accepted, /"name": "PC-%SERIAL%",\n    "sharedUse": (false|true)?\n/);
  const after = accepted.replace(/"sharedUse": \n/, '"sharedUse": false\n');
  assert.deepEqual(codesOf(after), []);
  // With the comma already there, none is added.
  const ok = await completeAt(`${HEAD}  "device": {\n    "name": "PC-%SERIAL%",\n    |\n  }\n}`);
  assert.equal(ok.items.find((i) => i.label === 'sharedUse')!.additionalTextEdits, undefined);
});

test('inside an unclosed document', async () => {
  const { items } = await completeAt(`${HEAD}  "network": {\n    "wifi": {\n      "ssid": "Lab",\n      |`);
  for (const k of ['security', 'key', 'autoConnect', 'hidden']) assert.ok(labels(items).includes(k), k);
});

test('enum values with their descriptions', async () => {
  const { items } = await completeAt(`${HEAD}  "owner": |\n}`);
  assert.deepEqual(
    labels(items)
      .filter((l) => l.startsWith('"'))
      .sort(),
    ['"ITAdmin"', '"Microsoft"', '"MobileOperator"', '"OEM"', '"SiliconVendor"', '"SystemIntegrator"'],
  );
  const it = items.find((i) => i.label === '"ITAdmin"')!;
  const doc = typeof it.documentation === 'string' ? it.documentation : it.documentation?.value;
  assert.match(doc ?? '', /Highest precedence/);
  const wifi = await completeAt(`${HEAD}  "network": { "wifi": { "ssid": "x", "security": "|" } }\n}`);
  assert.deepEqual(labels(wifi.items).sort(), ['"Open"', '"WEP"', '"WPA2-Personal"']);
});

test('booleans', async () => {
  const { items } = await completeAt(`${HEAD}  "device": { "sharedUse": | }\n}`);
  assert.deepEqual(labels(items).sort(), ['false', 'true']);
});

test('schema snippets on a value (Wi-Fi, local administrator)', async () => {
  const { items, text, at } = await completeAt(`${HEAD}  "network": { "wifi": | }\n}`);
  const snippet = items.find((i) => i.label === 'Wi-Fi network (WPA2-Personal)')!;
  assert.ok(snippet);
  const after = accept(text, at, snippet);
  assert.deepEqual(codesOf(after), []);
});

test('macros inside device.name, replacing a half-typed macro', async () => {
  const { items, text, at } = await completeAt(`${HEAD}  "device": { "name": "CTS-%SE|" }\n}`);
  assert.deepEqual(labels(items), ['%SERIAL%', '%RAND:x%']);
  assert.equal(accept(text, at, items[0]).includes('"name": "CTS-%SERIAL%"'), true);
  assert.equal(accept(text, at, items[1]).includes('"name": "CTS-%RAND:5%"'), true);
  const doc = items[0].documentation as { value: string };
  assert.match(doc.value, /left for the serial number/);
  // At the start of an empty name.
  const empty = await completeAt(`${HEAD}  "device": { "name": "|" }\n}`);
  assert.deepEqual(labels(empty.items), ['%SERIAL%', '%RAND:x%']);
  assert.equal(accept(empty.text, empty.at, empty.items[0]).includes('"name": "%SERIAL%"'), true);
  // In an unterminated string at the end of a broken document.
  const broken = await completeAt(`${HEAD}  "device": { "name": "PC-|`);
  assert.deepEqual(labels(broken.items), ['%SERIAL%', '%RAND:x%']);
});

test('tokenExpiry: the latest allowed date (from today, or from issuedAt)', async () => {
  const { items, text, at } = await completeAt(`${HEAD}  "account": { "entra": { "tokenExpiry": |, "token": { "secret": "bulk-token" } } }\n}`);
  assert.equal(items[0].label, '2027-05-24');
  assert.equal(items[0].preselect, true);
  assert.ok(!labels(items).includes('"2027-05-20"'), 'the schema example is not offered');
  assert.match(accept(text, at, items[0]), /"tokenExpiry": "2027-05-24",/);
  const inside = await completeAt(`${HEAD}  "account": { "entra": { "issuedAt": "2026-10-01T08:00:00Z", "tokenExpiry": "20|" } }\n}`);
  assert.equal(inside.items[0].label, '2027-03-29');
  assert.match(accept(inside.text, inside.at, inside.items[0]), /"tokenExpiry": "2027-03-29" \}/);
});

test('file paths for installer, dependencies and certificate files, relative to the project', async () => {
  const inst = await completeAt(`${HEAD}  "applications": [ { "name": "A", "installer": "|", "commandLine": "x" } ]\n}`);
  const files = labels(inst.items);
  assert.ok(files.includes('installers/cts-agent.msi'));
  assert.ok(files.includes('installers/set-wallpaper.cmd'));
  assert.ok(files.includes('notes.txt'));
  assert.ok(!files.some((f) => f.startsWith('.git')), 'dot folders are skipped');
  assert.ok(!files.some((f) => f.endsWith('.ppkg.json')), 'project files are not offered');
  // Installers sort before other files.
  const sorted = [...inst.items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map((i) => i.label);
  assert.ok(sorted.indexOf('installers/cts-agent.msi') < sorted.indexOf('notes.txt'));
  const chosen = accept(
    inst.text,
    inst.at,
    inst.items.find((i) => i.label === 'installers/cts-agent.msi')!,
  );
  assert.match(chosen, /"installer": "installers\/cts-agent.msi"/);

  const dep = await completeAt(`${HEAD}  "applications": [ { "name": "A", "installer": "a.msi", "commandLine": "x", "dependencies": [ "inst|" ] } ]\n}`);
  assert.ok(labels(dep.items).includes('installers/wallpaper.png'));
  assert.match(
    accept(
      dep.text,
      dep.at,
      dep.items.find((i) => i.label === 'installers/wallpaper.png')!,
    ),
    /"dependencies": \[ "installers\/wallpaper.png" \]/,
  );

  const cert = await completeAt(`${HEAD}  "certificates": [ { "name": "Root", "file": | } ]\n}`);
  assert.deepEqual(labels(cert.items).sort(), ['certificates/client.pfx', 'certificates/contoso-root.cer']);
  assert.match(accept(cert.text, cert.at, cert.items[0]), /"file": "certificates\/(client.pfx|contoso-root.cer)" \}/);
});

test('secret names: the stored ones for this project, and the suggested name', async () => {
  const { items, text, at } = await completeAt(`${HEAD}  "network": { "wifi": { "ssid": "x", "key": { "secret": "|" } } }\n}`);
  assert.deepEqual(labels(items).sort(), ['branch-wifi', 'wifi-key']);
  assert.equal(items.find((i) => i.label === 'wifi-key')!.preselect, true);
  assert.match(
    accept(
      text,
      at,
      items.find((i) => i.label === 'branch-wifi')!,
    ),
    /"secret": "branch-wifi"/,
  );
  const token = await completeAt(`${HEAD}  "account": { "entra": { "tokenExpiry": "2027-01-01", "token": { "secret": | } } }\n}`);
  assert.deepEqual(labels(token.items).sort(), ['branch-wifi', 'bulk-token', 'wifi-key']);
  assert.match(token.items.find((i) => i.label === 'bulk-token')!.detail!, /not set yet/);
  // Another project (another ID) sees none of these names.
  const other = await completeAt(
    `{ "name": "X", "id": "{00000000-0000-0000-0000-000000000001}", "version": "1.0", "network": { "wifi": { "ssid": "x", "key": { "secret": "|" } } } }`,
  );
  assert.deepEqual(labels(other.items), ['wifi-key']);
  assert.match(other.items[0].detail!, /not set yet/);
  // A whole reference on a secret field.
  const ref = await completeAt(`${HEAD}  "network": { "wifi": { "ssid": "x", "key": | } }\n}`);
  assert.ok(labels(ref.items).includes('{ "secret": "branch-wifi" }'));
  assert.match(
    accept(
      ref.text,
      ref.at,
      ref.items.find((i) => i.label === '{ "secret": "wifi-key" }')!,
    ),
    /"key": \{ "secret": "wifi-key" \} \}/,
  );
});

test('a "$schema" of its own (a URL or a relative path) still gets the ppkg schema, without any download', async () => {
  for (const schema of ['https://example.invalid/other.schema.json', '../../schemas/ppkg-project.schema.json']) {
    const { items } = await completeAt(`{\n  "$schema": "${schema}",\n  "name": "Lab",\n  "device": { | }\n}`);
    assert.ok(labels(items).includes('sharedUse'), schema);
  }
});
