/** /v1 assistants, their connection ids and scheduled events; account phones (Parley's lines). */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EVENT_TERMINAL, eventWorkflowId, RUN_TERMINAL, runWorkflowId, STEP_ID_PATTERN, type EventKind } from '../../common/missions';
import { AssistantIdAttribute, EventIdAttribute, MissionIdAttribute, PhoneNumberAttribute, RunIdAttribute } from '../../common/search-attributes';
import { cancelEventUpdate, touchRunSignal, type ScheduledEventInput } from '../../workflows/missions/messages';
import { type Body, bodyOf, callerOf, e164, invalid, notFound, optionalString, paged, pageOf, paramsOf, queryOf, requiredString, route, V1Error, type V1Deps } from './common';
import { V1 } from './schemas';
import { tryUpdate } from './temporal';
import { readWhenChanged, waitOf } from './wait';
import { assistantView, eventView, phoneView } from './views';

export const TOOL_TYPES = ['hangup', 'send_dtmf', 'send_message', 'webhook', 'transfer', 'handoff', 'retrieval', 'refer'];
/** Stored but not run by Parley (Q4): a warning says so. */
const INERT_TOOLS = new Set(['handoff', 'retrieval', 'refer']);
const FEATURES = ['telephony', 'messaging'];
const DEFAULT_MODEL = 'openai/gpt-4o';
export const DEFAULT_VOICE = 'Rime.ArcanaV3.astra';
const KNOWN_VOICES = new Set([DEFAULT_VOICE, 'Telnyx.KokoroTTS.af', 'Telnyx.NaturalHD.astra', 'AWS.Polly.Joanna-Neural']);
const MODEL_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.:-]+$/;
const DEFAULT_TOOLS = [
  { type: 'hangup', hangup: {} },
  { type: 'send_dtmf', send_dtmf: {} },
];

interface AssistantFields {
  name?: string;
  instructions?: string;
  description?: string | null;
  model?: string;
  greeting?: string;
  voice?: string;
  toolsJson?: string;
  featuresJson?: string;
  insightsJson?: string | null;
}

/** Validates create/patch fields; `warnings` collects Q4's soft problems. */
function assistantFields(body: Body, creating: boolean, warnings: string[]): AssistantFields {
  const f: AssistantFields = {};
  if (creating || body.name !== undefined) f.name = requiredString(body, 'name', 200);
  if (creating || body.instructions !== undefined) f.instructions = requiredString(body, 'instructions');
  if (body.description !== undefined) f.description = optionalString(body, 'description') ?? null;
  const model = optionalString(body, 'model');
  if (model !== undefined && !MODEL_PATTERN.test(model)) throw invalid('/model', 'model must look like provider/model, e.g. openai/gpt-4o', 'unknown_model');
  if (model !== undefined || creating) f.model = model ?? DEFAULT_MODEL;
  const greeting = optionalString(body, 'greeting');
  if (greeting !== undefined || creating) f.greeting = greeting ?? '';
  const voice = optionalString(body, 'voice');
  if (voice !== undefined && !KNOWN_VOICES.has(voice)) warnings.push(`unknown voice ${voice}: the default voice is used`);
  if (voice !== undefined || creating) f.voice = voice && KNOWN_VOICES.has(voice) ? voice : DEFAULT_VOICE;
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw invalid('/tools', 'tools must be a list');
    body.tools.forEach((t, i) => {
      const type = (t as { type?: unknown })?.type;
      if (typeof type !== 'string' || !TOOL_TYPES.includes(type)) throw invalid(`/tools/${i}/type`, `tool type must be one of ${TOOL_TYPES.join(', ')}`, 'unknown_tool');
      if (INERT_TOOLS.has(type)) warnings.push(`tool ${type} is stored but does nothing in Parley`);
    });
    f.toolsJson = JSON.stringify(body.tools);
  } else if (creating) f.toolsJson = JSON.stringify(DEFAULT_TOOLS);
  if (body.enabled_features !== undefined && body.enabled_features !== null) {
    const feats = body.enabled_features;
    if (!Array.isArray(feats) || feats.some((x) => typeof x !== 'string' || !FEATURES.includes(x))) throw invalid('/enabled_features', 'enabled_features may hold telephony and messaging', 'unknown_feature');
    f.featuresJson = JSON.stringify([...new Set(feats)]);
  } else if (creating) f.featuresJson = JSON.stringify(FEATURES);
  if (body.insights !== undefined) {
    const ins = body.insights as Record<string, unknown> | null;
    if (ins !== null && (typeof ins !== 'object' || Array.isArray(ins) || (ins.schema !== undefined && (typeof ins.schema !== 'object' || ins.schema === null)))) {
      throw invalid('/insights', 'insights must be {name?, instructions?, schema?: JSON Schema}');
    }
    f.insightsJson = ins ? JSON.stringify(ins) : null;
  }
  return f;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const LEAD_MS = 60_000;
