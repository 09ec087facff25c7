/**
 * Validation after a keystroke patches the previous version's parse
 * (incrementalProject.ts): at every step of thousands of seeded random edits
 * the patched document must equal a full parse (value, tree, line index) and
 * give exactly the engine's diagnostics; and the patch must actually be taken
 * for the ordinary keystrokes it is meant for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'jsonc-parser';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { locate, parseProject } from '../../server/src/model/parse';
import type { EditSpan } from '../../server/src/languageService/editLog';
import { PatchedLineIndex, reparseProject, withPatchableLines } from '../../server/src/languageService/incrementalProject';
import { PpkgLanguageService } from '../../server/src/languageService/service';
import { validateText } from '../../server/src/validation/validate';
import { ROOT, TEST_NOW } from './lspClient';

const EXAMPLE = readFileSync(path.join(ROOT, 'examples/bulk-enrollment/cts-desktops.ppkg.json'), 'utf8');

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function shape(n: Node | undefined): unknown {
  if (!n) return undefined;
  return [
    n.type,
    n.offset,
    n.length,
    n.colonOffset,
    n.type === 'object' || n.type === 'array' || n.type === 'property' ? undefined : n.value,
    (n.children ?? []).map(shape),
  ];
}

function parentsOk(n: Node): boolean {
  return (n.children ?? []).every((c) => c.parent === n && parentsOk(c));
}

const PIECES = ['1', '0', 'true', 'false', 'null', '"x"', 'a', ' ', '\n', '\r\n', ',', ':', '"', '{', '}', '[', ']', '// c\n', '%', 'é', '💻', '12'];

/**
 * 3000 seeded random edits, each patched from the previous version (with the
 * span `spanOf` gives, or by comparing the texts) and held equal to a full
 * parse: value, tree, parents and line starts.
 */
function randomEdits(seed: number, spanOf?: (rand: () => number, text: string, at: number, del: number) => EditSpan): void {
  const rand = prng(seed);
  let doc = withPatchableLines(parseProject(EXAMPLE));
  let patched = 0;
  for (let step = 0; step < 3000; step++) {
    const text = doc.text;
    // Mostly edits inside string and number values, where keystrokes land; sometimes anything.
    const at = Math.floor(rand() * text.length);
    const del = Math.min(text.length - at, rand() < 0.4 ? Math.floor(rand() * 3) : 0);
    const ins = rand() < 0.8 ? PIECES[Math.floor(rand() * PIECES.length)] : '';
    const next = text.slice(0, at) + ins + text.slice(at + del);
    const full = parseProject(next);
    const inc = reparseProject(doc, next, spanOf?.(rand, text, at, del));
    if (inc) {
      patched++;
      assert.equal(full.syntaxProblems.length, 0, `step ${step}: patched although a full parse has errors`);
      assert.deepEqual(inc.value, full.value, `step ${step}: value`);
      assert.deepEqual(shape(inc.root), shape(full.root), `step ${step}: tree`);
      assert.ok(parentsOk(inc.root!), `step ${step}: parents`);
      assert.deepEqual((inc.lines as PatchedLineIndex).starts, PatchedLineIndex.of(next).starts, `step ${step}: line starts`);
      doc = inc;
    } else {
      doc = withPatchableLines(full.syntaxProblems.length ? parseProject(EXAMPLE) : full);
    }
  }
  assert.ok(patched > 300, `only ${patched} of 3000 edits were patched`);
}

test('patched documents equal full parses, step after step of random edits', () => randomEdits(20261201));

test("the service gives the engine's diagnostics at every keystroke, and patches ordinary ones", () => {
  const now = new Date(TEST_NOW);
  const service = new PpkgLanguageService({ now: () => now });
  const uri = 'file:///tmp/ppkg-inc/cts.ppkg.json';
  const doc = TextDocument.create(uri, 'ppkg-project', 1, EXAMPLE);
  service.validate(doc);
  const tree = service.context(doc).project.root;
  const at = EXAMPLE.indexOf('"CTS-%SERIAL%"') + 4;
  // Type a name character by character (a space among them: PPKG001 comes and goes), then delete it.
  const typed = 'DESK 01';
  const steps: string[] = [];
  for (let i = 1; i <= typed.length; i++) steps.push(EXAMPLE.slice(0, at) + typed.slice(0, i) + EXAMPLE.slice(at));
  for (let i = typed.length - 1; i >= 0; i--) steps.push(EXAMPLE.slice(0, at) + typed.slice(0, i) + EXAMPLE.slice(at));
  // A schema error toggled on and off in the Wi-Fi section.
  const flag = EXAMPLE.indexOf('"autoConnect": true') + '"autoConnect": '.length;
  steps.push(EXAMPLE.slice(0, flag) + '"yes"' + EXAMPLE.slice(flag + 4), EXAMPLE);
  let sawSpace = false;
  for (const text of steps) {
    TextDocument.update(doc, [{ text }], doc.version + 1);
    const ours = service.validate(doc).map((d) => [d.range, d.code, d.message]);
    const engine = validateText(text, { now: () => now, projectPath: '/tmp/ppkg-inc/cts.ppkg.json' }).diagnostics.map((d) => [d.range, d.code, d.message]);
    assert.deepEqual(ours, engine, text.slice(at - 10, at + 20));
    if (ours.some((d) => d[1] === 'PPKG001')) sawSpace = true;
  }
  assert.ok(sawSpace);
  // Each step above was a whole-text change; the service still found the one edited value and patched the same tree.
  assert.equal(service.context(doc).project.root, tree);
});

