#!/usr/bin/env node
/** The `parley` command: loads the TypeScript CLI through tsx and exits with its code. */
'use strict';
require('tsx/cjs/api').register();
const { main } = require('../cli/parley.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`parley: ${err instanceof Error ? err.stack || err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
