/**
 * 1. Keystroke → diagnostics and 2. completion while typing, measured where
 * users feel them: the whole ppkg server (`node dist/server.js --stdio`)
 * against VS Code's own JSON language server (`vscode-json-language-server`
 * from vscode-langservers-extracted) given the same schema and the same
 * file, both driven over stdio by the same client code, alternating.
 *
 * Keystroke → diagnostics: from writing the didChange to reading the
 * publishDiagnostics for it. Each edit toggles one schema error (a boolean
 * becomes "x" and back), and the next edit waits until both servers have
 * answered, so every sample is one keystroke on its own, debounce included
 * (ppkg's adapts to what validation costs; the JSON server waits 500 ms).
 * Every ppkg answer is checked against the engine run in process on the same
 * text (same count, codes and ranges); the JSON server's must flip with the
 * error.
 *
 * Completion while typing: the user has just typed the start of a property
 * name (`"rest`) or of a value (`t`), so the document has a syntax error;
 * from writing that didChange to the completion answer at the cursor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PROJECT_SCHEMA } from '../../server/src/validation/schema';
import { validateText } from '../../server/src/validation/validate';
import { generateProject, type GeneratedProject } from '../lib/generate';
import { LspProcess, type PublishedDiagnostics } from '../lib/lsp';
import { ratioRow, type Row } from '../lib/result';
import { summarize, type Timing } from '../lib/stats';

const SIZES = [
  { label: '2 KB', bytes: 2 * 1024, runs: 31 },
  { label: '100 KB', bytes: 100 * 1024, runs: 21 },
  { label: '1 MB', bytes: 1024 * 1024, runs: 21 },
];
const MB = 1024 * 1024;

interface Pos {
  line: number;
  character: number;
}

function positionAt(text: string, offset: number): Pos {
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, character: offset - last - 1 };
}

/** A document open in both servers, edited in step. */
class Pair {
  private version = 1;
  constructor(
    readonly ppkg: LspProcess,
    readonly json: LspProcess,
    readonly uri: string,
    public text: string,
  ) {}

  /**
   * The didChange of one replacement in the current text, ready to send: the
   * positions are computed here, before a timed section starts (an editor
   * knows them without scanning the text; this client does not).
   */
  edit(server: LspProcess, offset: number, length: number, newText: string, version: number): () => void {
    const start = positionAt(this.text, offset);
    const end = positionAt(this.text, offset + length);
    const params = { textDocument: { uri: this.uri, version }, contentChanges: [{ range: { start, end }, text: newText }] };
    return () => server.notify('textDocument/didChange', params);
  }

  /** Applies one replacement to one server's copy. */
  change(server: LspProcess, offset: number, length: number, newText: string, version: number): void {
    this.edit(server, offset, length, newText, version)();
  }

  nextVersion(): number {
    return ++this.version;
  }
}

function materialize(dir: string, g: GeneratedProject, text: string): string {
  for (const f of new Set(g.files)) {
    const p = path.join(dir, f);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (!fs.existsSync(p)) fs.writeFileSync(p, 'x');
  }
  const file = path.join(dir, 'bench.ppkg.json');
  fs.writeFileSync(file, text);
  return file;
}

interface Servers {
  ppkg: LspProcess;
  json: LspProcess;
}

async function startServers(root: string, dir: string): Promise<Servers> {
  const ppkg = new LspProcess('ppkg', process.execPath, [path.join(root, 'dist', 'server.js'), '--stdio'], { ppkg: {} });
  const jsonBin = path.join(root, 'node_modules', 'vscode-langservers-extracted', 'bin', 'vscode-json-language-server');
  if (!fs.existsSync(jsonBin)) throw new Error('vscode-langservers-extracted is not installed (npm ci)');
  const json = new LspProcess('vscode-json-language-server', process.execPath, [jsonBin, '--stdio']);
  // The capabilities VS Code sends for what is measured here.
  const capabilities = {
    workspace: {
      configuration: true,
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: false },
      applyEdit: true,
    },
    textDocument: {
      synchronization: { dynamicRegistration: false, didSave: false },
      completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'], commitCharactersSupport: true } },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      publishDiagnostics: { versionSupport: true, relatedInformation: true },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, isPreferredSupport: true },
      documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    },
  };
  const rootUri = pathToFileURL(dir).toString();
  await ppkg.initialize({ rootUri, workspaceFolders: [{ uri: rootUri, name: 'bench' }], capabilities });
  await json.initialize({
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'bench' }],
    capabilities,
    initializationOptions: { provideFormatter: false, handledSchemaProtocols: ['file'] },
  });
  json.notify('workspace/didChangeConfiguration', {
    settings: { json: { validate: { enable: true }, schemas: [{ fileMatch: ['*.ppkg.json'], schema: PROJECT_SCHEMA }] } },
  });
  return { ppkg, json };
}

