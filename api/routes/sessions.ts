/** Persisted sessions and their turns (contract §4.1 GET /api/sessions, /api/sessions/{sid}). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../errors';
import { recentSessions, sessionWithTurns } from '../sessions';
import { errors, OpenObject, SidParams } from '../schemas/gateway';

const epoch = (d: Date | null) => (d ? d.getTime() / 1000 : null);

const Epoch = Type.Union([Type.Number(), Type.Null()], { description: 'Seconds since the epoch' });
const SessionRow = Type.Object({ session_id: Type.String(), created_at: Epoch, turn_count: Type.Integer(), status: Type.String(), ended_at: Epoch });
const Turn = OpenObject({
  turn_id: Type.String(),
  transcript: Type.String(),
  reply: Type.String(),
  metrics: Type.Unknown(),
  forced_reply: Type.Union([Type.String(), Type.Null()]),
  timestamp: Epoch,
  model: Type.Union([Type.String(), Type.Null()]),
  reply_source: Type.Union([Type.String(), Type.Null()]),
});
const SessionDetail = OpenObject({
  session_id: Type.String(),
  created_at: Epoch,
  status: Type.String(),
  ended_at: Epoch,
  end_reason: Type.Union([Type.String(), Type.Null()]),
  caller_number: Type.String(),
  call_direction: Type.String(),
  turns: Type.Array(Turn),
});
const tags = ['operator'];

export const sessionRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;
  app.get('/api/sessions', { schema: { tags, summary: 'The 500 newest sessions', response: { 200: Type.Array(SessionRow) } } }, async () => {
    const rows = await recentSessions(db);
    return rows.map((r) => ({ session_id: r.id, created_at: epoch(r.createdAt), turn_count: r.turnCount, status: r.status, ended_at: epoch(r.endedAt) }));
  });

  app.get('/api/sessions/:sid', { schema: { tags, summary: 'A session and its turns', params: SidParams, response: { 200: SessionDetail, ...errors(404) } } }, async (req) => {
    const row = await sessionWithTurns(db, req.params.sid);
    if (!row) throw notFound('Session not found');
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
