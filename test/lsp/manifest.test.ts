/**
 * The extension manifest and the files it points at agree with the code:
 * every command the server refers to (code actions, code lenses) and every
 * command the client registers is contributed, the language wins over JSON
 * by file pattern, and the grammar's patterns match what they claim to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../server/src/protocol';
import { ROOT } from './lspClient';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
const clientSource = readdirSync(path.join(ROOT, 'client/src'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(path.join(ROOT, 'client/src', f), 'utf8'))
  .join('\n');

test('the language: *.ppkg.json by file pattern, with its configuration and grammar', () => {
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'ppkg-project');
  assert.deepEqual(lang.filenamePatterns, ['*.ppkg.json']);
  assert.ok(!lang.extensions, 'no extension claim that could fight JSON');
  assert.ok(existsSync(path.join(ROOT, lang.configuration)));
  const grammar = pkg.contributes.grammars.find((g: { language: string }) => g.language === 'ppkg-project');
  assert.ok(existsSync(path.join(ROOT, grammar.path)));
  assert.equal(pkg.main, './dist/client.js');
  assert.ok(pkg.activationEvents.includes('workspaceContains:**/*.ppkg.json'));
  const langConfig = JSON.parse(readFileSync(path.join(ROOT, lang.configuration), 'utf8'));
  assert.equal(langConfig.comments.lineComment, '//');
});

test('every command is contributed, registered by the client, and under the ppkg category', () => {
  for (const id of Object.values(COMMANDS)) assert.ok(contributed.has(id), `server refers to ${id}`);
  for (const c of pkg.contributes.commands) {
    assert.equal(c.category, 'ppkg');
    assert.ok(clientSource.includes(`'${c.command}'`) || Object.values(COMMANDS).includes(c.command), `client registers ${c.command}`);
  }
  for (const id of [
    'ppkg.validateWorkspace',
    'ppkg.newProject',
    'ppkg.setSecret',
    'ppkg.buildPackage',
    'ppkg.fetchBulkToken',
    'ppkg.revokeBulkToken',
    'ppkg.checkTenantReadiness',
  ])
    assert.ok(contributed.has(id), id);
});

test('the settings the code reads are declared', () => {
  const props = pkg.contributes.configuration.properties;
  for (const key of [
    'ppkg.expiryWarningDays',
    'ppkg.outputFolder',
    'ppkg.buildBackend',
    'ppkg.icdPath',
    'ppkg.entra.clientId',
    'ppkg.entra.tenant',
    'ppkg.entra.cloud',
  ])
    assert.ok(props[key], key);
  assert.deepEqual(props['ppkg.buildBackend'].enum, ['native', 'icd']);
  assert.equal(props['ppkg.expiryWarningDays'].default, 30);
});

test('the grammar embeds JSON with comments and highlights macros and secret references', () => {
  const g = JSON.parse(readFileSync(path.join(ROOT, 'syntaxes/ppkg-project.tmLanguage.json'), 'utf8'));
  assert.equal(g.scopeName, 'source.ppkg-project');
  assert.deepEqual(g.patterns, [{ include: 'source.json.comments' }]);
  const macros = g.repository.macros.patterns.map((p: { match: string }) => new RegExp(p.match, 'g'));
  const found = (s: string) => macros.flatMap((r: RegExp) => [...s.matchAll(r)].map((m) => m[0]));
  assert.deepEqual(found('CTS-%SERIAL%-%RAND:4%'), ['%SERIAL%', '%RAND:4%']);
  assert.deepEqual(found('100% %RAND:x%'), []);
  const secret = new RegExp(g.repository['secret-reference'].match);
  assert.equal(secret.exec('{ "secret": "wifi-key" }')?.[6], 'wifi-key');
  assert.equal(secret.exec('{ "secrets": "x" }'), null);
});

test('.vscodeignore keeps only bundles, schema, grammar, language configuration, README and LICENSE', () => {
  const lines = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '**');
  assert.deepEqual(lines.slice(1).sort(), [
    '!LICENSE',
    '!README.md',
    '!dist/cli.js',
    '!dist/client.js',
    '!dist/server.js',
    '!dist/wimBlobWorker.js',
    '!language-configuration.json',
    '!package.json',
    '!schemas/**',
    '!syntaxes/**',
  ]);
});
