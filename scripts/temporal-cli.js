#!/usr/bin/env node
/**
 * Finds or provides the `temporal` CLI (which carries the dev server and its Web UI).
 * Order: TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build in .parley/bin, a fresh
 * `go install` of a pinned tag when Go is present. Returns null when none of these works:
 * callers then let the Temporal SDK download the official binary (connected machines).
 *
 * Plain Node, no dependencies: .ci/run and `npm start` call it before anything is installed.
 * Run directly it prints the path (or nothing) and exits 0.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// v1.5.1 is the newest tag `go install` can build: later tags carry `replace` directives.
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const ROOT = path.resolve(__dirname, '..');
const BIN_DIR = path.join(ROOT, '.parley', 'bin');

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function log(msg) {
  process.stderr.write(`[temporal-cli] ${msg}\n`);
}

function findOrProvideTemporalCli() {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  const cached = path.join(BIN_DIR, 'temporal');
  if (isExecutable(cached)) return cached;
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const go = onPath('go');
  if (!go) {
    log('no temporal CLI and no Go toolchain: the Temporal SDK will download the dev server');
    return null;
  }
  log(`building ${CLI_MODULE} with Go into .parley/bin (first run only; a few minutes)`);
  fs.mkdirSync(BIN_DIR, { recursive: true });
  const built = spawnSync(go, ['install', CLI_MODULE], {
    env: { ...process.env, GOBIN: BIN_DIR, GOFLAGS: process.env.GOFLAGS || '-mod=mod' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status === 0 && isExecutable(cached)) return cached;
  log(`go install failed (exit ${built.status}); falling back to the SDK download`);
  return null;
}

module.exports = { findOrProvideTemporalCli, CLI_MODULE };

if (require.main === module) {
  try {
    const found = findOrProvideTemporalCli();
    if (found) process.stdout.write(`${found}\n`);
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}
