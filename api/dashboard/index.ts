/**
 * The Control Center surface: the dashboard's static bundle at `/` and its read routes.
 * The bundle and the auth probe are served without the bearer token (a browser cannot send a
 * header when it opens `/`, the login screen must load before the token is known, and they hold
 * no data); the Origin rule still applies to them. The read routes have the operator surface's
 * access rules and `{detail}` errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { accessHook, originAllowed } from '../auth';
import { gatewayErrorHandler } from '../surfaces/gateway-errors';
import { dashboardAuthRoute, dashboardReadRoutes } from './routes';

/** Built by scripts/build-web.js (npm start and npm test run it when web/src changed). */
export const DASHBOARD_DIST = path.resolve(__dirname, '..', '..', 'web', 'dist');

const bundle: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', async (req, reply) => {
    if (!originAllowed(req, app.config)) await reply.code(403).send({ detail: 'Forbidden' });
  });
  await app.register(dashboardAuthRoute);
  if (fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
    // wildcard:false serves exactly the files present at boot; any other path keeps the app's
    // 404 (after the token check). decorateReply:false: /docs registers @fastify/static too.
    await app.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', wildcard: false, index: 'index.html', decorateReply: false });
    return;
  }
  // A process started without the bootstrap (e.g. jest building the app) has no bundle.
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build:web`.\n'));
};

const reads: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', accessHook(app.config, 'operator'));
  await app.register(dashboardReadRoutes);
};

export const dashboardSurface: FastifyPluginAsync = async (app) => {
  app.setErrorHandler(gatewayErrorHandler);
  await app.register(bundle);
  await app.register(reads);
};
