/**
 * The writes of a declarative run (spec §5a, §5b, E09–E11): step statuses with their run events
 * (`agent_id: "parley"`), the target events it schedules, gate approvals, run memory and the
 * final result. Each is idempotent, so Temporal may retry any of them.
 */
import type { Db } from '../../infra/db';
import { appendStreamEvent } from '../../infra/mission-stream';
import { appendRunEvents } from '../../infra/run-events';
import { setMemoryKeys } from '../../infra/run-memory';

const STEP_EVENT: Record<string, string> = { in_progress: 'step_started', completed: 'step_completed', skipped: 'step_completed', failed: 'error' };

export interface TargetEventItem {
  eventId: string;
  to: string;
  from: string;
  scheduledAt: number;
}

/** One run event a declarative run writes about its own decisions. */
export interface DecisionEntry {
  type: 'custom' | 'message';
  summary: string;
  stepId?: string | null;
  payload?: object | null;
}

export interface TargetRead {
  eventId: string;
  status: string;
  retryCount: number;
  callStatus: string | null;
  conversationId: string | null;
  insights: Record<string, unknown> | null;
}

export function createDeclarativeActivities(db: Db) {
  return {
    /** Links the run's assistant (E10) and returns its instructions, the base of every call's prompt. */
    async prepareRun(input: { runId: string; assistantId: string }): Promise<{ instructions: string }> {
      const assistant = await db.assistant.findUnique({ where: { id: input.assistantId } });
      await db.runAgent.upsert({ where: { runId_assistantId: { runId: input.runId, assistantId: input.assistantId } }, create: { runId: input.runId, assistantId: input.assistantId }, update: {} });
      return { instructions: assistant?.instructions ?? '' };
    },

    /** Sets a step's status and logs it (`step_started`, `step_completed`, or `error`); a no-op when already set. */
    async setStep(input: { runId: string; stepId: string; status: string; summary: string; payload?: object | null }): Promise<void> {
      await db.$transaction(async (tx) => {
        const step = await tx.planStep.findUnique({ where: { runId_stepId: { runId: input.runId, stepId: input.stepId } } });
        if (!step || step.status === input.status) return;
        await tx.planStep.update({ where: { id: step.id }, data: { status: input.status } });
        await appendStreamEvent(tx, input.runId, 'step_status', { step_id: input.stepId, status: input.status });
        await appendRunEvents(tx, input.runId, [{ type: STEP_EVENT[input.status] ?? 'custom', summary: input.summary, stepId: input.stepId, payload: input.payload }]);
      });
    },

    /**
     * Logs a `custom` (outcome) or `message` (decision) run event. With the run's account and
     * mission (a run's per-target outcomes pass them) the stream append needs no read of the run.
     */
    async logDecision(input: { runId: string; accountId?: string; missionId?: string; type: 'custom' | 'message'; summary: string; stepId?: string | null; payload?: object | null }): Promise<void> {
      const run = input.accountId && input.missionId ? { id: input.runId, accountId: input.accountId, missionId: input.missionId } : input.runId;
      await db.$transaction((tx) => appendRunEvents(tx, run, [input]));
    },

    /**
     * Logs several `custom`/`message` run events in one transaction, in order: the per-target
     * decisions of a batch that arrived together (BATCHED_DECISIONS_PATCH).
     */
    async logDecisions(input: { runId: string; accountId: string; missionId: string; entries: DecisionEntry[] }): Promise<void> {
      const run = { id: input.runId, accountId: input.accountId, missionId: input.missionId };
      await db.$transaction((tx) => appendRunEvents(tx, run, input.entries));
    },

    /** Creates the scheduled events of one batch (pending), skipping any created by an earlier try, and lists them in memory. */
    async createTargetEvents(input: { runId: string; missionId: string; accountId: string; assistantId: string; stepId: string; items: TargetEventItem[] }): Promise<void> {
      await db.$transaction(async (tx) => {
        const existing = new Set((await tx.scheduledEvent.findMany({ where: { id: { in: input.items.map((i) => i.eventId) } }, select: { id: true } })).map((e) => e.id));
        const fresh = input.items.filter((i) => !existing.has(i.eventId));
        if (fresh.length === 0) return;
        await tx.scheduledEvent.createMany({
          data: fresh.map((item) => ({ id: item.eventId, accountId: input.accountId, assistantId: input.assistantId, channel: 'call', to: item.to, from: item.from, scheduledAt: new Date(item.scheduledAt), missionId: input.missionId, runId: input.runId, stepId: input.stepId, dedupeKey: `run:${input.runId}:${item.eventId}` })),
        });
        const run = await tx.missionRun.findUnique({ where: { id: input.runId }, select: { memoryJson: true } });
        const listed = (JSON.parse(run?.memoryJson ?? '{}') as Record<string, unknown>).scheduled_events;
        await setMemoryKeys(tx, input.runId, { scheduled_events: [...(Array.isArray(listed) ? listed : []), ...fresh.map((i) => i.eventId)] });
      });
    },

    /** The projection of finished target events, with the insights of their last conversation. */
    async readTargets(input: { eventIds: string[] }): Promise<TargetRead[]> {
      const events = await db.scheduledEvent.findMany({ where: { id: { in: input.eventIds } } });
      const insights = await db.insight.findMany({ where: { callId: { in: events.map((e) => e.conversationId).filter((c): c is string => Boolean(c)) }, status: 'completed' } });
      const byCall = new Map(insights.map((i) => [i.callId, i.structuredJson ? (JSON.parse(i.structuredJson) as Record<string, unknown>) : null]));
      return input.eventIds.flatMap((id) => {
        const e = events.find((x) => x.id === id);
        return e ? [{ eventId: e.id, status: e.status, retryCount: e.retryCount, callStatus: e.callStatus, conversationId: e.conversationId, insights: (e.conversationId && byCall.get(e.conversationId)) || null }] : [];
      });
    },

    /** Creates a gate's approval request (an ordinary approval: `/v1/approvals` and approval.sh see it). */
    async createGateApproval(input: { approvalId: string; accountId: string; runId: string; gateId: string; action: string; details: string; expiresInMs: number }): Promise<void> {
      const data = { id: input.approvalId, accountId: input.accountId, runId: input.runId, gateId: input.gateId, action: input.action, details: input.details, expiresAt: new Date(Date.now() + input.expiresInMs) };
      await db.$transaction(async (tx) => {
        if (await tx.approval.findUnique({ where: { id: input.approvalId } })) return;
        await tx.approval.create({ data });
        await appendStreamEvent(tx, input.runId, 'approval_requested', { request_id: input.approvalId, gate_id: input.gateId, action: input.action, expires_at: data.expiresAt.toISOString() });
      });
    },

    /** A run that ends before its gate is decided expires the gate's approval (spec §4 "Approval"). */
    async expireApproval(input: { approvalId: string }): Promise<void> {
      await db.approval.updateMany({ where: { id: input.approvalId, status: 'pending' }, data: { status: 'expired', decidedAt: new Date() } });
    },

    /** Posts an `act` webhook; a non-2xx answer fails the activity for Temporal to retry. */
    async postWebhook(input: { url: string; body: object }): Promise<{ status: number }> {
      const res = await fetch(input.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input.body), signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      return { status: res.status };
    },

    /** Ends the run: status, summary, result payload and the `result` memory key, in one transaction. */
    async finishRun(input: { runId: string; status: string; summary: string; payload: object; result: object }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.missionRun.update({ where: { id: input.runId }, data: { status: input.status, resultSummary: input.summary, resultPayloadJson: JSON.stringify(input.payload) } });
        await tx.planStep.updateMany({ where: { runId: input.runId, status: 'pending' }, data: { status: 'skipped' } });
        await appendStreamEvent(tx, input.runId, 'run_status', { status: input.status, result_summary: input.summary });
        await setMemoryKeys(tx, input.runId, { result: input.result });
      });
    },

    /**
     * E09's failure sequence, in order: step `failed`, an `error` event, `error_<step>`, run
     * `failed`, `result`. (The workflow then cancels its timers and open events.)
     */
    async failRun(input: { runId: string; stepId: string; error: string; payload: object }): Promise<void> {
      await db.$transaction(async (tx) => {
        await tx.planStep.updateMany({ where: { runId: input.runId, stepId: input.stepId }, data: { status: 'failed' } });
        await appendRunEvents(tx, input.runId, [{ type: 'error', summary: `Step ${input.stepId} failed: ${input.error}`, stepId: input.stepId }]);
        await setMemoryKeys(tx, input.runId, { [`error_${input.stepId}`]: { error: input.error, recoverable: false } });
        await tx.missionRun.update({ where: { id: input.runId }, data: { status: 'failed', resultSummary: input.error, resultPayloadJson: JSON.stringify(input.payload) } });
        await appendStreamEvent(tx, input.runId, 'run_status', { status: 'failed', result_summary: input.error });
        await tx.planStep.updateMany({ where: { runId: input.runId, status: { in: ['pending', 'in_progress'] } }, data: { status: 'skipped' } });
        await setMemoryKeys(tx, input.runId, { result: { status: 'failed', reason: input.error, failed_step: input.stepId } });
      });
    },
  };
}

export type DeclarativeActivities = ReturnType<typeof createDeclarativeActivities>;
