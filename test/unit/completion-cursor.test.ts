/**
 * The cursor of completion, read off a tree without syntax errors
 * (locateInCleanTree), is jsonc-parser's getLocation at every offset of the
 * example project, the `ppkg init` starter, odd but well-formed JSONC and a
 * generated project.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getLocation } from 'jsonc-parser';
import { getLanguageService, type JSONDocument } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generateProject } from '../../bench/lib/generate';
import { starterProject } from '../../server/src/model/starter';
import { locateInCleanTree } from '../../server/src/languageService/cursor';

const ROOT = path.resolve(__dirname, '../..');
const NOW = new Date('2025-03-01T12:00:00Z');

const ODD = `// leading comment
{
  "a": [ {}, [], 1, { "b": [ { "c": null } ] }, [ [ {} ], 2 ], "s" ],
  "e": {}, "f": [], /* x */ "g": { "h": { } },
  "k"  :  "v" , "l": [ { "m": 1 }, 3 ,{"n":{}} ],
  "esc\\"aped": "va\\u0041l"
}
`;

function check(name: string, text: string, from = 0, to = text.length): void {
  const ls = getLanguageService({});
  const doc = TextDocument.create('file:///x.json', 'jsonc', 1, text);
  const parsed = ls.parseJSONDocument(doc) as JSONDocument & { syntaxErrors: unknown[] };
  assert.equal(parsed.syntaxErrors.length, 0, `${name} has no syntax errors`);
  for (let offset = from; offset <= to; offset++) {
    const fast = locateInCleanTree(text, offset, parsed.root);
    const slow = getLocation(text, offset);
    const shape = (l: typeof slow) => JSON.parse(JSON.stringify({ path: l.path, isAtPropertyKey: l.isAtPropertyKey, previousNode: l.previousNode }));
    assert.ok(fast, `${name}: answered at ${offset}`);
    assert.deepStrictEqual(
      shape(fast),
      shape(slow),
      `${name} at ${offset}: …${text.slice(Math.max(0, offset - 30), offset)}|${text.slice(offset, offset + 10)}`,
    );
  }
}

test('locateInCleanTree is getLocation at every offset', () => {
  check('example', fs.readFileSync(path.join(ROOT, 'examples/bulk-enrollment/cts-desktops.ppkg.json'), 'utf8'));
  check('starter', starterProject({ name: 'S', id: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}', today: NOW, schemaRef: './s.json' }));
  check('odd', ODD);
  check('scalar root', ' "just a string" ');
  check('empty', '');
  const g = generateProject({ bytes: 60 * 1024, comments: true, now: NOW });
  check('generated', g.text, 0, 6000);
  check('generated (middle)', g.text, g.slots.property - 500, g.slots.value + 500);
});