/** What the engine reports for a text, as the server must publish it. */
function reference(text: string, file: string): string {
  const ds = validateText(text, { projectPath: file }).diagnostics;
  return JSON.stringify(ds.map((d) => [d.code, d.range]));
}

function shape(p: PublishedDiagnostics): string {
  return JSON.stringify(p.diagnostics.map((d) => [d.code, d.range]));
}

export interface KeystrokeResult {
  rows: Row[];
}

/** Variants of the 1 MB project: realistic states a big file is edited in. */
function variants(g: GeneratedProject): { name: string; text: string; slot: number }[] {
  const t = g.text;
  const slot = g.slots.value;
  const out = [{ name: 'valid project', text: t, slot }];
  // Many errors: 100 applications after the edited one with a wrong value (the slot keeps its offset).
  let count = 0;
  const many = t.slice(0, slot + 4) + t.slice(slot + 4).replace(/"continueInstall": true/g, (m) => (count++ < 100 ? '"continueInstall": "maybe"' : m));
  out.push({ name: `${count > 100 ? 100 : count} schema errors elsewhere`, text: many, slot });
  // Mid-edit: a missing comma early in the file (a syntax error the user has not fixed yet).
  const comma = t.indexOf('",\n', t.indexOf('"applications"'));
  out.push({ name: 'a syntax error elsewhere (mid-edit)', text: t.slice(0, comma + 1) + t.slice(comma + 2), slot: slot - 1 });
  return out;
}

async function keystrokeSamples(
  s: Servers,
  pair: Pair,
  file: string,
  slot: number,
  runs: number,
  log: (s: string) => void,
  label: string,
): Promise<{ ours: Timing; anchor: Timing }> {
  const ours: number[] = [];
  const anchor: number[] = [];
  const warmup = 3;
  let jsonPrevCount = -1;
  // The boolean at the slot, toggled to "x" and back.
  const literal = pair.text.startsWith('true', slot) ? 'true' : 'false';
  for (let i = 0; i < runs + warmup; i++) {
    const toError = pair.text.startsWith(literal, slot);
    const [len, repl] = toError ? [literal.length, '"x"'] : [3, literal];
    const next = pair.text.slice(0, slot) + repl + pair.text.slice(slot + len);
    const expected = reference(next, file);
    const version = pair.nextVersion();
    const measureOne = async (server: LspProcess): Promise<number> => {
      const wait =
        server === s.ppkg
          ? server.waitForDiagnostics((p) => p.uri === pair.uri && p.version === version)
          : server.waitForDiagnostics((p) => p.uri === pair.uri);
      const send = pair.edit(server, slot, len, repl, version);
      const t0 = performance.now();
      send();
      const p = await wait;
      const ms = p.at - t0;
      if (server === s.ppkg) {
        if (shape(p) !== expected)
          throw new Error(
            `ppkg published ${p.diagnostics.length} diagnostics for ${label}, the engine finds ${JSON.parse(expected).length}: ${shape(p).slice(0, 300)}`,
          );
      } else {
        if (p.diagnostics.length === jsonPrevCount)
          throw new Error(`the JSON server's diagnostics did not change with the toggled error (${label}): ${p.diagnostics.length}`);
        jsonPrevCount = p.diagnostics.length;
      }
      return ms;
    };
    // Alternate who goes first; each waits for its own answer, so the two never overlap.
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await measureOne(s.ppkg);
      b = await measureOne(s.json);
    } else {
      b = await measureOne(s.json);
      a = await measureOne(s.ppkg);
    }
    pair.text = next;
    if (i >= warmup) {
      ours.push(a);
      anchor.push(b);
    }
  }
  log(`    ${label}: ppkg median ${summarize(ours).median.toFixed(1)} ms, json-ls ${summarize(anchor).median.toFixed(1)} ms`);
  return { ours: summarize(ours), anchor: summarize(anchor) };
}

