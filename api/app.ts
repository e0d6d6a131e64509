/**
 * The fastify app as a plugin tree: error handler → body parsers → auth → routes → not-found.
 * It never listens (api/server.ts does), so tests build it and call `inject` or a real port.
 */
import Fastify, { FastifyInstance, FastifyServerOptions, LogController } from 'fastify';
import formbody from '@fastify/formbody';
import websocket from '@fastify/websocket';
import multipart from '@fastify/multipart';
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { SpeechConfig } from '../infra/speech-config';
import type { SpeechEngines } from '../infra/speech';
import type { TelephonyDriver } from '../infra/telephony/driver';
import { bearerAuth } from './auth';
import type { SendBufferLimits } from './paced-socket';
import { callControlRoutes } from './routes/call-control';
import { injectRoutes } from './routes/inject';
import { callConfigRoutes } from './routes/config-call';
import { phoneAsrRoutes } from './routes/phone-asr';
import { sessionRoutes } from './routes/sessions';
import { healthRoutes } from './routes/health';
import { phoneSessionRoutes } from './routes/phone-session';
import { phoneTurnRoutes } from './routes/phone-turn';
import { agentRoutes } from './routes/agent';
import { agentWsRoutes } from './routes/agent-ws';
import { AgentPlane } from './agents/plane';
import { agentCallRoutes } from './routes/agent-call';
import { callerHistoryRoutes } from './routes/caller-history';
import { providerConfigRoutes } from './routes/config-providers';
import { instructionRoutes } from './routes/instructions';
import { statusRoutes } from './routes/status';
import { v1Routes } from './v1';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  startedAt?: number;
  /** Dial/hangup driver (sim or adb); absent = the call-control routes are not served. */
  telephony?: TelephonyDriver;
  /** Speech engines for the API's own uses (/api/asr, /health); tests inject instant ones. */
  engines?: (speech: SpeechConfig) => SpeechEngines;
  /** This process's WebSocket side (api/agents): /api/status reads its live counts. */
  agentHub?: { uiSubscriberCount(): number };
  /** Each WebSocket's send buffer (api/paced-socket.ts); default DEFAULT_SEND_BUFFER. */
  sendBuffer?: SendBufferLimits;
}

export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  // Per-request log lines only at debug level; errors are logged by the error handler.
  const requestLogs = deps.config.logLevel === 'debug' || deps.config.logLevel === 'trace';
  const app = Fastify({ logger: false, logController: new LogController({ disableRequestLogging: !requestLogs }), ...options });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    // 5xx details stay in the log; the client gets a stable message.
    reply.code(status).send({ detail: status >= 500 ? 'Internal Server Error' : err.message });
  });

  // Contract §1 (d): JSON is parsed when the content type is JSON or missing, and an empty
  // body is {} even with a JSON content type (fastify would answer 400).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', '*'], { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('invalid JSON body'), { statusCode: 400 }), undefined);
    }
  });
  await app.register(formbody);
  await app.register(multipart);
  // Before the access hook: its onRequest marks upgrade requests, so a refused upgrade (401/403)
  // gets its socket closed instead of left open.
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

  app.addHook('onRequest', bearerAuth(deps.config));

  // The agent plane (event hub + sockets) exists before the routes: /api/status reads it.
  const plane = new AgentPlane(deps, app.log, deps.sendBuffer);
  deps = { ...deps, agentHub: plane };

  await app.register(healthRoutes, deps);
  await app.register(phoneSessionRoutes, deps);
  await app.register(phoneTurnRoutes, deps);
  await app.register(phoneAsrRoutes, deps);
  await app.register(callConfigRoutes, deps);
  await app.register(sessionRoutes, deps);
  await app.register(callControlRoutes, deps);
  await app.register(injectRoutes, deps);
  await app.register(agentRoutes, deps);
  await app.register(agentWsRoutes, { plane });
  await app.register(agentCallRoutes, deps);
  await app.register(statusRoutes, deps);
  await app.register(instructionRoutes, deps);
  await app.register(providerConfigRoutes, deps);
  await app.register(callerHistoryRoutes, deps);
  await app.register(v1Routes, { ...deps, prefix: '/v1' });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ detail: `Not Found: ${req.method} ${req.url.split('?')[0]}` });
  });
  return app;
}
