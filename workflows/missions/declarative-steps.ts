/**
 * The working parts of a declarative run: a batch of calls (each a child `event-<id>`
 * workflow, so the run's history stays small), a gate (a child `approval-<id>` workflow, so
 * `/v1/approvals` and approval.sh decide it) and the action. Deterministic code only.
 */
import { type ChildWorkflowHandle, condition, patched, startChild, uuid4 } from '@temporalio/workflow';
import { AMD_BY_KIND, approvalWorkflowId, eventWorkflowId, VOICEMAIL_BUDGET } from '../../common/missions';
import { planBatch, windowRules } from '../../common/mission-planner';
import { insightSchema, stopConditionHolds, type TargetOutcome, weightedScore } from '../../common/mission-results';
import type { SpecGate, SpecTarget } from '../../common/mission-spec';
import { runLog } from './activities';
import { approvalWorkflow } from './approval';
import { type DeclarativeCallPlan, type DeclarativeRunInput, type DeclarativeState, EVENT_PATCHES, type EventOutcome, stopEventSignal } from './messages';
import type { DecisionEntry, TargetRead } from '../../activities/missions/declarative';
import { scheduledEventWorkflow } from './scheduled-event';

/** Since this patch a run's cancel waits for its open events to end, and stops late starters. */
export const CANCEL_WAITS_PATCH = 'cancel-waits-for-events';
/**
 * Since this patch a run takes a finished event's outcome from the event's result. Before it, a
 * local activity read it back from the projection, one more database read and workflow marker
 * per target. The read remains for an event that was terminated, or that ran on older code.
 */
export const EVENT_OUTCOME_PATCH = 'event-outcome-in-result';
/**
 * Since this patch a batch's per-target decisions go through a decision log: those that arrive
 * in one workflow activation (the events that ended together) are written by one local activity.
 * Before it each target had its own, and a batch's end ran ten of them on the run's critical path.
 */
export const BATCHED_DECISIONS_PATCH = 'batched-decisions';

/**
 * Writes run events in arrival order. The writer waits on a condition, which the SDK checks
 * once the activation's jobs and their continuations have run, so everything queued in one
 * activation goes out together. A failed write fails the entries it carried, not the log.
 */
function decisionLog(write: (entries: DecisionEntry[]) => Promise<void>) {
  const queue: Array<{ entry: DecisionEntry; written: () => void; failed: (err: unknown) => void }> = [];
  let open = true;
  const writer = (async () => {
    while (open || queue.length > 0) {
      await condition(() => queue.length > 0 || !open);
      const batch = queue.splice(0);
      if (batch.length === 0) continue;
      try {
        await write(batch.map((b) => b.entry));
        for (const b of batch) b.written();
      } catch (err) {
        for (const b of batch) b.failed(err);
      }
    }
  })();
  return {
    write: (entry: DecisionEntry) => new Promise<void>((written, failed) => void queue.push({ entry, written, failed })),
    /** Resolves once everything queued is written. */
    async close(): Promise<void> {
      open = false;
      await writer;
    },
  };
}

/** What the run's handlers set: the steps check it between their awaits. */
export interface RunControl {
  cancel: boolean;
  /** The cancel hangs up live calls (false: they finish, nothing new starts). */
  hangup: boolean;
  paused: boolean;
  /** Open target events, by event id. */
  open: Map<string, ChildWorkflowHandle<typeof scheduledEventWorkflow>>;
}

/** Every outcome of the run so far, all steps together. */
export const allOutcomes = (st: DeclarativeState) => Object.values(st.outcomes).flat();

/** Stops every open event: `hangup` for a cancel, not for `stop_when` (live calls finish). */
export async function stopOpen(control: RunControl, hangup: boolean): Promise<void> {
  await Promise.all([...control.open.values()].map((h) => h.signal(stopEventSignal, { hangup }).catch(() => undefined)));
}

function callPlan(input: DeclarativeRunInput, target: SpecTarget, instructions: string | null): DeclarativeCallPlan {
  const { spec } = input;
  return {
    window: windowRules(spec, target),
    busy: spec.retry.busy,
    failed: spec.retry.failed,
    maxAttempts: spec.retry.maxAttempts[target.kind],
    amd: AMD_BY_KIND[target.kind],
    voicemails: VOICEMAIL_BUDGET[target.kind],
    instructions,
    insightTemplate: { name: 'summary', instructions: 'Summarise the call in `summary` and fill the other fields from what the callee said.', schema: insightSchema(spec) },
  };
}

/**
 * One batch of a calls step: plans it, schedules its events, starts them and waits until each
 * has ended, recording outcomes (and checking `stop_when` after each insight, E13).
 */
