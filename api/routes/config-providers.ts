/**
 * GET/POST /api/config/tts, POST /api/tts/preview, GET/POST /api/config/llm (contract §4.1,
 * §4.3): the voice and language-model providers. Keys are never shown, only `has_api_key`.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendEvent } from '../../infra/event-log';
import { assertAdmin, SECURITY_KEYS } from '../auth';
import { badRequest } from '../errors';
import { errors, LIMITS, OpenObject } from '../schemas/gateway';
import { probeStage } from '../services/probes';
import { candidate, llmConfigBody, LLM_KEYS, PIPER_NAMES, ttsConfigBody, TTS_KEYS, updatesFrom } from '../services/provider-config';

const tags = ['operator'];
const Setting = Type.Union([
  Type.String({ maxLength: LIMITS.setting }),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Type.String({ maxLength: LIMITS.short }), { maxItems: LIMITS.list }),
  Type.Object({}, { additionalProperties: true, maxProperties: 100 }),
  Type.Null(),
]);
/** Settings by name (generic or the old gateway's); each value is type-checked against its key. */
const Settings = Type.Record(Type.String({ maxLength: LIMITS.short }), Setting, { maxProperties: 100 });
const TtsConfig = OpenObject({
  lang: Type.String(),
  model: Type.String(),
  voice: Type.String(),
  speed: Type.Number(),
  voices: Type.Array(Type.String()),
  base_url: Type.String(),
  has_api_key: Type.Boolean(),
});
const LlmConfig = OpenObject({
  model: Type.String(),
  base_url: Type.String(),
  has_api_key: Type.Boolean(),
  max_tokens: Type.Number(),
  context_tokens: Type.Number(),
  context_tokens_effective: Type.Number(),
  max_history_turns: Type.Number(),
  temperature: Type.Number(),
  top_p: Type.Number(),
  top_p_enabled: Type.Boolean(),
  top_k: Type.Number(),
  top_k_enabled: Type.Boolean(),
  repeat_penalty: Type.Number(),
  stop: Type.Array(Type.String()),
  is_local: Type.Boolean(),
});
const saved = <T extends typeof TtsConfig | typeof LlmConfig>(body: T) => Type.Composite([Type.Object({ ok: Type.Literal(true) }), body], { additionalProperties: true });
const Preview = Type.Object({ ok: Type.Boolean(), audio_base64: Type.String(), voice: Type.String(), speed: Type.Number(), error: Type.Optional(Type.String()) });

export const providerConfigRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, runtimeSettings } = app;

  async function ttsBody() {
    const overrides = await runtimeSettings.overrides();
    const get = (key: string) => (Object.hasOwn(overrides, key) ? overrides[key] : config.lookup(key));
    const pipers: Record<string, string> = {};
    for (const key of [...PIPER_NAMES, ...Object.keys(overrides).filter((k) => k.startsWith('piper_'))]) {
      const value = get(key);
      if (value !== undefined) pipers[key] = value;
    }
    return ttsConfigBody((await runtimeSettings.current()).speech.tts, get, pipers);
  }
  const llmBody = async () => llmConfigBody((await runtimeSettings.current()).speech.llm);

  /** Admin check for the security keys among `updates` (403 otherwise). */
  const adminFor = (updates: Record<string, string>, req: FastifyRequest) => {
    if (Object.keys(updates).some((k) => SECURITY_KEYS.has(k))) assertAdmin(config, req);
  };

  app.get('/api/config/tts', { schema: { tags, summary: 'Voice provider', response: { 200: TtsConfig } } }, ttsBody);

  app.post('/api/config/tts', { schema: { tags, summary: 'Change the voice provider', body: Settings, response: { 200: saved(TtsConfig), ...errors(400, 403, 413) } } }, async (req) => {
    const updates = updatesFrom(req.body, TTS_KEYS, true);
    adminFor(updates, req);
    const next = await candidate(runtimeSettings, config, updates);
    if (next.problems.length > 0) throw badRequest(next.problems.join('; '), { ok: false, error: next.problems.join('; ') });
    const current = (await runtimeSettings.current()).speech.tts;
    // A new language may bring its own provider (tts_languages, piper_*): refuse to switch
    // the live calls' voice to a server that does not answer (contract §4.1, G68).
    if (next.config.tts.base_url !== current.base_url || next.config.tts.language !== current.language) {
      const probe = await probeStage(next.config.tts);
      if (!probe.ok) {
        const error = `TTS provider for language "${next.config.tts.language}" unreachable: ${probe.error}`;
        throw badRequest(error, { ok: false, error });
      }
    }
    await runtimeSettings.save(updates);
    const body = await ttsBody();
    await appendEvent(db, { type: 'config.tts_updated', data: body });
    return { ok: true as const, ...body };
  });

  /** Speaks a sample with the current provider, or the given voice and speed; changes nothing. */
  app.post(
    '/api/tts/preview',
    {
      schema: {
        tags,
        summary: 'Speak a sample',
        body: Type.Object(
          { text: Type.Optional(Type.String({ maxLength: LIMITS.speech })), voice: Type.Optional(Type.String({ maxLength: LIMITS.short })), speed: Type.Optional(Type.Number()) },
          { additionalProperties: true },
        ),
        response: { 200: Preview, 400: Preview, ...errors(413) },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const speech = (await runtimeSettings.current()).speech;
      const text = body.text?.trim() ? body.text.trim() : 'Hello! This is how I sound on the phone.';
      const voice = body.voice ? body.voice : speech.tts.voice;
      const speed = body.speed ?? speech.tts.speed;
      if (!Number.isFinite(speed) || speed < 0.25 || speed > 4) throw badRequest('speed must be a number from 0.25 to 4', { ok: false, error: 'speed must be a number from 0.25 to 4' });
      try {
        const { wav } = await app.speechEngines(speech).synthesize(text, { voice, speed });
        return { ok: true, audio_base64: wav.toString('base64'), voice, speed };
      } catch (err) {
        return reply.code(400).send({ ok: false, error: `TTS failed: ${(err as Error).message}`, audio_base64: '', voice, speed });
      }
    },
  );

  app.get('/api/config/llm', { schema: { tags, summary: 'Language-model provider', response: { 200: LlmConfig } } }, llmBody);

  app.post('/api/config/llm', { schema: { tags, summary: 'Change the language-model provider', body: Settings, response: { 200: saved(LlmConfig), ...errors(400, 403, 413) } } }, async (req) => {
    const updates = updatesFrom(req.body, LLM_KEYS, false);
    adminFor(updates, req);
    const next = await candidate(runtimeSettings, config, updates);
    if (next.problems.length > 0) throw badRequest(next.problems.join('; '), { ok: false, error: next.problems.join('; ') });
    await runtimeSettings.save(updates);
    const body = await llmBody();
    await appendEvent(db, { type: 'config.llm_updated', data: body });
    return { ok: true as const, ...body };
  });
};