async function openBoth(s: Servers, uri: string, text: string, file: string): Promise<void> {
  const ppkgFirst = s.ppkg.waitForDiagnostics((p) => p.uri === uri && p.version === 1, 60_000);
  const jsonFirst = s.json.waitForDiagnostics((p) => p.uri === uri, 60_000);
  s.ppkg.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'ppkg-project', version: 1, text } });
  s.json.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'jsonc', version: 1, text } });
  const [p] = await Promise.all([ppkgFirst, jsonFirst]);
  const expected = reference(text, file);
  if (shape(p) !== expected) throw new Error(`ppkg's diagnostics on open differ from the engine's: ${shape(p).slice(0, 300)} vs ${expected.slice(0, 300)}`);
}

function closeBoth(s: Servers, uri: string): void {
  s.ppkg.notify('textDocument/didClose', { textDocument: { uri } });
  s.json.notify('textDocument/didClose', { textDocument: { uri } });
}

interface CompletionList {
  items: { label: string }[];
}

/** Completion right after typing that breaks the document; the edit is undone (untimed) after each sample. */
async function completionSamples(
  s: Servers,
  pair: Pair,
  at: number,
  typed: string,
  removed: number,
  expectLabel: RegExp | undefined,
  runs: number,
  log: (s: string) => void,
  label: string,
): Promise<{ ours: Timing; anchor: Timing; items: string }> {
  const ours: number[] = [];
  const anchor: number[] = [];
  const warmup = 3;
  const original = pair.text;
  const broken = original.slice(0, at) + typed + original.slice(at + removed);
  const cursor = positionAt(broken, at + typed.length);
  let itemsNote = '';
  let jsonLabels: string[] | undefined;
  let ppkgLabels: string[] | undefined;
  for (let i = 0; i < runs + warmup; i++) {
    const version = pair.nextVersion();
    const one = async (server: LspProcess): Promise<number> => {
      pair.text = original;
      const send = pair.edit(server, at, removed, typed, version);
      const t0 = performance.now();
      send();
      const list = await server.request<CompletionList | { label: string }[] | null>('textDocument/completion', {
        textDocument: { uri: pair.uri },
        position: cursor,
      });
      const ms = performance.now() - t0;
      const items = Array.isArray(list) ? list : (list?.items ?? []);
      if (items.length === 0 || (expectLabel && !items.some((it) => expectLabel.test(it.label))))
        throw new Error(
          `${server.name}: no completion${expectLabel ? ` matching ${expectLabel}` : ''} (${label}); got ${items
            .slice(0, 10)
            .map((x) => x.label)
            .join(', ')}`,
        );
      if (server === s.ppkg) ppkgLabels = items.map((x) => x.label);
      else jsonLabels = items.map((x) => x.label);
      // ppkg's answer is right when it offers at least everything the JSON server offers from the same schema.
      if (ppkgLabels && jsonLabels) {
        const missing = jsonLabels.filter((l) => !ppkgLabels!.includes(l));
        if (missing.length) throw new Error(`ppkg's completion lacks ${missing.join(', ')} that the JSON server offers (${label})`);
        itemsNote = `ppkg ${ppkgLabels.length} items ⊇ json-ls ${jsonLabels.length}`;
      }
      // Undo, untimed, and let both settle (diagnostics of the undo published).
      const undo = pair.nextVersion();
      const settled =
        server === s.ppkg ? server.waitForDiagnostics((p) => p.uri === pair.uri && p.version === undo) : server.waitForDiagnostics((p) => p.uri === pair.uri);
      pair.text = broken;
      pair.change(server, at, typed.length, original.slice(at, at + removed), undo);
      pair.text = original;
      await settled;
      return ms;
    };
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await one(s.ppkg);
      b = await one(s.json);
    } else {
      b = await one(s.json);
      a = await one(s.ppkg);
    }
    if (i >= warmup) {
      ours.push(a);
      anchor.push(b);
    }
  }
  log(`    ${label}: ppkg median ${summarize(ours).median.toFixed(1)} ms, json-ls ${summarize(anchor).median.toFixed(1)} ms (${itemsNote})`);
  return { ours: summarize(ours), anchor: summarize(anchor), items: itemsNote };
}

