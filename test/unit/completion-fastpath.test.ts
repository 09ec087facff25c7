/**
 * The completion fast path (SchemaCompleter: doComplete's answer from the
 * schema, without json-ls's per-request schema matching) gives exactly what
 * vscode-json-languageservice's doComplete gives, configured as the service
 * configures it: at every offset of the example project, the `ppkg init`
 * starter, a project with odd but well-formed content, and a generated large
 * project (every offset of a few applications, plus the benchmark's slots).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompletionList, JSONDocument, LanguageService } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generateProject } from '../../bench/lib/generate';
import { starterProject } from '../../server/src/model/starter';
import { completeDomain } from '../../server/src/languageService/completion';
import { SchemaCompleter } from '../../server/src/languageService/schemaCompletion';
import { PpkgLanguageService } from '../../server/src/languageService/service';
import { PROJECT_SCHEMA } from '../../server/src/validation/schema';

const ROOT = path.resolve(__dirname, '../..');
const NOW = new Date('2025-03-01T12:00:00Z');

function jsonService(): LanguageService {
  // The service's own json-ls instance, configured as in production.
  return (new PpkgLanguageService({ now: () => NOW }) as unknown as { json(): LanguageService }).json();
}

const ODD = `{
  // a comment before the first key
  "$schema": "./schemas/ppkg-project.schema.json",
  "name": "Odd", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0",
  "owner": "OEM", /* block */ "rank": 3,
  "network": { "wifi": { "ssid": "x", "key": { "secret": "wifi-key" }, "unknown": [1, {"a": null}] } },
  "account": { "entra": { "token": "plain", "tokenExpiry": "2025-06-01" }, "localAdmin": { "name": "a", "password": { "secret": "p" } } },
  "applications": [ {}, { "name": "a", "successCodes": [], "dependencies": [ "a.zip", "" ] }, [], 5 ],
  "certificates": [ { "file": "root.cer", "password": {} } ],
  "additionalSettings": [ { "path": "A/B", "value": "v" }, { "path": "A/C", "value": { "secret": "s" } } ],
  "device": { "name": "PC-%SERIAL%", "sharedUse": true, "extra": false },
  "notInSchema": { "deep": [ { "x": 1 } ] }
}
`;

interface Doc {
  name: string;
  text: string;
  offsets: number[];
}

function everyOffset(text: string, from = 0, to = text.length): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

function documents(): Doc[] {
  const example = fs.readFileSync(path.join(ROOT, 'examples/bulk-enrollment/cts-desktops.ppkg.json'), 'utf8');
  const starter = starterProject({ name: 'Starter', id: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}', today: NOW });
  const starterWithSchema = starterProject({
    name: 'Starter',
    id: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}',
    today: NOW,
    schemaRef: './ppkg-project.schema.json',
  });
  const g = generateProject({ bytes: 100 * 1024, comments: true, now: NOW });
  // Every offset of the head (device, network, account, the first applications) and of the middle application.
  const head = g.text.indexOf('"applications"') + 3000;
  const mid = g.text.lastIndexOf('{', g.slots.property);
  const large = [
    ...everyOffset(g.text, 0, head),
    ...everyOffset(g.text, mid - 200, mid + 800),
    g.slots.property,
    g.slots.value,
    g.text.length - 1,
    g.text.length,
  ];
  return [
    { name: 'example', text: example, offsets: everyOffset(example) },
    { name: 'starter', text: starter, offsets: everyOffset(starter) },
    { name: 'starter with $schema', text: starterWithSchema, offsets: everyOffset(starterWithSchema) },
    { name: 'odd', text: ODD, offsets: everyOffset(ODD) },
    { name: 'generated 100 KB', text: g.text, offsets: large },
  ];
}

/**
 * The slots the fast path leaves to json-ls on purpose: inside a secret
 * reference or a setting value (an object under `anyOf`: which alternative
 * json-ls matches depends on the content) and the value of `$schema`.
 */
function underSecretReference(jsonDoc: JSONDocument, offset: number): boolean {
  for (let n = jsonDoc.getNodeFromOffset(offset, true); n; n = n.parent) {
    if (n.type !== 'property') continue;
    if (n.keyNode.value === '$schema' && !n.parent?.parent) return true;
    if (['key', 'token', 'password', 'value'].includes(n.keyNode.value) && n.valueNode?.type === 'object') return true;
  }
  return false;
}

/** The list as the client receives it (JSON), so an absent key and an undefined one are alike. */
function wire(list: CompletionList | null | undefined): unknown {
  return JSON.parse(JSON.stringify(list));
}

function clean(ls: LanguageService, document: TextDocument): JSONDocument {
  const parsed = ls.parseJSONDocument(document);
  const errors = (parsed as JSONDocument & { syntaxErrors: unknown[] }).syntaxErrors;
  assert.equal(errors.length, 0, `${document.uri} parses without syntax errors`);
  return parsed;
}

/** A property slot: where a key is typed (after `{` or `,`, or in a key); a value slot: after `:`, in a value, in an array. */
function slotKind(jsonDoc: JSONDocument, text: string, offset: number): 'property' | 'value' | undefined {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  const before = text[i];
  const node = jsonDoc.getNodeFromOffset(offset, true);
  if (node?.type === 'string' && node.parent?.type === 'property' && node.parent.keyNode === node) return 'property';
  if (before === '{' || (before === ',' && node?.type === 'object')) return 'property';
  if (before === ':' || before === '[' || (before === ',' && node?.type === 'array')) return 'value';
  if (node && ['string', 'number', 'boolean', 'null'].includes(node.type)) return 'value';
  return undefined;
}

test('the fast path gives json-ls doComplete items at every offset, and answers at every property and value slot', async () => {
  const ls = jsonService();
  const completer = new SchemaCompleter(PROJECT_SCHEMA);
  for (const d of documents()) {
    const document = TextDocument.create(`file:///work/p/${d.name.replace(/\W+/g, '-')}.ppkg.json`, 'jsonc', 1, d.text);
    const jsonDoc = clean(ls, document);
    let answered = 0;
    let slots = 0;
    const missed: string[] = [];
    for (const offset of d.offsets) {
      const fast = completer.complete(document, d.text, offset, jsonDoc);
      const kind = slotKind(jsonDoc, d.text, offset);
      if (kind) slots++;
      if (!fast) {
        if (kind && !underSecretReference(jsonDoc, offset))
          missed.push(
            `${kind} slot at ${offset}: …${JSON.stringify(d.text.slice(Math.max(0, offset - 30), offset))}|${JSON.stringify(d.text.slice(offset, offset + 10))}`,
          );
        continue;
      }
      answered++;
      const expected = await ls.doComplete(document, document.positionAt(offset), jsonDoc);
      assert.deepStrictEqual(
        wire(fast),
        wire(expected),
        `${d.name} at offset ${offset}: …${d.text.slice(Math.max(0, offset - 40), offset)}|${d.text.slice(offset, offset + 20)}`,
      );
    }
    assert.ok(answered > d.offsets.length / 2, `${d.name}: fast path answered ${answered} of ${d.offsets.length} offsets`);
    assert.deepEqual(missed.slice(0, 5), [], `${d.name}: slots left to json-ls (${slots} slots)`);
  }
});

