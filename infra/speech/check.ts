/**
 * The boot check of the voice pipeline: every local engine the configuration selects is
 * fetched if needed, loaded and made to work once, so that a missing interpreter, model or
 * program is reported at start-up (with its fix) instead of failing a caller's turn.
 * OpenAI-compatible servers are not probed: they may come up after Parley.
 */
import type { SpeechConfig } from '../speech-config';
import { createEspeak } from './espeak';
import { createEspeakWasm } from './espeak-wasm';
import { createLlama } from './llama';
import { createPocketsphinx } from './pocketsphinx';
import { createPocketsphinxWheel } from './pocketsphinx-wheel';
import { createWhisper } from './whisper';
import type { Stage } from './errors';
import { silenceWav } from './wav';

export interface EngineCheck {
  stage: Stage;
  engine: string;
  ok: boolean;
  /** What runs (ok) or what failed and how to fix it. */
  detail: string;
}

async function probe(stage: Stage, engine: string, run: () => Promise<string>): Promise<EngineCheck> {
  try {
    return { stage, engine, ok: true, detail: await run() };
  } catch (err) {
    return { stage, engine, ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

/** Checks the three stages concurrently; never throws. */
export async function checkSpeechEngines(config: SpeechConfig, log: (msg: string) => void): Promise<EngineCheck[]> {
  const { asr, llm, tts } = config;
  const remote = (s: { base_url: string; model: string }) => async () => `${s.base_url} (${s.model || 'default model'}, not probed)`;
  return Promise.all([
    probe('asr', asr.engine, asr.engine === 'openai' ? remote(asr) : asr.engine === 'whisper' ? () => createWhisper().check(log) : asr.engine === 'pocketsphinx' ? () => createPocketsphinxWheel().check(log) : async () => {
      await createPocketsphinx().transcribe(silenceWav(200));
      return 'pocketsphinx_continuous (Debian)';
    }),
    probe('llm', llm.engine, llm.engine === 'openai' ? remote(llm) : llm.engine === 'llama' ? () => createLlama(llm).check(log) : async () => 'echo responder (repeats the caller; not a language model)'),
    probe('tts', tts.engine, tts.engine === 'openai' ? remote(tts) : tts.engine === 'espeak' ? () => createEspeakWasm().check() : async () => {
      await createEspeak().speak('ready', tts.voice, 1);
      return 'espeak-ng (Debian)';
    }),
  ]);
}
