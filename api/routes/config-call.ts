/** POST /api/config/call (contract §4.2): operators change the call settings. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { assertAdmin, SECURITY_KEYS } from '../auth';
import { CallConfig, CallConfigUpdate } from '../schemas/call-config';
import { errors } from '../schemas/gateway';
import { postKey, updateCallConfig } from '../services/call-config';

const Saved = Type.Composite([Type.Object({ ok: Type.Literal(true) }), CallConfig], { additionalProperties: true });

export const callConfigRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/config/call',
    { schema: { tags: ['operator'], summary: 'Change call settings', body: CallConfigUpdate, response: { 200: Saved, ...errors(400, 403, 413) } } },
    async (req) => {
      const body = req.body as Record<string, unknown>;
      // With admin_token set, a body touching any security key is refused whole (contract §6, G05).
      if (Object.keys(body).some((k) => SECURITY_KEYS.has(postKey(k) ?? ''))) assertAdmin(app.config, req);
      return { ok: true as const, ...(await updateCallConfig(app.db, app.runtimeSettings, body)) };
    },
  );
};
