/** Dashboard-only read routes under the gateway token (session log search, turn audio, UI meta), and the open auth probe. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { searchCalls, temporalUi, turnAudio } from './service';

const Detail = Type.Object({ detail: Type.String() });

const CallsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
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

const Meta = Type.Object({
  temporal_ui_port: Type.Integer(),
  temporal_namespace: Type.String(),
  task_queue: Type.String(),
});

const AuthInfo = Type.Object({ token_required: Type.Boolean() });
const tags = ['dashboard'];

/** Guarded by the operator access hook of the dashboard surface. */
export const dashboardReadRoutes: FastifyPluginAsync = async (app) => {
  const { db, config } = app;
  app.get<{ Querystring: Static<typeof CallsQuery> }>(
    '/api/dashboard/calls',
    { schema: { tags, summary: 'Calls, newest first', querystring: CallsQuery, response: { 200: Type.Array(CallRow), 400: Detail } } },
    async (req) => searchCalls(db, req.query),
  );

  app.get<{ Params: Static<typeof AudioParams>; Querystring: Static<typeof AudioQuery> }>(
    '/api/dashboard/turns/:turnId/audio',
    {
      schema: {
        tags,
        summary: 'A turn’s audio (WAV)',
        params: AudioParams,
        querystring: AudioQuery,
        response: { 200: { description: 'The WAV', content: { 'audio/wav': { schema: Type.String({ format: 'binary' }) } } }, 400: Detail, 404: Detail },
      },
    },
    async (req, reply) => {
      const wav = await turnAudio(db, req.params.turnId, req.query.which ?? 'reply');
      if (!wav) return reply.code(404).send({ detail: 'audio not found' });
      return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(wav);
    },
  );


  app.get('/api/dashboard/meta', { schema: { tags, summary: 'What the dashboard links to', response: { 200: Meta } } }, async () => {
    const ui = temporalUi(config);
    return { temporal_ui_port: ui.ui_port, temporal_namespace: ui.namespace, task_queue: config.taskQueue };
  });
};

/** Open (api/dashboard/assets.ts): whether the login screen is needed, nothing else. */
export const dashboardOpenRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/dashboard/auth', { schema: { tags, summary: 'Whether a token is needed', response: { 200: AuthInfo } } }, async () => ({ token_required: app.config.bearerToken !== '' }));
};
