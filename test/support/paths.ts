import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const TMP_DIR = path.join(ROOT, '.parley', 'test');
/** The workflow bundle global-setup builds once for every test file. */
export const BUNDLE_PATH = path.join(TMP_DIR, 'workflow-bundle.js');
export const HISTORIES_DIR = path.join(ROOT, 'test', 'replay', 'histories');
