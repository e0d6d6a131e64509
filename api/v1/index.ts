/**
 * The /v1 surface: the ClawdTalk-compatible missions plane (differences from the contract:
 * docs/api.md), an encapsulated plugin with its own API-key auth, rate limits, idempotency,
 * W3 errors and 404s.
 */
import type { FastifyInstance } from 'fastify';
import { v1ErrorHandler, errorBody } from './errors';
import { createGuards } from './guards';
import { missionRoutes } from './missions';
import { assistantRoutes } from './assistants';
import { callRoutes } from './calls';
import { streamRoutes } from './stream';

/** Mounted under `/v1` by api/app.ts. */
export async function v1Surface(app: FastifyInstance): Promise<void> {
  if (app.config.missions.plaintextApiKeys) app.log.warn('api_keys holds plaintext keys: they were hashed at boot; prefer sha256:<hex> entries');
  const guards = createGuards({ db: app.db, missions: app.config.missions, log: app.log });

  app.setErrorHandler(v1ErrorHandler);
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.addHook('onRequest', guards.authenticate);
  app.addHook('preHandler', guards.idempotency);
  app.addHook('onSend', guards.remember);

  await missionRoutes(app, app);
  await assistantRoutes(app, app);
  await callRoutes(app, app);
  await streamRoutes(app, { resolve: guards.callerForKey });
}