test('a span from the client (exact or wider than the edit) patches the same document as comparing the texts', () =>
  randomEdits(20261202, (rand, text, at, del) => {
    // What the client said: exactly the edit, or (as after several edits) a wider region.
    const widen = rand() < 0.5 ? 0 : Math.floor(rand() * 40);
    return { prefix: Math.max(0, at - widen), suffix: Math.max(0, text.length - at - del - widen) };
  }));

test('ranged didChanges through the service: several per notification, several notifications per validation', () => {
  const now = new Date(TEST_NOW);
  const service = new PpkgLanguageService({ now: () => now });
  const uri = 'file:///tmp/ppkg-inc/ranged.ppkg.json';
  let doc = TextDocument.create(uri, 'ppkg-project', 1, EXAMPLE);
  service.validate(doc);
  const rand = prng(7);
  const valueAt = (text: string) => {
    // A spot inside a string value, where keystrokes mostly land.
    const values = [...text.matchAll(/: "([^"\\]*)"/g)].map((m) => ({ start: m.index! + 3, end: m.index! + 3 + m[1].length }));
    const v = values[Math.floor(rand() * values.length)];
    // At its start or at its end (where a narrow span would miss the edit); deleting stays inside the string.
    const at = rand() < 0.5 ? Math.min(v.end, v.start + Math.floor(rand() * 3)) : Math.max(v.start, v.end - Math.floor(rand() * 2));
    return { at, room: v.end - at };
  };
  let single = 0;
  let patchedSingle = 0;
  for (let step = 0; step < 300; step++) {
    const notifications = 1 + Math.floor(rand() * 3);
    let total = 0;
    for (let n = 0; n < notifications; n++) {
      const changes = [];
      let text = doc.getText();
      for (let c = 0, count = 1 + Math.floor(rand() * 2); c < count; c++) {
        const { at, room } = valueAt(text);
        const del = Math.min(room, Math.floor(rand() * 2));
        const ins = ['a', 'Z', '1', ' ', 'é', '💻', ''][Math.floor(rand() * 7)];
        // Each change of a notification is positioned in the text the changes before it made.
        const lines = TextDocument.create(uri, 'ppkg-project', 0, text);
        changes.push({ range: { start: lines.positionAt(at), end: lines.positionAt(at + del) }, text: ins });
        text = text.slice(0, at) + ins + text.slice(at + del);
        total++;
      }
      doc = service.update(doc, changes, doc.version + 1);
    }
    const ours = service.validate(doc).map((d) => [d.range, d.code, d.message]);
    const engine = validateText(doc.getText(), { now: () => now, projectPath: '/tmp/ppkg-inc/ranged.ppkg.json' }).diagnostics.map((d) => [
      d.range,
      d.code,
      d.message,
    ]);
    assert.deepEqual(ours, engine, `step ${step}`);
    const full = parseProject(doc.getText());
    assert.deepEqual(service.context(doc).project.value, full.value, `step ${step}: value`);
    // One keystroke in one value: the step must patch the previous version's document, not parse again.
    if (total === 1) {
      single++;
      if (service.context(doc).project.locate) patchedSingle++;
    }
    // Every few steps only: looking at the whole tree settles its deferred offset moves (patchedTree.ts), and the
    // steps in between must locate their findings with several moves still pending.
    if (step % 7 !== 6) continue;
    const root = service.context(doc).project.root;
    assert.deepEqual(shape(root), shape(full.root), `step ${step}: tree`);
  }
  assert.ok(single > 25 && patchedSingle > single * 0.8, `only ${patchedSingle} of ${single} single keystrokes patched the previous version`);
});

/** Every path to a value in `value`, depth first. */
function pathsOf(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

test('with offset moves still pending, every node is located where a full parse puts it', () => {
  const rand = prng(20261203);
  let doc = withPatchableLines(parseProject(EXAMPLE));
  let pendingChecks = 0;
  for (let step = 0; step < 400; step++) {
    const text = doc.text;
    // Keystrokes inside string values that keep the document valid, so the tree keeps being patched.
    const values = [...text.matchAll(/: "([^"\\]*)"/g)];
    const m = values[Math.floor(rand() * values.length)];
    const at = m.index! + 3 + Math.floor(rand() * (m[1].length + 1));
    const del = Math.min(m.index! + 3 + m[1].length - at, Math.floor(rand() * 3));
    const ins = ['', 'x', 'yz', 'é', '💻', '  '][Math.floor(rand() * 6)];
    const next = text.slice(0, at) + ins + text.slice(at + del);
    const inc = reparseProject(doc, next, { prefix: at, suffix: text.length - at - del });
    assert.ok(inc, `step ${step}: an edit inside a string is patched`);
    doc = inc;
    const full = parseProject(next);
    for (const p of pathsOf(full.value)) {
      const ours = locate(doc, p);
      const theirs = locate(full, p);
      const brief = (l: typeof ours) => l && [l.node.type, l.node.offset, l.node.length, l.key?.offset, l.key?.length];
      assert.deepEqual(brief(ours), brief(theirs), `step ${step}: ${JSON.stringify(p)}`);
      pendingChecks++;
    }
    // Now and then something asks for the whole tree: it is settled, and must equal a full parse.
    if (step % 37 === 36) assert.deepEqual(shape(doc.root), shape(full.root), `step ${step}: settled tree`);
  }
  assert.ok(pendingChecks > 10_000);
});
