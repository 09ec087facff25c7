/**
 * A minimal, self-contained LSP client over stdio for the fuzzer: raw
 * Content-Length framing (no library between the fuzzer and the wire), a
 * timeout on every request, and a watch on the server's stderr and exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ResponseError {
  code: number;
  message: string;
}

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class RequestTimeout extends Error {}
export class ServerError extends Error {
  constructor(
    message: string,
    readonly error: ResponseError,
  ) {
    super(message);
  }
}

export class RawLspClient {
  private nextId = 1;
  private buffer = Buffer.alloc(0);
  private pending = new Map<number, Pending>();
  private handlers = new Map<string, (params: unknown) => void>();
  stderr = '';
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** window/logMessage and window/showMessage with type Error (1). */
  errorMessages: string[] = [];
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    readonly requestTimeoutMs: number,
  ) {
    child.stdout!.on('data', (b: Buffer) => this.onData(b));
    child.stderr!.on('data', (b: Buffer) => {
      if (this.stderr.length < 1_000_000) this.stderr += b.toString('utf8');
    });
    // A closed pipe after a crash must not crash the fuzzer.
    child.stdin!.on('error', () => undefined);
    this.exitPromise = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        for (const [, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`server exited (code ${code}, signal ${signal}) while ${p.method} was pending`));
        }
        this.pending.clear();
        resolve();
      }),
    );
    for (const kind of ['window/logMessage', 'window/showMessage']) {
      this.handlers.set(kind, (p) => {
        const m = p as { type: number; message: string };
        if (m.type === 1) this.errorMessages.push(m.message);
      });
    }
  }

  static start(serverJs: string, env: Record<string, string | undefined>, requestTimeoutMs = 10_000): RawLspClient {
    const child = spawn(process.execPath, [serverJs, '--stdio'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    return new RawLspClient(child, requestTimeoutMs);
  }

  onNotification(method: string, handler: (params: unknown) => void): void {
    const previous = this.handlers.get(method);
    this.handlers.set(method, previous ? (p) => (previous(p), handler(p)) : handler);
  }

  private write(message: unknown): void {
    if (this.exited) return;
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = this.requestTimeoutMs): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.exited) return reject(new Error(`server has exited; cannot send ${method}`));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestTimeout(`${method} (id ${id}) got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: *(\d+)/i.exec(header);
      if (!m) throw new Error(`bad LSP header from the server: ${header}`);
      const length = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: ResponseError });
    }
  }

  private dispatch(msg: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: ResponseError }): void {
    if (msg.method !== undefined && msg.id !== undefined) {
      // A request from the server (configuration, registerCapability, …): answer like a plain editor.
      const result = msg.method === 'workspace/configuration' ? ((msg.params as { items?: unknown[] })?.items ?? []).map(() => null) : null;
      this.write({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    if (msg.method !== undefined) {
      this.handlers.get(msg.method)?.(msg.params);
      return;
    }
    const p = this.pending.get(Number(msg.id));
    if (!p) return;
    this.pending.delete(Number(msg.id));
    clearTimeout(p.timer);
    if (msg.error) p.reject(new ServerError(`${p.method} failed: ${msg.error.code} ${msg.error.message}`, msg.error));
    else p.resolve(msg.result);
  }

  /** shutdown + exit; resolves with the exit code (or kills after `graceMs`). */
  async stop(graceMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) {
      try {
        await this.request('shutdown', null, graceMs);
        this.notify('exit', null);
      } catch {
        // fall through to the kill below
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    return this.exited!;
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
