/**
 * POST /api/call/inject and /api/agent/inject (contract §4.1): queue speech for the caller of a
 * session (default: the most recently active one) through the workflow's injectSpeech update.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { injectSpeech } from '../session-control';
import { errors, LIMITS, OptionalSessionId } from '../schemas/gateway';

const schema = {
  tags: ['operator'],
  summary: 'Queue speech for the caller',
  // A wrong-typed session_id is a 400: it never falls back to "the most recent call".
  body: Type.Object({ text: Type.Optional(Type.String({ maxLength: LIMITS.speech })), session_id: OptionalSessionId }, { additionalProperties: true }),
  response: {
    200: Type.Object({ ok: Type.Literal(true), session_id: Type.String(), inject_id: Type.String(), tts_ms: Type.Number(), queue_depth: Type.Integer() }),
    ...errors(400, 404, 409, 413),
  },
};

export const injectRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  for (const url of ['/api/call/inject', '/api/agent/inject']) {
    app.post(url, { schema }, async (req) => injectSpeech(app, { text: req.body.text ?? '', session_id: req.body.session_id }));
  }
};
