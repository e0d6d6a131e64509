/**
 * Replay scenarios of declarative runs (`declarativeRunWorkflow`, spec §5a): each class, a gate
 * approved / denied / timed out, an early stop, pause and resume, a cancel, and a run long enough
 * to continue as new. The rows the API
 * would create are created here; lines are scripted; waits run ×0.0001.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { approvalWorkflowId, eventWorkflowId, runWorkflowId } from '../../common/missions';
import { planOf, validateSpec } from '../../common/mission-spec';
import { cancelEventUpdate, decideApprovalUpdate, updateRunUpdate, type DeclarativeRunInput } from '../../workflows/missions/messages';
import type { MissionScenario, MissionScenarioContext } from './mission-scenarios';

const LINES = ['+15550100001', '+15550100002'];
const target = (i: number, kind = 'automated') => ({ name: `Firm ${i}`, phone: `+1312555${String(7100 + i)}`, timezone: 'America/Chicago', kind });

async function start(ctx: MissionScenarioContext, name: string, raw: Record<string, unknown>, extra: Partial<DeclarativeRunInput> = {}) {
  const spec = validateSpec({ assistant: { instructions: 'Ask for a quote.' }, schedule: { business_hours: false }, throttle: { spacing: 'PT30S' }, ...raw }, { numberZones: {} });
  const runId = `replay-${name}-${randomUUID()}`;
  const missionId = `replay-mission-${runId}`;
  const assistantId = `replay-assistant-${runId}`;
  await ctx.db.assistant.create({ data: { id: assistantId, accountId: 'default', name, instructions: 'Ask for a quote.', model: 'openai/gpt-4o', voice: 'Rime.ArcanaV3.astra', toolsJson: '[]', featuresJson: '["telephony","messaging"]' } });
  await ctx.db.mission.create({ data: { id: missionId, accountId: 'default', name, instructions: 'x', slug: name, mode: 'declarative', latestRunId: runId } });
  await ctx.db.missionRun.create({ data: { id: runId, missionId, accountId: 'default', status: 'running' } });
  let sequence = 0;
  for (const step of planOf(spec)) await ctx.db.planStep.create({ data: { id: randomUUID(), runId, stepId: step.step_id, description: step.description, sequence: ++sequence } });
  const input: DeclarativeRunInput = { runId, missionId, accountId: 'default', spec, lines: LINES, assistantId, ownerPhone: '+15550109999', timeScale: 0.0001, ...extra };
  const workflowId = runWorkflowId(runId);
  const handle = await ctx.client.workflow.start('declarativeRunWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
  return { handle, workflowId, runId, firstExecutionRunId: handle.firstExecutionRunId };
}

/** Decides the run's gate once it is open, as /v1/approvals would. */
async function decide(ctx: MissionScenarioContext, runId: string, decision: 'approved' | 'denied', selection?: string[]) {
  for (;;) {
    const gate = await ctx.db.approval.findFirst({ where: { runId, status: 'pending' } });
    if (gate) {
      await ctx.client.workflow.getHandle(approvalWorkflowId(gate.id)).executeUpdate(decideApprovalUpdate, { args: [{ decision, selection }] });
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const finish = async (handle: WorkflowHandle, workflowId: string) => (await handle.result(), { workflowId });

/** A sweep whose first call rings until hung up, cancelled (with or without hang-up) while it rings. */
async function cancelWhileRinging(ctx: MissionScenarioContext, name: string, second: number, hangup: boolean) {
  const { handle, workflowId, runId } = await start(ctx, name, { class: 'sweep', targets: [{ ...target(0), phone: '+13125550009' }, target(second)], throttle: { batch_size: 1, spacing: 'PT30S' } });
  let live = null;
  while (!(live = await ctx.db.scheduledEvent.findFirst({ where: { runId, callStatus: 'ringing' } }))) await new Promise((r) => setTimeout(r, 50));
  await handle.executeUpdate(updateRunUpdate, { args: [{ status: 'cancelled', result_summary: 'stop', ...(hangup ? {} : { hangup: false }) }] });
  return { handle, workflowId, live };
}

export const declarativeScenarios: MissionScenario[] = [
  {
    name: 'declarative-sweep',
    async run(ctx) {
      ctx.lines.script(target(2).phone, ['busy', 'answer']);
      const { handle, workflowId } = await start(ctx, 'sweep', { class: 'sweep', targets: [target(1), target(2), target(3)], throttle: { batch_size: 2, spacing: 'PT30S' } });
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-screening',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'screening', { class: 'screening', targets: [target(4), target(5)], rubric: { criteria: [{ key: 'price', weight: 1 }], top_n: 1 } });
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-negotiation',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'negotiation', { class: 'negotiation', targets: [target(6), target(7)] });
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-multi-round-gate-approved',
    async run(ctx) {
      const { handle, workflowId, runId } = await start(ctx, 'rounds', { class: 'multi_round', targets: [target(8), target(9)] });
      await decide(ctx, runId, 'approved', [target(9).phone]);
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-gate-denied',
    async run(ctx) {
      const { handle, workflowId, runId } = await start(ctx, 'denied', { class: 'multi_round', targets: [target(10)] });
      await decide(ctx, runId, 'denied');
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-gate-timed-out',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'timed-out', { class: 'multi_round', targets: [target(11)], approvals: [{ before: 'round_2', timeout: 'PT1H', on_timeout: 'fail' }] });
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-gather-early-stop',
    async run(ctx) {
      const { handle, workflowId, runId } = await start(ctx, 'gather', {
        class: 'gather_then_act',
        targets: [target(12), target(13), target(14)],
        throttle: { batch_size: 1, spacing: 'PT30S' },
        stop_when: { where: { price_usd: { lte: 300 } }, count: 1 },
        act: { type: 'sms', to: 'owner', text: '{{target.name}}: ${{insights.price_usd}}' },
      });
      await decide(ctx, runId, 'approved');
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-pause-resume',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'pause', { class: 'sweep', targets: [target(15), target(16)], throttle: { batch_size: 1, spacing: 'PT30S' } });
      await handle.executeUpdate(updateRunUpdate, { args: [{ status: 'paused' }] });
      await new Promise((r) => setTimeout(r, 300));
      await handle.executeUpdate(updateRunUpdate, { args: [{ status: 'running' }] });
      return finish(handle, workflowId);
    },
  },
  {
    // Two batches per run: four targets take a continue-as-new (patched 'declarative-continue-as-new').
    name: 'declarative-continue-as-new',
    async run(ctx) {
      const targets = [18, 19, 20, 21].map((i) => target(i));
      const { handle, workflowId, firstExecutionRunId } = await start(ctx, 'continue', { class: 'sweep', targets, throttle: { batch_size: 1, spacing: 'PT30S' } }, { batchesPerRun: 2 });
      await handle.result();
      // The first run's history, which ends in continue-as-new, is the one recorded.
      return { workflowId, runId: firstExecutionRunId };
    },
  },
  {
    name: 'declarative-cancelled',
    async run(ctx) {
      const { handle, workflowId } = await cancelWhileRinging(ctx, 'cancel', 17, true);
      return finish(handle, workflowId);
    },
  },
  // Recorded after `mission-local-writes` and `cancel-waits-for-events`: the run's and its
  // events' writes are local activities; a cancel waits for the open events to end.
  {
    name: 'declarative-sweep-local-writes',
    async run(ctx) {
      ctx.lines.script(target(19).phone, ['busy', 'answer']);
      const { handle, workflowId } = await start(ctx, 'sweep-local', { class: 'sweep', targets: [target(18), target(19), target(20)], throttle: { batch_size: 2, spacing: 'PT30S' } });
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-cancel-waits',
    async run(ctx) {
      const { handle, workflowId } = await cancelWhileRinging(ctx, 'cancel-waits', 21, true);
      return finish(handle, workflowId);
    },
  },
  {
    name: 'declarative-cancel-without-hangup',
    async run(ctx) {
      const { handle, workflowId, live } = await cancelWhileRinging(ctx, 'cancel-soft', 22, false);
      // The live call rang on; hang it up through its event, and the run ends.
      await ctx.client.workflow.getHandle(eventWorkflowId(live.id)).executeUpdate(cancelEventUpdate);
      return finish(handle, workflowId);
    },
  },
  // Recorded after `event-outcome-in-result`: the run takes each outcome (insights included)
  // from the event's result instead of reading the projection back.
  {
    name: 'declarative-sweep-event-outcome',
    async run(ctx) {
      ctx.lines.script(target(24).phone, ['busy', 'answer']);
      const { handle, workflowId } = await start(ctx, 'sweep-outcome', { class: 'sweep', targets: [target(23), target(24), target(25)], throttle: { batch_size: 2, spacing: 'PT30S' } });
      return finish(handle, workflowId);
    },
  },
  // Recorded after `batched-decisions`: the decisions of the events that ended together are
  // written by one local activity (`logDecisions`).
  {
    name: 'declarative-sweep-batched-decisions',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'sweep-batched', { class: 'sweep', targets: [target(26), target(27), target(28), target(29)], throttle: { batch_size: 4, spacing: 'PT30S' } });
      return finish(handle, workflowId);
    },
  },
];
