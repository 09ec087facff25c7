/**
 * The CLI's import graph has no cycle: the command registry (cli/registry.ts)
 * is data that imports no command, the parser and the help read it, and
 * cli/commands/index.ts only wires each name to its module. Static, type-only
 * and dynamic imports all count, as a dependency checker counts them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const SRC = resolve(__dirname, '../../server/src');
const CLI = join(SRC, 'cli');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A relative specifier as the bundler resolves it: `x.ts`, or `x/index.ts`. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
}

const importsCache = new Map<string, string[]>();
function importsOf(file: string): string[] {
  let found = importsCache.get(file);
  if (!found) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    found = [...new Set(importedFiles.map((i) => resolveImport(file, i.fileName)).filter((f): f is string => f !== undefined))];
    importsCache.set(file, found);
  }
  return found;
}

/** Every engine file reachable from the CLI's files, with its imports. */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const todo = filesUnder(CLI);
  while (todo.length) {
    const f = todo.pop()!;
    if (g.has(f)) continue;
    const out = importsOf(f);
    g.set(f, out);
    todo.push(...out);
  }
  return g;
}

/** Strongly connected components with more than one file, or a file that imports itself (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) found.push(scc);
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const rel = (f: string) => relative(SRC, f).replace(/\\/g, '/');

test('no import cycle runs through server/src/cli (static, type-only and dynamic imports)', () => {
  const g = graph();
  assert.ok(g.has(join(CLI, 'main.ts')) && g.has(join(CLI, 'commands', 'build.ts')), 'the walk found the CLI');
  const throughCli = cycles(g).filter((scc) => scc.some((f) => f.startsWith(CLI)));
  assert.deepEqual(
    throughCli.map((scc) => scc.map(rel).sort()),
    [],
  );
});

test('the registry is data: it imports no command, and only main.ts imports the loaders', () => {
  const registry = join(CLI, 'registry.ts');
  const index = join(CLI, 'commands', 'index.ts');
  assert.deepEqual(
    importsOf(registry)
      .filter((f) => f.startsWith(join(CLI, 'commands')))
      .map(rel),
    [],
  );
  for (const f of ['args.ts', 'help.ts']) assert.ok(importsOf(join(CLI, f)).includes(registry), `${f} reads the registry`);
  const importers = filesUnder(SRC).filter((f) => importsOf(f).includes(index));
  assert.deepEqual(importers.map(rel), ['cli/main.ts']);
  // The loaders reach the commands only through import(): nothing is loaded before a command runs.
  const text = readFileSync(index, 'utf8');
  assert.doesNotMatch(text, /^import (?!type )/m, 'commands/index.ts imports only types statically');
});
