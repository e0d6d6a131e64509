/**
 * Agent REST on one call (contract §4.1): its state, its injected context, and the takeover
 * stubs (takeover lives on the agent WebSocket: its lease is the connection).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { AppDeps } from '../app';
import { callStateBody, liveCallState, mostRecentActive, setContext, type Answer } from '../session-control';

type Sid = { Params: { sid: string } };

export const agentCallRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const { db } = deps;

  /** `_active` = the most recently active session; answers null after sending the 404. */
  async function resolve(sid: string, reply: FastifyReply): Promise<string | null> {
    if (sid === '_active') {
      const active = await mostRecentActive(deps);
      if (!active) await reply.code(404).send({ detail: 'no active session' });
      return active;
    }
    if (!(await db.callSession.findUnique({ where: { id: sid }, select: { id: true } }))) {
      await reply.code(404).send({ detail: 'Session not found' });
      return null;
    }
    return sid;
  }
  const send = (reply: FastifyReply, answer: Answer) =>
    reply.code(answer.status).send(answer.status === 200 ? { ok: true, session_id: answer.body.session_id } : answer.body);

  app.get<Sid>('/api/agent/call/:sid', async (req) => callStateBody(deps, req.params.sid));

  app.get<Sid>('/api/agent/context/:sid', async (req, reply) => {
    const sid = await resolve(req.params.sid, reply);
    if (!sid) return reply;
    const knowledge = (await liveCallState(deps, sid))?.context ?? '';
    return { session_id: sid, knowledge, has_knowledge: knowledge !== '' };
  });

  app.post<Sid>('/api/agent/context/:sid', async (req, reply) => {
    const context = (req.body as { context?: unknown } | null)?.context;
    if (typeof context !== 'string' || context.trim() === '') return reply.code(400).send({ detail: 'context is required' });
    const sid = await resolve(req.params.sid, reply);
    if (!sid) return reply;
    return send(reply, await setContext(deps, sid, context));
  });

  app.delete<Sid>('/api/agent/context/:sid', async (req, reply) => {
    const sid = await resolve(req.params.sid, reply);
    if (!sid) return reply;
    return send(reply, await setContext(deps, sid, ''));
  });

  // The old gateway's REST stubs, kept with their bodies: clients read `detail`.
  app.post('/api/agent/takeover', async () => ({ ok: false, detail: 'Use WebSocket /api/agent/ws for takeover' }));
  app.post('/api/agent/release', async () => ({ ok: false, detail: 'Use WebSocket /api/agent/ws for release' }));
};
