/**
 * The Control Center surface: the dashboard's static bundle at `/` and its open auth probe (no
 * token: the login screen must load first; the Origin rule still applies), and its read routes
 * behind the operator access hook, with the gateway's `{detail}` errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { accessHook, originAllowed } from '../auth';
import { forbidden } from '../errors';
import { gatewayErrorHandler } from '../surfaces/gateway-errors';
import { DASHBOARD_DIST } from './assets';
import { dashboardOpenRoutes, dashboardReadRoutes } from './routes';

export const dashboardSurface: FastifyPluginAsync = async (app) => {
  app.setErrorHandler(gatewayErrorHandler);
  await app.register(async (guarded) => {
    guarded.addHook('onRequest', accessHook(app.config, 'operator'));
    await guarded.register(dashboardReadRoutes);
  });
  await app.register(async (open) => {
    open.addHook('onRequest', async (req) => {
      if (!originAllowed(req, app.config)) throw forbidden('origin not allowed');
    });
    await open.register(dashboardOpenRoutes);
    if (fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
      // wildcard:false serves exactly the files present at boot; every other GET keeps the app's 404.
      await open.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', wildcard: false, index: 'index.html' });
      return;
    }
    // A process started without the bootstrap (e.g. jest building the app) has no bundle.
    open.get('/', { schema: { hide: true } }, async (_req, reply) => reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build:web`.\n'));
  });
};
