/**
 * POST /api/call/inject and /api/agent/inject (contract §4.1): queue speech for the caller of a
 * session (default: the most recently active one) through the workflow's injectSpeech update.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app';
import { injectSpeech } from '../session-control';

export const injectRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  async function inject(req: FastifyRequest, reply: FastifyReply) {
    const answer = await injectSpeech(deps, (req.body ?? {}) as Record<string, unknown>);
    return reply.code(answer.status).send(answer.body);
  }
  app.post('/api/call/inject', inject);
  app.post('/api/agent/inject', inject);
};
