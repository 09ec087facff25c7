/**
 * The language-server fuzzer: random and adversarial incremental edits to
 * real project files, interleaved with the editor's requests, against the
 * bundled server over stdio. Seeded and replayable: the same seed and edit
 * count replay the same session byte for byte (timing aside).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { globSync } from 'tinyglobby';
import { starterProject } from '../../../server/src/model/starter';
import { Prng } from './prng';
import { RawLspClient, RequestTimeout, ServerError } from './lsp';

export const ROOT = resolve(__dirname, '../../..');
export const SERVER_JS = join(ROOT, 'dist/server.js');

export interface FuzzOptions {
  seed: number;
  edits: number;
  /** Per-request timeout, ms. */
  requestTimeoutMs?: number;
  /** Print each edit from this index on (replay aid). */
  traceFrom?: number;
  log?: (line: string) => void;
  /** Stop at the first failure (default true). */
  stopOnFailure?: boolean;
}

export interface LatencyStats {
  count: number;
  errors: number;
  timeouts: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface FuzzFailure {
  seed: number;
  editIndex: number;
  kind: 'crash' | 'stderr' | 'error-response' | 'timeout' | 'log-error' | 'exit-code';
  detail: string;
  replay: string;
}

export interface FuzzResult {
  seed: number;
  editsRequested: number;
  editsSent: number;
  changeNotifications: number;
  editKinds: Record<string, number>;
  documents: string[];
  requests: Record<string, LatencyStats>;
  diagnosticRounds: number;
  durationMs: number;
  serverExit: { code: number | null; signal: string | null } | undefined;
  failures: FuzzFailure[];
}

/** Text that breaks parsers, offsets and encoders. */
export const ADVERSARIAL: readonly string[] = [
  '{',
  '}',
  '[',
  ']',
  '{{{{{{{{',
  ']]]]]]',
  '"',
  '""',
  '\\',
  '\\"',
  '\\u',
  '\\uD800',
  '\\udc00',
  '\\u0000',
  ',',
  ',,',
  ':',
  '::',
  '/*',
  '*/',
  '//',
  '/* unterminated',
  '\n',
  '\r\n',
  '\r',
  '\u2028',
  '\u2029',
  '\t',
  '\u000b',
  '\f',
  '\u0000',
  '\u0000\u0000\u0000',
  '\u0001\u001f\u007f',
  '\ud800',
  '\udc00',
  '\udbff',
  '\udfff\ud800',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '😀',
  '👩‍👩‍👧‍👦',
  'e\u0301',
  'Ω≈ç√∫',
  'ÿ',
  '\u202e',
  '\u200b',
  '%RAND:',
  '%RAND:%',
  '%RAND:0%',
  '%RAND:15%',
  '%RAND:99999999999999999999%',
  '%RAND:-1%',
  '%SERIAL%',
  '%SERIAL',
  '%%%%',
  '%',
  '1e400',
  '-1e400',
  '1e-400',
  '12345678901234567890',
  '-0',
  '0x1F',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  '.5',
  '1.',
  '01',
  'null',
  'true',
  'false',
  'undefined',
  '"__proto__": { "polluted": 1 },',
  '"constructor": { "prototype": {} },',
  '"prototype":',
  '"toString": 1,',
  '"hasOwnProperty": null,',
  '{ "secret": "wifi-key" }',
  '{ "secret": "" }',
  '{ "secret": 1 }',
  '{ "secret": { "secret": "x" } }',
  '<',
  '>',
  '&',
  "'",
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '&amp;',
  '&#0;',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  '<?xml version="1.0"?>',
  '../../../../etc/passwd',
  '/etc/shadow',
  'C:\\Windows\\System32\\cmd.exe',
  '\\\\server\\share\\x.msi',
  'file:///etc/passwd',
  '"installer": "../x.msi"',
  '"file": "/etc/passwd"',
  '"name": "',
  '"device": { "name": "CTS-%RAND:4%" }',
  '"applications": [ { "name": "A", "installer": "installers/cts-agent.msi", "commandLine": "msiexec /i x /qn" } ]',
  '"certificates": [ { "name": "C", "file": "x.pfx" } ]',
  '"additionalSettings": [ { "path": "A/B", "value": { "secret": "s" } } ]',
  '"network": { "wifi": { "ssid": "", "security": "WEP", "key": "short" } }',
  '"account": { "entra": { "tokenExpiry": "2099-13-45" } }',
  '"rank": 1e400,',
  '"version": "1.2.3",',
  '"id": "not-a-guid",',
  '"owner": "Nobody",',
  '"$schema": 5,',
];

const SNIPPET_KEYS = [
  'name',
  'id',
  'version',
  'owner',
  'rank',
  'description',
  'device',
  'network',
  'wifi',
  'ssid',
  'key',
  'account',
  'entra',
  'token',
  'localAdmin',
  'user',
  'password',
  'applications',
  'installer',
  'commandLine',
  'dependencies',
  'certificates',
  'file',
  'store',
  'oobe',
  'hide',
  'protection',
  'encrypt',
  'additionalSettings',
  'path',
  'value',
  'secret',
];

interface Doc {
  uri: string;
  label: string;
  original: string;
  text: string;
  version: number;
  lastDiagnostics: unknown[];
}

/** Line starts as vscode-languageserver-textdocument computes them (CRLF, CR and LF end lines). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) {
      if (c === 13 && i + 1 < text.length && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

function positionAt(starts: number[], offset: number): { line: number; character: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo]! };
}

/** An offset that does not split a CRLF pair (LSP positions cannot address the middle of a line break). */
function safeOffset(text: string, offset: number): number {
  if (offset > 0 && offset < text.length && text.charCodeAt(offset - 1) === 13 && text.charCodeAt(offset) === 10) return offset - 1;
  return offset;
}

function randomText(rng: Prng): string {
  const kind = rng.weighted({ adversarial: 45, key: 15, ascii: 15, unicode: 8, long: 4, repeat: 5, json: 8 });
  switch (kind) {
    case 'adversarial':
      return rng.pick(ADVERSARIAL);
    case 'key':
      return rng.pick([
        `"${rng.pick(SNIPPET_KEYS)}": `,
        `"${rng.pick(SNIPPET_KEYS)}"`,
        `${rng.pick(SNIPPET_KEYS)}`,
        `, "${rng.pick(SNIPPET_KEYS)}": {}`,
        `"${rng.pick(SNIPPET_KEYS)}": [`,
      ]);
    case 'ascii': {
      let s = '';
      const n = 1 + rng.int(12);
      for (let i = 0; i < n; i++) s += String.fromCharCode(32 + rng.int(95));
      return s;
    }
    case 'unicode': {
      let s = '';
      const n = 1 + rng.int(6);
      // Any UTF-16 code unit, surrogate halves included.
      for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(0x10000));
      return s;
    }
    case 'long':
      return rng.pick(['x', '{', '"', '\\', '%RAND:9%', ' ', 'é']).repeat(1000 + rng.int(20_000));
    case 'repeat':
      return rng.pick(ADVERSARIAL).repeat(2 + rng.int(200));
    case 'json':
      return JSON.stringify({ [rng.pick(SNIPPET_KEYS)]: rng.pick([1, 'x', null, true, [], {}, { secret: 'wifi-key' }, 'a'.repeat(rng.int(300))]) });
  }
}

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** One random edit of `doc`: returns the LSP changes (applied in order) and the new text. */
function randomEdit(rng: Prng, text: string): { kind: string; changes: Change[]; text: string } {
  const tooBig = text.length > 60_000;
  const kind = tooBig
    ? rng.pick(['truncate', 'delete', 'reset'])
    : rng.weighted({ insert: 34, delete: 20, replace: 20, chars: 8, truncate: 3, duplicate: 5, batch: 6, reset: 2, swapLines: 2 });
  const changes: Change[] = [];
  let current = text;
  const apply = (start: number, end: number, insert: string) => {
    start = safeOffset(current, start);
    end = Math.max(start, safeOffset(current, end));
    const starts = lineStarts(current);
    changes.push({ range: { start: positionAt(starts, start), end: positionAt(starts, end) }, text: insert });
    current = current.slice(0, start) + insert + current.slice(end);
  };
  const at = () => rng.int(current.length + 1);
  const span = (max: number) => {
    const s = at();
    return [s, Math.min(current.length, s + 1 + rng.int(max))] as const;
  };
  switch (kind) {
    case 'insert':
      apply(at(), -1, randomText(rng));
      break;
    case 'delete': {
      const [s, e] = span(rng.chance(0.1) ? 5000 : 40);
      apply(s, e, '');
      break;
    }
    case 'replace': {
      const [s, e] = span(60);
      apply(s, e, randomText(rng));
      break;
    }
    case 'chars': {
      // Typing: a few single-character edits in one notification, as an editor batches keystrokes.
      let pos = at();
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) {
        const ch = rng.pick(['a', '"', '{', '}', ':', ',', ' ', '\n', '%', '\\', '\u0000', '\ud83d', 'é', '[', ']']);
        apply(pos, pos, ch);
        pos = Math.min(current.length, pos + 1);
      }
      break;
    }
    case 'truncate':
      apply(at(), current.length, '');
      break;
    case 'duplicate': {
      const [s, e] = span(3000);
      apply(at(), -1, current.slice(s, e));
      break;
    }
    case 'batch': {
      const n = 2 + rng.int(5);
      for (let i = 0; i < n; i++) {
        const [s, e] = span(20);
        apply(s, rng.chance(0.5) ? s : e, rng.chance(0.6) ? randomText(rng) : '');
      }
      break;
    }
    case 'swapLines': {
      const lines = current.split('\n');
      if (lines.length > 2) {
        const i = rng.int(lines.length - 1);
        [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
        apply(0, current.length, lines.join('\n'));
      } else apply(at(), -1, randomText(rng));
      break;
    }
    case 'reset':
    default:
      return { kind: 'reset', changes: [], text };
  }
  return { kind, changes, text: current };
}

