/**
 * Assistants, account phones (Parley's lines) and scheduled events for the /v1 routes: field
 * rules, lookups within the caller's account, dedupe, and the start of each event's workflow.
 * Routes parse, call these and map the rows with api/v1/views.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EVENT_TERMINAL, eventWorkflowId, RUN_TERMINAL, runWorkflowId, type EventKind } from '../../common/missions';
import { AssistantIdAttribute, EventIdAttribute, MissionIdAttribute, PhoneNumberAttribute, RunIdAttribute } from '../../common/search-attributes';
import type { Assistant, PhoneLine, ScheduledEvent } from '../../generated/prisma/sqlite/client';
import { cancelEventUpdate, EVENT_PATCHES, touchRunSignal, type ScheduledEventInput } from '../../workflows/missions/messages';
import { type Body, type Caller, invalid, notFound, optionalString, requiredString, V1Error, type V1Deps } from './common';
import { tryUpdate } from './temporal';

const TOOL_TYPES = ['hangup', 'send_dtmf', 'send_message', 'webhook', 'transfer', 'handoff', 'retrieval', 'refer'];
/** Stored but not run by Parley (Q4): a warning says so. */
const INERT_TOOLS = new Set(['handoff', 'retrieval', 'refer']);
const FEATURES = ['telephony', 'messaging'];
const DEFAULT_MODEL = 'openai/gpt-4o';
const DEFAULT_VOICE = 'Rime.ArcanaV3.astra';
const KNOWN_VOICES = new Set([DEFAULT_VOICE, 'Telnyx.KokoroTTS.af', 'Telnyx.NaturalHD.astra', 'AWS.Polly.Joanna-Neural']);
const MODEL_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.:-]+$/;
const DEFAULT_TOOLS = [
  { type: 'hangup', hangup: {} },
  { type: 'send_dtmf', send_dtmf: {} },
];

