/**
 * The /v1 missions plane (ClawdTalk-compatible API, shared/specs/missions-api.md): an
 * encapsulated plugin with its own API-key auth, rate limits, idempotency, W3 errors and 404s.
 */
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import { errorBody, sendError, V1Error } from './common';
import { createGuards } from './guards';
import { missionRoutes } from './missions';
import { assistantRoutes } from './assistants';
import { callRoutes } from './calls';

export interface V1Deps {
  config: Config;
  db: Db;
  temporal: Client;
}

/** Mounted under `/v1` by api/app.ts. */
export async function v1Routes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  if (deps.config.missions.plaintextApiKeys) app.log.warn('api_keys holds plaintext keys: they were hashed at boot; prefer sha256:<hex> entries');
  const guards = createGuards({ db: deps.db, missions: deps.config.missions, log: app.log });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof V1Error) return sendError(reply, err);
    if (err.statusCode === 400 || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.code(400).send(errorBody('invalid_json', 'the body is not valid JSON'));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send(errorBody('bad_request', err.message));
    // Temporal or the database is unreachable: 503, so clients know to come back.
    const unavailable = /UNAVAILABLE|ECONNREFUSED|connect|Can't reach database|timed out/i.test(`${err.name} ${err.message}`);
    req.log.error({ err, url: req.url }, 'v1 request failed');
    return reply.code(unavailable ? 503 : 500).send(errorBody(unavailable ? 'unavailable' : 'internal_error', unavailable ? 'a backing service (Temporal or the database) is unavailable' : 'Internal Server Error'));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.addHook('onRequest', guards.authenticate);
  app.addHook('preHandler', guards.idempotency);
  app.addHook('onSend', guards.remember);

  await missionRoutes(app, deps);
  await assistantRoutes(app, deps);
  await callRoutes(app, deps);
}
