/**
 * The projections the missions workflows write (runs, scheduled events, steps, approvals): the
 * API reads them, the owning workflow is their only writer.
 */
import type { Db } from '../../infra/db';
import { appendStreamEvent, type RunScope } from '../../infra/mission-stream';
import { appendBotEvent } from '../../infra/clawdtalk/bot-log';
import { appendRunEvents } from '../../infra/run-events';
import { setMemoryKeys } from '../../infra/run-memory';
import { EVENT_TERMINAL, STEP_TERMINAL } from '../../common/missions';

export interface EventStatePatch {
  eventId: string;
  status?: string;
  callStatus?: string | null;
  conversationId?: string | null;
  retryCount?: number;
  nextAttemptAt?: number | null;
  outcome?: string | null;
}

/** A transaction client: every projection write below runs in one. */
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Compat step sync (spec §4 "Step"): `in_progress` at an event's first attempt; once every
 * event of the step is terminal, `completed` if any succeeded, else `failed`. A terminal
 * status the caller set is never overwritten, and the run is never ended here.
 */
async function syncStep(tx: Tx, input: { runId: string; stepId: string; phase: 'started' | 'finished' }): Promise<void> {
  const step = await tx.planStep.findUnique({ where: { runId_stepId: { runId: input.runId, stepId: input.stepId } } });
  if (!step) return;
  if (input.phase === 'started') {
    if (step.status === 'pending' || step.status === 'failed') {
      await tx.planStep.update({ where: { id: step.id }, data: { status: 'in_progress' } });
      await appendRunEvents(tx, input.runId, [{ type: 'step_started', summary: `Step ${input.stepId} started by a scheduled event`, stepId: input.stepId }]);
    }
    return;
  }
  const events = await tx.scheduledEvent.findMany({ where: { runId: input.runId, stepId: input.stepId } });
  if (events.some((e) => !EVENT_TERMINAL.has(e.status)) || STEP_TERMINAL.has(step.status)) return;
  const status = events.some((e) => e.status === 'completed') ? 'completed' : 'failed';
  await tx.planStep.update({ where: { id: step.id }, data: { status } });
  await appendRunEvents(tx, input.runId, [{ type: status === 'completed' ? 'step_completed' : 'error', summary: `Step ${input.stepId} ${status} from its scheduled events`, stepId: input.stepId }]);
}

/** The event row as saveEventState wrote it. */
type EventRow = Awaited<ReturnType<Tx['scheduledEvent']['update']>>;

/**
 * Run memory written by Parley (§5b): `targets.<E.164>` holds each callee's state, insights
 * included; a completed insight is also logged as a `custom` run event (E08). The key is set in
 * the database (infra/run-memory.ts), so a bot's concurrent PUT is never overwritten.
 */
async function recordTarget(tx: Tx, event: EventRow, run: RunScope): Promise<void> {
  if (event.channel !== 'call') return;
  const insight = event.conversationId ? await tx.insight.findFirst({ where: { callId: event.conversationId, status: 'completed' } }) : null;
  const structured = insight?.structuredJson ? JSON.parse(insight.structuredJson) : null;
  const target = { status: event.status, attempts: event.retryCount + 1, last_call_status: event.callStatus, conversation_id: event.conversationId, insights: structured };
  if ((await setMemoryKeys(tx, run, { [`targets.${event.to}`]: target })) === null) return;
  if (insight && event.status === 'completed') {
    await appendStreamEvent(tx, run, 'insight', { event_id: event.id, conversation_id: event.conversationId, name: insight.name, result: insight.result, structured });
    await appendRunEvents(tx, run, [{ type: 'custom', summary: `Insight for ${event.to}: ${insight.result}`, stepId: event.stepId, payload: { conversation_id: event.conversationId, insights: structured } }]);
  }
}

