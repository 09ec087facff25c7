/**
 * After a keystroke the language service patches the previous version's
 * JSON tree instead of re-parsing the whole file
 * (server/src/languageService/incremental.ts). The patched tree must be the
 * tree a full parse builds, for any edit; edits it cannot patch fall back to
 * a full parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLanguageService, type ASTNode, type JSONDocument } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { reparseIncrementally } from '../../server/src/languageService/incremental';
import { PpkgLanguageService } from '../../server/src/languageService/service';

const json = getLanguageService({});
const parse = (text: string) => json.parseJSONDocument(TextDocument.create('file:///x/a.ppkg.json', 'jsonc', 1, text));
const patch = (oldText: string, oldDoc: JSONDocument, newText: string) =>
  reparseIncrementally(oldText, oldDoc, newText, parse, (root) => json.newJSONDocument(root, [], []));

const BASE = `// Lab
{
  "name": "Lab",
  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",
  "device": { "name": "LAB-%SERIAL%", "sharedUse": false },
  "applications": [
    { "name": "A", "installer": "a.msi", "successCodes": [0, 1641], "continueInstall": true },
    /* block */ { "name": "B", "installer": "b.exe", "dependencies": ["x.zip", "y.reg"], "restartRequired": false },
    { "name": "C", "installer": "c.cmd", "size": 1.5e3, "nothing": null }
  ],
  "additionalSettings": [{ "path": "A/B", "value": { "secret": "setting-1" } }]
}
`;

/** Everything features read from a tree: types, offsets, lengths, values, keys, colons, parents. */
function shape(node: ASTNode | undefined, parent?: ASTNode): unknown {
  if (!node) return undefined;
  assert.equal(node.parent, parent, `parent of the ${node.type} at ${node.offset}`);
  const base: Record<string, unknown> = { type: node.type, offset: node.offset, length: node.length };
  if (node.type === 'property') return { ...base, colon: node.colonOffset, key: shape(node.keyNode, node), value: shape(node.valueNode, node) };
  if (node.type === 'object') return { ...base, properties: node.properties.map((p) => shape(p, node)) };
  if (node.type === 'array') return { ...base, items: node.items.map((i) => shape(i, node)) };
  return { ...base, value: node.value };
}

function checkEdit(oldText: string, newText: string): boolean {
  const oldDoc = parse(oldText);
  const patched = patch(oldText, oldDoc, newText);
  if (!patched) return false;
  assert.deepEqual(shape(patched.root), shape(parse(newText).root), `${JSON.stringify(oldText)} → ${JSON.stringify(newText)}`);
  return true;
}

test('typical keystrokes are patched, and the patched tree equals a full parse', () => {
  const edits: [string, string][] = [
    ['"continueInstall": true', '"continueInstall": false'],
    ['"name": "A"', '"name": "Ab"'],
    ['"name": "A"', '"name": ""'],
    ['[0, 1641]', '[0, 1641, 3010]'],
    ['[0, 1641]', '[10, 1641]'],
    ['"sharedUse": false }', '"sharedUse": false, "removePreinstalledSoftware": true }'],
    ['1.5e3', '1.5e30'],
    ['"nothing": null', '"nothing": "x"'],
    ['"installer": "b.exe"', '"installer": { "secret": "x" }'],
  ];
  for (const [from, to] of edits) {
    assert.ok(BASE.includes(from), from);
    assert.ok(checkEdit(BASE, BASE.replace(from, to)), `patched: ${from} → ${to}`);
  }
});

test('edits that would change the structure around the value fall back to a full parse', () => {
  for (const [from, to] of [
    ['"name": "A"', '"name": "A'], // unterminated string
    ['"continueInstall": true', '"continueInstall": tru'], // invalid literal
    ['"continueInstall": true', '"continueInstall": true,'], // trailing comma
    ['"sharedUse": false }', '"sharedUse": false '], // unclosed brace
    ['"name": "Lab"', '"nam": "Lab"'], // a key of the root object (a whole re-parse anyway)
  ]) {
    assert.equal(checkEdit(BASE, BASE.replace(from, to)), false, `${from} → ${to}`);
  }
  // Same text: the same tree.
  const doc = parse(BASE);
  assert.equal(patch(BASE, doc, BASE), doc);
});

test('random edits: every patched tree equals a full parse', () => {
  let seed = 11;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pieces = ['{', '}', '[', ']', ',', ':', '"', '1', '0', 'e', '.', '-', 'x', 'true', 'null', '"k": 1', ' ', '\n', '//', '/*', '*/', '\\'];
  let patched = 0;
  for (let round = 0; round < 600; round++) {
    const at = random(BASE.length);
    const cut = random(3) === 0 ? random(4) : 0;
    const text = BASE.slice(0, at) + (random(4) === 0 ? '' : pieces[random(pieces.length)]) + BASE.slice(at + cut);
    if (checkEdit(BASE, text)) patched++;
  }
  assert.ok(patched > 50, `some edits are patched (${patched})`);
});

test('the service reuses the tree across versions and its completion matches a fresh service', async () => {
  const now = () => new Date('2026-01-01T00:00:00Z');
  const options = { now, files: { stat: () => undefined, realpath: () => undefined, readdir: () => undefined }, listFiles: () => [] };
  const service = new PpkgLanguageService(options);
  const uri = 'file:///x/lab.ppkg.json';
  let text = BASE;
  let version = 1;
  const slot = (t: string) => t.indexOf('"continueInstall": ') + '"continueInstall": '.length;
  await service.complete(
    TextDocument.create(uri, 'ppkg-project', version, text),
    TextDocument.create(uri, 'ppkg-project', version, text).positionAt(slot(text)),
  );
  for (const [from, to] of [
    ['"name": "A"', '"name": "Ab"'],
    ['"continueInstall": true', '"continueInstall": false'],
    ['"name": "B", ', '"name": "B", "co'],
    ['"co', '"co": 1, '],
  ]) {
    text = text.replace(from, to);
    const doc = TextDocument.create(uri, 'ppkg-project', ++version, text);
    for (const offset of [slot(text), text.indexOf('"name": "B"') - 2, text.indexOf('"dependencies"') + 1, 3]) {
      const ours = await service.complete(doc, doc.positionAt(offset));
      const fresh = await new PpkgLanguageService(options).complete(doc, doc.positionAt(offset));
      assert.deepEqual(ours, fresh, `${to} at ${offset}`);
    }
  }
});
