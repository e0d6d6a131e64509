/**
 * TypeBox schemas of the /v1 routes (missions-api.md): params, query, body and responses. Bodies
 * stay open (unknown fields are ignored, as ClawdTalk clients send extra ones) but every known
 * field is typed and bounded; the handlers then check what a schema cannot (E.164, ISO times,
 * cross-field rules) and answer 422 with a pointer.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** Bounds of /v1 inputs. */
export const V1_LIMITS = {
  id: 200,
  name: 200,
  /** Instructions, details, descriptions: a prompt. */
  text: 20_000,
  short: 2000,
  sms: 1600,
  /** Keys in a free-form JSON object (run input, payloads, memory). */
  objectKeys: 1000,
  list: 100,
} as const;

/** No control characters (a NUL byte is an error in PostgreSQL text, not a lookup miss). */
const Id = Type.String({ minLength: 1, maxLength: V1_LIMITS.id, pattern: '^[^\\u0000-\\u001f\\u007f]*$' });
const Str = (max: number) => Type.String({ maxLength: max });
const Opt = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Json = Type.Object({}, { additionalProperties: true, maxProperties: V1_LIMITS.objectKeys });
const Open = (properties: Parameters<typeof Type.Object>[0] = {}) => Type.Object(properties, { additionalProperties: true });
/**
 * A request body: every field optional here, because the handler decides what is required
 * (and answers the spec's own codes, e.g. `spec_not_supported` before a missing `name`).
 */
const Body = (properties: Parameters<typeof Type.Object>[0]) => Type.Partial(Type.Object(properties, { additionalProperties: true }));
const Iso = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** The W3 error body (spec §W3). */
export const V1ErrorBody = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String() }),
    message: Type.String(),
    errors: Type.Array(Type.Object({ code: Type.String(), detail: Type.String(), source: Type.Optional(Type.Object({ pointer: Type.String() })) })),
  },
  { description: 'W3 error' },
);
const errs = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, V1ErrorBody]));
/** Every /v1 route can answer these (auth, rate limit, bad JSON, oversized input, Temporal down). */
const COMMON_ERRORS = errs(400, 401, 413, 422, 429, 503);

const Meta = Open({ total_results: Type.Integer(), total: Type.Integer(), total_pages: Type.Integer(), page_number: Type.Integer(), page_size: Type.Integer() });
const Paging = {
  'page[size]': Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  'page[number]': Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
};
const PagedQuery = (extra: Parameters<typeof Type.Object>[0] = {}) => Type.Object({ ...Paging, ...extra }, { additionalProperties: true });
const Data = <T extends TSchema>(t: T) => Open({ data: t });
const List = <T extends TSchema>(t: T) => Open({ data: Type.Array(t), meta: Meta });

const Mission = Open({ id: Type.String(), mission_id: Type.String(), name: Type.String(), instructions: Type.String(), slug: Type.String(), status: Type.String(), latest_run_id: Type.Union([Type.String(), Type.Null()]), created_at: Iso });
const Run = Open({ id: Type.String(), run_id: Type.String(), mission_id: Type.String(), status: Type.String(), input: Type.Unknown(), result_summary: Type.Union([Type.String(), Type.Null()]), result_payload: Type.Unknown(), workflow_id: Type.String() });
const Step = Open({ step_id: Type.String(), description: Type.String(), sequence: Type.Integer(), status: Type.String() });
const Plan = Open({ run_id: Type.String(), steps: Type.Array(Step) });
const RunEvent = Open({ id: Type.String(), seq: Type.Integer(), type: Type.String(), summary: Type.String(), payload: Type.Unknown() });
const Link = Open({ run_id: Type.String(), telnyx_agent_id: Type.String(), linked_at: Iso });
const Insight = Open({ id: Type.String(), name: Type.String(), status: Type.String(), conversation_insights: Type.Array(Type.Unknown()) });
const Assistant = Open({ id: Type.String(), name: Type.String(), instructions: Type.String(), model: Type.String(), voice: Type.String(), tools: Type.Array(Type.Unknown()), enabled_features: Type.Array(Type.String()) });
const Phone = Open({ id: Type.String(), phone_number: Type.String(), connection_id: Type.Union([Type.String(), Type.Null()]), type: Type.Union([Type.String(), Type.Null()]), driver: Type.String() });
const Event = Open({ id: Type.String(), assistant_id: Type.String(), channel: Type.String(), to: Type.String(), from: Type.String(), scheduled_at: Iso, status: Type.String(), workflow_id: Type.String() });
const Call = Open({ call_id: Type.String(), status: Type.String(), to: Type.String(), from: Type.String() });
const Message = Open({ id: Type.String(), direction: Type.String(), from: Type.String(), to: Type.String(), body: Type.String(), status: Type.String(), created_at: Iso });
const Approval = Open({ request_id: Type.String(), id: Type.String(), status: Type.String(), action: Type.String(), expires_at: Iso });
const Memory = Open({ data: Type.Unknown(), version: Type.Integer() });
const Gate = Open({ gate_id: Type.Union([Type.String(), Type.Null()]), request_id: Type.String(), status: Type.String(), selection: Type.Union([Type.Array(Type.String()), Type.Null()]) });
const DryRun = Open({
  targets: Type.Array(Open({ phone: Type.String(), timezone: Type.String(), first_attempt_at: Iso, first_attempt_local: Type.Union([Type.String(), Type.Null()]), skipped: Type.Union([Type.String(), Type.Null()]) })),
  batches: Type.Integer(),
  expected_end: Iso,
  plan: Type.Array(Open({ step_id: Type.String(), description: Type.String() })),
});
/** `?wait=<s>`: 0–50 s (the handler answers 422 with `/wait` for anything else). */
const WaitQuery = Open({ wait: Type.Optional(Type.String({ maxLength: 16 })) });

