/**
 * GET /api/status (operators' dashboard) and POST /api/config (reload the config file),
 * contract §4.1. Neither ever shows a secret-named key.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendEvent, latestSeq } from '../../infra/event-log';
import { CONFIG_GENERATION_KEY } from '../../infra/settings';
import { assertAdmin } from '../auth';
import { configView } from '../config-view';
import { badRequest } from '../errors';
import { errors, OpenObject } from '../schemas/gateway';
import { liveCallState } from '../session-control';
import { probeProviders } from '../services/probes';

// Provider probes cost up to a second; dashboards poll /api/status (contract: cached ≤ 10 s).
const PROBE_CACHE_MS = 5000;
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
  const { db, config, startedAt, runtimeSettings } = app;
  let probes: { at: number; key: string; value: Promise<Awaited<ReturnType<typeof probeProviders>>> } | null = null;

  /** Open agent sockets of every API process, each with the live sessions it has taken over. */
  async function agents() {
    const rows = await db.agentConnection.findMany({ orderBy: { connectedAt: 'asc' } });
    if (rows.length === 0) return [];
    const active = await db.callSession.findMany({ where: { status: 'active' }, select: { id: true } });
    const states = await Promise.all(active.map((s) => liveCallState(app, s.id)));
    const held = new Map<string, string[]>();
    for (const state of states) {
      if (state?.takeoverAgentId && state.status === 'active') held.set(state.takeoverAgentId, [...(held.get(state.takeoverAgentId) ?? []), state.sessionId]);
    }
    return rows.map((r) => ({ agent_id: r.agentId, name: r.name, connected_at: epoch(r.connectedAt), takeover_sessions: held.get(r.agentId) ?? [] }));
  }

  app.get('/api/status', { schema: { tags, summary: 'Dashboard status', response: { 200: Status } } }, async () => {
    const settings = await runtimeSettings.current();
    const key = JSON.stringify(settings.speech);
    if (!probes || probes.key !== key || Date.now() - probes.at > PROBE_CACHE_MS) {
      probes = { at: Date.now(), key, value: probeProviders(settings.speech) };
    }
    const [totalCalls, errorCount, activeSessions, endedSessions, agentList, seq, providers] = await Promise.all([
      db.callSession.count(),
      db.event.count({ where: { type: 'turn.error' } }),
      db.callSession.count({ where: { status: 'active' } }),
      db.callSession.count({ where: { status: 'ended' } }),
      agents(),
      latestSeq(db),
      probes.value,
    ]);
    return {
      uptime_s: Math.round((Date.now() - startedAt) / 1000),
      total_calls: totalCalls,
      error_count: errorCount,
      active_sessions: activeSessions,
      ended_sessions: endedSessions,
      ui_subscribers: app.agentPlane.uiSubscriberCount(),
      agents: agentList,
      mlx_audio: providers.mlx_audio,
      llm: providers.llm,
      asr: providers.asr,
      tts: providers.tts,
      latest_seq: seq,
      config: configView(config, settings),
    };
  });

  /**
   * Re-reads the config file here, then bumps `config_generation` so the worker and other API
   * replicas re-read it on their next settings load. What a reload covers: every setting read
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
    const problems = config.reloadFile();
    if (problems.length > 0) throw badRequest(problems.join('; '), { ok: false, error: problems.join('; ') });
    const generation = randomUUID();
    config.fileGeneration = generation;
    await runtimeSettings.save({ [CONFIG_GENERATION_KEY]: generation });
    await appendEvent(db, { type: 'status.update', data: { event: 'config_reloaded' } });
    return { ok: true as const, config: configView(config, await runtimeSettings.current()) };
    },
  );
};
