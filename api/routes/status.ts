/**
 * GET /api/status (operators' dashboard) and POST /api/config (reload the config file),
 * contract §4.1. Neither ever shows a secret-named key.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { appendEvent, latestSeq } from '../../infra/event-log';
import { CONFIG_GENERATION_KEY, loadRuntimeSettings, saveSettings } from '../../infra/settings';
import type { AppDeps } from '../app';
import { requireAdmin } from '../auth';
import { configView } from '../config-view';
import { liveCallState } from '../session-control';
import { probeProviders } from './health';

// Provider probes cost up to a second; dashboards poll /api/status (contract: cached ≤ 10 s).
const PROBE_CACHE_MS = 5000;
const epoch = (d: Date) => d.getTime() / 1000;

export const statusRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const { db, config } = deps;
  const startedAt = deps.startedAt ?? Date.now();
  let probes: { at: number; key: string; value: Promise<Awaited<ReturnType<typeof probeProviders>>> } | null = null;

  /** Open agent sockets of every API process, each with the live sessions it has taken over. */
  async function agents() {
    const rows = await db.agentConnection.findMany({ orderBy: { connectedAt: 'asc' } });
    if (rows.length === 0) return [];
    const active = await db.callSession.findMany({ where: { status: 'active' }, select: { id: true } });
    const states = await Promise.all(active.map((s) => liveCallState(deps, s.id)));
    const held = new Map<string, string[]>();
    for (const state of states) {
      if (state?.takeoverAgentId && state.status === 'active') held.set(state.takeoverAgentId, [...(held.get(state.takeoverAgentId) ?? []), state.sessionId]);
    }
    return rows.map((r) => ({ agent_id: r.agentId, name: r.name, connected_at: epoch(r.connectedAt), takeover_sessions: held.get(r.agentId) ?? [] }));
  }

  app.get('/api/status', async () => {
    const settings = await loadRuntimeSettings(db, config);
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
      ui_subscribers: deps.agentHub?.uiSubscriberCount() ?? 0,
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
  app.post('/api/config', async (req, reply) => {
    if (!(await requireAdmin(config, req, reply))) return reply;
    const problems = config.reloadFile();
    if (problems.length > 0) return reply.code(400).send({ ok: false, error: problems.join('; '), detail: problems.join('; ') });
    const generation = randomUUID();
    config.fileGeneration = generation;
    await saveSettings(db, { [CONFIG_GENERATION_KEY]: generation });
    await appendEvent(db, { type: 'status.update', data: { event: 'config_reloaded' } });
    return { ok: true, config: configView(config, await loadRuntimeSettings(db, config)) };
  });
};
