/** The state of one call as agents read it (contract §4.1 GET /api/agent/call/{sid}, WS call_state). */
import { Type } from '@sinclair/typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CallStateBody = Type.Object(
  {
    session_id: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('ended'), Type.Literal('unknown')]),
    ended_at: Nullable(Type.Number()),
    history: Type.Array(Type.Object({ role: Type.String(), content: Type.String() })),
    turn_count: Type.Integer(),
    instructions: Type.Object({ base: Type.String(), session: Type.String(), pending_turn: Type.String() }),
    agent_takeover: Type.Boolean(),
    created_at: Nullable(Type.Number()),
    takeover_agent_id: Nullable(Type.String()),
    caller_number: Type.String(),
    call_direction: Type.String(),
    summary: Type.String(),
    context: Type.String(),
  },
  { additionalProperties: true },
);
