/**
 * The `metrics` decorator (infra/metrics.ts) and what is counted for every request: /v1
 * requests by route and status. GET /metrics itself is an operator route (api/routes/metrics.ts).
 */
import fp from 'fastify-plugin';
import { createApiMetrics, type ApiMetrics } from '../../infra/metrics';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics;
  }
}

export const metricsPlugin = fp(
  async (app) => {
    const metrics = createApiMetrics(app.db);
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url;
      // Counted by route template, never by raw URL: ids would explode the label set.
      if (route?.startsWith('/v1')) metrics.v1Requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    });
  },
  { name: 'parley-metrics', dependencies: ['parley-services'], fastify: '5.x' },
);
