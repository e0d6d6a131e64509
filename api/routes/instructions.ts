/**
 * /api/instructions (contract §4.1): the base system prompt (global, persisted) and each live
 * session's override and one-shot turn supplement, which are workflow updates.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appendEvent } from '../../infra/event-log';
import { assertAdmin } from '../auth';
import { badRequest } from '../errors';
import { errors, LIMITS, SidParams } from '../schemas/gateway';
import { liveSessionInstructions, setInstructions } from '../session-control';

const tags = ['operator'];
const TextBody = Type.Object({ text: Type.Optional(Type.String({ maxLength: LIMITS.prompt })) }, { additionalProperties: true });
const Scoped = Type.Object({ ok: Type.Literal(true), session_id: Type.String(), scope: Type.Optional(Type.String()) });

/** The text to set: required on POST (a 400 in the contract's `{ok:false, detail}` shape). */
function textOf(body: { text?: string }): string {
  if (body.text === undefined) throw badRequest('text required', { ok: false });
  return body.text;
}

export const instructionRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config, runtimeSettings } = app;

  app.get(
    '/api/instructions',
    { schema: { tags, summary: 'Base prompt and live sessions’ instructions', response: { 200: Type.Object({ base: Type.String(), sessions: Type.Record(Type.String(), Type.String()) }) } } },
    async () => {
      const [settings, sessions] = await Promise.all([runtimeSettings.current(), liveSessionInstructions(app)]);
      return { base: settings.llmSystemPrompt, sessions };
    },
  );

  /** The base prompt for every session without its own instruction; persisted (admin write). */
  app.post(
    '/api/instructions',
    { schema: { tags, summary: 'Set the base prompt (admin)', body: TextBody, response: { 200: Type.Object({ ok: Type.Literal(true), scope: Type.Literal('global') }), ...errors(400, 403, 413) } } },
    async (req) => {
      const text = textOf(req.body);
      assertAdmin(config, req);
      await runtimeSettings.save({ llm_system_prompt: text });
      await appendEvent(db, { type: 'instructions.updated', data: { scope: 'global' } });
      return { ok: true as const, scope: 'global' as const };
    },
  );

  const write = { params: SidParams, body: TextBody, response: { 200: Scoped, ...errors(400, 404, 409, 413) } };
  const clear = { params: SidParams, response: { 200: Scoped, ...errors(404, 409) } };

  app.post('/api/instructions/:sid', { schema: { tags, summary: 'Set a session’s instruction', ...write } }, async (req) => {
    await setInstructions(app, req.params.sid, 'session', textOf(req.body));
    return { ok: true as const, session_id: req.params.sid };
  });
  app.delete('/api/instructions/:sid', { schema: { tags, summary: 'Clear a session’s instruction', ...clear } }, async (req) => {
    await setInstructions(app, req.params.sid, 'session', '');
    return { ok: true as const, session_id: req.params.sid };
  });

  app.post('/api/instructions/:sid/turn', { schema: { tags, summary: 'One-shot supplement for the next turn', ...write } }, async (req) => {
    await setInstructions(app, req.params.sid, 'turn', textOf(req.body));
    return { ok: true as const, session_id: req.params.sid, scope: 'turn' };
  });
  app.delete('/api/instructions/:sid/turn', { schema: { tags, summary: 'Drop the one-shot supplement', ...clear } }, async (req) => {
    await setInstructions(app, req.params.sid, 'turn', '');
    return { ok: true as const, session_id: req.params.sid, scope: 'turn' };
  });
};
