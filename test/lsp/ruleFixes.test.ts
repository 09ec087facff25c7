/**
 * Rule-provided fixes: a diagnostic whose `data.fixes` describes edits by
 * JSON path becomes quick fixes, applied with jsonc-parser's `modify` so
 * comments and the document's own indentation stay. Tested with synthetic
 * diagnostics on the language service (the rules that attach fixes come
 * later), and over the protocol as Commands for a client without literals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-types';
import { codeActionsFor } from '../../server/src/languageService/codeActions';
import { PpkgLanguageService } from '../../server/src/languageService/service';
import { adaptCodeActions, clientSupport } from '../../server/src/languageService/capabilities';
import { APPLY_EDIT_COMMAND } from '../../server/src/protocol';
import { applyEdits } from './lspClient';

const TEXT = `// Front office
{
    "name": "Lab", // the lab
    "id": "{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}",
    "version": "1.0",
    "device": {
        "name": "LAB-%SERIAL%" /* keep */
    },
    "applications": [
        { "name": "A", "installer": "a.msi", "commandLine": "a.msi" },
        { "name": "B", "installer": "b.msi", "commandLine": "b.msi" }
    ]
}
`;

function setup(text = TEXT) {
  const doc = TextDocument.create('file:///tmp/fixes.ppkg.json', 'ppkg-project', 1, text);
  const service = new PpkgLanguageService({ now: () => new Date('2026-11-26T12:00:00Z') });
  return { doc, ctx: service.context(doc) };
}

const AT = { start: { line: 6, character: 8 }, end: { line: 6, character: 14 } };
function diagnostic(fixes: unknown): Diagnostic {
  return { range: AT, severity: 1, code: 'PPKG900', source: 'ppkg', message: 'synthetic', data: { fixes } };
}

function applyAction(text: string, uri: string, action: ReturnType<typeof codeActionsFor>[number]): string {
  return applyEdits(text, action.edit!.changes![uri]);
}

test('one quick fix per data.fixes entry, with its title, kind and isPreferred', () => {
  const { doc, ctx } = setup();
  const d = diagnostic([
    { title: 'Set shared use', edits: [{ path: ['device', 'sharedUse'], value: true }], isPreferred: true },
    { title: 'Remove the device name', edits: [{ path: ['device', 'name'], remove: true }] },
  ]);
  const actions = codeActionsFor(ctx, AT, [d]);
  assert.deepEqual(
    actions.map((a) => [a.title, a.kind, a.isPreferred]),
    [
      ['Set shared use', 'quickfix', true],
      ['Remove the device name', 'quickfix', false],
    ],
  );
  assert.deepEqual(actions[0].diagnostics, [d]);

  const added = applyAction(TEXT, doc.uri, actions[0]);
  // jsonc-parser's modify: the new property at the document's 4-space indentation, the comment kept.
  assert.match(added, /\n {8}"name": "LAB-%SERIAL%",\n {8}"sharedUse": true \/\* keep \*\/\n {4}\}/);
  assert.ok(added.startsWith('// Front office\n'));
  assert.ok(added.includes('"name": "Lab", // the lab'));

  const removed = applyAction(TEXT, doc.uri, actions[1]);
  assert.doesNotMatch(removed, /LAB-%SERIAL%/);
  assert.ok(removed.includes('"name": "Lab", // the lab'));
});

test('several edits in one fix apply in order, as one text edit; array indices and new objects work', () => {
  const { doc, ctx } = setup();
  const d = diagnostic([
    {
      title: 'Make B silent and add an OOBE section',
      edits: [
        { path: ['applications', 1, 'commandLine'], value: 'b.msi /qn' },
        { path: ['oobe'], value: { hide: true } },
        { path: ['applications', 0], remove: true },
      ],
    },
  ]);
  const [action] = codeActionsFor(ctx, AT, [d]);
  assert.equal(action.edit!.changes![doc.uri].length, 1);
  const after = applyAction(TEXT, doc.uri, action);
  const parsed = JSON.parse(after.replace(/\/\/.*$/gm, '').replace(/\/\*.*?\*\//g, ''));
  assert.deepEqual(parsed.applications, [{ name: 'B', installer: 'b.msi', commandLine: 'b.msi /qn' }]);
  assert.deepEqual(parsed.oobe, { hide: true });
  assert.ok(after.includes('/* keep */'));
});

test('malformed fixes are ignored, never thrown; a fix that changes nothing is not offered', () => {
  const { ctx } = setup();
  const bad = [
    null,
    'text',
    { title: '', edits: [{ path: ['x'], value: 1 }] },
    { title: 'no edits', edits: [] },
    { title: 'bad path', edits: [{ path: 'device.name', value: 1 }] },
    { title: 'bad segment', edits: [{ path: [{}], value: 1 }] },
    { title: 'bad remove', edits: [{ path: ['device'], remove: 'yes' }] },
    { title: 'same value', edits: [{ path: ['version'], value: '1.0' }] },
  ];
  assert.deepEqual(codeActionsFor(ctx, AT, [diagnostic(bad)]), []);
  assert.deepEqual(codeActionsFor(ctx, AT, [diagnostic('not a list')]), []);
});

test('no rule fixes while the document has a syntax error', () => {
  const { ctx } = setup(TEXT.replace('"version": "1.0",', '"version": "1.0"'));
  assert.deepEqual(codeActionsFor(ctx, AT, [diagnostic([{ title: 'x', edits: [{ path: ['oobe'], value: {} }] }])]), []);
});

test('for a client without code-action literals a rule fix is a Command that carries the edit', () => {
  const { doc, ctx } = setup();
  const actions = codeActionsFor(ctx, AT, [diagnostic([{ title: 'Set shared use', edits: [{ path: ['device', 'sharedUse'], value: false }] }])]);
  const [cmd] = adaptCodeActions(actions, clientSupport({ workspace: { applyEdit: true } }));
  assert.equal(cmd.title, 'Set shared use');
  assert.equal(cmd.command, APPLY_EDIT_COMMAND);
  const edit = (cmd as unknown as { arguments: [{ changes: Record<string, never[]> }] }).arguments[0];
  assert.match(applyEdits(TEXT, edit.changes[doc.uri]), /"sharedUse": false/);
});
