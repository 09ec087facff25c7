import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { RULE_CATALOG } from '../../server/src/validation/catalog';

const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

test('the README opens with the two-command quick start', () => {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1].trim().split('\n');
  assert.deepEqual(block, ['npm install && npm run demo', 'npm test']);
  assert.ok(readme.indexOf('```sh') < 200, 'the quick start comes first');
});

test('the README lists every rule code with its severity', () => {
  for (const rule of RULE_CATALOG) {
    const row = new RegExp(`^\\| \`${rule.code}\` \\| ${rule.severity} \\|`, 'm');
    assert.match(readme, row, `README rule table lacks ${rule.code}`);
  }
});
