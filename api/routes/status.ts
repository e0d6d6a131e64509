/**
 * GET /api/status (operators' dashboard) and POST /api/config (reload the config file),
 * contract §4.1. Neither ever shows a secret-named key.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { assertAdmin } from '../auth';
import { configView } from '../config-view';
import { badRequest } from '../errors';
import { errors, OpenObject } from '../schemas/gateway';
import { createStatusService } from '../services/status';

const epoch = (d: Date) => d.getTime() / 1000;

const Probe = OpenObject({ ok: Type.Boolean() });
const Status = OpenObject(
  {
    uptime_s: Type.Integer(),
    total_calls: Type.Integer(),
    error_count: Type.Integer(),
    active_sessions: Type.Integer(),
    ended_sessions: Type.Integer(),
    ui_subscribers: Type.Integer(),
    agents: Type.Array(OpenObject({ agent_id: Type.String(), name: Type.String(), connected_at: Type.Number(), takeover_sessions: Type.Array(Type.String()) })),
    mlx_audio: Probe,
    llm: Probe,
    asr: Probe,
    tts: Probe,
    latest_seq: Type.Integer(),
    config: OpenObject(),
  },
  'What the operators’ dashboard shows',
);
const tags = ['operator'];

export const statusRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, startedAt, runtimeSettings } = app;
  const status = createStatusService(app);

  app.get('/api/status', { schema: { tags, summary: 'Dashboard status', response: { 200: Status } } }, async () => {
    const s = await status.snapshot();
    return {
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      total_calls: s.totalCalls,
      error_count: s.errorCount,
      active_sessions: s.activeSessions,
      ended_sessions: s.endedSessions,
      ui_subscribers: app.agentPlane.uiSubscriberCount(),
      agents: s.agents.map((a) => ({ agent_id: a.agentId, name: a.name, connected_at: epoch(a.connectedAt), takeover_sessions: a.takeoverSessions })),
      mlx_audio: s.providers.mlx_audio,
      llm: s.providers.llm,
      asr: s.providers.asr,
      tts: s.providers.tts,
      latest_seq: s.latestSeq,
      config: configView(config, s.settings),
    };
  });

  /**
   * Re-reads the config file here, then bumps `config_generation` so the worker and other API
   * replicas re-read it on their next settings read (api/services/status.ts). What a reload covers: every setting read
   * at runtime (call policy, greetings, providers, prompt, generation settings) where no
   * runtime override (POST /api/config/*) is stored. Process settings fixed at boot (host,
   * port, tokens, origins, database, Temporal, timeouts) need a restart.
   */
  app.post(
    '/api/config',
    {
      schema: {
        tags,
        summary: 'Reload the config file (admin)',
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: Type.Object({ ok: Type.Literal(true), config: OpenObject() }), ...errors(400, 403) },
      },
    },
    async (req) => {
    assertAdmin(config, req);
    const problems = await status.reloadConfig();
    if (problems.length > 0) throw badRequest(problems.join('; '), { ok: false, error: problems.join('; ') });
    return { ok: true as const, config: configView(config, await runtimeSettings.current()) };
    },
  );
};
