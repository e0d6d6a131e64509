/**
 * OpenAI-compatible providers (contract §4.3): /audio/transcriptions, /chat/completions,
 * /audio/speech. The SDK never retries (`maxRetries: 0`): Temporal owns retries, and an
 * SDK retry inside an activity would eat the turn's time budget unseen.
 */
import OpenAI, { toFile } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { LlmSettings, StageSettings } from '../speech-config';
import { isRetryableStatus, ProviderError, type Stage } from './errors';
import { parseWav, toPcm16Mono, WavError } from './wav';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Connection {
  base_url: string;
  api_key: string;
}

/** The phone plays replies up to 48 kHz (§2.3). */
const MAX_REPLY_RATE = 48000;

/** The SDK insists on a key; local servers (mlx-audio, llama.cpp) take none. */
const NO_KEY = 'none';

export function createOpenAIClient(connection: Connection, timeoutMs: number): OpenAI {
  return new OpenAI({ baseURL: connection.base_url, apiKey: connection.api_key || NO_KEY, maxRetries: 0, timeout: timeoutMs });
}

/** Maps SDK failures (HTTP status, connection, timeout) to ProviderError. */
export function toProviderError(stage: Stage, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    return new ProviderError(`${stage} provider failed: ${err.message}`, stage, isRetryableStatus(status), status, err);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new ProviderError(`${stage} provider failed: ${e.message}`, stage, true, undefined, e);
}

async function guarded<T>(stage: Stage, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toProviderError(stage, err);
  }
}

/** The chat request body for the settings (§4.3 mapping of llama.cpp-style knobs). */
export function chatRequest(messages: ChatMessage[], s: LlmSettings): ChatCompletionCreateParamsNonStreaming & { top_k?: number } {
  return {
    model: s.model,
    messages,
    max_tokens: s.max_tokens,
    temperature: s.temperature,
    ...(s.top_p_enabled ? { top_p: s.top_p } : {}),
    // Rounded: 1.1 − 1 would otherwise go out as 0.10000000000000009.
    ...(s.repeat_penalty !== 1 ? { frequency_penalty: Math.round((s.repeat_penalty - 1) * 1e6) / 1e6 } : {}),
    // Not an OpenAI parameter: llama.cpp, vLLM and mlx servers read it from the body.
    ...(s.top_k_enabled && s.top_k > 0 ? { top_k: s.top_k } : {}),
    ...(s.stop.length > 0 ? { stop: s.stop } : {}),
  };
}

/** Speech-to-text through /audio/transcriptions. */
export function createOpenAITranscriber(asr: StageSettings, timeoutMs: number) {
  const client = createOpenAIClient(asr, timeoutMs);
  return {
    async transcribe(audio: Buffer): Promise<string> {
      return guarded('asr', async () => {
        const file = await toFile(audio, 'turn.wav', { type: 'audio/wav' });
        const res = await client.audio.transcriptions.create({
          file,
          model: asr.model,
          response_format: 'json',
          ...(asr.language ? { language: asr.language } : {}),
        });
        return res.text.trim();
      });
    },
  };
}

/** Chat completions; settings come per call so a config change needs no new client. */
export function createOpenAIChat(llm: Connection, timeoutMs: number) {
  const client = createOpenAIClient(llm, timeoutMs);
  return {
    /** The raw reply (uncleaned) and the model id the server reports. */
    async chat(messages: ChatMessage[], settings: LlmSettings): Promise<{ reply: string; model: string }> {
      return guarded('llm', async () => {
        const completion = await client.chat.completions.create(chatRequest(messages, settings));
        return { reply: completion.choices[0]?.message?.content ?? '', model: completion.model || settings.model };
      });
    },
  };
}

/** Text-to-speech through /audio/speech, always asking for WAV. */
export function createOpenAISpeaker(tts: StageSettings, timeoutMs: number) {
  const client = createOpenAIClient(tts, timeoutMs);
  return {
    /** Returns the provider's WAV as canonical PCM16 mono, resampled down to 48 kHz at most (§2.3). */
    async speak(text: string, voice: string, speed: number): Promise<Buffer> {
      const wav = await guarded('tts', async () => {
        const res = await client.audio.speech.create({ model: tts.model, voice, input: text, speed, response_format: 'wav' });
        return Buffer.from(await res.arrayBuffer());
      });
      try {
        return toPcm16Mono(wav, Math.min(parseWav(wav).sampleRate, MAX_REPLY_RATE));
      } catch (err) {
        if (!(err instanceof WavError)) throw err;
        throw new ProviderError(`tts provider returned unusable audio: ${err.message}`, 'tts', false);
      }
    },
  };
}
