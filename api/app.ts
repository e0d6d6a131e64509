/**
 * The fastify app as a plugin tree (docs/api.md "Adding a route"):
 *   shared plugins: services (decorators), JSON body limits, validation, OpenAPI, body parsers
 *   → one encapsulated plugin per surface, each with its own access hook and error mapper
 *   → the not-found answer for anything else.
 * It never listens (api/server.ts does), so tests build it and call `inject` or a real port.
 */
import Fastify, { FastifyInstance, FastifyServerOptions, LogController } from 'fastify';
import formbody from '@fastify/formbody';
import websocket from '@fastify/websocket';
import multipart from '@fastify/multipart';
import { accessHook } from './auth';
import type { AppDeps } from './deps';
import { agentPlanePlugin } from './plugins/agent-plane';
import { jsonBodyPlugin } from './plugins/json-body';
import { metricsPlugin } from './plugins/metrics';
import { openapiPlugin } from './plugins/openapi';
import { servicesPlugin } from './plugins/services';
import { validationPlugin } from './plugins/validation';
import { gatewayErrorHandler } from './surfaces/gateway-errors';
import { operatorSurface } from './surfaces/operator';
import { phoneSurface } from './surfaces/phone';
import { v1Surface } from './v1';
import { dashboardSurface } from './dashboard/surface';
import { clawdtalkSurface } from './clawdtalk/surface';

export type { AppDeps } from './deps';

export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  // Per-request log lines only at debug level; errors are logged by the error mappers.
  const requestLogs = deps.config.logLevel === 'debug' || deps.config.logLevel === 'trace';
  const app = Fastify({ logger: false, logController: new LogController({ disableRequestLogging: !requestLogs }), ...options });
  // Response schemas document the wire shapes (OpenAPI) and tests check answers against them;
  // serialising through them would silently drop or coerce a compatibility field.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(gatewayErrorHandler);

  await app.register(servicesPlugin, deps);
  await app.register(metricsPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(validationPlugin);
  await app.register(openapiPlugin);
  await app.register(formbody);
  await app.register(multipart);
  // Before the surfaces' access hooks: its onRequest marks upgrade requests, so a refused
  // upgrade (401/403) gets its socket closed instead of left open.
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });

  await app.register(agentPlanePlugin, { sendBuffer: deps.sendBuffer });

  await app.register(phoneSurface);
  await app.register(operatorSurface);
  await app.register(v1Surface, { prefix: '/v1' });
  await app.register(dashboardSurface);
  await app.register(clawdtalkSurface);

  // Unknown paths outside /v1 answer like the gateway, after the same access check.
  const guard = accessHook(deps.config, 'phone');
  app.setNotFoundHandler({ preHandler: guard }, (req, reply) => {
    reply.code(404).send({ detail: `Not Found: ${req.method} ${req.url.split('?')[0]}` });
  });
  return app;
}
