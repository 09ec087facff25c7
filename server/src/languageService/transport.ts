/**
 * The stdio transport, strict where LSP 3.17 and JSON-RPC 2.0 say what to do
 * and forgiving where a client (or a line-noise pipe) breaks the framing:
 *
 * - framing: `Content-Length` headers; a header block without a usable
 *   Content-Length, a body that is not JSON, or a length that promises more
 *   bytes than ever come is answered with -32700 (id null) and the reader
 *   re-synchronises on the next `Content-Length:`; it never waits forever;
 * - JSON that is not a JSON-RPC message (an array, no method and no id):
 *   -32600;
 * - lifecycle: a request before `initialize` gets -32002; a second
 *   `initialize`, and any request after `shutdown`, gets -32600;
 *   notifications other than `exit` before `initialize` are dropped;
 * - params: requests of the methods the server implements are checked
 *   (checkParams) and answered -32602 when malformed; malformed document
 *   notifications (`didOpen` without text, …) are dropped with a log
 *   message instead of reaching the document store.
 *
 * Everything valid is handed on unchanged to vscode-languageserver.
 */
import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageWriter } from 'vscode-languageserver/node';

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INVALID_PARAMS = -32602;
export const SERVER_NOT_INITIALIZED = -32002;

/** The largest body accepted: a 16 M-character project in UTF-8 (4 bytes a character at worst) plus JSON escaping. */
export const MAX_BODY_BYTES = 160 * 1024 * 1024;
/** How long a body may stay incomplete with nothing more arriving before the reader gives up on it. */
export const STALL_MS = 750;

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = Buffer.from('content-length:', 'ascii');

type Json = Record<string, unknown>;

