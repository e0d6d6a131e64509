/**
 * Local ASR through PocketSphinx 5 from its PyPI wheel, which bundles the US English model:
 * the default when no OpenAI-compatible ASR server is configured. The wheel is unpacked under
 * the models directory (infra/models) and runs, model loaded once, in a python3 child process.
 */
import path from 'node:path';
import { ensurePocketsphinx, pocketsphinxDir } from '../models/embedded';
import { createPythonRecogniser } from './python-recogniser';

const HOST = path.join(__dirname, 'hosts', 'pocketsphinx.py');

/** The acoustic model's rate. */
const RATE = 16000;

/**
 * Narrower beams than PocketSphinx's defaults (1e-48 / 7e-29 / 1e-48): a third of the CPU per
 * second of audio for a few points of word error rate (docs/speech.md), so a long caller line
 * stays inside the ASR stage's budget on a busy two-core machine.
 */
export const FAST_SEARCH = { beam: 1e-40, wbeam: 1e-24, pbeam: 1e-40 };

/** Builds the PocketSphinx 5 recogniser (one loaded decoder per process). */
export function createPocketsphinxWheel(opts: { python?: string; timeoutMs?: number; search?: Record<string, number> } = {}) {
  const python = opts.python ?? 'python3';
  const search = JSON.stringify(opts.search ?? FAST_SEARCH);
  // Inside the ASR stage's 8 s (workflows/call-session/activities.ts), so this clearer error is
  // the one a turn reports; decoding takes about half the audio's length on one free core.
  const timeoutMs = opts.timeoutMs ?? 7_500;
  const dir = pocketsphinxDir();
  return createPythonRecogniser({
    label: 'PocketSphinx 5',
    python,
    args: [HOST, dir, search],
    rate: RATE,
    timeoutMs,
    startTimeoutMs: 30_000,
    fixHint: `install python3 3.11 or 3.13 (the CPython versions PyPI has PocketSphinx 5.1.1 wheels for) and start Parley once with internet access to PyPI (it caches the pocketsphinx wheel in ${dir}), or configure another ASR (PARLEY_ASR_BASE_URL, or PARLEY_ASR_ENGINE=pocketsphinx-binary with the Debian packages pocketsphinx and pocketsphinx-en-us)`,
    ensure: (log) => ensurePocketsphinx(log, undefined, python),
    describe: (ready) => `PocketSphinx 5 (python ${String(ready.python)})`,
  });
}

export type PocketsphinxWheel = ReturnType<typeof createPocketsphinxWheel>;
