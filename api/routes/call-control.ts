/**
 * POST /api/call/dial and /api/call/hangup (contract §4.1, §7) through the configured telephony
 * driver. They call the driver from the API directly: a dial belongs to no session yet (the
 * phone's greeting turn starts one), and the contract answers with the driver's own result.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app';
import { dial, hangup } from '../session-control';

export const callControlRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  if (!deps.telephony) return;
  app.post('/api/call/dial', async (req, reply) => {
    const answer = await dial(deps, (req.body ?? {}) as Record<string, unknown>);
    return reply.code(answer.status).send(answer.body);
  });
  app.post('/api/call/hangup', async (req, reply) => {
    const answer = await hangup(deps, (req.body ?? {}) as Record<string, unknown>);
    return reply.code(answer.status).send(answer.body);
  });
};
