/**
 * A language server as a child process, driven over stdio like an editor
 * does: Content-Length framing, requests with ids, notifications, and
 * answers to the server's own requests (configuration, registrations).
 * Used for both ppkg's server and VS Code's JSON language server, so both
 * pay the same transport.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { code?: string | number; message: string; severity?: number; range: unknown }[];
  /** performance.now() when the message was read. */
  at: number;
}

export class LspProcess {
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private diagnosticWaiters: { pred: (p: PublishedDiagnostics) => boolean; resolve: (p: PublishedDiagnostics) => void }[] = [];
  readonly published: PublishedDiagnostics[] = [];
  stderr = '';
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    private readonly settings: unknown = {},
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stdout!.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  private onData(d: Buffer): void {
    const at = performance.now();
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const sep = this.buf.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.buf.subarray(0, sep).toString('ascii'));
      if (!m) throw new Error(`${this.name}: bad header`);
      const len = Number(m[1]);
      if (this.buf.length < sep + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString('utf8')) as {
        id?: number;
        method?: string;
        params?: unknown;
        result?: unknown;
        error?: { message: string };
      };
      this.buf = this.buf.subarray(sep + 4 + len);
      if (msg.method === 'textDocument/publishDiagnostics') {
        const p = { ...(msg.params as Omit<PublishedDiagnostics, 'at'>), at };
        this.published.push(p);
        if (this.published.length > 50) this.published.splice(0, 25);
        this.diagnosticWaiters = this.diagnosticWaiters.filter((w) => {
          if (!w.pred(p)) return true;
          w.resolve(p);
          return false;
        });
      } else if (msg.method && msg.id !== undefined) {
        // The server asks: answer as an editor would.
        const result =
          msg.method === 'workspace/configuration'
            ? ((msg.params as { items?: { section?: string }[] }).items ?? []).map((i) =>
                i.section ? ((this.settings as Record<string, unknown>)[i.section] ?? {}) : this.settings,
              )
            : null;
        this.write({ jsonrpc: '2.0', id: msg.id, result });
      } else if (msg.id !== undefined && !msg.method) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${this.name}: ${msg.error.message}`));
        else p?.resolve(msg.result);
      }
    }
  }

  private write(msg: object): void {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: '2.0', method, params });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.write({ jsonrpc: '2.0', id, method, params });
    });
  }

  /** The next publishDiagnostics (from now on, or already received when `includePast`) matching `pred`. */
  waitForDiagnostics(pred: (p: PublishedDiagnostics) => boolean, timeoutMs = 30_000): Promise<PublishedDiagnostics> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`${this.name}: no matching publishDiagnostics within ${timeoutMs} ms; stderr: ${this.stderr.slice(-1000)}`)),
        timeoutMs,
      );
      this.diagnosticWaiters.push({ pred, resolve: (p) => (clearTimeout(t), resolve(p)) });
    });
  }

  async initialize(params: Record<string, unknown>): Promise<unknown> {
    const r = await this.request('initialize', { processId: process.pid, ...params });
    this.notify('initialized', {});
    return r;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } catch {
      // already gone
    }
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const t = setTimeout(() => {
        this.child.kill();
        resolve();
      }, 3000);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
