#!/usr/bin/env node
/**
 * `npm start`: bootstrap a fresh clone, then run the supervisor (dev server, worker, API).
 * `npm start -- --temporal-only` (npm run temporal) runs the dev server alone.
 */
'use strict';
const { bootstrap } = require('./bootstrap');

bootstrap();
require('tsx/cjs/api').register();
require('../infra/supervisor.ts')
  .main(process.argv.slice(2))
  .catch((err) => {
    console.error(err && err.message ? err.message : err);
    process.exit(1);
  });