function stats(samples: number[], errors: number, timeouts: number): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 10) / 10 : 0);
  return { count: samples.length, errors, timeouts, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s.length ? Math.round(s[s.length - 1]! * 10) / 10 : 0 };
}

/** stderr lines that mean a crash, an unhandled rejection or an uncaught exception. */
export function badStderr(stderr: string): string | undefined {
  const m =
    /(Unhandled|unhandled|Uncaught|uncaught|TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack|FATAL|heap out of memory|^\s+at .+:\d+:\d+\)?$)/m.exec(
      stderr,
    );
  return m ? stderr.slice(Math.max(0, m.index - 300), m.index + 700) : undefined;
}

export function projectDocuments(): { path: string; text: string; label: string }[] {
  const files = globSync('examples/**/*.ppkg.json', { cwd: ROOT, absolute: true }).sort();
  const docs = files.map((f) => ({ path: f, text: readFileSync(f, 'utf8'), label: f.slice(ROOT.length + 1) }));
  // The starter `ppkg init` writes: another real project shape, in a folder next to the examples.
  docs.push({
    path: join(ROOT, 'examples/bulk-enrollment/fuzz-starter.ppkg.json'),
    text: starterProject({ name: 'Fuzz Starter', id: '11111111-2222-4333-8444-555555555555', today: new Date('2026-11-26T12:00:00Z') }),
    label: 'starter (ppkg init)',
  });
  // The same example with Windows line ends and a BOM, as saved by Notepad.
  const first = docs[0]!;
  docs.push({
    path: first.path.replace(/\.ppkg\.json$/, '-crlf.ppkg.json'),
    text: '\ufeff' + first.text.replace(/\r?\n/g, '\r\n'),
    label: `${first.label} (BOM, CRLF)`,
  });
  return docs;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const log = options.log ?? (() => undefined);
  const rng = new Prng(options.seed);
  const t0 = performance.now();
  const client = RawLspClient.start(
    SERVER_JS,
    { PATH: process.env.PATH, PPKG_TEST: '1', PPKG_TEST_NOW: '2026-11-26T12:00:00Z' },
    options.requestTimeoutMs ?? 10_000,
  );
  const latencies = new Map<string, number[]>();
  const errorCounts = new Map<string, number>();
  const timeoutCounts = new Map<string, number>();
  const failures: FuzzFailure[] = [];
  const editKinds: Record<string, number> = {};
  let editIndex = -1;
  let changeNotifications = 0;
  let diagnosticRounds = 0;
  const stopOnFailure = options.stopOnFailure ?? true;
  const replay = (i: number) => `npm run fuzz -- --seed ${options.seed} --edits ${i + 1} --trace-from ${Math.max(0, i - 5)}`;
  const fail = (kind: FuzzFailure['kind'], detail: string) => {
    if (failures.length < 50) failures.push({ seed: options.seed, editIndex, kind, detail: detail.slice(0, 4000), replay: replay(Math.max(editIndex, 0)) });
  };

  const docs: Doc[] = projectDocuments().map((d, i) => ({
    uri: pathToFileURL(d.path).toString() + (i === 0 ? '' : ''),
    label: d.label,
    original: d.text,
    text: d.text,
    version: 1,
    lastDiagnostics: [],
  }));
  const diagWaiters: { uri: string; version: number; resolve: () => void }[] = [];
  client.onNotification('textDocument/publishDiagnostics', (p) => {
    const params = p as { uri: string; version?: number; diagnostics: unknown[] };
    const doc = docs.find((d) => d.uri === params.uri);
    if (doc) doc.lastDiagnostics = params.diagnostics;
    for (let i = diagWaiters.length - 1; i >= 0; i--) {
      const w = diagWaiters[i]!;
      if (w.uri === params.uri && (params.version === undefined || params.version >= w.version)) {
        diagWaiters.splice(i, 1);
        w.resolve();
      }
    }
  });

  const inflight = new Set<Promise<void>>();
  const track = (method: string, params: unknown) => {
    const start = performance.now();
    const at = editIndex;
    const p = client
      .request(method, params)
      .then(
        () => {
          const arr = latencies.get(method) ?? [];
          arr.push(performance.now() - start);
          latencies.set(method, arr);
        },
        (err: Error) => {
          if (err instanceof RequestTimeout) {
            timeoutCounts.set(method, (timeoutCounts.get(method) ?? 0) + 1);
            failures.length < 50 && failures.push({ seed: options.seed, editIndex: at, kind: 'timeout', detail: err.message, replay: replay(at) });
          } else if (err instanceof ServerError) {
            errorCounts.set(method, (errorCounts.get(method) ?? 0) + 1);
            failures.length < 50 && failures.push({ seed: options.seed, editIndex: at, kind: 'error-response', detail: err.message, replay: replay(at) });
          } else {
            errorCounts.set(method, (errorCounts.get(method) ?? 0) + 1);
            failures.length < 50 && failures.push({ seed: options.seed, editIndex: at, kind: 'crash', detail: err.message, replay: replay(at) });
          }
        },
      )
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const waitForDiagnostics = (doc: Doc, timeoutMs: number) =>
    new Promise<boolean>((resolvePromise) => {
      const timer = setTimeout(() => {
        const i = diagWaiters.findIndex((w) => w.resolve === done);
        if (i >= 0) diagWaiters.splice(i, 1);
        resolvePromise(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolvePromise(true);
      };
      diagWaiters.push({ uri: doc.uri, version: doc.version, resolve: done });
    });

  try {
    const init = client.request(
      'initialize',
      {
        processId: process.pid,
        rootUri: pathToFileURL(join(ROOT, 'examples')).toString(),
        workspaceFolders: [{ uri: pathToFileURL(join(ROOT, 'examples')).toString(), name: 'examples' }],
        capabilities: {
          workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
          textDocument: {
            synchronization: { dynamicRegistration: false },
            completion: { completionItem: { snippetSupport: true } },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
            documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          },
        },
      },
      30_000,
    );
    await init;
    client.notify('initialized', {});
    for (const d of docs) client.notify('textDocument/didOpen', { textDocument: { uri: d.uri, languageId: 'ppkg-project', version: d.version, text: d.text } });
    await Promise.all(docs.map((d) => waitForDiagnostics(d, 10_000)));

    const methods = {
      'textDocument/completion': 30,
      'textDocument/hover': 25,
      'textDocument/codeAction': 15,
      'textDocument/documentSymbol': 12,
      'textDocument/formatting': 8,
      'textDocument/rangeFormatting': 2,
      'textDocument/foldingRange': 3,
      'textDocument/selectionRange': 2,
      'textDocument/documentLink': 2,
      'textDocument/codeLens': 1,
    } as const;

    for (editIndex = 0; editIndex < options.edits; editIndex++) {
      if (client.exited) {
        fail('crash', `server exited (code ${client.exited.code}, signal ${client.exited.signal})\nstderr:\n${client.stderr.slice(-3000)}`);
        break;
      }
      if (stopOnFailure && failures.length) break;
      const doc = rng.pick(docs);
      const edit = randomEdit(rng, doc.text);
      editKinds[edit.kind] = (editKinds[edit.kind] ?? 0) + 1;
      let changes = edit.changes;
      let newText = edit.text;
      if (edit.kind === 'reset') {
        const starts = lineStarts(doc.text);
        changes = [{ range: { start: { line: 0, character: 0 }, end: positionAt(starts, doc.text.length) }, text: doc.original }];
        newText = doc.original;
      }
      doc.version++;
      doc.text = newText;
      if (options.traceFrom !== undefined && editIndex >= options.traceFrom)
        log(`#${editIndex} ${doc.label} v${doc.version} ${edit.kind} ${JSON.stringify(changes).slice(0, 400)}`);
      client.notify('textDocument/didChange', { textDocument: { uri: doc.uri, version: doc.version }, contentChanges: changes });
      changeNotifications++;

      // The editor's requests, pipelined as VS Code does (at most 8 in flight).
      const requestCount = rng.chance(0.45) ? 1 + (rng.chance(0.2) ? 1 : 0) : 0;
      for (let r = 0; r < requestCount; r++) {
        const method = rng.weighted(methods);
        const starts = lineStarts(doc.text);
        const offset = rng.int(doc.text.length + 1);
        const position = positionAt(starts, safeOffset(doc.text, offset));
        const end = positionAt(starts, safeOffset(doc.text, Math.min(doc.text.length, offset + rng.int(200))));
        const textDocument = { uri: doc.uri };
        const fmt = { tabSize: rng.pick([2, 4, 8]), insertSpaces: rng.chance(0.8) };
        const params: Record<string, unknown> =
          method === 'textDocument/completion'
            ? { textDocument, position, context: { triggerKind: rng.pick([1, 2]), triggerCharacter: rng.pick(['"', ':', '%', '/']) } }
            : method === 'textDocument/hover'
              ? { textDocument, position }
              : method === 'textDocument/codeAction'
                ? {
                    textDocument,
                    range: { start: position, end },
                    context: { diagnostics: (doc.lastDiagnostics as { range: unknown }[]).slice(0, 1 + rng.int(5)) },
                  }
                : method === 'textDocument/formatting'
                  ? { textDocument, options: fmt }
                  : method === 'textDocument/rangeFormatting'
                    ? { textDocument, range: { start: position, end }, options: fmt }
                    : method === 'textDocument/selectionRange'
                      ? { textDocument, positions: [position, end] }
                      : { textDocument };
        track(method, params);
      }
      while (inflight.size > 8) await Promise.race(inflight);

      // Now and then, pause like a user: the debounced validation runs and its diagnostics arrive.
      if (rng.chance(0.03)) {
        const started = performance.now();
        const ok = await waitForDiagnostics(doc, options.requestTimeoutMs ?? 10_000);
        if (ok) {
          diagnosticRounds++;
          const arr = latencies.get('diagnostics (debounced)') ?? [];
          arr.push(performance.now() - started);
          latencies.set('diagnostics (debounced)', arr);
        } else if (!client.exited) fail('timeout', `no diagnostics for ${doc.label} v${doc.version} within ${options.requestTimeoutMs ?? 10_000} ms`);
      }
      const bad = badStderr(client.stderr);
      if (bad) fail('stderr', bad);
      if (client.errorMessages.length) fail('log-error', client.errorMessages.join('\n'));
      if (editIndex > 0 && editIndex % 1000 === 0)
        log(`  ${editIndex} edits, ${[...latencies.values()].reduce((s, a) => s + a.length, 0)} answers, ${Math.round(performance.now() - t0)} ms`);
    }
    await Promise.allSettled([...inflight]);
    // Every document ends consistent: one last diagnostics round per document.
    for (const d of docs) {
      if (client.exited) break;
      client.notify('textDocument/didChange', { textDocument: { uri: d.uri, version: ++d.version }, contentChanges: [{ text: d.text }] });
      if (!(await waitForDiagnostics(d, 15_000))) fail('timeout', `no final diagnostics for ${d.label}`);
    }
  } catch (err) {
    fail('crash', (err as Error).message);
  } finally {
    const exit = client.exited ? client.exited : await client.stop();
    if (!client.exited || exit.code !== 0) fail('exit-code', `server exit code ${exit.code}, signal ${exit.signal}\nstderr:\n${client.stderr.slice(-3000)}`);
    const bad = badStderr(client.stderr);
    if (bad && !failures.some((f) => f.kind === 'stderr')) fail('stderr', bad);
  }

  const requests: Record<string, LatencyStats> = {};
  for (const m of new Set([...latencies.keys(), ...errorCounts.keys(), ...timeoutCounts.keys()])) {
    requests[m.replace('textDocument/', '')] = stats(latencies.get(m) ?? [], errorCounts.get(m) ?? 0, timeoutCounts.get(m) ?? 0);
  }
  return {
    seed: options.seed,
    editsRequested: options.edits,
    editsSent: Math.min(editIndex, options.edits),
    changeNotifications,
    editKinds,
    documents: docs.map((d) => d.label),
    requests,
    diagnosticRounds,
    durationMs: Math.round(performance.now() - t0),
    serverExit: client.exited ? { code: client.exited.code, signal: client.exited.signal } : undefined,
    failures,
  };
}
