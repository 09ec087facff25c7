/**
 * Rules keep findings per application object (validation/perItem.ts): after a
 * keystroke only the edited application is checked again. The findings must
 * be exactly those of a full validation — at the applications' current
 * indexes, including when an edit moves them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reparseProject, withPatchableLines } from '../../server/src/languageService/incrementalProject';
import { parseProject } from '../../server/src/model/parse';
import type { PpkgDiagnostic } from '../../server/src/validation/diagnostic';
import { validateDocument } from '../../server/src/validation/validate';
import { cachedFileProbe, type FileProbe } from '../../server/src/validation/fileProbe';

const app = (name: string, extra: Record<string, unknown> = {}) => ({ name, installer: `apps/${name}.msi`, commandLine: `msiexec /i ${name}.msi /qn`, ...extra });
const project = (apps: unknown[]) =>
  JSON.stringify({ name: 'I', id: '{11111111-2222-3333-4444-555555555555}', version: '1.0', applications: apps }, null, 2);

// Every file exists except missing.msi: a probe that remembers answers, as the language server's does.
const disk: FileProbe = {
  stat: (p) => (p.endsWith('missing.msi') ? undefined : { isFile: true, isDirectory: false, size: 1 }),
  realpath: (p) => p,
  readdir: () => [],
};
const options = () => ({ projectPath: '/p/x.ppkg.json', files: cachedFileProbe(disk, 60_000, () => 0), now: () => new Date('2026-12-01') });

const brief = (ds: PpkgDiagnostic[]) => ds.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`).sort();

test('findings kept per application equal a full validation after each edit', () => {
  const apps = [
    app('a'),
    app('b', { successCodes: [0, 1641] }),
    app('c', { commandLine: 'msiexec /i c.msi' }),
    app('d', { commandLine: 'net user d Secret1 /add' }),
    app('missing'),
    app('f', { installer: 'apps/a.msi' }),
  ];
  let text = project(apps);
  const opts = options();
  let doc = withPatchableLines(parseProject(text));
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
  for (const [from, to] of edits) {
    const next = text.replace(from, to);
    assert.notEqual(next, text, from);
    const patched = reparseProject(doc, next);
    assert.ok(patched, `the edit ${from} patches the previous version`);
    doc = patched;
    text = next;
    assert.deepEqual(brief(validateDocument(doc, opts)), brief(validateDocument(parseProject(text), options())), `after ${from}`);
  }
});
