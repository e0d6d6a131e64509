/**
 * The API process's Prometheus metrics (prom-client), served at GET /metrics. Gauges that
 * describe stored state (active calls, mission events by status) are read at scrape time.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from './db';

/** Stages of a phone turn, as the turn body's `metrics` reports them. */
const STAGES = ['asr', 'llm', 'tts', 'total'] as const;

export function createApiMetrics(db: Db) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_api_' });
  const turnDuration = new Histogram({
    name: 'parley_turn_stage_seconds',
    help: 'Latency of each stage of a phone turn, by reply source',
    labelNames: ['stage', 'reply_source'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 45],
    registers: [registry],
  });
  const turns = new Counter({ name: 'parley_turns_total', help: 'Phone turns answered, by outcome', labelNames: ['outcome'], registers: [registry] });
  const takeovers = new Counter({ name: 'parley_takeovers_total', help: 'Takeovers granted to agents', registers: [registry] });
  const eventsDelivered = new Counter({ name: 'parley_events_delivered_total', help: 'Events sent to agent and dashboard sockets', registers: [registry] });
  const v1Requests = new Counter({ name: 'parley_v1_requests_total', help: '/v1 requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  new Gauge({
    name: 'parley_active_calls',
    help: 'Call sessions that are active',
    registers: [registry],
    async collect() {
      this.set(await db.callSession.count({ where: { status: 'active' } }));
    },
  });
  new Gauge({
    name: 'parley_mission_events',
    help: 'Scheduled mission events by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.scheduledEvent.groupBy({ by: ['status'], _count: { _all: true } });
      for (const row of rows) this.set({ status: row.status }, row._count._all);
    },
  });

  return {
    registry,
    turns,
    takeovers,
    eventsDelivered,
    v1Requests,
    /** Records one turn: its outcome, and on success each stage's latency from the body's `metrics`. */
    observeTurn(outcome: string, body: Record<string, unknown>, replySource: string | undefined): void {
      turns.inc({ outcome });
      const timings = body.metrics as Record<string, unknown> | undefined;
      if (outcome !== 'ok' || !timings) return;
      for (const stage of STAGES) {
        const ms = timings[`${stage}_ms`];
        if (typeof ms === 'number' && Number.isFinite(ms)) turnDuration.observe({ stage, reply_source: replySource ?? 'unknown' }, ms / 1000);
      }
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
