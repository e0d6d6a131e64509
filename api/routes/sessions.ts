/** Persisted sessions and their turns (contract §4.1 GET /api/sessions, /api/sessions/{sid}). */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app';

const epoch = (d: Date | null) => (d ? d.getTime() / 1000 : null);

export const sessionRoutes: FastifyPluginAsync<AppDeps> = async (app, { db }) => {
  app.get('/api/sessions', async () => {
    const rows = await db.callSession.findMany({ orderBy: { createdAt: 'desc' }, take: 500 });
    return rows.map((r) => ({ session_id: r.id, created_at: epoch(r.createdAt), turn_count: r.turnCount, status: r.status, ended_at: epoch(r.endedAt) }));
  });

  app.get<{ Params: { sid: string } }>('/api/sessions/:sid', async (req, reply) => {
    const row = await db.callSession.findUnique({ where: { id: req.params.sid }, include: { turns: { orderBy: { seq: 'asc' } } } });
    if (!row) return reply.code(404).send({ detail: 'Session not found' });
    return {
      session_id: row.id,
      created_at: epoch(row.createdAt),
      status: row.status,
      ended_at: epoch(row.endedAt),
      end_reason: row.endReason,
      caller_number: row.callerNumber,
      call_direction: row.callDirection,
      turns: row.turns.map((t) => ({
        turn_id: t.id,
        transcript: t.transcript,
        reply: t.reply,
        metrics: JSON.parse(t.metricsJson),
        forced_reply: t.forcedReply,
        timestamp: epoch(t.createdAt),
        model: t.model,
        reply_source: t.replySource,
      })),
    };
  });
};