/** A tiny stream of Buffers read with as few copies as possible. */
class Bytes {
  private chunks: Buffer[] = [];
  length = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /** The first `n` bytes (or all), as one Buffer, without removing them. */
  peek(n = this.length): Buffer {
    if (this.chunks.length === 1 || n <= (this.chunks[0]?.length ?? 0)) return (this.chunks[0] ?? Buffer.alloc(0)).subarray(0, n);
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  take(n: number): Buffer {
    const out = Buffer.from(this.peek(n));
    this.drop(n);
    return out;
  }

  drop(n: number): void {
    this.length -= n;
    while (n > 0 && this.chunks.length) {
      const first = this.chunks[0];
      if (first.length <= n) {
        n -= first.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }

  unshift(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.unshift(b);
    this.length += b.length;
  }
}

/** Where `Content-Length:` (any case) starts in `b`, from `from`; -1 when absent. */
function indexOfContentLength(b: Buffer, from = 0): number {
  for (let i = b.indexOf(0x3a /* : */, from); i >= 0; i = b.indexOf(0x3a, i + 1)) {
    const start = i - (CONTENT_LENGTH.length - 1);
    if (start < from) continue;
    if (
      b
        .subarray(start, i + 1)
        .toString('ascii')
        .toLowerCase() === 'content-length:'
    )
      return start;
  }
  return -1;
}

export interface GuardState {
  phase: 'new' | 'running' | 'shutdown';
}

/**
 * Reads LSP messages from a byte stream (stdin) and answers protocol errors
 * itself through `writer`.
 */
export class GuardedStreamReader extends AbstractMessageReader {
  private readonly buffer = new Bytes();
  private expected: number | undefined;
  private callback?: DataCallback;
  private stallTimer?: NodeJS.Timeout;
  readonly state: GuardState = { phase: 'new' };

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly writer: MessageWriter,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    const onClose = () => this.fireClose();
    const onError = (e: Error) => this.fireError(e);
    this.input.on('data', onData);
    this.input.on('close', onClose);
    this.input.on('end', onClose);
    this.input.on('error', onError);
    return {
      dispose: () => {
        this.input.off('data', onData);
        this.input.off('close', onClose);
        this.input.off('end', onClose);
        this.input.off('error', onError);
        clearTimeout(this.stallTimer);
      },
    };
  }

  private onData(chunk: Buffer): void {
    clearTimeout(this.stallTimer);
    this.buffer.push(chunk);
    this.drain();
    if (this.buffer.length > 0) this.stallTimer = setTimeout(() => this.onStall(), STALL_MS);
  }

  private drain(): void {
    for (;;) {
      if (this.expected === undefined) {
        const head = this.buffer.peek();
        const end = head.indexOf(HEADER_END);
        if (end < 0) {
          // Keep waiting for the header's end, but never hoard a header that cannot be one.
          if (this.buffer.length > 64 * 1024) this.discardGarbage(this.buffer.length, 'a header block over 64 KiB');
          return;
        }
        const block = head.subarray(0, end).toString('ascii');
        const length = contentLengthOf(block);
        this.buffer.drop(end + HEADER_END.length);
        if (length === undefined) {
          this.replyError(null, PARSE_ERROR, 'Parse error: a header block without a valid Content-Length.');
          continue;
        }
        if (length > MAX_BODY_BYTES) {
          this.replyError(null, PARSE_ERROR, `Parse error: Content-Length ${length} is over the ${MAX_BODY_BYTES}-byte limit.`);
          continue;
        }
        this.expected = length;
      }
      if (this.buffer.length < this.expected) return;
      const body = this.buffer.take(this.expected);
      this.expected = undefined;
      this.handleBody(body);
    }
  }

  /** A body that stays incomplete: use what came if it is a whole message, else report it and re-synchronise. */
  private onStall(): void {
    if (this.expected === undefined) {
      // An unfinished header with nothing after it: drop it (the next message's header starts fresh).
      if (this.buffer.length) this.discardGarbage(this.buffer.length, 'an unfinished header');
      return;
    }
    const body = this.buffer.take(this.buffer.length);
    this.expected = undefined;
    this.handleBody(body, 'the body is shorter than its Content-Length');
    this.drain();
  }

  private discardGarbage(n: number, what: string): void {
    this.buffer.drop(n);
    this.replyError(null, PARSE_ERROR, `Parse error: ${what}.`);
  }

  private handleBody(body: Buffer, shortfall?: string): void {
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch {
      // A Content-Length too large swallows the start of the next header: keep
      // the whole message at the front, if there is one, and give the rest back.
      const end = endOfJsonValue(body);
      const first = end > 0 && end < body.length ? tryParse(body.subarray(0, end)) : undefined;
      if (first !== undefined) {
        this.dispatch(first);
        this.buffer.unshift(Buffer.from(body.subarray(end)));
        return;
      }
      this.replyError(null, PARSE_ERROR, `Parse error: the body is not JSON${shortfall ? ` (${shortfall})` : ''}.`);
      // A header inside the body: the body was cut short or ran into the next message. Resume there.
      const next = indexOfContentLength(body);
      if (next > 0) this.buffer.unshift(Buffer.from(body.subarray(next)));
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: unknown): void {
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      this.replyError(
        null,
        INVALID_REQUEST,
        Array.isArray(message) ? 'Invalid request: batches are not part of LSP.' : 'Invalid request: a message is a JSON object.',
      );
      return;
    }
    const m = message as Json;
    const hasId = 'id' in m && m.id !== undefined;
    const id = hasId && (typeof m.id === 'number' || typeof m.id === 'string') ? m.id : null;
    if (hasId && id === null && m.id !== null) {
      this.replyError(null, INVALID_REQUEST, 'Invalid request: an id is a number or a string.');
      return;
    }
    if (typeof m.method !== 'string') {
      // A response to one of our requests (workspace/configuration, …).
      if (hasId && ('result' in m || 'error' in m)) return this.callback?.(m as unknown as Message);
      if (hasId) this.replyError(id, INVALID_REQUEST, 'Invalid request: no method.');
      else this.replyError(null, INVALID_REQUEST, 'Invalid request: neither a method nor an id.');
      return;
    }
    const method = m.method;
    const isRequest = hasId;
    if (isRequest) {
      if (this.state.phase === 'new' && method !== 'initialize')
        return this.replyError(id, SERVER_NOT_INITIALIZED, `The server is not initialized: ${method} before initialize.`);
      if (this.state.phase !== 'new' && method === 'initialize') return this.replyError(id, INVALID_REQUEST, 'initialize may be sent only once.');
      if (this.state.phase === 'shutdown') return this.replyError(id, INVALID_REQUEST, `The server is shutting down: ${method} after shutdown.`);
      const problem = checkParams(method, m.params);
      if (problem) return this.replyError(id, INVALID_PARAMS, `Invalid params for ${method}: ${problem}.`);
      if (method === 'initialize') this.state.phase = 'running';
      else if (method === 'shutdown') this.state.phase = 'shutdown';
    } else if (method !== 'exit') {
      if (this.state.phase !== 'running') return;
      const problem = checkParams(method, m.params);
      if (problem) {
        this.log(`Ignored ${method}: ${problem}.`);
        return;
      }
    }
    if (!('jsonrpc' in m)) m.jsonrpc = '2.0';
    this.callback?.(m as unknown as Message);
  }

  private replyError(id: number | string | null, code: number, message: string): void {
    void this.writer.write({ jsonrpc: '2.0', id, error: { code, message } } as unknown as Message).catch(() => undefined);
  }
}

function tryParse(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The Content-Length of a header block: its last well-formed occurrence, so
 * garbage before it (the tail of a body cut short) is ignored.
 */
function contentLengthOf(block: string): number | undefined {
  let length: number | undefined;
  for (const m of block.matchAll(/content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*(?=\r?\n|$)/gi)) length = Number(m[1]);
  return length;
}

/** Where the first JSON value of `b` ends (after its closing brace or bracket), or -1; strings are skipped. */
function endOfJsonValue(b: Buffer): number {
  let depth = 0;
  let started = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0x22 /* " */) {
      for (i++; i < b.length && b[i] !== 0x22; i++) if (b[i] === 0x5c /* \ */) i++;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      started = true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (started && depth === 0) return i + 1;
    }
  }
  return -1;
}

// --- params -----------------------------------------------------------------

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isUInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isPosition = (v: unknown) => isObject(v) && isUInt(v.line) && isUInt(v.character);
const isRange = (v: unknown) => isObject(v) && isPosition(v.start) && isPosition(v.end);
const docId = (p: Json) => (isObject(p.textDocument) && typeof p.textDocument.uri === 'string' ? undefined : 'textDocument.uri must be a string');
const position = (p: Json) => docId(p) ?? (isPosition(p.position) ? undefined : 'position must be { line, character } of non-negative integers');
const formatting = (p: Json) =>
  docId(p) ??
  (isObject(p.options) &&
  typeof p.options.tabSize === 'number' &&
  p.options.tabSize >= 0 &&
  p.options.tabSize <= 64 &&
  typeof p.options.insertSpaces === 'boolean'
    ? undefined
    : 'options must have tabSize (0–64) and insertSpaces');

const CHECKS: Record<string, (p: Json) => string | undefined> = {
  initialize: (p) => (isObject(p.capabilities) ? undefined : 'capabilities must be an object'),
  'textDocument/completion': position,
  'textDocument/hover': position,
  'textDocument/documentSymbol': docId,
  'textDocument/foldingRange': docId,
  'textDocument/documentLink': docId,
  'textDocument/codeLens': docId,
  'textDocument/selectionRange': (p) =>
    docId(p) ??
    (Array.isArray(p.positions) && p.positions.length <= 10_000 && p.positions.every(isPosition) ? undefined : 'positions must be a list of positions'),
  'textDocument/formatting': formatting,
  'textDocument/rangeFormatting': (p) => formatting(p) ?? (isRange(p.range) ? undefined : 'range must be a range'),
  'textDocument/codeAction': (p) =>
    docId(p) ??
    (isRange(p.range) ? undefined : 'range must be a range') ??
    (isObject(p.context) && Array.isArray(p.context.diagnostics) ? undefined : 'context.diagnostics must be a list'),
  'workspace/executeCommand': (p) =>
    typeof p.command === 'string' && (p.arguments === undefined || Array.isArray(p.arguments)) ? undefined : 'command must be a string and arguments a list',
  'textDocument/didOpen': (p) =>
    isObject(p.textDocument) &&
    typeof p.textDocument.uri === 'string' &&
    typeof p.textDocument.text === 'string' &&
    typeof p.textDocument.languageId === 'string' &&
    Number.isInteger(p.textDocument.version)
      ? undefined
      : 'textDocument needs uri, languageId and text (strings) and an integer version',
  'textDocument/didChange': (p) =>
    isObject(p.textDocument) &&
    typeof p.textDocument.uri === 'string' &&
    Number.isInteger(p.textDocument.version) &&
    Array.isArray(p.contentChanges) &&
    p.contentChanges.every((c) => isObject(c) && typeof c.text === 'string' && (c.range === undefined || isRange(c.range)))
      ? undefined
      : 'needs textDocument { uri, version } and contentChanges of { text, range? }',
  'textDocument/didClose': docId,
  'textDocument/didSave': docId,
};

/** Why the params of a method are malformed, or undefined when they are fine (or the method is not checked). */
export function checkParams(method: string, params: unknown): string | undefined {
  const check = CHECKS[method];
  if (!check) return undefined;
  if (!isObject(params)) return 'params must be an object';
  return check(params);
}
