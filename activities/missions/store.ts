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
