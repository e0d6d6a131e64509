/** GET /metrics: the API's Prometheus metrics (text exposition format). */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';

export const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operator'],
        summary: 'Prometheus metrics',
        response: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } } },
      },
    },
    async (_req, reply) => reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics()),
  );
};
