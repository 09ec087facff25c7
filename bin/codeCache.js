'use strict';
/**
 * V8's code cache for the CLI bundle. Compiling dist/cli.js (3.5 MB) is
 * about half of every `ppkg` command's start-up; the build (esbuild.mjs,
 * through scripts/make-code-cache.cjs) runs `make` once, and `load` uses
 * the cache instead of compiling.
 *
 * The cache file is the SHA-256 of the bundle it was made from, then V8's
 * data. V8 checks only the source's length and its own version and flags,
 * so the hash is what guarantees the cache belongs to this exact bundle;
 * any mismatch, a missing file, or a Node without the vm options needed
 * falls back to a plain require. Nothing is written at run time.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const HASH_BYTES = 32;
const cacheFile = (file) => `${file}.cache`;

function compile(file, source, cachedData) {
  return new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // The bundle imports two Node built-ins with import(): resolved as in any CommonJS module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Runs the compiled wrapper as `require(file)` would, and registers the module under its name. */
function run(file, script) {
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  require.cache[file] = m;
  script.runInThisContext()(m.exports, Module.createRequire(file), m, file, path.dirname(file));
  m.loaded = true;
  return m.exports;
}

/** `require(file)`, from the code cache when there is one made from exactly this file. */
function load(file) {
  if (!vm.constants || !vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER) return require(file);
  let cache;
  try {
    cache = fs.readFileSync(cacheFile(file));
  } catch {
    return require(file);
  }
  const bytes = fs.readFileSync(file);
  if (cache.length <= HASH_BYTES || !createHash('sha256').update(bytes).digest().equals(cache.subarray(0, HASH_BYTES))) return require(file);
  return run(file, compile(file, bytes.toString('utf8'), cache.subarray(HASH_BYTES)));
}

/**
 * Writes `file.cache` (atomically: tests may start the CLI while the build
 * runs). V8 caches the functions compiled so far, so the module's top level
 * runs first, then `exercise(exports)` (scripts/make-code-cache.cjs runs a
 * few commands in-process): their code is then in the cache too, instead of
 * being compiled at each start.
 */
async function make(file, exercise = async () => {}) {
  const bytes = fs.readFileSync(file);
  const script = compile(file, bytes.toString('utf8'));
  await exercise(run(file, script));
  const data = Buffer.concat([createHash('sha256').update(bytes).digest(), script.createCachedData()]);
  const temp = `${cacheFile(file)}.${process.pid}.tmp`;
  fs.writeFileSync(temp, data);
  fs.renameSync(temp, cacheFile(file));
}

module.exports = { load, make };
