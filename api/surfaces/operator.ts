/**
 * The agent and operator surface (contract §3, §4): the agent WebSocket, /ws/events and the
 * REST routes agents and dashboards call. Bearer token, or token-less from a local Origin-less
 * client when legacy_open_agent_api is on; errors as the gateway's `{detail}`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { accessHook } from '../auth';
import { agentCallRoutes } from '../routes/agent-call';
import { agentRoutes } from '../routes/agent';
import { agentWsRoutes } from '../routes/agent-ws';
import { callControlRoutes } from '../routes/call-control';
import { callerHistoryRoutes } from '../routes/caller-history';
import { callConfigRoutes } from '../routes/config-call';
import { providerConfigRoutes } from '../routes/config-providers';
import { injectRoutes } from '../routes/inject';
import { instructionRoutes } from '../routes/instructions';
import { metricsRoutes } from '../routes/metrics';
import { sessionRoutes } from '../routes/sessions';
import { statusRoutes } from '../routes/status';
import { gatewayErrorHandler } from './gateway-errors';

export const operatorSurface: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', accessHook(app.config, 'operator'));
  app.setErrorHandler(gatewayErrorHandler);
  await app.register(sessionRoutes);
  await app.register(callControlRoutes);
  await app.register(injectRoutes);
  await app.register(agentRoutes);
  await app.register(agentWsRoutes);
  await app.register(agentCallRoutes);
  await app.register(statusRoutes);
  await app.register(instructionRoutes);
  await app.register(callConfigRoutes);
  await app.register(providerConfigRoutes);
  await app.register(callerHistoryRoutes);
  await app.register(metricsRoutes);
};