test('the service answers like json-ls right after keystroke edits (incrementally patched tree)', async () => {
  const ls = jsonService();
  const service = new PpkgLanguageService({ now: () => NOW, listFiles: () => [] });
  const g = generateProject({ bytes: 100 * 1024, comments: true, now: NOW });
  const uri = 'file:///work/p/edited.ppkg.json';
  let text = g.text;
  let version = 1;
  await service.complete(TextDocument.create(uri, 'jsonc', version, text), TextDocument.create(uri, 'jsonc', 0, text).positionAt(g.slots.value));
  for (const value of ['false', 'true', 'false']) {
    const at = g.slots.value;
    text = text.slice(0, at) + value + text.slice(at + (text.startsWith('true', at) ? 4 : 5));
    const document = TextDocument.create(uri, 'jsonc', ++version, text);
    for (const offset of [g.slots.property, g.slots.value, g.slots.value + 2]) {
      const ours = await service.complete(document, document.positionAt(offset));
      // What the service answered before the fast path: json-ls doComplete on a full parse, then the domain items.
      const other = new PpkgLanguageService({ now: () => NOW, listFiles: () => [] });
      const schemaList = await ls.doComplete(document, document.positionAt(offset), ls.parseJSONDocument(document));
      const viaJsonLs = completeDomain(other.context(document), offset, schemaList);
      assert.ok(ours.items.length > 0);
      assert.deepStrictEqual(wire(ours), wire(viaJsonLs), `after typing ${value}, offset ${offset}`);
    }
  }
});
