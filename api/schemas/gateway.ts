/**
 * TypeBox pieces shared by the phone and operator routes (gateway contract): error bodies,
 * ids, text bounds. Route files declare their own schemas from these.
 */
import { Type } from '@sinclair/typebox';

/** Bounds of free-text inputs: enough for any real use, far below what would strain a turn. */
export const LIMITS = {
  /** Words spoken to the caller in one go (forced reply, inject, TTS preview). */
  speech: 4000,
  /** Instructions, context: a prompt supplement. */
  prompt: 20_000,
  /** ASR hint: a transcript of one turn. */
  hint: 4000,
  /** A phone number as typed. */
  number: 64,
  /** Ids, names, short settings. */
  short: 256,
  /** A setting's text (greetings, messages, URLs, keys). */
  setting: 8000,
  /** Entries in a list setting (allow/block lists, voices, stop words). */
  list: 1000,
} as const;

/** The gateway's error body: `{detail}`, sometimes with `ok:false` and `error` (rule (a): fields only added). */
export const Detail = Type.Object(
  { detail: Type.String(), ok: Type.Optional(Type.Literal(false)), error: Type.Optional(Type.String()) },
  { additionalProperties: true, description: 'Gateway error body' },
);

/** Error responses of a gateway route, by status. */
export function errors<const S extends number[]>(...statuses: S): { [K in S[number]]: typeof Detail } {
  return Object.fromEntries(statuses.map((s) => [s, Detail])) as { [K in S[number]]: typeof Detail };
}

/** No control characters (a NUL byte is an error in PostgreSQL text, not a lookup miss). */
export const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';

/** A generated or phone-given session id (32 hex, or the phone's own id). */
export const SessionId = Type.String({ minLength: 1, maxLength: LIMITS.short, pattern: PRINTABLE, description: 'Session id' });

/** `""` in an optional id means absent (contract §1 rule c). */
export const OptionalSessionId = Type.Optional(Type.String({ maxLength: LIMITS.short, pattern: PRINTABLE, description: 'Session id; "" = absent' }));

/** Path parameter `sid`. */
export const SidParams = Type.Object({ sid: SessionId });

/** An open JSON object (fields documented in the contract, not closed here). */
export const OpenObject = (properties: Parameters<typeof Type.Object>[0] = {}, description?: string) =>
  Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) });

/** `{ok, session_id}` acknowledgement of a session write. */
export const OkSession = Type.Object({ ok: Type.Boolean(), session_id: Type.String() }, { additionalProperties: true });
