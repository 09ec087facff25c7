/**
 * Finding a node by scanning the text (model/locateText.ts, used until the
 * jsonc tree is built) gives exactly what the tree gives: for every path of
 * many documents (with comments, trailing commas, escapes, a BOM, CRLF,
 * unicode keys), the same type, offset, length and value, and the same key.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProject } from '../../bench/lib/generate';
import { importCustomizations } from '../../server/src/import/customizations';
import { locate, nodeAtPath, keyNodeOf, parseProject } from '../../server/src/model/parse';

function pathsOf(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

const CORPUS = join(__dirname, '../fixtures/wcd/corpus');
const texts: [string, string][] = [
  ['example', readFileSync(join(__dirname, '../../examples/bulk-enrollment/cts-desktops.ppkg.json'), 'utf8')],
  ...readdirSync(CORPUS)
    .filter((f) => f.endsWith('.xml'))
    .map((f): [string, string] => [f, importCustomizations(readFileSync(join(CORPUS, f), 'utf8')).projectText]),
  ['generated', generateProject({ bytes: 40 * 1024, comments: true }).text],
  ['odd', '\ufeff{\r\n  // c\r\n  "a\\u00e9\\"x": [1, -2.5e3, true, null, { "k": "v\\n\\t" },],\r\n  /* b */ "💻": { "": "" }, "n": 1e400,\r\n}\r\n'],
];

test('scanning the text locates every node where the jsonc tree has it', () => {
  let compared = 0;
  for (const [name, text] of texts) {
    const doc = parseProject(text);
    assert.deepEqual(doc.syntaxProblems, [], name);
    assert.ok(doc.locate, `${name}: the fast path offers locate`);
    const paths = pathsOf(doc.value);
    // Scanned first (the tree is not built yet), then from the tree.
    const scanned = paths.map((p) => locate(doc, p));
    const root = doc.root;
    paths.forEach((p, i) => {
      const node = nodeAtPath(root, p)!;
      const key = keyNodeOf(node);
      const brief = (n: { type: string; offset: number; length: number; value?: unknown } | undefined) =>
        n && [n.type, n.offset, n.length, n.type === 'object' || n.type === 'array' ? undefined : n.value];
      assert.deepEqual(brief(scanned[i]?.node), brief(node), `${name} ${JSON.stringify(p)}`);
      assert.deepEqual(brief(scanned[i]?.key), brief(key), `${name} ${JSON.stringify(p)} (key)`);
      compared++;
    });
    assert.equal(locate(doc, ['no such property']), undefined);
    assert.equal(locate(doc, [...paths[paths.length - 1]!, 99]), undefined);
  }
  assert.ok(compared > 1000, `only ${compared} paths`);
});
