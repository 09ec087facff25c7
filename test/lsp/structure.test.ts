import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, DocumentLink, DocumentSymbol, FoldingRange, SelectionRange, TextEdit } from 'vscode-languageserver-protocol';
import { validateText } from '../../server/src/validation/validate';
import { applyEdits, LspClient, makeFixture, pos, TEST_NOW } from './lspClient';

let client: LspClient;
let fx: ReturnType<typeof makeFixture>;
let uri: string;
let text: string;

before(async () => {
  fx = makeFixture();
  client = await LspClient.start();
  uri = fx.uri('cts-desktops.ppkg.json');
  text = readFileSync(path.join(fx.dir, 'cts-desktops.ppkg.json'), 'utf8');
  await client.open(uri, text);
});
after(async () => {
  await client.stop();
  fx.cleanup();
});

test('document symbols: sections with their WCD page, applications by name', async () => {
  const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  const names = symbols.map((s) => s.name);
  assert.deepEqual(names, [
    '$schema',
    'name',
    'id',
    'version',
    'owner',
    'rank',
    'description',
    'device',
    'network',
    'account',
    'applications',
    'certificates',
    'oobe',
    'protection',
  ]);
  const device = symbols.find((s) => s.name === 'device')!;
  assert.equal(device.detail, 'Set up device');
  assert.deepEqual(
    device.children!.map((c) => c.name),
    ['name', 'sharedUse', 'removePreinstalledSoftware'],
  );
  const apps = symbols.find((s) => s.name === 'applications')!;
  assert.deepEqual(
    apps.children!.map((c) => [c.name, c.detail]),
    [
      ['CTS Agent', 'Application 1'],
      ['Branch wallpaper', 'Application 2'],
    ],
  );
  assert.deepEqual(apps.range.start, pos(text, '"applications"'));
  const certs = symbols.find((s) => s.name === 'certificates')!;
  assert.deepEqual(
    certs.children!.map((c) => c.name),
    ['Contoso Root CA'],
  );
});

test('formatting keeps every comment and the meaning; a formatted file is a fixed point', async () => {
  const messy = text
    .replace('\n  "device": {\n    "name": ', '\n"device"  :   {\n\t\t"name":')
    .replace('"sharedUse": false', '"sharedUse":false   ')
    .replace('"ssid": "CTS-Setup"', '   "ssid"   :"CTS-Setup"');
  assert.notEqual(messy, text);
  const muri = fx.uri('messy.ppkg.json');
  await client.open(muri, messy);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: muri }, options: { tabSize: 2, insertSpaces: true } });
  assert.ok(edits.length > 0);
  const formatted = applyEdits(messy, edits);
  const comments = (t: string) => t.match(/\/\/.*$/gm);
  assert.deepEqual(comments(formatted), comments(text));
  // Blank lines and one-line objects are kept; only one-line lists get inner spaces ([ 0 ]).
  assert.equal(formatted.replace(/\[ (.*?) \]/g, '[$1]'), text);
  const now = () => new Date(TEST_NOW);
  assert.deepEqual(validateText(formatted, { now }).doc.value, validateText(messy, { now }).doc.value);
  await client.edit(muri, edits);
  const again = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: muri }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(again, []);
  // Range formatting touches only the range.
  const broken = '{\n  "name":"a",\n  "device":{"name":"PC"}\n}\n';
  const ruri = fx.uri('range.ppkg.json');
  await client.open(ruri, broken);
  const rangeEdits = await client.request<TextEdit[]>('textDocument/rangeFormatting', {
    textDocument: { uri: ruri },
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 25 } },
    options: { tabSize: 2, insertSpaces: true },
  });
  const out = applyEdits(broken, rangeEdits);
  assert.match(out, /"name":"a"/);
  assert.match(out, /"device": \{ "name": "PC" \}/);
  await client.close(muri);
  await client.close(ruri);
});

test('folding ranges for every multi-line section', async () => {
  const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
  const startLines = ranges.map((r) => r.startLine);
  for (const key of ['"device": {', '"network": {', '"wifi": {', '"account": {', '"entra": {', '"applications": [', '"certificates": ['])
    assert.ok(startLines.includes(pos(text, key).line), key);
});

test('selection ranges grow from the value to the property, the section and the file', async () => {
  const at = pos(text, 'CTS-%SERIAL%', 3);
  const [sel] = await client.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions: [at] });
  const chain: string[] = [];
  const lines = text;
  const slice = (r: SelectionRange['range']) => {
    const o = (p: { line: number; character: number }) => lines.split('\n').slice(0, p.line).join('\n').length + (p.line ? 1 : 0) + p.character;
    return lines.slice(o(r.start), o(r.end));
  };
  for (let s: SelectionRange | undefined = sel; s; s = s.parent) chain.push(slice(s.range));
  assert.equal(chain[0], 'CTS-%SERIAL%');
  assert.equal(chain[1], '"CTS-%SERIAL%"');
  assert.equal(chain[2], '"name": "CTS-%SERIAL%"');
  assert.ok(chain.some((c) => c.startsWith('{\n    "name": "CTS-%SERIAL%"')));
  assert.ok(chain.some((c) => c.startsWith('"device": {')));
});

test('document links on installer, dependency, certificate and $schema paths that exist', async () => {
  const links = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri } });
  const targets = links.map((l) => l.target!.slice(pathToFileURL(fx.dir).toString().length + 1));
  assert.deepEqual(targets, ['installers/cts-agent.msi', 'installers/set-wallpaper.cmd', 'installers/wallpaper.png', 'certificates/contoso-root.cer']);
  assert.deepEqual(links[0].range.start, pos(text, 'installers/cts-agent.msi'));
  // The example's "$schema" points outside the copied folder: no link to a missing file.
  const missing = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: fx.uri('nope.ppkg.json') } });
  assert.deepEqual(missing, []);
  const suri = pathToFileURL(path.join(fx.dir, 'schema-link.ppkg.json')).toString();
  const stext = `{ "$schema": "certificates/contoso-root.cer", "name": "x", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0" }`;
  await client.open(suri, stext);
  const slinks = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: suri } });
  assert.equal(slinks.length, 1);
  await client.close(suri);
  // Every file field the schema marks gets its link, a DeviceContext command file too.
  const curi = pathToFileURL(path.join(fx.dir, 'command-link.ppkg.json')).toString();
  await client.open(
    curi,
    `{ "name": "x", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0", "deviceContext": { "commandLine": "cmd /c set-wallpaper.cmd", "commandFiles": ["installers/set-wallpaper.cmd"] } }`,
  );
  const clinks = await client.request<DocumentLink[]>('textDocument/documentLink', { textDocument: { uri: curi } });
  assert.deepEqual(
    clinks.map((l) => l.tooltip),
    ['Open the command file'],
  );
  await client.close(curi);
});

test('code lens over the bulk token: days left, fetch, revoke', async () => {
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(
    lenses.map((l) => [l.command!.title, l.command!.command]),
    [
      ['Bulk token: 179 days left', ''],
      ['Fetch a new bulk token', 'ppkg.fetchBulkToken'],
      ['Revoke', 'ppkg.revokeBulkToken'],
    ],
  );
  assert.equal(lenses[0].range.start.line, pos(text, '"tokenExpiry"').line);
});
