/** The call settings (contract §4.2): their wire view, and validated writes that announce config.call_updated. */
import { normalizeNumber } from '../../common/phone-number';
import { appendEvent } from '../../infra/event-log';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';
import { CallSettings, substituteOwner } from '../../infra/settings';
import type { Db } from '../../infra/db';
import { badRequest } from '../errors';

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
export const POST_KEYS: Record<string, string> = {
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
/** The stored key a POST name writes, or undefined: own keys only (`constructor` is no setting). */
export function postKey(name: string): string | undefined {
  return Object.hasOwn(POST_KEYS, name) ? POST_KEYS[name] : undefined;
}
const LISTS = new Set(['caller_allowlist', 'caller_blocklist']);
const BOOLS = new Set(['call_auto_answer', 'unknown_callers_allowed', 'keep_history']);
const NUMBERS = new Set(['call_auto_answer_delay_ms', 'max_duration_sec', 'auth_max_attempts', 'tts_speed']);

/**
 * Validates and stores call settings (POST /api/config/call, and an agent's set_call_config),
 * then announces config.call_updated. Unknown keys are skipped; a bad value answers 400.
 */
export async function updateCallConfig(db: Db, settings: RuntimeSettingsService, body: Record<string, unknown>): Promise<ReturnType<typeof callConfigBody>> {
  const current = (await settings.current()).call;
  const updates: Record<string, string> = {};
  const bad = (error: string) => badRequest(error, { ok: false, error });
  for (const [key, value] of Object.entries(body)) {
    const target = postKey(key);
    if (!target) continue;
    if (LISTS.has(target)) {
      if (!Array.isArray(value)) throw bad(`${key} must be a list`);
      // Stored normalised, so comparisons at call time are exact (contract §5 Call policy).
      updates[target] = JSON.stringify(value.map((v) => normalizeNumber(String(v), current.default_country_code)).filter(Boolean));
    } else if (BOOLS.has(target)) {
      if (typeof value !== 'boolean') throw bad(`${key} must be true or false`);
      updates[target] = String(value);
    } else if (NUMBERS.has(target)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(`${key} must be a number ≥ 0`);
      updates[target] = String(value);
    } else {
      if (typeof value !== 'string') throw bad(`${key} must be a string`);
      updates[target] = value;
    }
  }
  await settings.save(updates);
  const next = callConfigBody((await settings.current()).call);
  await appendEvent(db, { type: 'config.call_updated', data: next });
  return next;
}

