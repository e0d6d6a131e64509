/** Dashboard-only routes: the open auth probe, and reads under the token (session log search, turn audio, UI meta). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../errors';
import { errors } from '../schemas/gateway';
import { searchCalls, temporalUi, turnAudio } from './service';

const tags = ['dashboard'];

const CallsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Substring of the number, session id, or any transcript or reply' })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('ended')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

const CallRow = Type.Object({
  session_id: Type.String(),
  workflow_id: Type.String(),
  status: Type.String(),
  caller_number: Type.String(),
  call_direction: Type.String(),
  end_reason: Type.Union([Type.String(), Type.Null()]),
  turn_count: Type.Integer(),
  created_at: Type.Number(),
  ended_at: Type.Union([Type.Number(), Type.Null()]),
  last_active_at: Type.Number(),
});

const AudioParams = Type.Object({ turnId: Type.String({ minLength: 1, maxLength: 100 }) });
const AudioQuery = Type.Object({ which: Type.Optional(Type.Union([Type.Literal('reply'), Type.Literal('caller')])) });
const Wav = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'audio/wav' });

const Meta = Type.Object({
  temporal_ui_port: Type.Integer(),
  temporal_namespace: Type.String(),
  task_queue: Type.String(),
});

const AuthInfo = Type.Object({ token_required: Type.Boolean() });

/** Open (no token): whether the login screen is needed, nothing else. */
export const dashboardOpenRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/dashboard/auth', { schema: { tags, summary: 'Whether a bearer token is required (no token needed)', security: [], response: { 200: AuthInfo } } }, async () => ({
    token_required: app.config.bearerToken !== '',
  }));
};

export const dashboardReadRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app;

  app.get('/api/dashboard/calls', { schema: { tags, summary: 'Session log search, newest first', querystring: CallsQuery, response: { 200: Type.Array(CallRow), ...errors(400) } } }, async (req) =>
    searchCalls(db, req.query),
  );

  app.get(
    '/api/dashboard/turns/:turnId/audio',
    { schema: { tags, summary: "A turn's reply (default) or caller audio, WAV", params: AudioParams, querystring: AudioQuery, response: { 200: Wav, ...errors(400, 404) } } },
    async (req, reply) => {
      const wav = await turnAudio(db, req.params.turnId, req.query.which ?? 'reply');
      if (!wav) throw notFound('audio not found');
      return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(wav);
    },
  );

  app.get('/api/dashboard/meta', { schema: { tags, summary: 'Where the Temporal Web UI is', response: { 200: Meta } } }, async () => {
    const ui = temporalUi(config);
    return { temporal_ui_port: ui.ui_port, temporal_namespace: ui.namespace, task_queue: config.taskQueue };
  });
};
