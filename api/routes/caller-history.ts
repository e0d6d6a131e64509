/** Caller history (contract §4.1, §5 keep_history): list what is remembered, forget a number. */
import type { FastifyPluginAsync } from 'fastify';
import { normalizeNumber } from '../../common/phone-number';
import { loadRuntimeSettings } from '../../infra/settings';
import type { AppDeps } from '../app';

export const callerHistoryRoutes: FastifyPluginAsync<AppDeps> = async (app, { db, config }) => {
  app.get('/api/caller-history', async () => {
    const rows = await db.callerHistory.findMany({ orderBy: { lastCallAt: 'desc' } });
    return rows.map((r) => ({ number: r.number, total_calls: r.totalCalls, last_call_at: r.lastCallAt.getTime() / 1000, turn_count: r.turnCount }));
  });

  /** Takes the number as typed ("+49 (170) 123-4567", "0049…") and answers it normalised. */
  app.delete<{ Params: { number: string } }>('/api/caller-history/:number', async (req) => {
    const cc = (await loadRuntimeSettings(db, config)).call.default_country_code;
    const number = normalizeNumber(req.params.number, cc);
    const { count } = number ? await db.callerHistory.deleteMany({ where: { number } }) : { count: 0 };
    return { ok: count > 0, number };
  });
};
