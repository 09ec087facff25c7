/**
 * A spec-checking client: drives `node dist/server.js --stdio` with raw bytes
 * (broken headers, wrong Content-Length, invalid JSON, wrong params) and
 * collects every message the server writes, framed strictly (a malformed
 * frame from the server fails the test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { SERVER, TEST_NOW } from './lspClient';

export interface RpcMessage {
  jsonrpc: string;
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export class RawClient {
  readonly messages: RpcMessage[] = [];
  stderr = '';
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  private buf = Buffer.alloc(0);
  private waiters: { pred: (m: RpcMessage) => boolean; resolve: (m: RpcMessage) => void }[] = [];
  private frameError?: string;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => this.onData(d));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code, signal) => (this.exit = { code, signal }));
  }

  /** `nodeArgs`, e.g. a heap limit, go before the script. */
  static start(nodeArgs: string[] = []): RawClient {
    const child = spawn(process.execPath, [...nodeArgs, SERVER, '--stdio'], {
      env: { ...process.env, PPKG_TEST: '1', PPKG_TEST_NOW: TEST_NOW },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new RawClient(child);
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const header = this.buf.subarray(0, sep).toString('ascii');
      const m = /^Content-Length: (\d+)$/im.exec(header);
      if (!m) {
        this.frameError = `server wrote a header without Content-Length: ${JSON.stringify(header)}`;
        return;
      }
      const len = Number(m[1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString('utf8')) as RpcMessage;
      this.buf = this.buf.subarray(sep + 4 + len);
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(msg)) return true;
        w.resolve(msg);
        return false;
      });
      // Server-to-client requests get an empty answer, as a minimal client would give.
      if (msg.method && msg.id !== undefined && msg.id !== null) this.send({ id: msg.id, result: msg.method === 'workspace/configuration' ? [{}] : null });
    }
  }

  /** Writes bytes as they are. */
  raw(bytes: string | Buffer): void {
    this.child.stdin!.write(bytes);
  }

  /** Writes one well-framed message (jsonrpc added unless `body` is a string). */
  send(body: object | string): void {
    const b = Buffer.from(typeof body === 'string' ? body : JSON.stringify({ jsonrpc: '2.0', ...body }), 'utf8');
    this.raw(Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`, 'ascii'), b]));
  }

  waitFor(pred: (m: RpcMessage) => boolean, timeoutMs = 10_000): Promise<RpcMessage> {
    if (this.frameError) return Promise.reject(new Error(this.frameError));
    const have = this.messages.find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}; stderr: ${this.stderr.slice(-2000)}`)),
        timeoutMs,
      );
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }

  response(id: number | string | null, timeoutMs?: number): Promise<RpcMessage> {
    return this.waitFor((m) => m.id === id && m.method === undefined, timeoutMs);
  }

  /** Sends a request and waits for its response. */
  async request(id: number, method: string, params?: unknown, timeoutMs?: number): Promise<RpcMessage> {
    this.send({ id, method, ...(params === undefined ? {} : { params }) });
    return this.response(id, timeoutMs);
  }

  async initialize(capabilities: object = {}, id = 1): Promise<RpcMessage> {
    const r = await this.request(id, 'initialize', { processId: null, rootUri: null, capabilities });
    this.send({ method: 'initialized', params: {} });
    return r;
  }

  /** Errors (id null) the server wrote so far with this code. */
  errorsWithNullId(code: number): RpcMessage[] {
    return this.messages.filter((m) => m.id === null && m.error?.code === code);
  }

  async stop(): Promise<void> {
    if (this.exit) return;
    this.child.kill();
    await new Promise((r) => this.child.once('exit', r));
  }
}
