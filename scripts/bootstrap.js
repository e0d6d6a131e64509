/**
 * First-run bootstrap shared by `npm start` and `npm test`: installs npm dependencies when
 * they are missing or stale, generates the Prisma clients and builds the dashboard bundle.
 * Plain Node, no dependencies.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function step(msg) {
  process.stderr.write(`[bootstrap] ${msg}\n`);
}

function bootstrap() {
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(installed) || mtime(lock) > mtime(installed)) {
    // `npm install` against the committed lock, not `npm ci`: the lock cannot list optional
    // platform binaries a registry mirror does not carry, and `npm ci` refuses such a lock.
    step('installing npm dependencies');
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  }
  const schema = path.join(ROOT, 'prisma', 'schema.prisma');
  const clients = ['sqlite', 'postgresql'].map((p) => path.join(ROOT, 'generated', 'prisma', p, 'client.ts'));
  if (clients.some((c) => mtime(c) < mtime(schema))) {
    step('generating Prisma clients');
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'prisma', 'tasks.ts'), 'generate'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  // After the install: the dashboard bundle needs esbuild and preact from node_modules.
  require('./build-web').buildWebIfStale();
}

module.exports = { bootstrap, ROOT };
