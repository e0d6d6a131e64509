/**
 * The phone surface (contract §2): what the Clawfinger app calls. Always behind the bearer
 * token (legacy_open_agent_api never opens it); errors as the gateway's `{detail}`.
 */
import type { FastifyPluginAsync } from 'fastify';
import { accessHook } from '../auth';
import { healthRoutes } from '../routes/health';
import { phoneAsrRoutes } from '../routes/phone-asr';
import { phoneConfigRoutes } from '../routes/phone-config';
import { phoneSessionRoutes } from '../routes/phone-session';
import { phoneTurnRoutes } from '../routes/phone-turn';
import { gatewayErrorHandler } from './gateway-errors';

export const phoneSurface: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', accessHook(app.config, 'phone'));
  app.setErrorHandler(gatewayErrorHandler);
  await app.register(healthRoutes);
  await app.register(phoneSessionRoutes);
  await app.register(phoneTurnRoutes);
  await app.register(phoneAsrRoutes);
  await app.register(phoneConfigRoutes);
};
