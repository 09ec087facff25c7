/**
 * LSP 3.17 lifecycle and JSON-RPC 2.0 conformance, byte by byte: what the
 * server answers before initialize, after shutdown, to a second initialize,
 * to bodies that are not JSON, to broken headers and wrong Content-Lengths,
 * and to malformed params. After every protocol error the server must still
 * answer the next well-formed request.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from './rawClient';

let c: RawClient;
afterEach(() => c?.stop());

const HOVER = (uri = 'file:///tmp/x.ppkg.json') => ({ textDocument: { uri }, position: { line: 0, character: 0 } });

/** The server still works: a hover on an unknown document answers null. */
async function stillAnswers(client: RawClient, id: number): Promise<void> {
  const r = await client.request(id, 'textDocument/hover', HOVER(), 5000);
  assert.equal(r.error, undefined, JSON.stringify(r));
  assert.equal(r.result, null);
}

test('a request before initialize gets -32002; notifications are dropped; initialize then works', async () => {
  c = RawClient.start();
  const early = await c.request(1, 'textDocument/hover', HOVER());
  assert.equal(early.error?.code, -32002);
  c.send({ method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///tmp/a.ppkg.json', languageId: 'ppkg-project', version: 1, text: '{' } } });
  const init = await c.initialize({}, 2);
  assert.ok((init.result as { capabilities?: unknown }).capabilities, 'initialize answered with capabilities');
  await stillAnswers(c, 3);
  assert.equal(c.messages.filter((m) => m.method === 'textDocument/publishDiagnostics').length, 0, 'the early didOpen was not processed');
});

test('a second initialize is refused with an error, not answered again', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const again = await c.request(2, 'initialize', { processId: null, rootUri: null, capabilities: {} });
  assert.equal(again.result, undefined);
  assert.equal(again.error?.code, -32600);
  await stillAnswers(c, 3);
});

test('initialize without capabilities is -32602 and leaves the server uninitialized', async () => {
  c = RawClient.start();
  const bad = await c.request(1, 'initialize', { processId: null });
  assert.equal(bad.error?.code, -32602);
  assert.equal((await c.request(2, 'textDocument/hover', HOVER())).error?.code, -32002);
  await c.initialize({}, 3);
  await stillAnswers(c, 4);
});

test('after shutdown every request is an error (not null), and exit ends the process with 0', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const down = await c.request(2, 'shutdown');
  assert.equal(down.error, undefined);
  assert.equal(down.result, null);
  const after = await c.request(3, 'textDocument/hover', HOVER());
  assert.equal(after.error?.code, -32600);
  c.send({ method: 'exit' });
  await new Promise((r) => c.child.once('exit', r));
  assert.equal(c.exit?.code, 0);
});

test('exit without shutdown ends the process with 1', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  c.send({ method: 'exit' });
  await new Promise((r) => c.child.once('exit', r));
  assert.equal(c.exit?.code, 1);
});

test('a body that is not JSON gets -32700 (id null), and the next message is answered', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  c.send('{"jsonrpc":"2.0","id":2,"method":"textDocument/hover",');
  await c.waitFor((m) => m.id === null && m.error?.code === -32700);
  await stillAnswers(c, 3);
});

test('JSON that is not a message: a batch array and a bare number get -32600', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  c.send('[{"jsonrpc":"2.0","id":2,"method":"shutdown"}]');
  c.send('42');
  c.send({ id: 3 });
  await c.waitFor((m) => m.id === 3 && m.error?.code === -32600);
  assert.equal(c.errorsWithNullId(-32600).length, 2);
  await stillAnswers(c, 4);
});

test('a header block without Content-Length, or with a non-numeric one, gets -32700 and does not leave the server deaf', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  c.raw('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n');
  c.raw('Content-Length: twelve\r\n\r\n');
  c.raw('Content-Length: -5\r\n\r\n');
  await stillAnswers(c, 2);
  assert.equal(c.errorsWithNullId(-32700).length, 3);
});

test('garbage before a header is skipped', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  c.raw('hello\r\nthis is noise\r\n');
  await stillAnswers(c, 2);
});

test('a Content-Length too large swallows the next header: the reader re-synchronises on it', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: HOVER() });
  const next = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'textDocument/hover', params: HOVER() });
  c.raw(`Content-Length: ${Buffer.byteLength(body) + 10}\r\n\r\n${body}Content-Length: ${Buffer.byteLength(next)}\r\n\r\n${next}`);
  // Message 2 is recovered (it was whole), message 3 too.
  assert.equal((await c.response(2)).result, null);
  assert.equal((await c.response(3)).result, null);
});

test('a Content-Length that promises bytes that never come: answered within seconds, not waited for forever', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: HOVER() });
  c.raw(`Content-Length: ${Buffer.byteLength(body) + 500}\r\n\r\n${body}`);
  assert.equal((await c.response(2, 5000)).result, null, 'the whole message that came is used');
  await stillAnswers(c, 3);
  c.raw('Content-Length: 999999999999\r\n\r\n{"jsonrpc":"2.0"');
  await c.waitFor((m) => m.id === null && m.error?.code === -32700, 5000);
  await stillAnswers(c, 4);
});

test('a Content-Length too small: -32700 for the cut body, then the server answers again', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'textDocument/hover', params: HOVER() });
  c.raw(`Content-Length: ${Buffer.byteLength(body) - 7}\r\n\r\n${body}`);
  await c.waitFor((m) => m.id === null && m.error?.code === -32700, 5000);
  await stillAnswers(c, 3);
});

test('malformed params get -32602 with the request id', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const cases: [string, unknown][] = [
    ['textDocument/hover', { textDocument: 5, position: { line: 0, character: 0 } }],
    ['textDocument/hover', { textDocument: { uri: 'file:///x' }, position: { line: -1, character: 0 } }],
    ['textDocument/completion', { textDocument: { uri: 'file:///x' } }],
    ['textDocument/formatting', { textDocument: { uri: 'file:///x' }, options: { tabSize: 'two' } }],
    ['textDocument/codeAction', { textDocument: { uri: 'file:///x' }, range: { start: 0, end: 1 }, context: { diagnostics: [] } }],
    ['textDocument/selectionRange', { textDocument: { uri: 'file:///x' }, positions: [{ line: 1.5, character: 0 }] }],
    ['textDocument/documentSymbol', null],
    ['textDocument/hover', 'file:///x'],
  ];
  let id = 10;
  for (const [method, params] of cases) {
    const r = await c.request(id, method, params);
    assert.equal(r.error?.code, -32602, `${method} ${JSON.stringify(params)} → ${JSON.stringify(r)}`);
    id++;
  }
  await stillAnswers(c, 99);
});

test('didOpen without text, or with a number for text, neither kills the server nor opens the document', async () => {
  c = RawClient.start();
  await c.initialize({}, 1);
  const uri = 'file:///tmp/bad-open.ppkg.json';
  c.send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'ppkg-project', version: 1 } } });
  c.send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'ppkg-project', version: 1, text: 42 } } });
  c.send({ method: 'textDocument/didChange', params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: null }] } });
  await stillAnswers(c, 2);
  assert.equal(c.exit, undefined, 'still running');
  // A correct didOpen of the same document then works.
  c.send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'ppkg-project', version: 3, text: '{ "name": 1 }' } } });
  const d = await c.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri);
  assert.ok((d.params as { diagnostics: unknown[] }).diagnostics.length > 0);
});
