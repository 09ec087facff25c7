'use strict';
// Makes dist/cli.js.cache (bin/codeCache.js) after running, in this process,
// what admins run most: validate a project, inspect a package, import it.
// The code those commands compile is then loaded from the cache at every
// start. Everything is written under a temporary folder removed at the end;
// a command that cannot run here (a file missing from an installed copy)
// only leaves its code out of the cache.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { make } = require('../bin/codeCache.js');

const root = path.join(__dirname, '..');
const example = path.join(root, 'examples', 'bulk-enrollment', 'cts-desktops.ppkg.json');
const fixture = path.join(root, 'test', 'fixtures', 'ppkg', 'everything.ppkg');

make(path.join(root, 'dist', 'cli.js'), async (cli) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ppkg-code-cache-'));
  const io = { stdout: () => undefined, stderr: () => undefined, cwd: tmp, env: {} };
  try {
    if (fs.existsSync(example)) await cli.main(['validate', example], io);
    if (fs.existsSync(fixture)) {
      await cli.main(['inspect', fixture, '--format', 'json'], io);
      await cli.main(['import', fixture, '--out', path.join(tmp, 'imported', 'p.ppkg.json')], io);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
