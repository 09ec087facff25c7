#!/usr/bin/env node
'use strict';
// The CLI is bundled to dist/cli.js by `npm install` (the prepare script).
require('../dist/cli.js').runCli();
