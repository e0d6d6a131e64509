/**
 * The projections the missions workflows write (runs, scheduled events, steps, approvals): the
 * API reads them, the owning workflow is their only writer.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../infra/db';
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

export function createMissionStoreActivities(db: Db) {
  async function logRunEvent(runId: string, type: string, summary: string, stepId: string | null, payload: object | null) {
    for (let i = 0; i < 5; i++) {
      const last = await db.runEvent.findFirst({ where: { runId }, orderBy: { seq: 'desc' } });
      try {
        await db.runEvent.create({ data: { id: randomUUID(), runId, seq: (last?.seq ?? 0) + 1, type, summary, agentId: 'parley', stepId, payloadJson: payload ? JSON.stringify(payload) : null } });
        return;
      } catch {
        // Another writer took this seq: read the new last one and try again.
      }
    }
  }

  /**
   * Compat step sync (spec §4 "Step"): `in_progress` at an event's first attempt; once every
   * event of the step is terminal, `completed` if any succeeded, else `failed`. A terminal
   * status the caller set is never overwritten, and the run is never ended here.
   */
  async function syncStep(input: { runId: string; stepId: string; phase: 'started' | 'finished' }): Promise<void> {
    const step = await db.planStep.findUnique({ where: { runId_stepId: { runId: input.runId, stepId: input.stepId } } });
    if (!step) return;
    if (input.phase === 'started') {
      if (step.status === 'pending' || step.status === 'failed') {
        await db.planStep.update({ where: { id: step.id }, data: { status: 'in_progress' } });
        await logRunEvent(input.runId, 'step_started', `Step ${input.stepId} started by a scheduled event`, input.stepId, null);
      }
      return;
    }
    const events = await db.scheduledEvent.findMany({ where: { runId: input.runId, stepId: input.stepId } });
    if (events.some((e) => !EVENT_TERMINAL.has(e.status)) || STEP_TERMINAL.has(step.status)) return;
    const status = events.some((e) => e.status === 'completed') ? 'completed' : 'failed';
    await db.planStep.update({ where: { id: step.id }, data: { status } });
    await logRunEvent(input.runId, status === 'completed' ? 'step_completed' : 'error', `Step ${input.stepId} ${status} from its scheduled events`, input.stepId, null);
  }

  /**
   * Run memory written by Parley (§5b): `targets.<E.164>` holds each callee's state, insights
   * included; a completed insight is also logged as a `custom` run event (E08).
   */
  async function recordTarget(eventId: string): Promise<void> {
    const event = await db.scheduledEvent.findUnique({ where: { id: eventId } });
    if (!event?.runId || event.channel !== 'call') return;
    const insight = event.conversationId ? await db.insight.findFirst({ where: { callId: event.conversationId, status: 'completed' } }) : null;
    const structured = insight?.structuredJson ? JSON.parse(insight.structuredJson) : null;
    const target = { status: event.status, attempts: event.retryCount + 1, last_call_status: event.callStatus, conversation_id: event.conversationId, insights: structured };
    for (let tries = 0; tries < 5; tries++) {
      const run = await db.missionRun.findUnique({ where: { id: event.runId } });
      if (!run) return;
      const memory = JSON.parse(run.memoryJson) as Record<string, unknown>;
      memory[`targets.${event.to}`] = target;
      const saved = await db.missionRun.updateMany({ where: { id: run.id, memoryVersion: run.memoryVersion }, data: { memoryJson: JSON.stringify(memory), memoryVersion: run.memoryVersion + 1 } });
      if (saved.count === 1) break;
    }
    if (insight && event.status === 'completed') {
      await logRunEvent(event.runId, 'custom', `Insight for ${event.to}: ${insight.result}`, event.stepId, { conversation_id: event.conversationId, insights: structured });
    }
  }

  return {
    /**
     * Writes the scheduled event's projection (status, call status, retries, next attempt); with
     * `step`, the step follows in the same activity, before the workflow moves on.
     */
    async saveEventState(patch: EventStatePatch & { step?: { runId: string; stepId: string } }): Promise<void> {
      const { eventId, nextAttemptAt, step, ...rest } = patch;
      await db.scheduledEvent.update({
        where: { id: eventId },
        data: { ...rest, ...(nextAttemptAt !== undefined ? { nextAttemptAt: nextAttemptAt === null ? null : new Date(nextAttemptAt) } : {}) },
      });
      if (step) await syncStep({ ...step, phase: 'finished' });
      if (rest.status && rest.status !== 'in_progress') await recordTarget(eventId);
    },

    syncStep,

    /** Logs a run event written by Parley itself (`agent_id: "parley"`). */
    async logRunEvent(input: { runId: string; type: string; summary: string; stepId?: string | null; payload?: object | null }): Promise<void> {
      await logRunEvent(input.runId, input.type, input.summary, input.stepId ?? null, input.payload ?? null);
    },

    /** Writes a run's status and results (the run workflow's projection). */
    async saveRun(input: { runId: string; status?: string; resultSummary?: string; resultPayload?: object }): Promise<void> {
      await db.missionRun.update({
        where: { id: input.runId },
        data: {
          ...(input.status ? { status: input.status } : {}),
          ...(input.resultSummary !== undefined ? { resultSummary: input.resultSummary } : {}),
          ...(input.resultPayload !== undefined ? { resultPayloadJson: JSON.stringify(input.resultPayload) } : {}),
        },
      });
    },

    /** True while some scheduled event of the run is not terminal (the idle timeout waits for them). */
    async runHasOpenEvents(runId: string): Promise<boolean> {
      return (await db.scheduledEvent.count({ where: { runId, status: { in: ['pending', 'in_progress'] } } })) > 0;
    },

    /** Writes an approval's decision or expiry. */
    async saveApproval(input: { approvalId: string; status: string; note?: string | null }): Promise<void> {
      await db.approval.update({ where: { id: input.approvalId }, data: { status: input.status, note: input.note ?? null, decidedAt: new Date() } });
    },
  };
}

export type MissionStoreActivities = ReturnType<typeof createMissionStoreActivities>;
