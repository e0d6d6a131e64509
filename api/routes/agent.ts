/** Agent REST routes (contract §4.1) that read the session projection. */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app';

export const agentRoutes: FastifyPluginAsync<AppDeps> = async (app, { db }) => {
  /** Active session ids, most recently active first. */
  app.get('/api/agent/sessions', async () => {
    const rows = await db.callSession.findMany({
      where: { status: 'active' },
      orderBy: [{ lastActiveAt: 'desc' }, { createdAt: 'desc' }],
      select: { id: true },
    });
    return rows.map((r) => r.id);
  });
};
