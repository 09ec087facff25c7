/**
 * Rules keep findings per application (validation/perItem.ts), in the
 * document's ValidationMemo: after a keystroke only the edited application is
 * checked again. The findings must
 * be exactly those of a full validation — at the applications' current
 * indexes, including when an edit moves them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reparseProject, withPatchableLines } from '../../server/src/languageService/incrementalProject';
import { parseProject, type ProjectDocument } from '../../server/src/model/parse';
import type { PpkgDiagnostic } from '../../server/src/validation/diagnostic';
import { validateDocument } from '../../server/src/validation/validate';
import { cachedFileProbe, type FileProbe } from '../../server/src/validation/fileProbe';
import { ValidationMemo, type ValidationOptions } from '../../server/src/validation/context';

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  installer: `apps/${name}.msi`,
  commandLine: `msiexec /i ${name}.msi /qn`,
  ...extra,
});
const project = (apps: unknown[]) => JSON.stringify({ name: 'I', id: '{11111111-2222-3333-4444-555555555555}', version: '1.0', applications: apps }, null, 2);

// Every file exists except missing.msi: a probe that remembers answers, as the language server's does.
const disk: FileProbe = {
  stat: (p) => (p.endsWith('missing.msi') ? undefined : { isFile: true, isDirectory: false, size: 1 }),
  realpath: (p) => p,
  readdir: () => [],
};
const options = () => ({ projectPath: '/p/x.ppkg.json', files: cachedFileProbe(disk, 60_000, () => 0), now: () => new Date('2026-12-01') });

const brief = (ds: PpkgDiagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`).sort();

/**
 * Applies `edits` one after another, each patching the previous version as
 * the language server does, and holds the findings (kept in `opts.memo`)
 * after each to a full validation from nothing. Returns the last text.
 */
function followEdits(text: string, doc: ProjectDocument, opts: ValidationOptions, edits: [string, string][]): string {
  // What a full validation finds after each edit (no memo: from nothing).
  const texts: string[] = [];
  for (const [from, to] of edits) {
    const next = (texts.at(-1) ?? text).replace(from, to);
    assert.notEqual(next, texts.at(-1) ?? text, from);
    texts.push(next);
  }
  const expected = texts.map((t) => brief(validateDocument(parseProject(t), options())));
  validateDocument(doc, opts);
  texts.forEach((next, k) => {
    const patched = reparseProject(doc, next);
    assert.ok(patched, `the edit ${edits[k][0]} patches the previous version`);
    doc = patched;
    assert.deepEqual(brief(validateDocument(doc, opts)), expected[k], `after ${edits[k][0]}`);
  });
  return texts.at(-1)!;
}

test('findings kept per application equal a full validation after each edit', () => {
  const apps = [
    app('a'),
    app('b', { successCodes: [0, 1641] }),
    app('c', { commandLine: 'msiexec /i c.msi' }),
    app('d', { commandLine: 'net user d Secret1 /add' }),
    app('missing'),
    app('f', { installer: 'apps/a.msi' }),
  ];
  const text = project(apps);
  const opts = { ...options(), memo: new ValidationMemo() };
  const doc = withPatchableLines(parseProject(text));
  const first = validateDocument(doc, opts);
  assert.deepEqual(brief(first), brief(validateDocument(parseProject(text), options())));
  assert.deepEqual(new Set(first.map((d) => d.code)), new Set(['PPKG111', 'PPKG036', 'PPKG071', 'PPKG030']));

  // Edit inside application "a": the others keep their objects; findings must not change place.
  const edits: [string, string][] = [
    ['"name": "a"', '"name": "aa"'],
    ['"commandLine": "msiexec /i c.msi"', '"commandLine": "msiexec /i c.msi /qn"'], // fixes PPKG036 in c
    ['"successCodes": [\n        0,\n        1641\n      ]', '"successCodes": [\n        0\n      ]'], // fixes PPKG111 in b
    ['"installer": "apps/missing.msi"', '"installer": "apps/missing.msi",\n      "continueInstall": true\n      '],
  ];
  followEdits(text, doc, opts, edits);
});

test('findings across applications (one name twice, one command file name twice) follow each edit', () => {
  const apps = [app('a'), app('b'), app('c', { installer: 'other/b.msi' }), app('d'), app('e')];
  let text = project(apps);
  const opts = { ...options(), memo: new ValidationMemo() };
  const doc = withPatchableLines(parseProject(text));
  assert.deepEqual(brief(validateDocument(doc, opts)), brief(validateDocument(parseProject(text), options())));
  assert.ok(
    brief(validateDocument(doc, opts)).some((d) => d.startsWith('PPKG032')),
    'c ships a second b.msi',
  );
  const edits: [string, string][] = [
    ['"commandLine": "msiexec /i d.msi /qn"', '"commandLine": "msiexec /i d.msi /qn /l*v x.log"'], // nothing across items changes
    ['"name": "e"', '"name": "A"'], // a second "a" (names compare without case)
    ['"name": "A"', '"name": "e"'], // and gone again
    ['"installer": "other/b.msi"', '"installer": "other/c.msi"'], // the file clash goes
    ['"installer": "apps/d.msi"', '"installer": "other/C.msi"'], // a new clash, later in the list
  ];
  text = followEdits(text, doc, opts, edits);
  // An application inserted at the start moves every other one: findings follow their items.
  const moved = text.replace('"applications": [', `"applications": [\n    ${JSON.stringify(app('z', { commandLine: 'msiexec /i z.msi' }))},`);
  const full = parseProject(moved);
  assert.deepEqual(brief(validateDocument(full, opts)), brief(validateDocument(parseProject(moved), options())));
});
