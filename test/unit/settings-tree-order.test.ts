/**
 * leavesOf in written order (what validation uses, cheaper) yields the same
 * leaves, paths and same-name indexes as in ICD's order (what the compiler
 * writes), for every project of the WCD corpus and the example.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { projectSettings } from '../../server/src/compile/projectSettings';
import { describeLeaf } from '../../server/src/compile/values';
import { leavesOf } from '../../server/src/compile/settingsTree';
import { importCustomizations } from '../../server/src/import/customizations';
import { parseProject } from '../../server/src/model/parse';
import type { Project } from '../../server/src/model/project';

const CORPUS = join(__dirname, '../fixtures/wcd/corpus');
const projects: [string, Project][] = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.xml'))
  .map((f) => [f, parseProject(importCustomizations(readFileSync(join(CORPUS, f), 'utf8')).projectText).value as Project]);
projects.push(['example', parseProject(readFileSync(join(__dirname, '../../examples/bulk-enrollment/cts-desktops.ppkg.json'), 'utf8')).value as Project]);

test('written order and ICD order give the same leaves', () => {
  let compared = 0;
  for (const [name, project] of projects) {
    const tree = projectSettings(project).tree;
    const brief = (order: 'icd' | 'written') =>
      leavesOf(tree, order)
        .map((l) => `${describeLeaf(l)} ${l.path.map((s) => s.index).join('.')} = ${JSON.stringify(l.leaf.value)}`)
        .sort();
    const icd = brief('icd');
    assert.deepEqual(brief('written'), icd, name);
    compared += icd.length;
  }
  assert.ok(compared > 100, `only ${compared} leaves compared`);
});