export async function runKeystroke(root: string, tmp: string, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const own: Record<string, Timing> = {};
  for (const size of SIZES) {
    const g = generateProject({ bytes: size.bytes, comments: true });
    const dir = fs.mkdtempSync(path.join(tmp, 'keystroke-'));
    const file = materialize(dir, g, g.text);
    const uri = pathToFileURL(file).toString();
    const sizeLabel = `${size.label} (${g.applications} apps)`;
    const s = await startServers(root, dir);
    try {
      const list = size.bytes >= MB ? variants(g) : [{ name: 'valid project', text: g.text, slot: g.slots.value }];
      for (const v of list) {
        fs.writeFileSync(file, v.text);
        if (!/^(true|false)/.test(v.text.slice(v.slot, v.slot + 5))) throw new Error(`bench: the slot of "${v.name}" is not at a boolean`);
        await openBoth(s, uri, v.text, file);
        const pair = new Pair(s.ppkg, s.json, uri, v.text);
        log(`  1. keystroke → diagnostics, ${size.label}, ${v.name}…`);
        const t = await keystrokeSamples(s, pair, file, v.slot, size.runs, log, `${size.label} ${v.name}`);
        const headline = v.name === 'valid project';
        if (headline) own[size.label] = t.ours;
        rows.push(
          ratioRow({
            group: 1,
            name: `Keystroke → diagnostics, whole server over stdio: ${v.name}, one schema error toggled`,
            size: sizeLabel,
            ours: t.ours,
            anchor: t.anchor,
            anchorName: 'vscode-json-language-server (same schema, same file)',
            target: headline && size.bytes >= MB ? { kind: 'ratio', max: 0.15 } : undefined,
            info: !(headline && size.bytes >= MB),
            note: 'each answer checked against the engine',
          }),
        );
        if (headline && size.bytes >= MB) {
          rows.push(
            ratioRow({
              group: 1,
              name: 'Keystroke → diagnostics at 1 MB against ppkg at 2 KB (cost independent of size)',
              size: sizeLabel,
              ours: t.ours,
              anchor: own['2 KB'],
              anchorName: 'ppkg, same measurement at 2 KB',
              target: { kind: 'ratio', max: 1.2 },
            }),
          );
        }
        if (headline) {
          // 2. Completion while typing: a property name, then a value, in the middle application.
          const prop = g.slots.property;
          log(`  2. completion while typing, ${size.label}…`);
          const cp = await completionSamples(s, pair, prop, '\n        "rest', 0, undefined, size.runs, log, `${size.label} property name`);
          rows.push(
            ratioRow({
              group: 2,
              name: 'Completion while typing a property name (`"rest`, document has a syntax error)',
              size: sizeLabel,
              ours: cp.ours,
              anchor: cp.anchor,
              anchorName: 'vscode-json-language-server',
              target: size.bytes >= MB ? { kind: 'ratio', max: 0.5 } : undefined,
              info: size.bytes < MB,
              note: cp.items,
            }),
          );
          const bool = v.text.startsWith('true', v.slot) ? 'true' : 'false';
          const cv = await completionSamples(s, pair, v.slot, bool[0], bool.length, new RegExp(`^${bool}$`), size.runs, log, `${size.label} value`);
          rows.push(
            ratioRow({
              group: 2,
              name: 'Completion while typing a value (`t` of true, document has a syntax error)',
              size: sizeLabel,
              ours: cv.ours,
              anchor: cv.anchor,
              anchorName: 'vscode-json-language-server',
              target: size.bytes >= MB ? { kind: 'ratio', max: 0.5 } : undefined,
              info: size.bytes < MB,
              note: cv.items,
            }),
          );
        }
        closeBoth(s, uri);
      }
    } finally {
      await Promise.all([s.ppkg.stop(), s.json.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
