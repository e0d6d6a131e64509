/** Caller history (contract §4.1, §5 keep_history): list what is remembered, forget a number. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LIMITS, PRINTABLE } from '../schemas/gateway';
import { forgetCaller, rememberedCallers } from '../services/caller-history';

const tags = ['operator'];
const Entry = Type.Object({ number: Type.String(), total_calls: Type.Integer(), last_call_at: Type.Number(), turn_count: Type.Integer() });

export const callerHistoryRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/caller-history', { schema: { tags, summary: 'Remembered callers', response: { 200: Type.Array(Entry) } } }, async () => {
    const rows = await rememberedCallers(app.db);
    return rows.map((r) => ({ number: r.number, total_calls: r.totalCalls, last_call_at: r.lastCallAt.getTime() / 1000, turn_count: r.turnCount }));
  });

  /** Takes the number as typed ("+49 (170) 123-4567", "0049…") and answers it normalised. */
  app.delete(
    '/api/caller-history/:number',
    {
      schema: {
        tags,
        summary: 'Forget a caller',
        params: Type.Object({ number: Type.String({ maxLength: LIMITS.number, pattern: PRINTABLE }) }),
        response: { 200: Type.Object({ ok: Type.Boolean(), number: Type.String() }) },
      },
    },
    async (req) => {
    const { forgotten, number } = await forgetCaller(app, req.params.number);
    return { ok: forgotten, number };
    },
  );
};
