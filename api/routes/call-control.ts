/**
 * POST /api/call/dial and /api/call/hangup (contract §4.1, §7) through the configured telephony
 * driver. They call the driver from the API directly: a dial belongs to no session yet (the
 * phone's greeting turn starts one), and the contract answers with the driver's own result.
 */
import type { FastifyPluginAsync } from 'fastify';
import { createTelephonyActivities } from '../../activities/telephony/driver';
import { appendEvent } from '../../infra/event-log';
import type { AppDeps } from '../app';
import { endSession, endSessions } from '../sessions';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export const callControlRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const { telephony, db, config } = deps;
  if (!telephony) return;
  const calls = createTelephonyActivities(telephony, { defaultCountryCode: config.defaultCountryCode });

  app.post('/api/call/dial', async (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await calls.dialNumber({ number: String(body.number ?? ''), serial: str(body.serial) });
    if (result.ok) {
      await appendEvent(db, { type: 'call.dial', data: { number: String(body.number), serial: result.serial ?? '', command_id: result.command_id ?? '' } });
    }
    return result;
  });

  app.post('/api/call/hangup', async (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const sessionId = str(body.session_id);
    const result = await calls.hangupCall({ serial: str(body.serial), session_id: sessionId });
    let ended: string[] = [];
    if (result.ok) {
      // On delivery: the given session, else the phone's open sessions (contract §4.1).
      ended = sessionId ? ((await endSession(deps, sessionId, 'hangup')) ? [sessionId] : []) : await endSessions(deps, { reason: 'hangup' });
    }
    const target = sessionId ?? ended[0];
    await appendEvent(db, { type: 'call.hangup', sessionId: target ?? '', data: { ok: result.ok, detail: result.detail, serial: result.serial ?? '', ...(target ? { session_id: target } : {}) } });
    return { ok: result.ok, detail: result.detail, ...(target ? { session_id: target } : {}) };
  });
};
