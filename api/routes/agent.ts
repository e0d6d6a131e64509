/** GET /api/agent/sessions (contract §4.1): active session ids, most recently active first. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { activeSessionIds } from '../sessions';

export const agentRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/agent/sessions', { schema: { tags: ['operator'], summary: 'Active session ids', response: { 200: Type.Array(Type.String()) } } }, async () => activeSessionIds(app.db));
};
