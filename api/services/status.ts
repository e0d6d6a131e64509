/**
 * What the operators' dashboard reads (GET /api/status) and the config-file reload
 * (POST /api/config): counts, agents with their takeovers, cached provider probes, and the
 * reload that every other process follows through `config_generation`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { appendEvent, latestSeq } from '../../infra/event-log';
import { CONFIG_GENERATION_KEY } from '../../infra/settings';
import { liveCallState } from '../session-control';
import { probeProviders } from './probes';

// Provider probes cost up to a second; dashboards poll /api/status (contract: cached ≤ 10 s).
const PROBE_CACHE_MS = 5000;

export function createStatusService(deps: Pick<FastifyInstance, 'db' | 'temporal' | 'config' | 'runtimeSettings'>) {
  const { db, config, runtimeSettings } = deps;
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
    return rows.map((r) => ({ agentId: r.agentId, name: r.name, connectedAt: r.connectedAt, takeoverSessions: held.get(r.agentId) ?? [] }));
  }

  return {
    /** The counts, agents, provider probes (cached per speech configuration) and settings in force. */
    async snapshot() {
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
      return { settings, totalCalls, errorCount, activeSessions, endedSessions, agents: agentList, latestSeq: seq, providers };
    },

    /**
     * Re-reads the config file here, then bumps `config_generation` so the worker and other API
     * replicas re-read it on their next settings read. Answers the file's problems (nothing is
     * changed then) or none.
     */
    async reloadConfig(): Promise<string[]> {
      const problems = config.reloadFile();
      if (problems.length > 0) return problems;
      const generation = randomUUID();
      config.fileGeneration = generation;
      await runtimeSettings.save({ [CONFIG_GENERATION_KEY]: generation });
      await appendEvent(db, { type: 'status.update', data: { event: 'config_reloaded' } });
      return [];
    },
  };
}
