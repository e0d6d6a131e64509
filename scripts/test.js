#!/usr/bin/env node
/**
 * `npm test`: bootstrap, type-check (TypeScript 5.9), lint (eslint.config.mjs), then the whole jest suite on SQLite, then
 * the database-backed suites again on PostgreSQL when one is reachable (PARLEY_TEST_POSTGRES_URL,
 * default the local server .ci/run starts). The e2e suites run `npm start` on its embedded
 * SQLite default, so they run once. Extra arguments go to jest (and skip the type-check).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { bootstrap, ROOT } = require('./bootstrap');

bootstrap();

const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const args = process.argv.slice(2);

function run(label, extraEnv, jestArgs) {
  process.stdout.write(`\n=== ${label} ===\n`);
  const res = spawnSync(process.execPath, [jest, ...jestArgs], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  return res.status === 0;
}

function chromiumFound() {
  const fs = require('node:fs');
  return [process.env.PARLEY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].some((p) => p && fs.existsSync(p));
}

async function postgresUrl() {
  const url = process.env.PARLEY_TEST_POSTGRES_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch (err) {
    process.stdout.write(`\nPostgreSQL not reachable at ${url.replace(/\/\/[^@]*@/, '//***@')} (${err.message}): skipping the PostgreSQL pass.\n`);
    return null;
  }
}

(async () => {
  if (args.length === 0) {
    process.stdout.write('\n=== type-check ===\n');
    // The server code, then the dashboard (its own tsconfig: DOM types and Preact's JSX).
    for (const project of [ROOT, path.join(ROOT, 'web')]) {
      const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: ROOT, stdio: 'inherit' });
      if (tsc.status !== 0) process.exit(1);
    }
    process.stdout.write('\n=== lint ===\n');
    const lint = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.'], { cwd: ROOT, stdio: 'inherit' });
    if (lint.status !== 0) process.exit(1);
  }
  // The browser suite needs a Chromium; without one it is skipped (said in one line), except
  // under CI, where test/browser fails on its absence.
  const browserArgs = chromiumFound() || process.env.CI ? [] : ['--testPathIgnorePatterns', '/test/browser/'];
  if (browserArgs.length) process.stdout.write('\nNo Chromium found (Debian package chromium): skipping the browser suite (test/browser).\n');
  let ok = run('SQLite', { PARLEY_TEST_POSTGRES_URL: '' }, [...args, ...browserArgs]);
  if (args.length === 0 || process.env.PARLEY_TEST_POSTGRES_URL) {
    const url = await postgresUrl();
    if (url) ok = run('PostgreSQL', { PARLEY_TEST_POSTGRES_URL: url }, [...args, ...(args.length ? [] : ['test/api', 'test/unit', 'test/workflows'])]) && ok;
    else if (process.env.CI) ok = false;
  }
  process.exit(ok ? 0 : 1);
})();
