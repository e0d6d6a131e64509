/**
 * Agent REST on one call (contract §4.1): its state, its injected context, and the takeover
 * stubs (takeover lives on the agent WebSocket: its lease is the connection).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badRequest, notFound } from '../errors';
import { errors, LIMITS, OkSession, OpenObject, PRINTABLE, SidParams } from '../schemas/gateway';
import { CallStateBody } from '../schemas/call-state';
import { callStateBody, liveCallState, mostRecentActive, setContext } from '../session-control';
import { sessionExists } from '../sessions';

const tags = ['operator'];
const ContextParams = Type.Object({ sid: Type.String({ minLength: 1, maxLength: LIMITS.short, pattern: PRINTABLE, description: 'Session id, or `_active`' }) });
const OkFalse = Type.Object({ ok: Type.Literal(false), detail: Type.String() });

export const agentCallRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  /** `_active` = the most recently active session; an unknown one is a 404. */
  async function resolve(sid: string): Promise<string> {
    if (sid === '_active') {
      const active = await mostRecentActive(app);
      if (!active) throw notFound('no active session');
      return active;
    }
    if (!(await sessionExists(app.db, sid))) throw notFound('Session not found');
    return sid;
  }
  const ack = (sessionId: string) => ({ ok: true, session_id: sessionId });

  app.get('/api/agent/call/:sid', { schema: { tags, summary: 'A call’s state', params: SidParams, response: { 200: CallStateBody } } }, async (req) => callStateBody(app, req.params.sid));

  app.get(
    '/api/agent/context/:sid',
    { schema: { tags, summary: 'A call’s injected knowledge', params: ContextParams, response: { 200: OpenObject({ session_id: Type.String(), knowledge: Type.String(), has_knowledge: Type.Boolean() }), ...errors(404) } } },
    async (req) => {
      const sid = await resolve(req.params.sid);
      const knowledge = (await liveCallState(app, sid))?.context ?? '';
      return { session_id: sid, knowledge, has_knowledge: knowledge !== '' };
    },
  );

  app.post(
    '/api/agent/context/:sid',
    {
      schema: {
        tags,
        summary: 'Replace a call’s injected knowledge',
        params: ContextParams,
        body: Type.Object({ context: Type.Optional(Type.String({ maxLength: LIMITS.prompt })) }, { additionalProperties: true }),
        response: { 200: OkSession, ...errors(400, 404, 409, 413) },
      },
    },
    async (req) => {
      const context = req.body.context;
      if (context === undefined || context.trim() === '') throw badRequest('context is required');
      const sid = await resolve(req.params.sid);
      await setContext(app, sid, context);
      return ack(sid);
    },
  );

  app.delete('/api/agent/context/:sid', { schema: { tags, summary: 'Clear a call’s injected knowledge', params: ContextParams, response: { 200: OkSession, ...errors(404, 409) } } }, async (req) => {
    const sid = await resolve(req.params.sid);
    await setContext(app, sid, '');
    return ack(sid);
  });

  // The old gateway's REST stubs, kept with their bodies: clients read `detail`.
  const stub = { tags, summary: 'Old REST stub: use the agent WebSocket', body: Type.Object({}, { additionalProperties: true }), response: { 200: OkFalse } };
  app.post('/api/agent/takeover', { schema: stub }, async () => ({ ok: false as const, detail: 'Use WebSocket /api/agent/ws for takeover' }));
  app.post('/api/agent/release', { schema: stub }, async () => ({ ok: false as const, detail: 'Use WebSocket /api/agent/ws for release' }));
};
