import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import ts from 'typescript';

/**
 * The client's boundary with the engine: client/src imports from
 * server/src only the facade (engine.ts) and the LSP protocol
 * (protocol.ts), and protocol.ts imports nothing at run time, so the client
 * bundle gets no engine code through it.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLIENT = path.join(ROOT, 'client/src');
const SERVER = path.join(ROOT, 'server/src');
const PROTOCOL = path.join(SERVER, 'protocol.ts');
const ALLOWED = new Set([path.join(SERVER, 'engine'), path.join(SERVER, 'protocol')]);

interface ModuleReference {
  specifier: string;
  /** Erased at compile time: `import type`, `export type`. */
  typeOnly: boolean;
  line: number;
}

/** Every module a source file refers to: imports, re-exports, `import x = require()`, `require()`, `import()`. */
function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: ModuleReference[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (specifier && ts.isStringLiteralLike(specifier))
      out.push({ specifier: specifier.text, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly === true);
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node, node.moduleReference.expression, node.isTypeOnly);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    )
      add(node, node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The client file's references into server/src other than engine.ts and protocol.ts. */
function boundaryViolations(fileName: string, text: string): string[] {
  return moduleReferences(fileName, text)
    .filter((r) => r.specifier.startsWith('.'))
    .map((r) => ({
      ...r,
      target: path
        .resolve(path.dirname(fileName), r.specifier)
        .replace(/\.(ts|js)$/, '')
        .replace(/[\\/]index$/, ''),
    }))
    .filter((r) => !path.relative(SERVER, r.target).startsWith('..') && !ALLOWED.has(r.target))
    .map((r) => `${path.relative(ROOT, fileName)}:${r.line} imports ${r.specifier}`);
}

/** protocol.ts's references that are not erased at compile time. */
function runtimeImports(fileName: string, text: string): string[] {
  return moduleReferences(fileName, text)
    .filter((r) => !r.typeOnly)
    .map((r) => `${path.relative(ROOT, fileName)}:${r.line} imports ${r.specifier} at run time`);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

test('client/src imports from server/src only engine.ts and protocol.ts', () => {
  const files = tsFiles(CLIENT);
  assert.ok(files.length > 5, 'the client sources were found');
  const violations = files.flatMap((f) => boundaryViolations(f, readFileSync(f, 'utf8')));
  assert.deepEqual(violations, [], 'Import what the client needs through server/src/engine.ts (or server/src/protocol.ts for LSP names).');
  const used = files.flatMap((f) => moduleReferences(f, readFileSync(f, 'utf8')).map((r) => r.specifier));
  assert.ok(used.includes('../../server/src/engine') && used.includes('../../server/src/protocol'), 'the client does use both');
});

test('protocol.ts imports nothing but types', async () => {
  assert.deepEqual(runtimeImports(PROTOCOL, readFileSync(PROTOCOL, 'utf8')), []);
  // And bundled on its own, it is itself alone.
  const result = await esbuild.build({
    entryPoints: [PROTOCOL],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  assert.deepEqual(Object.keys(result.metafile.inputs), [path.relative(process.cwd(), PROTOCOL).split(path.sep).join('/')]);
});

test('the checks catch what they are for', () => {
  const client = path.join(CLIENT, 'example.ts');
  const flagged = (text: string) => boundaryViolations(client, text).length;
  assert.equal(flagged(`import { parseProject } from '../../server/src/model/parse';`), 1);
  assert.equal(flagged(`import type { PpkgDiagnostic } from '../../server/src/validation/diagnostic';`), 1, 'types also come through the facade');
  assert.equal(flagged(`export { buildProject } from '../../server/src/package/build';`), 1);
  assert.equal(flagged(`const m = require('../../server/src/cli/io');`), 1);
  assert.equal(flagged(`void import('../../server/src/inspect/index.ts');`), 1);
  assert.equal(flagged(`let x: import('../../server/src/tenant/preflight').PreflightReport;`), 1);
  assert.equal(
    flagged(
      `import { buildProject } from '../../server/src/engine';\nimport { COMMANDS } from '../../server/src/protocol.ts';\nimport * as vscode from 'vscode';\nimport { reportError } from './errors';`,
    ),
    0,
  );

  const runtime = (text: string) => runtimeImports(PROTOCOL, text).length;
  assert.equal(runtime(`import type { PpkgSettings } from './languageService/service';\nexport type { Range } from 'vscode-languageserver-types';`), 0);
  assert.equal(runtime(`import { projectKey } from './languageService/projectKey';`), 1);
  assert.equal(runtime(`import { type MarkupKind } from 'vscode-languageserver-types';`), 1, 'only `import type` is sure to be erased');
  assert.equal(runtime(`import './side-effect';`), 1);
  assert.equal(runtime(`export { APPLY_EDIT_COMMAND } from './languageService/capabilities';`), 1);
});
