import { afterEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { rootCertificates } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { delay, httpsCall, HttpsFailure, MAX_RESPONSE_BYTES } from '../../server/src/entra/httpsCore';
import { httpsRequest } from '../../server/src/entra/http';
import { EntraError } from '../../server/src/entra/errors';
import { GraphClient, GraphError } from '../../server/src/tenant/graphClient';
import { getTestCa } from '../support/testCa';

/**
 * The one HTTPS core that Entra ID (MSAL, the bulk-token service) and
 * Microsoft Graph share: https only, the CA added to Node's roots, one bound
 * on the whole exchange, one size limit, no redirects, cancel, and nothing
 * secret in its errors; and how each side reads its failures.
 */
const SECRET = 'SENTINEL-core-secret-6c1d2e';
const ca = getTestCa().caPem;

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
const servers: https.Server[] = [];
afterEach(async () => {
  mock.restoreAll();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

async function serve(handler: Handler): Promise<{ url: string; hits: string[] }> {
  const { keyPem, certPem } = getTestCa();
  const hits: string[] = [];
  const server = https.createServer({ key: keyPem, cert: certPem }, (req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

async function failure(p: Promise<unknown>): Promise<HttpsFailure> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof HttpsFailure, String(e));
    return e;
  }
  assert.fail('the request succeeded');
}

test("an injected CA is added to Node's roots, never replaces them", async () => {
  const { url } = await serve((_q, res) => res.end('{"ok":true}'));
  const seen: (string[] | undefined)[] = [];
  const original = https.request;
  mock.method(https, 'request', (...args: Parameters<typeof https.request>) => {
    seen.push((args[1] as https.RequestOptions).ca as string[] | undefined);
    return original(...args);
  });
  const res = await httpsCall({ method: 'GET', url: `${url}/x`, ca });
  assert.equal(res.status, 200);
  assert.equal(res.text, '{"ok":true}');
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.length, rootCertificates.length + 1);
  assert.deepEqual(seen[0]!.slice(0, -1), [...rootCertificates]);
  assert.equal(seen[0]!.at(-1), ca);
  // Without the CA the emulator's certificate is not trusted: verification stays on.
  assert.equal((await failure(httpsCall({ method: 'GET', url: `${url}/x` }))).kind, 'network');
});

test('only https: an http URL is refused before any connection', async () => {
  const plain = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  let connections = 0;
  plain.on('connection', () => connections++);
  try {
    const e = await failure(httpsCall({ method: 'GET', url: `http://127.0.0.1:${(plain.address() as AddressInfo).port}/x?flowToken=${SECRET}` }));
    assert.equal(e.kind, 'invalid-url');
    assert.ok(!e.message.includes(SECRET));
    assert.equal(connections, 0);
  } finally {
    plain.close();
  }
});

test('the time-out bounds the whole exchange: an answer that trickles in forever times out', async () => {
  const { url } = await serve((_q, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const t = setInterval(() => res.write(' '), 20); // the socket is never idle
    res.on('close', () => clearInterval(t));
  });
  const started = Date.now();
  const e = await failure(httpsCall({ method: 'GET', url: `${url}/slow`, ca, timeoutMs: 300 }));
  assert.equal(e.kind, 'timeout');
  assert.match(e.message, /no answer within 0\.3 seconds/);
  assert.ok(Date.now() - started < 2000);
});

test('an answer larger than the limit is refused, for Entra and for Graph alike', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const { url } = await serve((_q, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let sent = 0;
    const more = () => {
      while (sent <= MAX_RESPONSE_BYTES) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  assert.equal((await failure(httpsCall({ method: 'GET', url: `${url}/big`, ca }))).kind, 'too-large');
  await assert.rejects(
    httpsRequest({ method: 'GET', url: `${url}/big`, ca, stage: 'poll' }),
    (e: unknown) => e instanceof EntraError && e.kind === 'malformed-response',
  );
  const graph = new GraphClient({ endpoint: url, ca, getAccessToken: async () => SECRET });
  await assert.rejects(graph.get('/v1.0/big'), (e: unknown) => e instanceof GraphError && e.code === 'TooLarge' && !e.message.includes(SECRET));
});

test('a redirect is not followed: the token never goes to the other host', async () => {
  const other = await serve((_q, res) => res.end('{}'));
  const { url } = await serve((_q, res) => {
    res.writeHead(302, { Location: `${other.url}/steal` });
    res.end();
  });
  const res = await httpsCall({ method: 'GET', url: `${url}/x`, ca, headers: { Authorization: `Bearer ${SECRET}` } });
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, `${other.url}/steal`);
  const graph = new GraphClient({ endpoint: url, ca, getAccessToken: async () => SECRET, maxAttempts: 1 });
  await assert.rejects(graph.get('/v1.0/me'), (e: unknown) => e instanceof GraphError && e.status === 302);
  assert.deepEqual(other.hits, []);
});

test('cancel: a request in flight ends at once; Entra and Graph each say "cancelled"', async () => {
  const { url } = await serve(() => undefined); // never answers
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  assert.equal((await failure(httpsCall({ method: 'GET', url: `${url}/hang`, ca, signal: controller.signal }))).kind, 'cancelled');
  assert.ok(Date.now() - started < 1000);
  const aborted = AbortSignal.abort();
  await assert.rejects(
    httpsRequest({ method: 'GET', url: `${url}/hang`, ca, signal: aborted }),
    (e: unknown) => e instanceof EntraError && e.kind === 'cancelled',
  );
  const graph = new GraphClient({ endpoint: url, ca, getAccessToken: async () => SECRET, signal: aborted });
  await assert.rejects(graph.get('/v1.0/me'), (e: unknown) => e instanceof GraphError && e.code === 'Cancelled');
  await assert.rejects(delay(10_000, aborted), (e: unknown) => e instanceof HttpsFailure && e.kind === 'cancelled');
});

test('a failure names origin and path only: never the query, a header or the body', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const url = `https://127.0.0.1:${port}/webapp/bulkaadjtoken/poll?flowToken=${SECRET}`;
  const e = await failure(httpsCall({ method: 'POST', url, ca, headers: { Authorization: `Bearer ${SECRET}` }, body: SECRET }));
  assert.equal(e.kind, 'network');
  assert.equal(e.code, 'ECONNREFUSED');
  assert.equal(e.where, `https://127.0.0.1:${port}/webapp/bulkaadjtoken/poll`);
  assert.ok(!`${e.message} ${e.where} ${e.stack}`.includes(SECRET));
  await assert.rejects(httpsRequest({ method: 'GET', url, ca, stage: 'poll' }), (err: unknown) => {
    assert.ok(err instanceof EntraError && err.kind === 'network');
    assert.match(err.message, /Could not reach Entra ID at https:\/\/127\.0\.0\.1:\d+\/webapp\/bulkaadjtoken\/poll: ECONNREFUSED/);
    assert.ok(!err.message.includes(SECRET));
    return true;
  });
});
