import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import { CallStatusAttribute } from '../../common/search-attributes';
import { AMD_BY_KIND, type AttemptOutcome, EVENT_TERMINAL, type MachinePolicy, MAX_ATTEMPTS, machinePolicy, retryDelayRange, VOICEMAIL_BUDGET } from '../../common/missions';
import { calls, insights, LOCAL_INSIGHTS_PATCH, LOCAL_WRITES_PATCH, projection, store } from './activities';
import { nextAllowedStart } from '../../common/business-hours';
import { retryStart } from '../../common/mission-planner';
import { cancelEventUpdate, type EventOutcome, pauseEventSignal, resumeEventSignal, type ScheduledEventInput, stopEventSignal } from './messages';

/**
 * One scheduled call or SMS (`event-<id>`): sleeps on a durable timer until `scheduled_at`,
 * places the call through the line's driver, retries per E05/E06 and extracts insights from an
 * answered call. DELETE is the `cancelEvent` update. The workflow is the projection's only writer.
 */
export async function scheduledEventWorkflow(input: ScheduledEventInput): Promise<EventOutcome> {
  // A patch the event started with applies without a marker; older events decide it on replay.
  const applied = (patchId: string) => input.patches?.includes(patchId) === true || patched(patchId);
  const localWrites = () => applied(LOCAL_WRITES_PATCH);
  const state = { status: 'pending', retryCount: 0, cancelRequested: false };
  // The last attempt's call and the insights of an answered one: the outcome the run records.
  const last: { call_status: string | null; conversation_id: string | null; insights?: Record<string, unknown> | null } = { call_status: null, conversation_id: null, insights: null };
  let live: CancellationScope | null = null;
  let paused = input.startPaused === true;
  setHandler(pauseEventSignal, () => void (paused = true));
  setHandler(resumeEventSignal, () => void (paused = false));
  // Only a declarative run stops its events; after a live call, `lastAttempt` forbids retries.
  let lastAttempt = false;
  setHandler(stopEventSignal, ({ hangup }) => {
    if (live && !hangup) lastAttempt = true;
    else state.cancelRequested = true;
    if (hangup) live?.cancel();
  });
  setHandler(
    cancelEventUpdate,
    async () => {
      state.cancelRequested = true;
      live?.cancel();
      await condition(() => EVENT_TERMINAL.has(state.status));
      return { status: state.status };
    },
    {
      validator: () => {
        if (state.status === 'completed' || state.status === 'failed') throw ApplicationFailure.nonRetryable(`the event is ${state.status}`, 'event_terminal');
      },
    },
  );

  async function finish(status: string, patch: { callStatus?: string | null; outcome?: string | null; conversationId?: string | null } = {}) {
    const step = input.runId && input.stepId ? { runId: input.runId, stepId: input.stepId } : undefined;
    await projection(localWrites()).saveEventState({ eventId: input.eventId, status, nextAttemptAt: null, retryCount: state.retryCount, ...patch, step });
    state.status = status;
  }

  async function attemptCall(attempt: number, onMachine: MachinePolicy | null): Promise<AttemptOutcome> {
    const callId = uuid4();
    const scope = new CancellationScope();
    live = scope;
    try {
      const args = { callId, accountId: input.accountId, eventId: input.eventId, assistantId: input.assistantId, attempt, from: input.from, to: input.to, ...(plan ? { instructions: plan.instructions } : {}), ...(onMachine ? { onMachine } : {}) };
      return await scope.run(() => calls.placeCall(args));
    } catch (err) {
      if (!isCancellation(err)) {
        return { call_status: 'failed', outcome: null, call_id: callId, detail: err instanceof Error ? err.message : String(err) };
      }
      return (await calls.readCallOutcome(callId)) ?? { call_status: 'canceled', outcome: null, call_id: callId };
    } finally {
      live = null;
    }
  }

  const plan = input.plan;
  // E06/E07: a machine gets a message while the target's voicemail budget (over all its
  // attempts) lasts, then a hang-up. Before this patch every machine got a message.
  const machine = applied('voicemail-budget') ? { amd: plan ? plan.amd : AMD_BY_KIND[input.kind], budget: plan ? plan.voicemails : VOICEMAIL_BUDGET[input.kind], left: 0 } : null;
  const maxAttempts = plan?.maxAttempts ?? MAX_ATTEMPTS[input.kind];
  let waitMs = Math.max(0, (input.scheduledAt - Date.now()) * input.timeScale);
  for (let attempt = 1; ; attempt++) {
    if (waitMs > 0) await condition(() => state.cancelRequested, waitMs);
    // A paused run holds its attempts; on resume an overdue attempt starts at once.
    const held = paused;
    if (paused) await condition(() => !paused || state.cancelRequested);
    if (plan && held && !state.cancelRequested) {
      // Declarative: an attempt that became overdue (a resume) moves to the next allowed slot;
      // none left before not_after cancels the event (E02, §5c resume).
      const at = nextAllowedStart(Date.now(), plan.window);
      if (at === null) state.cancelRequested = true;
      else if (at > Date.now()) await condition(() => state.cancelRequested, (at - Date.now()) * input.timeScale);
    }
    if (state.cancelRequested) {
      await finish('cancelled');
      break;
    }
    // A regular activity on purpose: a run's stop signalled while it runs is seen before the
    // dial (a local one would finish its workflow task and schedule the dial first).
    if (attempt === 1 && input.runId && input.stepId) await store.syncStep({ runId: input.runId, stepId: input.stepId, phase: 'started' });
    // A stop that arrived while the step synced (no call live yet, so nothing to hang up) must
    // keep the dial from happening: before this patch the call was placed and rang on,
    // outside any cancelled scope.
    if (state.cancelRequested && applied('stop-before-dial')) {
      await finish('cancelled');
      break;
    }

    if (input.channel === 'sms') {
      await projection(localWrites()).saveEventState({ eventId: input.eventId, status: 'in_progress' });
      const sent = await calls.sendSms({ messageId: uuid4(), accountId: input.accountId, eventId: input.eventId, from: input.from, to: input.to, text: input.textBody ?? '' });
      await finish(sent.ok ? 'completed' : 'failed', { outcome: sent.ok ? 'sent' : sent.detail });
      break;
    }

    const onMachine = machine && machinePolicy(machine.amd, machine.budget, machine.left);
    const outcome = await attemptCall(attempt, onMachine);
    if (machine && onMachine === 'leave_message' && outcome.outcome === 'voicemail') machine.left += 1;
    upsertSearchAttributes([{ key: CallStatusAttribute, value: outcome.call_status }]);
    const conversation = { callStatus: outcome.call_status, conversationId: outcome.call_id };
    last.call_status = outcome.call_status;
    last.conversation_id = outcome.call_id;
    if (state.cancelRequested && outcome.call_status === 'canceled') {
      await finish('cancelled', { ...conversation, outcome: 'canceled' });
      break;
    }
    if (outcome.call_status === 'completed' && outcome.outcome === 'answered') {
      // Insights before `completed`, so a client that sees `completed` finds them.
      const insight = await insights(applied(LOCAL_INSIGHTS_PATCH)).extractInsights({ callId: outcome.call_id, assistantId: input.assistantId, ...(plan ? { template: plan.insightTemplate } : {}) });
      last.insights = insight.status !== 'completed' ? null : insight.structured;
      await finish('completed', { ...conversation, outcome: 'answered' });
      break;
    }
    if (plan) {
      const next = attempt < maxAttempts && !lastAttempt && !state.cancelRequested ? retryStart(plan.window, plan, input.kind, outcome, Date.now(), Math.random()) : null;
      if (next !== null) {
        waitMs = Math.max(0, next - Date.now()) * input.timeScale;
        state.retryCount += 1;
        state.status = 'pending';
        await projection(localWrites()).saveEventState({ eventId: input.eventId, status: 'pending', retryCount: state.retryCount, nextAttemptAt: next, ...conversation, outcome: outcome.outcome ?? outcome.call_status });
        continue;
      }
    }
    const range = plan ? null : retryDelayRange(outcome, input.kind);
    if (range && attempt < maxAttempts && !state.cancelRequested) {
      // Jitter from the workflow's deterministic RNG (E05).
      const minutes = range[0] + Math.random() * (range[1] - range[0]);
      waitMs = minutes * 60_000 * input.timeScale;
      state.retryCount += 1;
      state.status = 'pending';
      await projection(localWrites()).saveEventState({ eventId: input.eventId, status: 'pending', retryCount: state.retryCount, nextAttemptAt: Date.now() + waitMs, ...conversation, outcome: outcome.outcome ?? outcome.call_status });
      continue;
    }
    // Out of attempts: a voicemail left on the last one still completes the event.
    await finish(outcome.outcome === 'voicemail' ? 'completed' : state.cancelRequested ? 'cancelled' : 'failed', { ...conversation, outcome: outcome.outcome ?? outcome.call_status });
    break;
  }
  await condition(allHandlersFinished);
  return { status: state.status, retry_count: state.retryCount, ...last };
}
