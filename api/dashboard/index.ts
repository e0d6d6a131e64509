/** The Control Center: the dashboard's static bundle at `/` and its read routes. */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app';
import { DASHBOARD_DIST } from './assets';
import { dashboardReadRoutes } from './routes';

export const dashboardRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  await app.register(dashboardReadRoutes, deps);
  if (fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
    // wildcard:false serves exactly the files present at boot; every other GET keeps the app's 404.
    await app.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', wildcard: false, index: 'index.html' });
    return;
  }
  // A process started without the bootstrap (e.g. jest building the app) has no bundle.
  app.get('/', async (_req, reply) => reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build:web`.\n'));
};