export async function runBatch(input: DeclarativeRunInput, st: DeclarativeState, control: RunControl, stepId: string, batch: SpecTarget[], prompt: string | null): Promise<void> {
  const { spec } = input;
  const outcomes = (st.outcomes[stepId] ??= []);
  const planned = planBatch(spec, batch, Date.now(), st.lastStart, input.lines, st.cursor);
  const items = planned.flatMap((p, i) => (p.at === null ? [] : [{ eventId: uuid4(), to: p.phone, from: p.from, scheduledAt: p.at, target: batch[i] }]));
  for (const [i, p] of planned.entries()) {
    if (p.at === null) outcomes.push({ name: batch[i].name, phone: p.phone, state: 'skipped', attempts: 0, insights: null, score: null, conversation_id: null });
  }
  if (items.length === 0) return;
  st.lastStart = Math.max(st.lastStart ?? 0, ...items.map((i) => i.scheduledAt));
  await runLog().createTargetEvents({ runId: input.runId, missionId: input.missionId, accountId: input.accountId, assistantId: input.assistantId, stepId, items: items.map(({ target: _t, ...rest }) => rest) });
  const scope = { runId: input.runId, accountId: input.accountId, missionId: input.missionId };
  const log = patched(BATCHED_DECISIONS_PATCH) ? decisionLog((entries) => runLog().logDecisions({ ...scope, entries })) : null;
  // Before the patch each decision had its own local activity (its arguments are not replayed).
  const decide = (entry: DecisionEntry) => (log ? log.write(entry) : runLog().logDecision({ ...scope, ...entry }));
  try {
    await Promise.all(
      items.map(async (item) => {
        const handle = await startChild(scheduledEventWorkflow, {
          workflowId: eventWorkflowId(item.eventId),
          args: [
            {
              eventId: item.eventId,
              accountId: input.accountId,
              assistantId: input.assistantId,
              channel: 'call',
              to: item.to,
              from: item.from,
              scheduledAt: item.scheduledAt,
              textBody: null,
              missionId: input.missionId,
              runId: input.runId,
              // The run writes its own steps: the event must not sync one (spec §4 "Step").
              stepId: null,
              kind: item.target.kind,
              timeScale: input.timeScale,
              startPaused: control.paused,
              plan: callPlan(input, item.target, prompt),
              patches: EVENT_PATCHES,
            },
          ],
        });
        control.open.set(item.eventId, handle);
        // An event that started after a cancel had stopped the open ones is stopped as well.
        if (control.cancel && patched(CANCEL_WAITS_PATCH)) await handle.signal(stopEventSignal, { hangup: control.hangup }).catch(() => undefined);
        // A terminated event counts as failed: its projection says what it got to.
        const ended = await handle.result().catch(() => undefined);
        control.open.delete(item.eventId);
        const [read] = patched(EVENT_OUTCOME_PATCH) && ended?.insights !== undefined ? [targetRead(item.eventId, ended)] : await runLog().readTargets({ eventIds: [item.eventId] });
        const outcome: TargetOutcome = {
          name: item.target.name,
          phone: item.to,
          state: read?.status ?? 'failed',
          attempts: (read?.retryCount ?? 0) + (read?.callStatus ? 1 : 0),
          insights: read?.insights ?? null,
          score: weightedScore(spec, read?.insights ?? null),
          conversation_id: read?.conversationId ?? null,
        };
        outcomes.push(outcome);
        await decide({ type: 'custom', stepId, summary: `${outcome.name} (${outcome.phone}): ${outcome.state}`, payload: outcome as unknown as Record<string, unknown> });
        if (!st.stoppedEarly && stopConditionHolds(spec, allOutcomes(st))) {
          st.stoppedEarly = true;
          await decide({ type: 'message', stepId, summary: 'stop_when holds: pending calls are cancelled, live calls finish' });
          await stopOpen(control, false);
        }
      }),
    );
  } finally {
    await log?.close();
  }
}

/** An event's result in the shape of its projection row (readTargets). */
function targetRead(eventId: string, ended: EventOutcome): TargetRead {
  return { eventId, status: ended.status, retryCount: ended.retry_count, callStatus: ended.call_status ?? null, conversationId: ended.conversation_id ?? null, insights: ended.insights ?? null };
}

/**
 * A gate (E11): an ordinary approval whose `approval-<id>` workflow is the run's child, so it
 * survives restarts and any surface may decide it. Answers `approved`, `denied`, `expired`
 * (the timeout) or `cancelled` (the run was cancelled meanwhile).
 */
export async function runGate(input: DeclarativeRunInput, st: DeclarativeState, control: RunControl, gateId: string, gate: SpecGate): Promise<string> {
  const approvalId = uuid4();
  const expiresInMs = gate.timeoutMs * input.timeScale;
  const reached = allOutcomes(st).filter((o) => o.state === 'completed');
  const record = { gate_id: gateId, request_id: approvalId, status: 'pending', selection: null as string[] | null };
  st.gates.push(record);
  // The workflow first, then the request: whoever sees the request can decide it at once.
  const child = await startChild(approvalWorkflow, { workflowId: approvalWorkflowId(approvalId), args: [{ approvalId, expiresInMs }] });
  await runLog().createGateApproval({
    approvalId,
    accountId: input.accountId,
    runId: input.runId,
    gateId,
    action: `Mission gate ${gateId}: approve ${gate.before.replace('_', ' ')}`,
    details: JSON.stringify({ run_id: input.runId, gate_id: gateId, before: gate.before, reached: reached.map((o) => ({ name: o.name, phone: o.phone, score: o.score, insights: o.insights })) }),
    expiresInMs,
  });
  let decided: { status: string; selection: string[] | null } | null = null;
  void child.result().then((r) => (decided = r));
  await condition(() => decided !== null || control.cancel);
  if (!decided) {
    await runLog().expireApproval({ approvalId });
    record.status = 'cancelled';
    return 'cancelled';
  }
  const { status, selection } = decided as { status: string; selection: string[] | null };
  record.status = status;
  record.selection = selection;
  return status;
}
