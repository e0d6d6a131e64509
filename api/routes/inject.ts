/**
 * POST /api/call/inject and /api/agent/inject (contract §4.1): queue speech for the caller of a
 * session (default: the most recently active one) through the workflow's injectSpeech update.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { callSessionWorkflowId } from '../../common/ids';
import { injectSpeechUpdate } from '../../workflows/call-session/messages';
import type { AppDeps } from '../app';

export const injectRoutes: FastifyPluginAsync<AppDeps> = async (app, { db, temporal }) => {
  async function inject(req: FastifyRequest, reply: FastifyReply) {
    const body = (req.body ?? {}) as { text?: unknown; session_id?: unknown };
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!text) return reply.code(400).send({ detail: 'text required' });
    let sessionId = typeof body.session_id === 'string' && body.session_id !== '' ? body.session_id : '';
    if (!sessionId) {
      // The most recently active session (the old agent paths took the oldest, often dead).
      const latest = await db.callSession.findFirst({ where: { status: 'active' }, orderBy: [{ lastActiveAt: 'desc' }, { createdAt: 'desc' }] });
      if (!latest) return reply.code(400).send({ detail: 'no active session' });
      sessionId = latest.id;
    } else {
      const row = await db.callSession.findUnique({ where: { id: sessionId } });
      if (!row) return reply.code(404).send({ detail: 'Session not found' });
      if (row.status !== 'active') return reply.code(409).send({ detail: 'session ended' });
    }
    try {
      return await temporal.workflow
        .getHandle(callSessionWorkflowId(sessionId))
        .executeUpdate(injectSpeechUpdate, { args: [{ injectId: randomUUID().replace(/-/g, ''), text }] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError || /already completed/i.test((err as Error).message)) {
        return reply.code(409).send({ detail: 'session ended' });
      }
      throw err;
    }
  }
  app.post('/api/call/inject', inject);
  app.post('/api/agent/inject', inject);
};
