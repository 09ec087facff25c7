/**
 * The completion cursor comes from the cached tree plus a scan of the
 * enclosing object only (server/src/languageService/cursor.ts). It must
 * answer exactly what jsonc-parser's getLocation (a scan from the start of the
 * file) answers, at every offset, in valid and in broken documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLocation, type Location } from 'jsonc-parser';
import { getLanguageService } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { locate } from '../../server/src/languageService/cursor';
import { PpkgLanguageService } from '../../server/src/languageService/service';

const json = getLanguageService({});

const VALID = `// A lab project
{
  "name": "Lab", // trailing comment
  "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",
  "device": { "name": "LAB-%SERIAL%", "sharedUse": false },
  "applications": [
    { "name": "A", "installer": "a.msi", "successCodes": [0, 1641], "continueInstall": true },
    /* block */ { "name": "B", "installer": "b.exe", "dependencies": ["x.zip", "y.reg"] }
  ],
  "additionalSettings": [{ "path": "A/B", "value": { "secret": "setting-1" } }]
}
`;

const BROKEN: Record<string, string> = {
  'missing comma': VALID.replace('"sharedUse": false }', '"sharedUse": false "removePreinstalledSoftware": true }'),
  'missing comma between applications': VALID.replace('"continueInstall": true },', '"continueInstall": true }'),
  'unclosed brace': VALID.replace('"sharedUse": false },', '"sharedUse": false,'),
  'unclosed document': VALID.slice(0, VALID.indexOf('"additionalSettings"')),
  'unterminated string': VALID.replace('"installer": "a.msi"', '"installer": "a.ms'),
  'half-typed key': VALID.replace('"installer": "b.exe",', '"installer": "b.exe", "co'),
  'stray bracket': VALID.replace('"successCodes": [0, 1641],', '"successCodes": [0, 1641]],'),
  'stray brace in an array': VALID.replace('["x.zip", "y.reg"]', '["x.zip", } "y.reg"]'),
  'colon missing': VALID.replace('"name": "B"', '"name" "B"'),
  'trailing commas': VALID.replace('"y.reg"]', '"y.reg",]').replace('"continueInstall": true }', '"continueInstall": true, }'),
  'value missing': VALID.replace('"continueInstall": true', '"continueInstall": '),
  'property being typed in an empty object': VALID.replace('{ "path": "A/B", "value": { "secret": "setting-1" } }', '{ "pa }'),
};

function comparable(l: Location) {
  const p = l.previousNode;
  return {
    path: l.path,
    isAtPropertyKey: l.isAtPropertyKey,
    previousNode: p ? { type: p.type, offset: p.offset, length: p.length, value: p.value, colonOffset: p.colonOffset } : undefined,
  };
}

function firstErrorOffset(doc: TextDocument, parsed: object): number {
  const errors = (parsed as { syntaxErrors?: { range: { start: { line: number; character: number } } }[] }).syntaxErrors ?? [];
  return errors.reduce((min, e) => Math.min(min, doc.offsetAt(e.range.start)), Infinity);
}

for (const [name, text] of Object.entries({ valid: VALID, ...BROKEN })) {
  test(`cursor from the tree = getLocation at every offset: ${name}`, () => {
    const doc = TextDocument.create('file:///x/lab.ppkg.json', 'jsonc', 1, text);
    const parsed = json.parseJSONDocument(doc);
    const first = firstErrorOffset(doc, parsed);
    if (name !== 'valid') assert.notEqual(first, Infinity, 'the broken document has a syntax error');
    for (let offset = 0; offset <= text.length; offset++) {
      const fast = locate(text, offset, parsed.root, parsed.getNodeFromOffset(offset, true), first);
      const full = getLocation(text, offset);
      assert.deepEqual(
        comparable(fast),
        comparable(full),
        `offset ${offset}: …${JSON.stringify(text.slice(Math.max(0, offset - 20), offset))}|${JSON.stringify(text.slice(offset, offset + 20))}`,
      );
      for (const pattern of [
        ['applications', '*', 'installer'],
        ['device', 'name'],
        ['**', 'secret'],
      ])
        assert.equal(fast.matches(pattern), full.matches(pattern));
    }
  });
}

test('cursor from the tree = getLocation after random one-character edits (deletions, insertions of JSON punctuation)', () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const inserts = ['{', '}', '[', ']', ',', ':', '"', '/', '*', '1', 'x', ' ', '\n'];
  for (let round = 0; round < 150; round++) {
    const at = random(VALID.length);
    const text = random(2) ? VALID.slice(0, at) + VALID.slice(at + 1) : VALID.slice(0, at) + inserts[random(inserts.length)] + VALID.slice(at);
    const doc = TextDocument.create('file:///x/lab.ppkg.json', 'jsonc', 1, text);
    const parsed = json.parseJSONDocument(doc);
    const first = firstErrorOffset(doc, parsed);
    for (let k = 0; k < 40; k++) {
      const offset = random(text.length + 1);
      const fast = locate(text, offset, parsed.root, parsed.getNodeFromOffset(offset, true), first);
      assert.deepEqual(comparable(fast), comparable(getLocation(text, offset)), `edit at ${at}, offset ${offset}`);
    }
  }
});

test('completion parses only what it needs: no project parse for a schema slot, the same items as before', async () => {
  const service = new PpkgLanguageService({
    now: () => new Date('2026-01-01T00:00:00Z'),
    files: { stat: () => undefined, realpath: () => undefined, readdir: () => undefined },
    listFiles: () => [],
  });
  const doc = TextDocument.create('file:///x/lab.ppkg.json', 'ppkg-project', 1, VALID);
  const at = VALID.indexOf('"continueInstall": ') + '"continueInstall": '.length;
  const list = await service.complete(doc, doc.positionAt(at));
  assert.deepEqual(list.items.map((i) => i.label).sort(), ['false', 'true']);
  const state = (service as unknown as { cache: Map<string, { hasProject: boolean }> }).cache.get(doc.uri)!;
  assert.equal(state.hasProject, false, 'our parse is not needed for a schema value slot');
  // Diagnostics then parse ours once, and the JSON service's parse is not redone.
  service.validate(doc);
  assert.equal(state.hasProject, true);
});
