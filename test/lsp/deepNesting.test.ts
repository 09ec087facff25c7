/**
 * Never die: documents nested 10,000 and 100,000 levels deep. Every feature
 * answers (a result or an error) within seconds, in a server whose heap is
 * capped at 256 MB: formatting such a file once ran out of heap.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient, makeFixture } from './lspClient';

let client: LspClient;
let fx: ReturnType<typeof makeFixture>;
before(async () => {
  fx = makeFixture();
  client = await LspClient.start({ nodeArgs: ['--max-old-space-size=256'] });
});
after(async () => {
  await client.stop();
  fx.cleanup();
});

const DOCS: [string, string][] = [
  ['arrays-10k', '['.repeat(10_000) + ']'.repeat(10_000)],
  ['objects-10k', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
  ['unclosed-100k', `{ "name": "Lab", "x": ${'{"a": ['.repeat(50_000)}`],
  [
    'deep-inside-a-project',
    `{\n  "name": "Lab",\n  "device": { "name": "PC-%SERIAL%" },\n  "additionalSettings": ${'['.repeat(20_000)}${']'.repeat(20_000)}\n}`,
  ],
];

/** Resolves with the answer, or rejects after `ms`. */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

for (const [name, text] of DOCS) {
  test(`${name}: diagnostics, formatting, completion, hover, symbols, folding and selection ranges all answer`, async () => {
    const uri = fx.uri(`${name}.ppkg.json`);
    const ds = await within(10_000, 'diagnostics', client.open(uri, text));
    assert.ok(
      ds.some((d) => d.code === 'PPKG000' && /Nesting deeper than/.test(String(d.message))),
      JSON.stringify(ds.slice(0, 3)),
    );
    const mid = { line: 0, character: Math.min(5000, text.indexOf('\n') < 0 ? text.length >> 1 : 3) };
    const doc = { textDocument: { uri } };
    const requests: [string, unknown][] = [
      ['textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } }],
      [
        'textDocument/rangeFormatting',
        { ...doc, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } }, options: { tabSize: 2, insertSpaces: true } },
      ],
      ['textDocument/completion', { ...doc, position: mid }],
      ['textDocument/hover', { ...doc, position: mid }],
      ['textDocument/documentSymbol', doc],
      ['textDocument/foldingRange', doc],
      ['textDocument/selectionRange', { ...doc, positions: [mid] }],
      ['textDocument/codeAction', { ...doc, range: { start: mid, end: mid }, context: { diagnostics: [] } }],
      ['textDocument/documentLink', doc],
      ['textDocument/codeLens', doc],
    ];
    for (const [method, params] of requests) {
      // An error response also counts as an answer; the request must not hang or kill the server.
      await within(
        5000,
        method,
        client.request(method, params).catch((e: Error) => e),
      );
    }
    assert.equal(client.child.exitCode, null, `the server is alive; stderr: ${client.stderr.slice(-500)}`);
    await client.close(uri);
  });
}

test('the server still serves a normal project afterwards', async () => {
  const uri = fx.uri('after.ppkg.json');
  const ds = await client.open(uri, '{ "name": "Lab", "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}", "version": "1.0", "device": { "name": "A B" } }');
  assert.ok(ds.some((d) => d.code === 'PPKG001'));
});
