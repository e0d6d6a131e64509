#!/usr/bin/env node
/**
 * `npm run build:web`: bundles the dashboard (web/src, Preact + TSX) with esbuild into web/dist,
 * which api/dashboard serves at `/`. `npm start` and `npm test` call `buildWebIfStale()` through
 * the bootstrap, so a fresh clone never serves an old or missing bundle.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'web', 'src');
const DIST = path.join(ROOT, 'web', 'dist');
const STAMP = path.join(DIST, 'app.js');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

function buildWeb() {
  const esbuild = require('esbuild');
  fs.mkdirSync(DIST, { recursive: true });
  esbuild.buildSync({
    entryPoints: [path.join(SRC, 'main.tsx')],
    outfile: STAMP,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'app.css']) fs.copyFileSync(path.join(SRC, file), path.join(DIST, file));
}

/** Rebuilds when web/dist is missing or older than any file under web/src. */
function buildWebIfStale() {
  let built = 0;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= newestSource(SRC)) return false;
  process.stderr.write('[bootstrap] building the dashboard (web/dist)\n');
  buildWeb();
  return true;
}

module.exports = { buildWeb, buildWebIfStale, DIST };

if (require.main === module) buildWeb();
