/**
 * GET/POST /api/config/tts, POST /api/tts/preview, GET/POST /api/config/llm (contract §4.1,
 * §4.3): the voice and language-model providers, under their generic `tts_*` / `llm_*` names
 * and the old gateway's aliases. Keys are never shown, only `has_api_key`.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createSpeechEngines } from '../../infra/speech';
import { isLoopbackHost, type Config } from '../../infra/config';
import { appendEvent } from '../../infra/event-log';
import { loadOverrides, loadRuntimeSettings, saveSettings } from '../../infra/settings';
import { speechConfigFrom, type LlmSettings, type TtsSettings } from '../../infra/speech-config';
import type { Db } from '../../infra/db';
import type { AppDeps } from '../app';
import { requireAdmin, SECURITY_KEYS } from '../auth';
import { probeStage } from './health';

/** The voices a Kokoro server offers (American and British English), when none are configured. */
const KOKORO_VOICES = [
  'af_heart', 'af_alloy', 'af_aoede', 'af_bella', 'af_jessica', 'af_kore', 'af_nicole', 'af_nova', 'af_river', 'af_sarah', 'af_sky',
  'am_adam', 'am_echo', 'am_eric', 'am_fenrir', 'am_liam', 'am_michael', 'am_onyx', 'am_puck', 'am_santa',
  'bf_alice', 'bf_emma', 'bf_isabella', 'bf_lily', 'bm_daniel', 'bm_fable', 'bm_george', 'bm_lewis',
];

type Kind = 'string' | 'number' | 'boolean' | 'stop' | 'list' | 'object';

/** POST name (generic or the old gateway's) → [stored generic key, JSON type]. */
const TTS_KEYS: Record<string, [string, Kind]> = {
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

const LLM_KEYS: Record<string, [string, Kind]> = {};
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

/** Body → stored updates, or the first type error. `piper_*` keys are stored as given (§4.3). */
function updatesFrom(body: Record<string, unknown>, keys: Record<string, [string, Kind]>, allowPiper: boolean): Record<string, string> | { error: string } {
  const updates: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (allowPiper && name.startsWith('piper_')) {
      if (typeof value !== 'string' && typeof value !== 'number') return { error: `${name} must be a string or a number` };
      updates[name] = String(value);
      continue;
    }
    const known = keys[name];
    if (!known) continue;
    const encoded = encode(name, value, known[1]);
    if (typeof encoded !== 'string') return encoded;
    updates[known[0]] = encoded;
  }
  return updates;
}

/** The speech settings as they would be with `updates` stored: validated before anything is saved. */
async function candidate(db: Db, config: Pick<Config, 'lookup'>, updates: Record<string, string>) {
  const overrides = { ...(await loadOverrides(db)), ...updates };
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

const PIPER_NAMES = ['piper_base', 'piper_voice', 'piper_length_scale'];

export const providerConfigRoutes: FastifyPluginAsync<AppDeps> = async (app, { db, config, engines = createSpeechEngines }) => {
  async function ttsBody() {
    const overrides = await loadOverrides(db);
    const get = (key: string) => (key in overrides ? overrides[key] : config.lookup(key));
    const pipers: Record<string, string> = {};
    for (const key of [...PIPER_NAMES, ...Object.keys(overrides).filter((k) => k.startsWith('piper_'))]) {
      const value = get(key);
      if (value !== undefined) pipers[key] = value;
    }
    return ttsConfigBody((await loadRuntimeSettings(db, config)).speech.tts, get, pipers);
  }
  const llmBody = async () => llmConfigBody((await loadRuntimeSettings(db, config)).speech.llm);

  /** Admin check for the security keys among `updates`; false once it has answered 403. */
  const adminFor = async (updates: Record<string, string>, req: FastifyRequest, reply: FastifyReply) =>
    !Object.keys(updates).some((k) => SECURITY_KEYS.has(k)) || requireAdmin(config, req, reply);

  app.get('/api/config/tts', ttsBody);

  app.post('/api/config/tts', async (req, reply) => {
    const updates = updatesFrom((req.body ?? {}) as Record<string, unknown>, TTS_KEYS, true);
    if ('error' in updates) return reply.code(400).send({ ok: false, error: updates.error });
    if (!(await adminFor(updates, req, reply))) return reply;
    const next = await candidate(db, config, updates);
    if (next.problems.length > 0) return reply.code(400).send({ ok: false, error: next.problems.join('; ') });
    const current = (await loadRuntimeSettings(db, config)).speech.tts;
    // A new language may bring its own provider (tts_languages, piper_*): refuse to switch
    // the live calls' voice to a server that does not answer (contract §4.1, G68).
    if (next.config.tts.base_url !== current.base_url || next.config.tts.language !== current.language) {
      const probe = await probeStage(next.config.tts);
      if (!probe.ok) return reply.code(400).send({ ok: false, error: `TTS provider for language "${next.config.tts.language}" unreachable: ${probe.error}` });
    }
    await saveSettings(db, updates);
    const body = await ttsBody();
    await appendEvent(db, { type: 'config.tts_updated', data: body });
    return { ok: true, ...body };
  });

  /** Speaks a sample with the current provider, or the given voice and speed; changes nothing. */
  app.post('/api/tts/preview', async (req, reply) => {
    const body = (req.body ?? {}) as { text?: unknown; voice?: unknown; speed?: unknown };
    const tts = (await loadRuntimeSettings(db, config)).speech;
    const text = typeof body.text === 'string' && body.text.trim() ? body.text.trim() : 'Hello! This is how I sound on the phone.';
    const voice = typeof body.voice === 'string' && body.voice ? body.voice : tts.tts.voice;
    const speed = typeof body.speed === 'number' ? body.speed : tts.tts.speed;
    if (!Number.isFinite(speed) || speed < 0.25 || speed > 4) return reply.code(400).send({ ok: false, error: 'speed must be a number from 0.25 to 4' });
    try {
      const { wav } = await engines(tts).synthesize(text, { voice, speed });
      return { ok: true, audio_base64: wav.toString('base64'), voice, speed };
    } catch (err) {
      return reply.code(400).send({ ok: false, error: `TTS failed: ${(err as Error).message}`, audio_base64: '', voice, speed });
    }
  });

  app.get('/api/config/llm', llmBody);

  app.post('/api/config/llm', async (req, reply) => {
    const updates = updatesFrom((req.body ?? {}) as Record<string, unknown>, LLM_KEYS, false);
    if ('error' in updates) return reply.code(400).send({ ok: false, error: updates.error });
    if (!(await adminFor(updates, req, reply))) return reply;
    const next = await candidate(db, config, updates);
    if (next.problems.length > 0) return reply.code(400).send({ ok: false, error: next.problems.join('; ') });
    await saveSettings(db, updates);
    const body = await llmBody();
    await appendEvent(db, { type: 'config.llm_updated', data: body });
    return { ok: true, ...body };
  });
};
