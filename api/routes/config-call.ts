/** GET/POST /api/config/call (contract §4.2): the call settings the phone app reads. */
import type { FastifyPluginAsync } from 'fastify';
import { normalizeNumber } from '../../common/phone-number';
import { appendEvent } from '../../infra/event-log';
import { CallSettings, loadRuntimeSettings, saveSettings, substituteOwner } from '../../infra/settings';
import type { AppDeps } from '../app';
import type { Db } from '../../infra/db';
import type { Config } from '../../infra/config';
import { requireAdmin, SECURITY_KEYS } from '../auth';

export function callConfigBody(c: CallSettings) {
  return {
    auto_answer: c.auto_answer,
    auto_answer_delay_ms: c.auto_answer_delay_ms,
    caller_allowlist: c.caller_allowlist,
    caller_blocklist: c.caller_blocklist,
    unknown_callers_allowed: c.unknown_callers_allowed,
    greeting_incoming: substituteOwner(c.greeting_incoming_template, c.greeting_owner),
    greeting_outgoing: substituteOwner(c.greeting_outgoing_template, c.greeting_owner),
    greeting_incoming_template: c.greeting_incoming_template,
    greeting_outgoing_template: c.greeting_outgoing_template,
    greeting_owner: c.greeting_owner,
    max_duration_sec: c.max_duration_sec,
    max_duration_message: c.max_duration_message,
    auth_required: c.auth_passphrase !== '',
    auth_reject_message: c.auth_reject_message,
    auth_max_attempts: c.auth_max_attempts,
    keep_history: c.keep_history,
  };
}

/** POST keys → stored setting keys; GET names are accepted for the auto-answer pair too. */
const POST_KEYS: Record<string, string> = {
  call_auto_answer: 'call_auto_answer',
  auto_answer: 'call_auto_answer',
  call_auto_answer_delay_ms: 'call_auto_answer_delay_ms',
  auto_answer_delay_ms: 'call_auto_answer_delay_ms',
  caller_allowlist: 'caller_allowlist',
  caller_blocklist: 'caller_blocklist',
  unknown_callers_allowed: 'unknown_callers_allowed',
  greeting_incoming: 'greeting_incoming',
  greeting_outgoing: 'greeting_outgoing',
  greeting_owner: 'greeting_owner',
  max_duration_sec: 'max_duration_sec',
  max_duration_message: 'max_duration_message',
  auth_passphrase: 'auth_passphrase',
  auth_reject_message: 'auth_reject_message',
  auth_max_attempts: 'auth_max_attempts',
  keep_history: 'keep_history',
  tts_voice: 'tts_voice',
  tts_speed: 'tts_speed',
};
const LISTS = new Set(['caller_allowlist', 'caller_blocklist']);
const BOOLS = new Set(['call_auto_answer', 'unknown_callers_allowed', 'keep_history']);
const NUMBERS = new Set(['call_auto_answer_delay_ms', 'max_duration_sec', 'auth_max_attempts', 'tts_speed']);

/**
 * Validates and stores call settings (POST /api/config/call, and an agent's set_call_config),
 * then announces config.call_updated. Unknown keys are skipped; a bad value answers 400.
 */
export async function updateCallConfig(db: Db, config: Config, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const current = (await loadRuntimeSettings(db, config)).call;
  const updates: Record<string, string> = {};
  const bad = (error: string) => ({ status: 400, body: { ok: false, error } });
  for (const [key, value] of Object.entries(body)) {
    const target = POST_KEYS[key];
    if (!target) continue;
    if (LISTS.has(target)) {
      if (!Array.isArray(value)) return bad(`${key} must be a list`);
      // Stored normalised, so comparisons at call time are exact (contract §5 Call policy).
      updates[target] = JSON.stringify(value.map((v) => normalizeNumber(String(v), current.default_country_code)).filter(Boolean));
    } else if (BOOLS.has(target)) {
      if (typeof value !== 'boolean') return bad(`${key} must be true or false`);
      updates[target] = String(value);
    } else if (NUMBERS.has(target)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return bad(`${key} must be a number ≥ 0`);
      updates[target] = String(value);
    } else {
      if (typeof value !== 'string') return bad(`${key} must be a string`);
      updates[target] = value;
    }
  }
  await saveSettings(db, updates);
  const next = callConfigBody((await loadRuntimeSettings(db, config)).call);
  await appendEvent(db, { type: 'config.call_updated', data: next });
  return { status: 200, body: { ok: true, ...next } };
}

export const callConfigRoutes: FastifyPluginAsync<AppDeps> = async (app, { db, config }) => {
  app.get('/api/config/call', async () => callConfigBody((await loadRuntimeSettings(db, config)).call));

  app.post('/api/config/call', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    // With admin_token set, a body touching any security key is refused whole (contract §6, G05).
    if (Object.keys(body).some((k) => SECURITY_KEYS.has(POST_KEYS[k])) && !(await requireAdmin(config, req, reply))) return reply;
    const answer = await updateCallConfig(db, config, body);
    return reply.code(answer.status).send(answer.body);
  });
};
