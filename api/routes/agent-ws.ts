/**
 * WS /api/agent/ws (agents: commands, takeover, events) and WS /ws/events (dashboards: events
 * only), contract §3. Authentication ran before the upgrade (the app's onRequest hook); the
 * app registers @fastify/websocket.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AgentPlane } from '../agents/plane';

export const agentWsRoutes: FastifyPluginAsync<{ plane: AgentPlane }> = async (app, { plane }) => {
  await plane.start();
  app.addHook('onClose', async () => plane.close());

  app.get<{ Querystring: { name?: string } }>('/api/agent/ws', { websocket: true }, (socket, req) => {
    const name = typeof req.query.name === 'string' && req.query.name.trim() ? req.query.name.trim().slice(0, 100) : 'agent';
    plane.open(socket, 'agent', name);
  });
  app.get('/ws/events', { websocket: true }, (socket) => {
    plane.open(socket, 'events', 'events');
  });
};
