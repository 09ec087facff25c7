/**
 * Typing breaks the document for a while (`"rest` of a property name, a
 * value half typed): the JSON tree is still patched rather than re-parsed
 * when every syntax error stays inside one object or array that keeps its
 * closing bracket (incremental.ts, reparseAround). At every step of seeded
 * random typing, a patched tree must be the tree a full parse builds, with
 * the same syntax errors; and the service's completion must be the same as
 * on a fully parsed document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getLanguageService, type ASTNode, type JSONDocument } from 'vscode-json-languageservice';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { brokenSubtree, reparseAround } from '../../server/src/languageService/incremental';
import { PpkgLanguageService } from '../../server/src/languageService/service';
import { ROOT } from './lspClient';

const json = getLanguageService({});
const parse = (text: string) => json.parseJSONDocument(TextDocument.create('file:///x/a.ppkg.json', 'jsonc', 1, text));
const EXAMPLE = readFileSync(path.join(ROOT, 'examples/bulk-enrollment/cts-desktops.ppkg.json'), 'utf8');

function shape(node: ASTNode | undefined): unknown {
  if (!node) return undefined;
  const base = [node.type, node.offset, node.length];
  if (node.type === 'property') return [...base, node.colonOffset, shape(node.keyNode), shape(node.valueNode)];
  if (node.type === 'object') return [...base, node.properties.map(shape)];
  if (node.type === 'array') return [...base, node.items.map(shape)];
  return [...base, node.value];
}

function errorsOf(doc: JSONDocument, text: string): string[] {
  const d = TextDocument.create('file:///x', 'json', 1, text);
  return ((doc as JSONDocument & { syntaxErrors: { range: { start: never }; message: string }[] }).syntaxErrors ?? [])
    .map((e) => `${d.offsetAt(e.range.start)} ${e.message}`)
    .sort();
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const TYPED = ['"', 'r', 'e', ':', ' ', ',', 't', '1', '{', '}', '[', ']', '\n', '"x"', 'null'];

test('patched broken trees equal full parses, over seeded random typing', () => {
  const rand = prng(7);
  let text = EXAMPLE;
  let doc = parse(text);
  let broken: ASTNode | undefined;
  let errors: { offset: number; length: number; message: string }[] | undefined;
  let patchedBroken = 0;
  let fromFull = 0;
  for (let step = 0; step < 4000; step++) {
    // Type at a random spot inside the applications, or keep typing where the last edit was.
    const apps = text.indexOf('"applications"');
    const at = apps + Math.floor(rand() * (text.length - apps - 10));
    const del = rand() < 0.25 ? 1 : 0;
    const next = text.slice(0, at) + TYPED[Math.floor(rand() * TYPED.length)] + text.slice(at + del);
    const r = reparseAround(
      text,
      doc,
      broken,
      next,
      parse,
      (root, errs) =>
        json.newJSONDocument(
          root,
          errs.map((e) => ({
            range: {
              start: TextDocument.create('x', 'json', 1, next).positionAt(e.offset),
              end: TextDocument.create('x', 'json', 1, next).positionAt(e.offset + e.length),
            },
            message: e.message,
          })),
          [],
        ),
      true,
      errors,
    );
    const full = parse(next);
    if (r) {
      assert.deepEqual(shape(r.doc.root), shape(full.root), `step ${step}: tree`);
      assert.deepEqual(errorsOf(r.doc, next), errorsOf(full, next), `step ${step}: syntax errors`);
      if (r.broken) patchedBroken++;
      doc = r.doc;
      broken = r.broken;
      errors = r.errors;
      text = next;
    } else if (errorsOf(full, next).length === 0) {
      doc = full;
      broken = undefined;
      errors = undefined;
      text = next;
    } else {
      // A full parse with errors: go on from it when its errors sit in one closed container (as the service does).
      const d = TextDocument.create('x', 'json', 1, next);
      const errs = (full as JSONDocument & { syntaxErrors: { range: { start: never; end: never }; message: string }[] }).syntaxErrors.map((e) => ({
        offset: d.offsetAt(e.range.start),
        length: d.offsetAt(e.range.end) - d.offsetAt(e.range.start),
        message: e.message,
      }));
      const b = brokenSubtree(full, next, errs, parse);
      if (b && rand() < 0.7) {
        fromFull++;
        doc = full;
        broken = b;
        errors = errs;
        text = next;
      } else {
        // Broken beyond what can be patched: back to the example (as an editor's undo would).
        text = EXAMPLE;
        doc = parse(text);
        broken = undefined;
      }
    }
  }
  assert.ok(patchedBroken > 200, `only ${patchedBroken} broken states were patched`);
  assert.ok(fromFull > 50, `only ${fromFull} full parses went on as broken bases`);
});

test('completion while typing a property name: patched and fully parsed documents answer the same', async () => {
  const at = EXAMPLE.indexOf('"installer"');
  const steps = ['"', '"r', '"re', '"res', '"rest'];
  const incremental = new PpkgLanguageService({ now: () => new Date('2026-11-26T12:00:00Z') });
  const uri = 'file:///tmp/ppkg-broken/cts.ppkg.json';
  const doc = TextDocument.create(uri, 'ppkg-project', 1, EXAMPLE);
  await incremental.complete(doc, doc.positionAt(at));
  for (const typed of steps) {
    const text = EXAMPLE.slice(0, at) + typed + '\n      ' + EXAMPLE.slice(at);
    TextDocument.update(doc, [{ text }], doc.version + 1);
    const position = doc.positionAt(at + typed.length);
    const ours = await incremental.complete(doc, position);
    const fresh = new PpkgLanguageService({ now: () => new Date('2026-11-26T12:00:00Z') });
    const reference = await fresh.complete(TextDocument.create(uri, 'ppkg-project', 1, text), position);
    assert.deepEqual(
      ours.items.map((i) => [i.label, i.textEdit]),
      reference.items.map((i) => [i.label, i.textEdit]),
      typed,
    );
    assert.ok(ours.items.length > 0, typed);
  }
});

test('the same broken text again (typed, undone, typed again) reuses the broken tree with its errors', () => {
  const at = EXAMPLE.indexOf('"installer"');
  const broken = EXAMPLE.slice(0, at) + '"rest\n      ' + EXAMPLE.slice(at);
  const make = (text: string) => (root: ASTNode, errors: { offset: number; length: number; message: string }[]) =>
    json.newJSONDocument(
      root,
      errors.map((e) => ({
        range: {
          start: TextDocument.create('x', 'json', 1, text).positionAt(e.offset),
          end: TextDocument.create('x', 'json', 1, text).positionAt(e.offset + e.length),
        },
        message: e.message,
      })),
      [],
    );
  const first = reparseAround(EXAMPLE, parse(EXAMPLE), undefined, broken, parse, make(broken))!;
  assert.ok(first.broken && first.errors.length > 0);
  const again = reparseAround(broken, first.doc, first.broken, broken, parse, make(broken), true, first.errors)!;
  assert.equal(again.doc, first.doc);
  assert.equal(again.broken, first.broken);
  assert.deepEqual(again.errors, first.errors);
  // Without the errors it cannot tell the first error's offset: it declines, and the caller parses.
  assert.equal(reparseAround(broken, first.doc, first.broken, broken, parse, make(broken)), undefined);
});