export function createMissionStoreActivities(db: Db) {
  return {
    /**
     * Writes the scheduled event's projection (status, call status, retries, next attempt); with
     * `step`, the step follows in the same activity, before the workflow moves on.
     */
    async saveEventState(patch: EventStatePatch & { step?: { runId: string; stepId: string } }): Promise<void> {
      const { eventId, nextAttemptAt, step, ...rest } = patch;
      // One transaction: a client that reads the event's new status also finds its step and
      // run memory updated (never the status first and the rest a moment later).
      await db.$transaction(async (tx) => {
        const event = await tx.scheduledEvent.update({
          where: { id: eventId },
          data: { ...rest, ...(nextAttemptAt !== undefined ? { nextAttemptAt: nextAttemptAt === null ? null : new Date(nextAttemptAt) } : {}) },
        });
        if (step) await syncStep(tx, { ...step, phase: 'finished' });
        // The run's scope, read once: the stream's and (for a target's end) the memory's.
        const run = event.runId && rest.status ? await tx.missionRun.findUnique({ where: { id: event.runId }, select: { id: true, accountId: true, missionId: true } }) : null;
        if (!run) return;
        await appendStreamEvent(tx, run, 'event_status', { event_id: eventId, status: event.status, call_status: event.callStatus, retry_count: event.retryCount, conversation_id: event.conversationId, next_attempt_at: event.nextAttemptAt?.toISOString() ?? null });
        if (rest.status !== 'in_progress') await recordTarget(tx, event, run);
      });
    },

    async syncStep(input: { runId: string; stepId: string; phase: 'started' | 'finished' }): Promise<void> {
      await db.$transaction((tx) => syncStep(tx, input));
    },

    /** Logs a run event written by Parley itself (`agent_id: "parley"`). */
    async logRunEvent(input: { runId: string; type: string; summary: string; stepId?: string | null; payload?: object | null }): Promise<void> {
      await db.$transaction((tx) => appendRunEvents(tx, input.runId, [input]));
    },

    /** Writes a run's status and results (the run workflow's projection). */
    async saveRun(input: { runId: string; status?: string; resultSummary?: string; resultPayload?: object }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.missionRun.update({
          where: { id: input.runId },
          data: {
            ...(input.status ? { status: input.status } : {}),
            ...(input.resultSummary !== undefined ? { resultSummary: input.resultSummary } : {}),
            ...(input.resultPayload !== undefined ? { resultPayloadJson: JSON.stringify(input.resultPayload) } : {}),
          },
        });
        if (input.status) await appendStreamEvent(tx, input.runId, 'run_status', { status: input.status, result_summary: input.resultSummary ?? null });
      });
    },

    /** True while some scheduled event of the run is not terminal (the idle timeout waits for them). */
    async runHasOpenEvents(runId: string): Promise<boolean> {
      return (await db.scheduledEvent.count({ where: { runId, status: { in: ['pending', 'in_progress'] } } })) > 0;
    },

    /** Writes an approval's decision or expiry. */
    async saveApproval(input: { approvalId: string; status: string; note?: string | null; selection?: string[] }): Promise<void> {
      const selection = input.selection ? { selectionJson: JSON.stringify(input.selection) } : {};
      const approval = await db.$transaction(async (tx) => {
        const row = await tx.approval.update({ where: { id: input.approvalId }, data: { status: input.status, note: input.note ?? null, decidedAt: new Date(), ...selection } });
        if (row.runId) await appendStreamEvent(tx, row.runId, 'approval_decided', { request_id: row.id, gate_id: row.gateId, status: input.status, selection: input.selection ?? null });
        return row;
      });
      // Resolves the ClawdTalk client's pending approval at once (it polls only as a fallback).
      await appendBotEvent(db, { accountId: approval.accountId, event: 'approval.responded', fields: { request_id: approval.id, decision: input.status }, dedupeKey: `${approval.id}:approval.responded` });
    },
  };
}

export type MissionStoreActivities = ReturnType<typeof createMissionStoreActivities>;
