/**
 * The module boundaries of docs/ARCHITECTURE.md ("May import"), checked by
 * dependency-cruiser with the rules in .dependency-cruiser.cjs: each row of
 * the table, `vscode` only in client/src, protocol.ts without run-time
 * imports, no import cycle in server/src. A failure lists each import that
 * breaks a rule; fix the import, or change the table and the config together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ICruiseOptions, ICruiseResult, IViolation } from 'dependency-cruiser';

const ROOT = path.resolve(__dirname, '../..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

async function loadOptions(): Promise<ICruiseOptions> {
  // dependency-cruiser is ESM only: import() it from this CommonJS test.
  const { default: extractDepcruiseOptions } = await import('dependency-cruiser/config-utl/extract-depcruise-options');
  return extractDepcruiseOptions(CONFIG);
}

async function cruiseTree(baseDir: string, dirs: string[], options: ICruiseOptions): Promise<ICruiseResult> {
  const { cruise } = await import('dependency-cruiser');
  const { default: extractTSConfig } = await import('dependency-cruiser/config-utl/extract-ts-config');
  const tsConfig = extractTSConfig(path.join(ROOT, 'tsconfig.json'));
  const { output } = await cruise(dirs, { ...options, baseDir }, {}, { tsConfig });
  assert.equal(typeof output, 'object', 'cruise returns its result as an object');
  return output as ICruiseResult;
}

/** `from → to (rule)`, or the cycle `a → b → a (rule)`. */
function describe(v: IViolation): string {
  const chain = v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)] : [v.from, v.to];
  return `${chain.join(' → ')} (${v.rule.name})`;
}

test('server/src and client/src keep the boundaries of docs/ARCHITECTURE.md', async (t) => {
  const options = await loadOptions();
  const result = await cruiseTree(ROOT, ['server/src', 'client/src'], options);
  const { summary } = result;
  assert.ok(summary.totalCruised > 150, `the sources were cruised (${summary.totalCruised} modules)`);
  assert.ok(
    result.modules.some((m) => m.source === 'server/src/engine.ts') && result.modules.some((m) => m.source.startsWith('client/src/')),
    'both the engine and the client were cruised',
  );

  const broken = summary.violations.filter((v) => v.rule.severity !== 'ignore').map(describe);
  assert.deepEqual(broken, [], `Imports that break a rule of .dependency-cruiser.cjs (docs/ARCHITECTURE.md, "May import"):\n  ${broken.join('\n  ')}\n`);

  // Known violations are reported each run, and the list only shrinks.
  const ignored = summary.violations.filter((v) => v.rule.severity === 'ignore');
  for (const v of ignored) t.diagnostic(`known violation, to fix: ${describe(v)}`);
  const seen = new Set(ignored.map((v) => `${v.rule.name} ${v.from} ${v.to}`));
  const fixed = (options.knownViolations ?? []).filter((k) => !seen.has(`${k.rule.name} ${k.from} ${k.to}`)).map(describe);
  assert.deepEqual(fixed, [], 'These known violations are gone: remove them from knownViolations in .dependency-cruiser.cjs.');
});

test('the rules catch what they are for', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppkg-architecture-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'server/src/package/wim/entry.ts': `export interface WimEntry { name: string }\n`,
    'server/src/compile/types.ts': `export const X = 1;\n`,
    // compile must not import package/, not even a type.
    'server/src/compile/bad.ts': `import type { WimEntry } from '../package/wim/entry';\nimport { X } from './types';\nexport const e: WimEntry | number = X;\n`,
    'server/src/model/bad.ts': `import { V } from '../validation/v';\nexport const m = V;\n`,
    'server/src/validation/v.ts': `export const V = 1;\n`,
    'server/src/languageService/editor.ts': `import * as vscode from 'vscode';\nexport const w = vscode;\n`,
    'server/src/protocol.ts': `import type { V as T } from './validation/v';\nimport { V } from './validation/v';\nexport const P: typeof T = V;\n`,
    'server/src/server.ts': `import { ACCOUNTS } from './tenant/accounts';\nexport const s = ACCOUNTS;\n`,
    'server/src/tenant/accounts.ts': `export const ACCOUNTS = 1;\n`,
    'server/src/entra/signIn.ts': `import { ACCOUNTS } from '../tenant/accounts';\nexport const a = ACCOUNTS;\n`,
    'server/src/entra/tokenFlow.ts': `import { ACCOUNTS } from '../tenant/accounts';\nexport const a = ACCOUNTS;\n`,
    'server/src/engine.ts': `import { run } from './cli/a';\nexport const r = run;\n`,
    // A run-time cycle is flagged; a type-only one only inside cli/.
    'server/src/diff/a.ts': `import { B } from './b';\nexport const A = () => B;\n`,
    'server/src/diff/b.ts': `import { A } from './a';\nexport const B = () => A;\n`,
    'server/src/diff/c.ts': `import type { D } from './d';\nexport interface C { d?: D }\n`,
    'server/src/diff/d.ts': `import type { C } from './c';\nexport interface D { c?: C }\n`,
    'server/src/cli/a.ts': `import type { B } from './b';\nexport interface A { b?: B }\nexport const run = 1;\n`,
    'server/src/cli/b.ts': `import type { A } from './a';\nexport interface B { a?: A }\n`,
    'client/src/extension.ts': `import * as vscode from 'vscode';\nimport { m } from '../../server/src/model/bad';\nimport { r } from '../../server/src/engine';\nexport const c = [vscode, m, r];\n`,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  // Packages resolve as in the repository.
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  const options = { ...(await loadOptions()), knownViolations: [] };
  const { summary } = await cruiseTree(dir, ['server/src', 'client/src'], options);
  // (node_modules is a link here, which the resolver follows to its real path.)
  const found = summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*?node_modules\//, 'node_modules/')}`).sort();
  assert.deepEqual(found, [
    'client-may-import: client/src/extension.ts → server/src/model/bad.ts',
    'compile-may-import: server/src/compile/bad.ts → server/src/package/wim/entry.ts',
    'engine-may-import: server/src/engine.ts → server/src/cli/a.ts',
    'entra-may-import: server/src/entra/signIn.ts → server/src/tenant/accounts.ts',
    'languageService-may-import-npm: server/src/languageService/editor.ts → node_modules/@types/vscode/index.d.ts',
    'model-may-import: server/src/model/bad.ts → server/src/validation/v.ts',
    'no-circular-cli: server/src/cli/a.ts → server/src/cli/b.ts',
    'no-circular: server/src/diff/a.ts → server/src/diff/b.ts',
    'only-client-imports-vscode: server/src/languageService/editor.ts → node_modules/@types/vscode/index.d.ts',
    'protocol-imports-only-types: server/src/protocol.ts → server/src/validation/v.ts',
    'server-may-import: server/src/server.ts → server/src/tenant/accounts.ts',
  ]);
});
