/** GET /api/config/call (contract §4.2): the call settings the phone app reads. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CallConfig } from '../schemas/call-config';
import { callConfigBody } from '../services/call-config';

export const phoneConfigRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/config/call', { schema: { tags: ['phone'], summary: 'Call settings', response: { 200: CallConfig } } }, async () =>
    callConfigBody((await app.runtimeSettings.current()).call),
  );
};
