import { allHandlersFinished, ApplicationFailure, condition, ContinueAsNew, continueAsNew, patched, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import { RUN_TERMINAL, runTransitionAllowed, type RunStatus } from '../../common/missions';
import { fillTemplate, matches, negotiationPrompt, ranking, type TargetOutcome } from '../../common/mission-results';
import { planOf, type PlanPhase } from '../../common/mission-spec';
import { calls, projection, runLog, webhooks } from './activities';
import { allOutcomes, CANCEL_WAITS_PATCH, runBatch, runGate, stopOpen, type RunControl } from './declarative-steps';
import { type DeclarativeRunInput, type DeclarativeState, type RunPatch, updateRunUpdate } from './messages';

/** A step failed beyond recovery: the run runs E09's failure sequence. */
class StepFailed extends Error {
  constructor(
    readonly stepId: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One declarative run (`run-<id>`, spec §5a): the workflow owns the plan's step statuses, its
 * run events, the target events (batched, in business hours), gates, early stop, the action,
 * memory and the result. Only `cancelled`, `paused` and `running` may be asked for (`updateRun`).
 */
export async function declarativeRunWorkflow(input: DeclarativeRunInput): Promise<{ status: string }> {
  const { spec, runId } = input;
  const st: DeclarativeState = input.state ?? { status: 'running', phase: 0, cursor: 0, lastStart: null, baseInstructions: '', outcomes: {}, gates: [], stoppedEarly: false, selection: null, action: null };
  const control: RunControl = { cancel: false, hangup: true, paused: st.status === 'paused', open: new Map() };
  let cancelReason = 'cancelled';
  setHandler(
    updateRunUpdate,
    async (patch: RunPatch) => {
      if (patch.status === 'cancelled') {
        control.cancel = true;
        cancelReason = patch.result_summary ?? 'cancelled';
        control.hangup = patch.hangup !== false;
        await stopOpen(control, control.hangup);
        // A cancel that hangs up answers once every open event has ended, so a client that
        // reads the events after it sees none still open. Before this patch it answered at
        // once, and the events ended a moment later. (Without hang-up, live calls run on.)
        if (control.hangup && patched(CANCEL_WAITS_PATCH)) await condition(() => control.open.size === 0);
      }
      control.paused = patch.status === 'paused';
      await runLog().logDecision({ runId, type: 'message', summary: `Run ${patch.status} on request` });
      st.status = patch.status!;
      await projection().saveRun({ runId, status: st.status, ...(patch.status === 'cancelled' ? { resultSummary: cancelReason } : {}) });
      return { status: st.status };
    },
    {
      validator: (patch: RunPatch) => {
        if (RUN_TERMINAL.has(st.status)) throw ApplicationFailure.nonRetryable(`the run is ${st.status}`, 'run_terminal');
        if (!patch.status || !['cancelled', 'paused', 'running'].includes(patch.status) || patch.result_payload) {
          throw ApplicationFailure.nonRetryable('a declarative run is written by its workflow: only cancel, pause and resume are accepted', 'owned_by_workflow');
        }
        if (patch.status === st.status || !runTransitionAllowed(st.status, patch.status as RunStatus)) {
          throw ApplicationFailure.nonRetryable(`a ${st.status} run cannot become ${patch.status}`, 'invalid_transition');
        }
      },
    },
  );

  const phases = planOf(spec);
  let batchesThisRun = 0;
  const setStep = (stepId: string, status: string, summary: string, payload?: object) => runLog().setStep({ runId, stepId, status, summary, payload });

  async function callsPhase(phase: PlanPhase) {
    const targets =
      typeof phase.targets === 'number'
        ? [spec.targets[phase.targets]]
        : phase.targets === 'selection'
          ? spec.targets.filter((t) => roundTwo().includes(t.phone))
          : spec.targets;
    if (st.cursor === 0) await setStep(phase.step_id, 'in_progress', `Step ${phase.step_id} started: ${targets.length} target(s)`);
    while (st.cursor < targets.length && !control.cancel && !st.stoppedEarly) {
      if (control.paused) {
        await condition(() => !control.paused || control.cancel);
        continue;
      }
      if (workflowInfo().continueAsNewSuggested || batchesThisRun >= (input.batchesPerRun ?? Infinity)) {
        // Between batches nothing is open: the next run picks up at the cursor (bounded history).
        await condition(allHandlersFinished);
        await continueAsNew<typeof declarativeRunWorkflow>({ ...input, state: st });
      }
      const batch = targets.slice(st.cursor, st.cursor + spec.throttle.batchSize);
      const eachCall = spec.gates.find((g) => g.before === 'each_call');
      if (eachCall) {
        const decision = await runGate(input, st, control, `${phase.step_id}_call_${st.cursor + 1}`, eachCall);
        if (decision === 'expired' && eachCall.onTimeout === 'fail') throw new StepFailed(phase.step_id, 'a call gate timed out');
        if (decision !== 'approved') {
          st.outcomes[phase.step_id] = [...(st.outcomes[phase.step_id] ?? []), ...batch.map((t) => skipped(t.name, t.phone))];
          st.cursor += batch.length;
          continue;
        }
      }
      const prompt = spec.class === 'negotiation' ? negotiationPrompt(st.baseInstructions, allOutcomes(st)) : null;
      await runBatch(input, st, control, phase.step_id, batch, prompt);
      batchesThisRun += 1;
      st.cursor += batch.length;
    }
    const rest = targets.slice(st.cursor).map((t) => ({ ...skipped(t.name, t.phone), state: 'cancelled' }));
    if (rest.length > 0) st.outcomes[phase.step_id] = [...(st.outcomes[phase.step_id] ?? []), ...rest];
    const done = st.outcomes[phase.step_id] ?? [];
    const reached = done.filter((o) => o.state === 'completed').length;
    await setStep(phase.step_id, control.cancel ? 'skipped' : 'completed', `Step ${phase.step_id}: ${reached} of ${targets.length} reached${st.stoppedEarly ? ' (stopped early)' : ''}`);
  }

  /** E15: round 2 calls the gate's selection, else the rubric's top_n, else everyone reached. */
  function roundTwo(): string[] {
    if (st.selection) return st.selection;
    if (spec.rubric) return ranking(spec, allOutcomes(st));
    return allOutcomes(st).filter((o) => o.state === 'completed').map((o) => o.phone);
  }

  async function gatePhase(phase: PlanPhase) {
    const gate = spec.gates.find((g) => g.before === phase.guards)!;
    await setStep(phase.step_id, 'in_progress', `Gate ${phase.step_id} waits for an approval`);
    const decision = await runGate(input, st, control, phase.step_id, gate);
    const record = st.gates.find((g) => g.gate_id === phase.step_id);
    if (record?.selection) st.selection = record.selection;
    await runLog().logDecision({ runId, type: 'message', stepId: phase.step_id, summary: `Gate ${phase.step_id} ${decision}`, payload: { selection: st.selection } });
    if (decision === 'expired' && gate.onTimeout === 'fail') throw new StepFailed(phase.step_id, `gate ${phase.step_id} timed out`);
    await setStep(phase.step_id, 'completed', `Gate ${phase.step_id} ${decision}`);
    if (decision !== 'approved') await setStep(phase.guards!, 'skipped', `Step ${phase.guards} skipped: gate ${phase.step_id} ${decision}`);
  }

  async function actPhase(phase: PlanPhase) {
    const act = spec.act ?? { type: 'none' as const, to: null, text: '', url: null };
    const target = allOutcomes(st).find((o) => o.state === 'completed' && (!spec.stopWhen || matches(o.insights, spec.stopWhen.where))) ?? null;
    await setStep(phase.step_id, 'in_progress', `Act: ${act.type}`);
    if (act.type === 'sms' || act.type === 'call') {
      const to = act.to === 'owner' ? input.ownerPhone : act.to === 'target' ? (target?.phone ?? '') : (act.to ?? '');
      if (!to) throw new StepFailed(phase.step_id, act.to === 'owner' ? 'act.to is "owner" but no owner phone is configured (PARLEY_OWNER_PHONE)' : 'no target to act on');
      const text = fillTemplate(act.text, target);
      if (act.type === 'sms') {
        const sent = await calls.sendSms({ messageId: uuid4(), accountId: input.accountId, eventId: null, from: input.lines[0], to, text });
        if (!sent.ok) throw new StepFailed(phase.step_id, `the act SMS failed: ${sent.detail}`);
        st.action = { type: 'sms', to, text, status: 'sent' };
      } else {
        const outcome = await calls.placeCall({ callId: uuid4(), accountId: input.accountId, eventId: null, assistantId: input.assistantId, attempt: 1, from: input.lines[0], to, instructions: text || null });
        st.action = { type: 'call', to, status: outcome.call_status, conversation_id: outcome.call_id };
      }
    } else if (act.type === 'webhook') {
      const res = await webhooks.postWebhook({ url: act.url!, body: { run_id: runId, target } });
      st.action = { type: 'webhook', url: act.url, status: res.status };
    } else {
      st.action = { type: 'none', status: 'done' };
    }
    await setStep(phase.step_id, 'completed', `Act done: ${act.type}`, st.action);
  }

  function payload() {
    const latest = new Map<string, TargetOutcome>();
    const attempts = new Map<string, number>();
    for (const o of allOutcomes(st)) {
      attempts.set(o.phone, (attempts.get(o.phone) ?? 0) + o.attempts);
      if (!latest.has(o.phone) || o.state !== 'skipped') latest.set(o.phone, o);
    }
    const targets = spec.targets.map((t) => {
      const o = latest.get(t.phone) ?? skipped(t.name, t.phone);
      return { name: t.name, phone: t.phone, state: o.state === 'skipped' && !latest.has(t.phone) ? 'pending' : o.state, attempts: attempts.get(t.phone) ?? 0, insights: o.insights, score: o.score };
    });
    return { class: spec.class, stopped_early: st.stoppedEarly, targets, ranking: ranking(spec, [...latest.values()]), gates: st.gates, action: st.action };
  }

  try {
    for (; st.phase < phases.length && !control.cancel; st.phase++, st.cursor = 0) {
      const phase = phases[st.phase];
      const skippedStep = await stepSkipped(phase);
      if (skippedStep) continue;
      if (phase.kind === 'setup') {
        await setStep('setup', 'in_progress', 'Setting up the run');
        st.baseInstructions = (await runLog().prepareRun({ runId, assistantId: input.assistantId })).instructions;
        await setStep('setup', 'completed', `Plan: ${phases.map((p) => p.step_id).join(' → ')}`);
      } else if (phase.kind === 'calls') await callsPhase(phase);
      else if (phase.kind === 'gate') await gatePhase(phase);
      else if (phase.kind === 'act') await actPhase(phase);
      else if (phase.kind === 'analyze') {
        await setStep(phase.step_id, 'completed', spec.rubric ? `Ranking: ${ranking(spec, allOutcomes(st)).join(', ') || 'none scored'}` : 'Answers collected', { ranking: ranking(spec, allOutcomes(st)) });
      } else {
        await setStep('report', 'in_progress', 'Writing the result');
      }
    }
  } catch (err) {
    // continueAsNew() ends this run by throwing: it is no step failure. Runs recorded before the
    // patch failed here (a long run that reached continue-as-new failed instead), and replay so.
    if (err instanceof ContinueAsNew && patched('declarative-continue-as-new')) throw err;
    const stepId = err instanceof StepFailed ? err.stepId : (phases[st.phase]?.step_id ?? 'report');
    const message = err instanceof Error ? err.message : String(err);
    await stopOpen(control, true);
    await runLog().failRun({ runId, stepId, error: message, payload: payload() });
    st.status = 'failed';
    await condition(allHandlersFinished);
    return { status: st.status };
  }

  if (control.cancel) {
    await stopOpen(control, control.hangup);
    await condition(() => control.open.size === 0);
    st.status = 'cancelled';
    await runLog().finishRun({ runId, status: 'cancelled', summary: cancelReason, payload: payload(), result: { status: 'cancelled', reason: cancelReason, failed_step: null } });
  } else {
    const result = payload();
    const reached = result.targets.some((t) => t.state === 'completed');
    const actDone = spec.class !== 'gather_then_act' || st.action !== null;
    st.status = reached && actDone ? 'succeeded' : 'failed';
    const reason = !reached ? 'no target was reached' : !actDone ? 'the action did not run' : st.stoppedEarly ? 'stopped early: stop_when held' : 'all targets done';
    await setStep('report', 'completed', `Run ${st.status}: ${reason}`);
    await runLog().finishRun({ runId, status: st.status, summary: reason, payload: result, result: { status: st.status, reason, failed_step: null } });
  }
  await condition(allHandlersFinished);
  return { status: st.status };

  /** A step a gate denied was already marked `skipped`. */
  async function stepSkipped(phase: PlanPhase): Promise<boolean> {
    const guard = phases.find((p) => p.kind === 'gate' && p.guards === phase.step_id);
    if (!guard) return false;
    const record = st.gates.find((g) => g.gate_id === guard.step_id);
    return record !== undefined && record.status !== 'approved';
  }
}

const skipped = (name: string, phone: string): TargetOutcome => ({ name, phone, state: 'skipped', attempts: 0, insights: null, score: null, conversation_id: null });