const MissionParams = Type.Object({ m: Id });
const RunParams = Type.Object({ m: Id, r: Id });
const AssistantParams = Type.Object({ a: Id });
const EventParams = Type.Object({ a: Id, e: Id });
const EmptyBody = Type.Object({}, { additionalProperties: true });

interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<number, TSchema>;
  summary: string;
}
const s = (summary: string, parts: Omit<RouteSchema, 'summary' | 'response'>, ok: Record<number, TSchema>, ...errors: number[]): RouteSchema => ({
  summary,
  ...parts,
  response: { ...ok, ...COMMON_ERRORS, ...errs(...errors) },
});

/** The assistant fields that are optional both when creating and when changing one. */
const assistantOptionalFields = {
  description: Opt(Str(V1_LIMITS.short)),
  model: Opt(Str(V1_LIMITS.name)),
  greeting: Opt(Str(V1_LIMITS.short)),
  voice: Opt(Str(V1_LIMITS.name)),
  tools: Opt(Type.Array(Type.Unknown(), { maxItems: V1_LIMITS.list })),
  enabled_features: Opt(Type.Array(Type.Unknown(), { maxItems: 10 })),
  insights: Opt(Json),
};

/** Schemas by route, named after what the route does. */
export const V1 = {
  createMission: s(
    'Create a mission (with `spec`: a declarative run starts; `?dry_run=true`: its planned schedule only)',
    { querystring: Open({ dry_run: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) }), body: Body({ name: Str(V1_LIMITS.name), instructions: Str(V1_LIMITS.text), spec: Type.Optional(Type.Unknown()) }) },
    { 200: Data(Type.Union([Mission, DryRun])), 201: Data(Mission) },
    404,
  ),
  listMissions: s('List missions', { querystring: PagedQuery({ slug: Type.Optional(Str(V1_LIMITS.name)) }) }, { 200: List(Mission) }),
  getMission: s('A mission', { params: MissionParams }, { 200: Data(Mission) }, 404),
  startRun: s('Start a run', { params: MissionParams, body: Body({ input: Opt(Json) }) }, { 201: Data(Run) }, 404),
  listRuns: s('List runs', { params: MissionParams, querystring: PagedQuery() }, { 200: List(Run) }, 404),
  getRun: s('A run (`?wait` long-polls for a change)', { params: RunParams, querystring: WaitQuery }, { 200: Data(Run) }, 404),
  patchRun: s(
    'Change a run’s status or result',
    { params: RunParams, body: Body({ status: Type.Optional(Str(64)), result_summary: Opt(Str(V1_LIMITS.text)), result_payload: Opt(Json) }) },
    { 200: Data(Run) },
    404,
    409,
  ),
  postPlan: s(
    'Set a run’s plan',
    {
      params: RunParams,
      body: Body({
        steps: Type.Array(Open({ step_id: Type.Optional(Str(64)), description: Type.Optional(Str(V1_LIMITS.short)), sequence: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })) }), { maxItems: V1_LIMITS.list }),
      }),
    },
    { 200: Data(Plan), 201: Data(Plan) },
    404,
    409,
  ),
  getPlan: s('A run’s plan', { params: RunParams }, { 200: Data(Plan) }, 404),
  patchStep: s('Move a plan step', { params: Type.Object({ m: Id, r: Id, s: Str(64) }), body: Body({ status: Str(64) }) }, { 200: Data(Step) }, 404, 409),
  postRunEvent: s(
    'Log a run event',
    { params: RunParams, body: Body({ type: Str(64), summary: Str(V1_LIMITS.short), agent_id: Opt(Str(V1_LIMITS.id)), step_id: Opt(Str(64)), payload: Opt(Json) }) },
    { 201: Open({ data: RunEvent, warnings: Type.Optional(Type.Array(Type.String())) }) },
    404,
  ),
  listRunEvents: s('A run’s events', { params: RunParams, querystring: PagedQuery({ after_seq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })) }) }, { 200: List(RunEvent) }, 404),
  linkAgent: s('Link an assistant to a run', { params: RunParams, body: Body({ telnyx_agent_id: Str(V1_LIMITS.id) }) }, { 200: Data(Link), 201: Data(Link) }, 404),
  listAgents: s('A run’s linked assistants', { params: RunParams }, { 200: List(Link) }, 404),
  unlinkAgent: s('Unlink an assistant', { params: Type.Object({ m: Id, r: Id, a: Id }) }, { 204: Type.Null({ description: 'Unlinked' }) }, 404),
  insights: s('A conversation’s insights', { params: Type.Object({ c: Id }) }, { 200: Data(Type.Array(Insight)) }, 404),
  cancelRun: s('Cancel a run', { params: RunParams, body: Body({ reason: Opt(Str(V1_LIMITS.short)), hangup: Type.Optional(Type.Boolean()) }) }, { 202: Data(Run) }, 404, 409),
  signalRun: s('Pause or resume a run', { params: RunParams, body: EmptyBody }, { 202: Data(Run) }, 404, 409),
  stream: {
    summary: 'The account’s mission changes (WebSocket upgrade; auth by header or first message, else close 4401)',
    querystring: Open({ mission_id: Type.Optional(Id), run_id: Type.Optional(Id), since_seq: Type.Optional(Type.String({ maxLength: 20 })) }),
    response: { 101: Type.Null({ description: 'Switching Protocols' }) },
  },
  listGates: s('A run’s gates (none for compat runs)', { params: RunParams }, { 200: List(Gate) }, 404),
  decideGate: s(
    'Approve or deny a gate (approve may keep a `selection` of targets for the next round)',
    { params: Type.Object({ m: Id, r: Id, g: Id }), body: Body({ note: Opt(Str(V1_LIMITS.short)), selection: Opt(Open({ targets: Type.Array(Str(64), { maxItems: 500 }) })) }) },
    { 200: Data(Gate) },
    404,
    409,
  ),
  getMemory: s('A run’s memory', { params: RunParams }, { 200: Memory }, 404),
  putMemory: s('Replace a run’s memory', { params: RunParams, body: Json }, { 200: Memory }, 404, 412),
  patchMemory: s('Merge-patch a run’s memory (RFC 7396)', { params: RunParams, body: Json }, { 200: Memory }, 404, 412),
  getMemoryKey: s('One memory key', { params: Type.Object({ m: Id, r: Id, key: Str(V1_LIMITS.name) }) }, { 200: Open({ data: Type.Unknown(), key: Type.String(), version: Type.Integer() }) }, 404),
  putMemoryKey: s('Set one memory key', { params: Type.Object({ m: Id, r: Id, key: Str(V1_LIMITS.name) }), body: Body({ value: Type.Optional(Type.Unknown()) }) }, { 200: Memory }, 404, 412),
  appendMemoryKey: s('Append to a memory list', { params: Type.Object({ m: Id, r: Id, key: Str(V1_LIMITS.name) }), body: Body({ item: Type.Optional(Type.Unknown()) }) }, { 200: Memory }, 404, 412),

  createAssistant: s(
    'Create an assistant',
    {
      body: Body({
        name: Str(V1_LIMITS.name),
        instructions: Str(V1_LIMITS.text),
        ...assistantOptionalFields,
      }),
    },
    { 200: Assistant, 201: Assistant },
  ),
  listAssistants: s('List assistants', { querystring: PagedQuery({ name: Type.Optional(Str(V1_LIMITS.name)) }) }, { 200: List(Assistant) }),
  getAssistant: s('An assistant', { params: AssistantParams }, { 200: Assistant }, 404),
  patchAssistant: s(
    'Change an assistant',
    {
      params: AssistantParams,
      body: Body({
        name: Type.Optional(Str(V1_LIMITS.name)),
        instructions: Type.Optional(Str(V1_LIMITS.text)),
        ...assistantOptionalFields,
      }),
    },
    { 200: Assistant },
    404,
  ),
  connectionId: s('An assistant’s connection id', { params: AssistantParams, querystring: Open({ feature: Type.Optional(Str(32)) }) }, { 200: Open({ connection_id: Type.Union([Type.String(), Type.Null()]), feature: Type.String() }) }, 404),
  listPhones: s('The account’s phone lines', { querystring: PagedQuery() }, { 200: List(Phone) }),
  availablePhone: s('A phone line to use', {}, { 200: Open({ phone: Type.Union([Phone, Type.Null()]) }) }),
  patchPhone: s('Assign a phone line', { params: Type.Object({ p: Id }), body: Body({ connection_id: Opt(Str(V1_LIMITS.id)), type: Type.Optional(Str(16)) }) }, { 200: Data(Phone) }, 404),
  scheduleEvent: s(
    'Schedule a call or SMS',
    {
      params: AssistantParams,
      body: Body({
        channel: Str(16),
        to: Str(64),
        from: Str(64),
        scheduled_at: Str(64),
        text_body: Opt(Str(V1_LIMITS.sms)),
        kind: Type.Optional(Str(32)),
        step_id: Opt(Str(64)),
        mission_id: Opt(Str(V1_LIMITS.id)),
        run_id: Opt(Str(V1_LIMITS.id)),
      }),
    },
    { 200: Event, 201: Event },
    404,
    409,
  ),
  getEvent: s('A scheduled event (`?wait` long-polls for a change)', { params: EventParams, querystring: WaitQuery }, { 200: Event }, 404),
  cancelEvent: s('Cancel a scheduled event', { params: EventParams }, { 204: Type.Null({ description: 'Cancelled' }) }, 404, 409),
  listEvents: s('An assistant’s scheduled events', { params: AssistantParams, querystring: PagedQuery({ status: Type.Optional(Str(32)), run_id: Type.Optional(Str(V1_LIMITS.id)) }) }, { 200: List(Event) }, 404),

  placeCall: s(
    'Place a call now',
    { body: Body({ to: Opt(Str(64)), greeting: Opt(Str(V1_LIMITS.short)), context: Opt(Open({ purpose: Opt(Str(V1_LIMITS.short)) })) }) },
    { 201: Open({ call_id: Type.String(), status: Type.String(), to: Type.String(), from: Type.String() }) },
    409,
  ),
  getCall: s('A call', { params: Type.Object({ c: Id }) }, { 200: Call }, 404),
  endCall: s('End a call', { params: Type.Object({ c: Id }), body: Body({ reason: Opt(Str(V1_LIMITS.short)) }) }, { 200: Call }, 404, 409),
  sendMessage: s('Send an SMS', { body: Body({ to: Str(64), message: Str(V1_LIMITS.sms), media_urls: Type.Optional(Type.Array(Str(V1_LIMITS.short), { maxItems: 10 })) }) }, { 201: Message }),
  listMessages: s(
    'Messages',
    {
      querystring: Open({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
        contact: Type.Optional(Str(64)),
        direction: Type.Optional(Str(16)),
      }),
    },
    { 200: Open({ messages: Type.Array(Message), pagination: Open({ total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }) }) },
  ),
  conversations: s('Message conversations', {}, { 200: Open({ conversations: Type.Array(Open({ contact: Type.String(), message_count: Type.Integer() })) }) }),
  requestApproval: s(
    'Ask the owner for approval',
    { body: Body({ action: Str(V1_LIMITS.short), details: Opt(Str(10_000)), require_biometric: Type.Optional(Type.Boolean()), expires_in: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })) }) },
    { 201: Open({ request_id: Type.String(), status: Type.String(), devices_notified: Type.Integer(), devices_failed: Type.Integer(), expires_at: Iso }) },
  ),
  listApprovals: s('Approval requests', { querystring: PagedQuery({ status: Type.Optional(Str(32)) }) }, { 200: List(Approval) }),
  getApproval: s('An approval request', { params: Type.Object({ id: Id }) }, { 200: Approval }, 404),
  decideApproval: s('Approve or deny', { params: Type.Object({ id: Id }), body: Body({ note: Opt(Str(V1_LIMITS.short)) }) }, { 200: Approval }, 403, 404, 409),
} satisfies Record<string, RouteSchema>;

export type V1RouteSchema = RouteSchema;
