/**
 * The client → server messages of ClawdTalk's `ws-client.js` (docs/clawdtalk-voice.md),
 * as TypeBox schemas: a message that does not match gets an `error` message, never a crash.
 */
import { Type, type Static } from '@sinclair/typebox';

export const AuthMessage = Type.Object({
  type: Type.Literal('auth'),
  api_key: Type.String({ minLength: 1, maxLength: 200 }),
  owner_name: Type.Optional(Type.String({ maxLength: 200 })),
  agent_name: Type.Optional(Type.String({ maxLength: 200 })),
});

export const ContextResponse = Type.Object({
  type: Type.Literal('context_response'),
  call_id: Type.String({ minLength: 1, maxLength: 100 }),
  context: Type.Object({
    memory: Type.Optional(Type.String({ maxLength: 20_000 })),
    system_prompt: Type.Optional(Type.String({ maxLength: 20_000 })),
  }),
});

/** `response`: speak this to the caller (the client caps it at 2000 characters). */
export const SpeakResponse = Type.Object({
  type: Type.Literal('response'),
  call_id: Type.String({ minLength: 1, maxLength: 100 }),
  text: Type.String({ minLength: 1, maxLength: 2000 }),
});

/** `deep_tool_progress` / `deep_tool_result`: no call_id, only the request's id. */
export const DeepToolMessage = Type.Object({
  type: Type.Union([Type.Literal('deep_tool_progress'), Type.Literal('deep_tool_result')]),
  request_id: Type.String({ minLength: 1, maxLength: 100 }),
  text: Type.String({ maxLength: 4000 }),
});

export const WalkieResponse = Type.Object({
  type: Type.Literal('walkie_response'),
  request_id: Type.String({ minLength: 1, maxLength: 100 }),
  reply: Type.Union([Type.String(), Type.Null()]),
  error: Type.Optional(Type.String()),
});

export type ContextResponse = Static<typeof ContextResponse>;
export type SpeakResponse = Static<typeof SpeakResponse>;
export type DeepToolMessage = Static<typeof DeepToolMessage>;