const HORIZON_MS = 365 * 86400_000;

/** Routes of the assistants family, account phones and scheduled events. */
export async function assistantRoutes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const { db, temporal, config } = deps;

  async function assistantFor(req: FastifyRequest) {
    const a = await db.assistant.findFirst({ where: { id: paramsOf(req).a, accountId: callerOf(req).accountId } });
    if (!a) throw notFound('assistant');
    return a;
  }

  route(app, 'POST', '/assistants', V1.createAssistant, async (req, reply) => {
    const caller = callerOf(req);
    const body = bodyOf(req);
    const warnings: string[] = [];
    const fields = assistantFields(body, true, warnings);
    const requestHash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
    const since = new Date(Date.now() - config.missions.dedupeWindowSec * 1000);
    const dupe = await db.assistant.findFirst({ where: { accountId: caller.accountId, requestHash, createdAt: { gte: since } }, orderBy: { createdAt: 'desc' } });
    if (dupe) return reply.code(200).send(assistantView(dupe));
    const a = await db.assistant.create({
      data: { id: randomUUID(), accountId: caller.accountId, requestHash, ...(fields as Required<Pick<AssistantFields, 'name' | 'instructions' | 'model' | 'voice' | 'toolsJson' | 'featuresJson'>>), greeting: fields.greeting ?? '', description: fields.description ?? null, insightsJson: fields.insightsJson ?? null },
    });
    return reply.code(201).send({ ...assistantView(a), ...(warnings.length ? { warnings } : {}) });
  });

  route(app, 'GET', '/assistants', V1.listAssistants, async (req) => {
    const name = (queryOf(req).name ?? '').toLowerCase();
    const all = await db.assistant.findMany({ where: { accountId: callerOf(req).accountId }, orderBy: { createdAt: 'desc' } });
    const page = paged(name ? all.filter((a) => a.name.toLowerCase().includes(name)) : all, pageOf(req, 25));
    return { data: page.data.map(assistantView), meta: page.meta };
  });

  route(app, 'GET', '/assistants/:a', V1.getAssistant, async (req) => assistantView(await assistantFor(req)));

  route(app, 'PATCH', '/assistants/:a', V1.patchAssistant, async (req) => {
    const a = await assistantFor(req);
    const warnings: string[] = [];
    const fields = assistantFields(bodyOf(req), false, warnings);
    const updated = await db.assistant.update({ where: { id: a.id }, data: fields });
    return { ...assistantView(updated), ...(warnings.length ? { warnings } : {}) };
  });

  route(app, 'GET', '/assistants/:a/connection-id', V1.connectionId, async (req) => {
    const a = await assistantFor(req);
    const feature = queryOf(req).feature ?? 'telephony';
    if (!FEATURES.includes(feature)) throw invalid('/feature', 'feature must be telephony or messaging');
    const enabled = (JSON.parse(a.featuresJson) as string[]).includes(feature);
    return { connection_id: enabled ? `${feature}-${a.id}` : null, feature };
  });

  // Account phones: the configured lines, synced into the database so assignments persist.
  const lineNumbers = config.missions.lines.map((l) => l.number);
  for (const line of config.missions.lines) {
    const fields = { driver: line.driver, serial: line.serial };
    // Another API replica may create the same row at the same moment: then update it.
    await db.phoneLine
      .upsert({ where: { number: line.number }, create: { id: randomUUID(), number: line.number, ...fields }, update: fields })
      .catch(() => db.phoneLine.update({ where: { number: line.number }, data: fields }));
  }
  const linesOf = async (req: FastifyRequest) => {
    const rows = await db.phoneLine.findMany({ where: { accountId: callerOf(req).accountId, number: { in: lineNumbers } } });
    return lineNumbers.map((n) => rows.find((r) => r.number === n)).filter((r) => r !== undefined);
  };

  route(app, 'GET', '/numbers/account-phones', V1.listPhones, async (req) => {
    const page = paged(await linesOf(req), pageOf(req, 50));
    return { data: page.data.map(phoneView), meta: page.meta };
  });

  route(app, 'GET', '/numbers/account-phones/available', V1.availablePhone, async (req) => {
    // Q5: no line is a 200 with `phone: null`, so setup-agent keeps its assistant.
    const [first] = await linesOf(req);
    return { phone: first ? phoneView(first) : null };
  });

  route(app, 'PATCH', '/numbers/account-phones/:p', V1.patchPhone, async (req) => {
    const line = (await linesOf(req)).find((l) => l.id === paramsOf(req).p);
    if (!line) throw notFound('phone');
    const body = bodyOf(req);
    if (!('connection_id' in body) || (body.connection_id !== null && typeof body.connection_id !== 'string')) throw invalid('/connection_id', 'connection_id is required (a string or null)');
    const type = body.type ?? 'voice';
    if (type !== 'voice' && type !== 'sms') throw invalid('/type', 'type must be voice or sms');
    const updated = await db.phoneLine.update({ where: { id: line.id }, data: { connectionId: body.connection_id as string | null, connectionType: body.connection_id === null ? null : type } });
    return { data: phoneView(updated) };
  });

  route(app, 'POST', '/assistants/:a/events', V1.scheduleEvent, async (req, reply) => {
    const caller = callerOf(req);
    const assistant = await assistantFor(req);
    const body = bodyOf(req);
    const channel = body.channel;
    if (channel !== 'call' && channel !== 'sms') throw invalid('/channel', 'channel must be call or sms');
    const to = e164(body.to, '/to');
    const from = e164(body.from, '/from');
    const line = config.missions.lines.find((l) => l.number === from);
    if (!line || (caller.test && line.driver !== 'sim')) throw invalid('/from', `${from} is not one of this account's lines`, 'from_not_owned');
    const raw = body.scheduled_at;
    const at = typeof raw === 'string' && ISO_8601.test(raw) ? Date.parse(raw) : NaN;
    if (!Number.isFinite(at)) throw invalid('/scheduled_at', 'scheduled_at must be an ISO-8601 time with Z or an offset');
    if (at < Date.now() + LEAD_MS) throw invalid('/scheduled_at', 'scheduled_at must be >= now+60s');
    if (at > Date.now() + HORIZON_MS) throw invalid('/scheduled_at', 'scheduled_at must be within 365 days');
    const textBody = optionalString(body, 'text_body', 1600) ?? null;
    if (channel === 'sms' && !textBody) throw invalid('/text_body', 'text_body is required for an SMS');
    const features = JSON.parse(assistant.featuresJson) as string[];
    const feature = channel === 'call' ? 'telephony' : 'messaging';
    if (!features.includes(feature)) throw invalid('/channel', `the assistant has ${feature} turned off`, 'feature_disabled');
    const kind = (body.kind ?? 'service') as EventKind;
    if (!['automated', 'service', 'professional'].includes(kind)) throw invalid('/kind', 'kind must be automated, service or professional');
    const stepId = optionalString(body, 'step_id') ?? null;
    if (stepId !== null && !STEP_ID_PATTERN.test(stepId)) throw invalid('/step_id', 'step_id must match [A-Za-z0-9._~-]{1,64}');
    const missionId = optionalString(body, 'mission_id') ?? null;
    const runId = optionalString(body, 'run_id') ?? null;
    let run = null;
    if (runId) {
      run = await db.missionRun.findFirst({ where: { id: runId, accountId: caller.accountId } });
      if (!run || (missionId && run.missionId !== missionId)) throw invalid('/run_id', 'run_id must be a run of mission_id');
      if (RUN_TERMINAL.has(run.status)) throw new V1Error(409, 'run_terminal', `the run is ${run.status}`);
    } else if (missionId && !(await db.mission.findFirst({ where: { id: missionId, accountId: caller.accountId } }))) {
      throw invalid('/mission_id', 'unknown mission');
    }
    // E12: an identical open event is returned instead of a second one.
    const dedupeKey = createHash('sha256').update(JSON.stringify([assistant.id, channel, to, at, runId, textBody])).digest('hex');
    const open = await db.scheduledEvent.findFirst({ where: { dedupeKey, status: { in: ['pending', 'in_progress'] } } });
    if (open) return reply.code(200).send(eventView(open));
    const event = await db.scheduledEvent.create({
      data: { id: randomUUID(), accountId: caller.accountId, assistantId: assistant.id, channel, to, from, scheduledAt: new Date(at), textBody, missionId: run?.missionId ?? missionId, runId, stepId, dedupeKey },
    });
    if (run) {
      // E10: scheduling links the assistant to the run, idempotently.
      await db.runAgent.upsert({ where: { runId_assistantId: { runId: run.id, assistantId: assistant.id } }, create: { runId: run.id, assistantId: assistant.id }, update: {} });
      await temporal.workflow.getHandle(runWorkflowId(run.id)).signal(touchRunSignal).catch(() => undefined);
    }
    const input: ScheduledEventInput = {
      eventId: event.id,
      accountId: caller.accountId,
      assistantId: assistant.id,
      channel,
      to,
      from,
      scheduledAt: at,
      textBody,
      missionId: event.missionId,
      runId,
      stepId,
      kind,
      timeScale: config.missions.timeScale,
      startPaused: run?.status === 'paused',
    };
    await temporal.workflow.start('scheduledEventWorkflow', {
      taskQueue: config.taskQueue,
      workflowId: eventWorkflowId(event.id),
      args: [input],
      typedSearchAttributes: [
        { key: EventIdAttribute, value: event.id },
        { key: AssistantIdAttribute, value: assistant.id },
        { key: PhoneNumberAttribute, value: to },
        ...(event.missionId ? [{ key: MissionIdAttribute, value: event.missionId }] : []),
        ...(runId ? [{ key: RunIdAttribute, value: runId }] : []),
      ],
    });
    return reply.code(201).send(eventView(event));
  });

  async function eventFor(req: FastifyRequest) {
    const { a, e } = paramsOf(req);
    const event = await db.scheduledEvent.findFirst({ where: { id: e, assistantId: a, accountId: callerOf(req).accountId } });
    if (!event) throw notFound('event');
    return event;
  }

  // `?wait`: answers when the event changes or ends (P4: no polling loop in the bot).
  route(app, 'GET', '/assistants/:a/events/:e', V1.getEvent, async (req) => eventView(await readWhenChanged(() => eventFor(req), (e) => EVENT_TERMINAL.has(e.status), waitOf(req))));

  route(app, 'DELETE', '/assistants/:a/events/:e', V1.cancelEvent, async (req, reply) => {
    const event = await eventFor(req);
    if (event.status === 'cancelled') return reply.code(204).send();
    if (EVENT_TERMINAL.has(event.status)) throw new V1Error(409, 'event_terminal', `the event is ${event.status}`);
    await tryUpdate(() => temporal.workflow.getHandle(eventWorkflowId(event.id)).executeUpdate(cancelEventUpdate));
    const after = (await db.scheduledEvent.findUnique({ where: { id: event.id } }))!;
    if (after.status !== 'cancelled') throw new V1Error(409, 'event_terminal', `the event is ${after.status}`);
    return reply.code(204).send();
  });

  route(app, 'GET', '/assistants/:a/events', V1.listEvents, async (req) => {
    const a = await assistantFor(req);
    const q = queryOf(req);
    const events = await db.scheduledEvent.findMany({ where: { assistantId: a.id, ...(q.status ? { status: q.status } : {}), ...(q.run_id ? { runId: q.run_id } : {}) }, orderBy: { createdAt: 'desc' } });
    const page = paged(events, pageOf(req, 50));
    return { data: page.data.map(eventView), meta: page.meta };
  });
}
