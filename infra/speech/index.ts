/**
 * The voice pipeline's provider layer: one object that transcribes, completes and speaks,
 * with the engine for each stage chosen by the configuration (OpenAI-compatible servers, else
 * the embedded Whisper tiny.en, llama.cpp and espeak-ng WebAssembly; Debian's programs and the
 * echo responder when named). Activities wrap it; it knows nothing of workflows.
 */
import type { SpeechConfig } from '../speech-config';
import { ECHO_MODEL, echoReply } from './echo';
import { ProviderError } from './errors';
import { createEspeak, type EspeakOptions } from './espeak';
import { createEspeakWasm } from './espeak-wasm';
import { createLlama } from './llama';
import { createOpenAIChat, createOpenAISpeaker, createOpenAITranscriber, type ChatMessage } from './openai-providers';
import { createPocketsphinx, type PocketsphinxOptions } from './pocketsphinx';
import { createPocketsphinxWheel } from './pocketsphinx-wheel';
import { createWhisper } from './whisper';
import { cleanReply } from './text';
import { parseWav, WavError } from './wav';

export { isRetryableStatus, ProviderError, type Stage } from './errors';
export type { ChatMessage } from './openai-providers';

export interface SpeechEngineOptions {
  /**
   * Per-request HTTP timeouts, each well inside the turn budget (40 s, §2.4). Give the
   * activities a slightly longer startToCloseTimeout so this clearer error is the one seen.
   */
  timeoutMs?: { asr?: number; llm?: number; tts?: number };
  espeak?: EspeakOptions;
  pocketsphinx?: PocketsphinxOptions;
}

export interface EngineDescription {
  engine: string;
  model: string;
  base_url: string;
  has_api_key: boolean;
}

export interface CompleteOptions {
  /**
   * Work no caller waits for (a history summary). The embedded model runs it beside the calls'
   * replies instead of ahead of them (infra/speech/hosts/llama.mjs); a remote provider queues for
   * itself, so there it changes nothing.
   */
  background?: boolean;
}

export interface SpeechEngines {
  /** WAV (PCM16 or float, mono or stereo, 8–96 kHz) → trimmed transcript, "" for silence. */
  transcribe(wav: Buffer): Promise<{ transcript: string; ms: number }>;
  /** Chat messages → cleaned reply (§2.3, never empty) and the model id that answered. */
  complete(messages: ChatMessage[], opts?: CompleteOptions): Promise<{ reply: string; model: string; ms: number }>;
  /** Text → RIFF PCM16 mono WAV; voice and speed default to the configured ones. */
  synthesize(text: string, opts?: { voice?: string; speed?: number }): Promise<{ wav: Buffer; ms: number }>;
  /** What runs each stage, without secrets (for /health, /api/status). */
  describe(): { asr: EngineDescription; llm: EngineDescription; tts: EngineDescription };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: Math.round(performance.now() - start) };
}

/** Builds the engines for a configuration; rebuild them when the configuration changes. */
export function createSpeechEngines(config: SpeechConfig, opts: SpeechEngineOptions = {}): SpeechEngines {
  const { asr, llm, tts } = config;
  const asrEngine =
    asr.engine === 'openai'
      ? createOpenAITranscriber(asr, opts.timeoutMs?.asr ?? 10_000)
      : asr.engine === 'pocketsphinx-binary'
        ? createPocketsphinx(opts.pocketsphinx)
        : asr.engine === 'pocketsphinx'
          ? createPocketsphinxWheel({ timeoutMs: opts.timeoutMs?.asr })
          : createWhisper({ timeoutMs: opts.timeoutMs?.asr });
  const chat =
    llm.engine === 'openai' ? createOpenAIChat(llm, opts.timeoutMs?.llm ?? 20_000) : llm.engine === 'llama' ? createLlama(llm, { timeoutMs: opts.timeoutMs?.llm }) : null;
  const speaker =
    tts.engine === 'openai'
      ? createOpenAISpeaker(tts, opts.timeoutMs?.tts ?? 10_000)
      : tts.engine === 'espeak-binary'
        ? createEspeak(opts.espeak)
        : createEspeakWasm({ timeoutMs: opts.timeoutMs?.tts });

  const describe = (s: SpeechConfig[keyof SpeechConfig]): EngineDescription => ({
    engine: s.engine,
    model: s.model,
    base_url: s.base_url,
    has_api_key: s.api_key !== '',
  });

  return {
    async transcribe(wav) {
      try {
        parseWav(wav);
      } catch (err) {
        if (err instanceof WavError) throw new ProviderError(`invalid audio: ${err.message}`, 'asr', false);
        throw err;
      }
      const { value, ms } = await timed(() => asrEngine.transcribe(wav));
      return { transcript: value, ms };
    },

    async complete(messages, opts) {
      const { value, ms } = await timed(async () =>
        chat ? chat.chat(messages, llm, opts) : { reply: echoReply(messages), model: ECHO_MODEL },
      );
      return { reply: cleanReply(value.reply), model: value.model, ms };
    },

    async synthesize(text, { voice = tts.voice, speed = tts.speed } = {}) {
      const { value, ms } = await timed(() => speaker.speak(text, voice, speed));
      return { wav: value, ms };
    },

    describe: () => ({ asr: describe(asr), llm: describe(llm), tts: describe(tts) }),
  };
}
