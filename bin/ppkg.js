#!/usr/bin/env node
'use strict';
// The CLI is bundled to dist/cli.js by `npm install` (the prepare script),
// which also leaves V8's code cache for it (bin/codeCache.js).
require('./codeCache.js')
  .load(require('node:path').join(__dirname, '..', 'dist', 'cli.js'))
  .runCli();
