/**
 * The voice and language-model provider settings (contract §4.1, §4.3) under their generic
 * `tts_*` / `llm_*` names and the old gateway's aliases: wire views (keys never shown, only
 * `has_api_key`) and validated updates.
 */
import { isLoopbackHost, type Config } from '../../infra/config';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';
import { speechConfigFrom, type LlmSettings, type TtsSettings } from '../../infra/speech-config';
import { badRequest } from '../errors';

/** The voices a Kokoro server offers (American and British English), when none are configured. */
const KOKORO_VOICES = [
  'af_heart', 'af_alloy', 'af_aoede', 'af_bella', 'af_jessica', 'af_kore', 'af_nicole', 'af_nova', 'af_river', 'af_sarah', 'af_sky',
  'am_adam', 'am_echo', 'am_eric', 'am_fenrir', 'am_liam', 'am_michael', 'am_onyx', 'am_puck', 'am_santa',
  'bf_alice', 'bf_emma', 'bf_isabella', 'bf_lily', 'bm_daniel', 'bm_fable', 'bm_george', 'bm_lewis',
];

type Kind = 'string' | 'number' | 'boolean' | 'stop' | 'list' | 'object';

/** POST name (generic or the old gateway's) → [stored generic key, JSON type]. */
export const TTS_KEYS: Record<string, [string, Kind]> = {
  voice: ['tts_voice', 'string'],
  tts_voice: ['tts_voice', 'string'],
  speed: ['tts_speed', 'number'],
  tts_speed: ['tts_speed', 'number'],
  lang: ['tts_language', 'string'],
  tts_lang: ['tts_language', 'string'],
  tts_language: ['tts_language', 'string'],
  model: ['tts_model', 'string'],
  tts_model: ['tts_model', 'string'],
  base_url: ['tts_base_url', 'string'],
  tts_base_url: ['tts_base_url', 'string'],
  api_key: ['tts_api_key', 'string'],
  tts_api_key: ['tts_api_key', 'string'],
  voices: ['tts_voices', 'list'],
  tts_voices: ['tts_voices', 'list'],
  tts_languages: ['tts_languages', 'object'],
};

export const LLM_KEYS: Record<string, [string, Kind]> = {};
for (const [name, kind] of [
  ['model', 'string'], ['base_url', 'string'], ['api_key', 'string'], ['language', 'string'],
  ['max_tokens', 'number'], ['temperature', 'number'], ['top_p', 'number'], ['top_p_enabled', 'boolean'],
  ['top_k', 'number'], ['top_k_enabled', 'boolean'], ['repeat_penalty', 'number'], ['stop', 'stop'],
  ['context_tokens', 'number'], ['context_window', 'number'],
] as Array<[string, Kind]>) {
  LLM_KEYS[name] = [`llm_${name}`, kind];
  LLM_KEYS[`llm_${name}`] = [`llm_${name}`, kind];
}
LLM_KEYS.max_history_turns = ['max_history_turns', 'number'];

function encode(key: string, value: unknown, kind: Kind): string | { error: string } {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : { error: `${key} must be a string` };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : { error: `${key} must be a number` };
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : { error: `${key} must be true or false` };
    case 'stop':
      if (typeof value === 'string') return JSON.stringify(value === '' ? [] : [value]);
      return Array.isArray(value) && value.every((s) => typeof s === 'string') ? JSON.stringify(value) : { error: `${key} must be a string or a list of strings` };
    case 'list':
      return Array.isArray(value) && value.every((s) => typeof s === 'string') ? JSON.stringify(value) : { error: `${key} must be a list of strings` };
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? JSON.stringify(value) : { error: `${key} must be an object` };
  }
}

/**
 * Body → stored updates; the first type error is a 400 `{ok:false, error}`. `piper_*` keys are
 * stored as given (§4.3). Only the tables' own keys count: `constructor` is no setting.
 */
export function updatesFrom(body: Record<string, unknown>, keys: Record<string, [string, Kind]>, allowPiper: boolean): Record<string, string> {
  const updates: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (allowPiper && name.startsWith('piper_')) {
      if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`${name} must be a string or a number`);
      updates[name] = String(value);
      continue;
    }
    if (!Object.hasOwn(keys, name)) continue;
    const [target, kind] = keys[name];
    const encoded = encode(name, value, kind);
    if (typeof encoded !== 'string') throw invalid(encoded.error);
    updates[target] = encoded;
  }
  return updates;
}

const invalid = (error: string) => badRequest(error, { ok: false, error });

/** The speech settings as they would be with `updates` stored: validated before anything is saved. */
export async function candidate(settings: Pick<RuntimeSettingsService, 'overrides'>, config: Pick<Config, 'lookup'>, updates: Record<string, string>) {
  const overrides = { ...(await settings.overrides()), ...updates };
  const get = (key: string) => (key in overrides ? overrides[key] : config.lookup(key));
  return { get, ...speechConfigFrom(get) };
}

export function ttsConfigBody(tts: TtsSettings, get: (key: string) => string | undefined, pipers: Record<string, string>) {
  let voices: string[] = [];
  try {
    const configured: unknown = JSON.parse(get('tts_voices') ?? 'null');
    if (Array.isArray(configured)) voices = configured.map(String);
  } catch {
    // Not a list: fall back below.
  }
  if (voices.length === 0 && /kokoro/i.test(tts.model)) voices = KOKORO_VOICES;
  return {
    lang: tts.language,
    model: tts.model,
    voice: tts.voice,
    speed: tts.speed,
    voices,
    base_url: tts.base_url,
    has_api_key: tts.api_key !== '',
    // The old gateway's Piper settings belong to German.
    ...(tts.language === 'de' ? pipers : {}),
  };
}

export function llmConfigBody(llm: LlmSettings) {
  let local = true;
  if (llm.base_url) {
    try {
      local = isLoopbackHost(new URL(llm.base_url).hostname.replace(/^\[|\]$/g, ''));
    } catch {
      local = false;
    }
  }
  return {
    model: llm.model,
    base_url: llm.base_url,
    has_api_key: llm.api_key !== '',
    max_tokens: llm.max_tokens,
    context_tokens: llm.context_tokens,
    context_tokens_effective: llm.context_tokens_effective,
    max_history_turns: llm.max_history_turns,
    temperature: llm.temperature,
    top_p: llm.top_p,
    top_p_enabled: llm.top_p_enabled,
    top_k: llm.top_k,
    top_k_enabled: llm.top_k_enabled,
    repeat_penalty: llm.repeat_penalty,
    stop: llm.stop,
    is_local: local,
  };
}

export const PIPER_NAMES = ['piper_base', 'piper_voice', 'piper_length_scale'];
