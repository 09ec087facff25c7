// Bundles the three entry points and the WIM reader's worker. Everything in server/ is plain Node and
// must never import `vscode`; the client is the only bundle that may.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  // jsonc-parser and the vscode-* libraries ship UMD builds whose dynamic
  // requires esbuild cannot follow; their ESM builds bundle cleanly.
  mainFields: ['module', 'main'],
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // The schema JSON is bundled into the engine, so the CLI, the server and
  // the file in schemas/ (shipped for editors) can never disagree.
  loader: { '.json': 'json' },
  // Some ESM dependencies (fdir, under tinyglobby) read import.meta.url,
  // which a CommonJS bundle lacks: give them this file's URL.
  define: { PPKG_VERSION: JSON.stringify(pkg.version), 'import.meta.url': '__ppkgImportMetaUrl' },
  banner: { js: "const __ppkgImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/**
 * Builds in memory, then replaces each output atomically: tests spawn
 * dist/cli.js while another test file may be re-bundling, and a reader must
 * never see a half-written bundle.
 */
async function bundle(options) {
  const result = await esbuild.build({ ...common, ...options, write: false });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.path.endsWith('.js') ? asciiOnly(file.text) : file.contents);
    renameSync(temp, file.path);
  }
}

/**
 * esbuild escapes non-ASCII characters in code but keeps them in comments
 * (`§`, `…` in ours). One such character makes V8 hold the whole bundle as
 * a two-byte string, which costs every CLI start about 5 ms: escaped here
 * too, the same text as far as any JavaScript parser is concerned.
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// The schema validator is compiled once here rather than at every start, and
// the project's TypeScript types are generated from the same schema.
await import('./scripts/generate-validator.mjs');
await import('./scripts/generate-types.mjs');

await Promise.all([
  bundle({ entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' }),
  bundle({ entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  bundle({ entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] }),
  // The WIM reader's worker thread, loaded by all three (blobPool.ts): only the reader, not a whole bundle.
  bundle({ entryPoints: ['server/src/package/wim/read/blobWorker.ts'], outfile: 'dist/wimBlobWorker.js' }),
]);

// V8's code cache for the CLI bundle, which bin/ppkg.js loads instead of compiling 3.5 MB at every start.
// On Node 20 a script read from a code cache loses its import() callback, so the bundle must not use
// import() (a Node built-in is imported statically; esbuild turns the CLI's lazy commands into requires).
if (/(^|[^\w$.])import\(\s*['"`]/m.test(readFileSync('dist/cli.js', 'utf8'))) {
  throw new Error('dist/cli.js calls import(), which fails when it is loaded from its code cache: import Node built-ins statically');
}
const cache = spawnSync(process.execPath, ['scripts/make-code-cache.cjs'], { stdio: 'inherit' });
if (cache.status !== 0) throw new Error(`making the code cache of dist/cli.js failed (exit ${cache.status})`);
