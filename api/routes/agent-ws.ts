/**
 * WS /api/agent/ws (agents: commands, takeover, events) and WS /ws/events (dashboards: events
 * only), contract §3. Authentication ran before the upgrade (the surface's onRequest hook); the
 * agent plane (api/plugins/agent-plane.ts) owns the sockets.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LIMITS } from '../schemas/gateway';

const Upgrade = Type.Null({ description: 'Not served: the route only upgrades to a WebSocket (101)' });
const WsQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: LIMITS.short })) }, { additionalProperties: true });

export const agentWsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/agent/ws',
    {
      websocket: true,
      schema: {
        tags: ['operator'],
        summary: 'Agent WebSocket (upgrade)',
        querystring: Type.Composite([WsQuery, Type.Object({ name: Type.Optional(Type.String({ maxLength: 1000 })) })], { additionalProperties: true }),
        response: { 101: Upgrade },
      },
    },
    (socket, req) => {
      const name = req.query.name?.trim() ? req.query.name.trim().slice(0, 100) : 'agent';
      app.agentPlane.open(socket, 'agent', name);
    },
  );
  app.get('/ws/events', { websocket: true, schema: { tags: ['operator'], summary: 'Event WebSocket for dashboards (upgrade)', querystring: WsQuery, response: { 101: Upgrade } } }, (socket) => {
    app.agentPlane.open(socket, 'events', 'events');
  });
};
