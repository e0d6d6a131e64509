/** The call settings' wire shapes (contract §4.2), shared by the phone's GET and the operators' POST. */
import { Type } from '@sinclair/typebox';
import { LIMITS } from './gateway';

const NumberList = Type.Array(Type.String({ maxLength: LIMITS.number }), { maxItems: LIMITS.list });

export const CallConfig = Type.Object(
  {
    auto_answer: Type.Boolean(),
    auto_answer_delay_ms: Type.Number(),
    caller_allowlist: Type.Array(Type.String()),
    caller_blocklist: Type.Array(Type.String()),
    unknown_callers_allowed: Type.Boolean(),
    greeting_incoming: Type.String(),
    greeting_outgoing: Type.String(),
    greeting_incoming_template: Type.String(),
    greeting_outgoing_template: Type.String(),
    greeting_owner: Type.String(),
    max_duration_sec: Type.Number(),
    max_duration_message: Type.String(),
    auth_required: Type.Boolean(),
    auth_reject_message: Type.String(),
    auth_max_attempts: Type.Number(),
    keep_history: Type.Boolean(),
  },
  { additionalProperties: true, description: 'Call settings the phone app reads' },
);

const count = (max: number) => Type.Optional(Type.Number({ minimum: 0, maximum: max }));
const text = () => Type.Optional(Type.String({ maxLength: LIMITS.setting }));
const flag = () => Type.Optional(Type.Boolean());

/** POST names (the GET names are accepted for the auto-answer pair); unknown keys are skipped. */
export const CallConfigUpdate = Type.Object(
  {
    call_auto_answer: flag(),
    auto_answer: flag(),
    call_auto_answer_delay_ms: count(600_000),
    auto_answer_delay_ms: count(600_000),
    caller_allowlist: Type.Optional(NumberList),
    caller_blocklist: Type.Optional(NumberList),
    unknown_callers_allowed: flag(),
    greeting_incoming: text(),
    greeting_outgoing: text(),
    greeting_owner: Type.Optional(Type.String({ maxLength: LIMITS.short })),
    max_duration_sec: count(86_400),
    max_duration_message: text(),
    auth_passphrase: Type.Optional(Type.String({ maxLength: LIMITS.short })),
    auth_reject_message: text(),
    auth_max_attempts: count(1000),
    keep_history: flag(),
    tts_voice: Type.Optional(Type.String({ maxLength: LIMITS.short })),
    tts_speed: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  },
  { additionalProperties: true },
);
