/**
 * POST /api/call/dial and /api/call/hangup (contract §4.1, §7) through the configured telephony
 * driver. They call the driver from the API directly: a dial belongs to no session yet (the
 * phone's greeting turn starts one), and the contract answers with the driver's own result.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { dial, hangup } from '../session-control';
import { errors, LIMITS, OptionalSessionId } from '../schemas/gateway';

const tags = ['operator'];
const Result = Type.Object(
  { ok: Type.Boolean(), detail: Type.String(), serial: Type.Optional(Type.String()), command_id: Type.Optional(Type.String()), session_id: Type.Optional(Type.String()) },
  { additionalProperties: true, description: 'The driver’s result: ok:false with the reason when the phone refused (HTTP 200, contract §7)' },
);
const serial = Type.Optional(Type.String({ maxLength: LIMITS.short }));

export const callControlRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  if (!app.telephony) return;
  app.post(
    '/api/call/dial',
    { schema: { tags, summary: 'Place a call', body: Type.Object({ number: Type.Optional(Type.String({ maxLength: LIMITS.number })), serial }, { additionalProperties: true }), response: { 200: Result, ...errors(400, 413) } } },
    async (req) => dial(app, { number: req.body.number ?? '', serial: req.body.serial }),
  );
  app.post(
    '/api/call/hangup',
    { schema: { tags, summary: 'Hang up (one session’s call, or the phone’s)', body: Type.Object({ session_id: OptionalSessionId, serial }, { additionalProperties: true }), response: { 200: Result, ...errors(400, 413) } } },
    async (req) => hangup(app, { session_id: req.body.session_id, serial: req.body.serial }),
  );
};