export interface AssistantFields {
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
export function assistantFields(body: Body, creating: boolean, warnings: string[]): AssistantFields {
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

/** The features an assistant may have turned on. */
export const ASSISTANT_FEATURES = FEATURES;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Scheduled events: at least a minute ahead, at most a year. */
const LEAD_MS = 60_000;
const HORIZON_MS = 365 * 86400_000;

/** An event's `scheduled_at` in epoch ms: ISO-8601 with a zone, a minute to a year ahead. */
export function scheduledAtOf(raw: unknown): number {
  const at = typeof raw === 'string' && ISO_8601.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(at)) throw invalid('/scheduled_at', 'scheduled_at must be an ISO-8601 time with Z or an offset');
  if (at < Date.now() + LEAD_MS) throw invalid('/scheduled_at', 'scheduled_at must be >= now+60s');
  if (at > Date.now() + HORIZON_MS) throw invalid('/scheduled_at', 'scheduled_at must be within 365 days');
  return at;
}

/** An event's channel needs its feature turned on in the assistant. */
export function assertChannelEnabled(assistant: Assistant, channel: 'call' | 'sms'): void {
  const features = JSON.parse(assistant.featuresJson) as string[];
  const feature = channel === 'call' ? 'telephony' : 'messaging';
  if (!features.includes(feature)) throw invalid('/channel', `the assistant has ${feature} turned off`, 'feature_disabled');
}

/** A parsed `POST /assistants/{a}/events` body. */
export interface EventRequest {
  channel: 'call' | 'sms';
  to: string;
  from: string;
  /** Epoch ms. */
  at: number;
  textBody: string | null;
  kind: EventKind;
  stepId: string | null;
  missionId: string | null;
  runId: string | null;
}

export function createAssistantService(deps: V1Deps) {
  const { db, temporal, config } = deps;
  const lineNumbers = config.missions.lines.map((l) => l.number);

  return {
    /** An assistant of the caller's account, else 404. */
    async assistantOf(accountId: string, assistantId: string): Promise<Assistant> {
      const a = await db.assistant.findFirst({ where: { id: assistantId, accountId } });
      if (!a) throw notFound('assistant');
      return a;
    },

    /** Creates an assistant; the same fields within the dedupe window answer the earlier one (`created: false`). */
    async createAssistant(caller: Caller, fields: AssistantFields): Promise<{ assistant: Assistant; created: boolean }> {
      const requestHash = createHash('sha256').update(JSON.stringify(fields)).digest('hex');
      const since = new Date(Date.now() - config.missions.dedupeWindowSec * 1000);
      const dupe = await db.assistant.findFirst({ where: { accountId: caller.accountId, requestHash, createdAt: { gte: since } }, orderBy: { createdAt: 'desc' } });
      if (dupe) return { assistant: dupe, created: false };
      const assistant = await db.assistant.create({
        data: { id: randomUUID(), accountId: caller.accountId, requestHash, ...(fields as Required<Pick<AssistantFields, 'name' | 'instructions' | 'model' | 'voice' | 'toolsJson' | 'featuresJson'>>), greeting: fields.greeting ?? '', description: fields.description ?? null, insightsJson: fields.insightsJson ?? null },
      });
      return { assistant, created: true };
    },

    /** The account's assistants, newest first, whose name holds `name` (any case). */
    async listAssistants(accountId: string, name: string): Promise<Assistant[]> {
      const all = await db.assistant.findMany({ where: { accountId }, orderBy: { createdAt: 'desc' } });
      const wanted = name.toLowerCase();
      return wanted ? all.filter((a) => a.name.toLowerCase().includes(wanted)) : all;
    },

    updateAssistant(id: string, fields: AssistantFields): Promise<Assistant> {
      return db.assistant.update({ where: { id }, data: fields });
    },

    /** The configured lines, synced into the database so assignments persist. */
    async syncLines(): Promise<void> {
      for (const line of config.missions.lines) {
        const fields = { driver: line.driver, serial: line.serial };
        // Another API replica may create the same row at the same moment: then update it.
        await db.phoneLine
          .upsert({ where: { number: line.number }, create: { id: randomUUID(), number: line.number, ...fields }, update: fields })
          .catch(() => db.phoneLine.update({ where: { number: line.number }, data: fields }));
      }
    },

    /** The account's lines, in configuration order. */
    async linesOf(accountId: string): Promise<PhoneLine[]> {
      const rows = await db.phoneLine.findMany({ where: { accountId, number: { in: lineNumbers } } });
      return lineNumbers.map((n) => rows.find((r) => r.number === n)).filter((r) => r !== undefined);
    },

    assignLine(lineId: string, connectionId: string | null, type: 'voice' | 'sms'): Promise<PhoneLine> {
      return db.phoneLine.update({ where: { id: lineId }, data: { connectionId, connectionType: connectionId === null ? null : type } });
    },

    /** The line an event sends from must be the account's (`prl_test_` keys: simulated lines only). */
    assertOwnLine(caller: Caller, from: string): void {
      const line = config.missions.lines.find((l) => l.number === from);
      if (!line || (caller.test && line.driver !== 'sim')) throw invalid('/from', `${from} is not one of this account's lines`, 'from_not_owned');
    },

    /**
     * Schedules an event (its request checked with the helpers above): checks the run, returns an identical open event instead of a second one (E12), else stores the event and
     * starts its `event-<id>` workflow (`created: true`).
     */
    async scheduleEvent(caller: Caller, assistant: Assistant, r: EventRequest): Promise<{ event: ScheduledEvent; created: boolean }> {
      let run = null;
      if (r.runId) {
        run = await db.missionRun.findFirst({ where: { id: r.runId, accountId: caller.accountId } });
        if (!run || (r.missionId && run.missionId !== r.missionId)) throw invalid('/run_id', 'run_id must be a run of mission_id');
        if (RUN_TERMINAL.has(run.status)) throw new V1Error(409, 'run_terminal', `the run is ${run.status}`);
      } else if (r.missionId && !(await db.mission.findFirst({ where: { id: r.missionId, accountId: caller.accountId } }))) {
        throw invalid('/mission_id', 'unknown mission');
      }
      // E12: an identical open event is returned instead of a second one.
      const dedupeKey = createHash('sha256').update(JSON.stringify([assistant.id, r.channel, r.to, r.at, r.runId, r.textBody])).digest('hex');
      const open = await db.scheduledEvent.findFirst({ where: { dedupeKey, status: { in: ['pending', 'in_progress'] } } });
      if (open) return { event: open, created: false };
      const event = await db.scheduledEvent.create({
        data: { id: randomUUID(), accountId: caller.accountId, assistantId: assistant.id, channel: r.channel, to: r.to, from: r.from, scheduledAt: new Date(r.at), textBody: r.textBody, missionId: run?.missionId ?? r.missionId, runId: r.runId, stepId: r.stepId, dedupeKey },
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
        channel: r.channel,
        to: r.to,
        from: r.from,
        scheduledAt: r.at,
        textBody: r.textBody,
        missionId: event.missionId,
        runId: r.runId,
        stepId: r.stepId,
        kind: r.kind,
        timeScale: config.missions.timeScale,
        startPaused: run?.status === 'paused',
        patches: EVENT_PATCHES,
      };
      await temporal.workflow.start('scheduledEventWorkflow', {
        taskQueue: config.taskQueue,
        workflowId: eventWorkflowId(event.id),
        args: [input],
        typedSearchAttributes: [
          { key: EventIdAttribute, value: event.id },
          { key: AssistantIdAttribute, value: assistant.id },
          { key: PhoneNumberAttribute, value: r.to },
          ...(event.missionId ? [{ key: MissionIdAttribute, value: event.missionId }] : []),
          ...(r.runId ? [{ key: RunIdAttribute, value: r.runId }] : []),
        ],
      });
      return { event, created: true };
    },

    /** An event of that assistant in the caller's account, else 404. */
    async eventOf(accountId: string, assistantId: string, eventId: string): Promise<ScheduledEvent> {
      const event = await db.scheduledEvent.findFirst({ where: { id: eventId, assistantId, accountId } });
      if (!event) throw notFound('event');
      return event;
    },

    /** Cancels an open event through its workflow; a closed one is a 409, a cancelled one a no-op. */
    async cancelEvent(event: ScheduledEvent): Promise<void> {
      if (event.status === 'cancelled') return;
      if (EVENT_TERMINAL.has(event.status)) throw new V1Error(409, 'event_terminal', `the event is ${event.status}`);
      await tryUpdate(() => temporal.workflow.getHandle(eventWorkflowId(event.id)).executeUpdate(cancelEventUpdate));
      const after = (await db.scheduledEvent.findUnique({ where: { id: event.id } }))!;
      if (after.status !== 'cancelled') throw new V1Error(409, 'event_terminal', `the event is ${after.status}`);
    },

    eventsOf(assistantId: string, status: string | undefined, runId: string | undefined): Promise<ScheduledEvent[]> {
      return db.scheduledEvent.findMany({ where: { assistantId, ...(status ? { status } : {}), ...(runId ? { runId } : {}) }, orderBy: { createdAt: 'desc' } });
    },
  };
}
