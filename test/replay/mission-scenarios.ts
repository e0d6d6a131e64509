/**
 * Replay scenarios of the missions workflows: scheduled calls (answered with insights, no answer
 * with retries, busy then answered, cancelled, stopped while its step syncs, a machine on every
 * attempt), a scheduled SMS, approvals (approved, expired) and a compat run driven to
 * `succeeded`. Lines are scripted; waits run ×0.0001.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { approvalWorkflowId, eventWorkflowId, runWorkflowId } from '../../common/missions';
import { cancelEventUpdate, decideApprovalUpdate, EVENT_PATCHES, stopEventSignal, updateRunUpdate, type ScheduledEventInput } from '../../workflows/missions/messages';
import type { ScriptedLines } from '../support/scripted-lines';

export interface MissionScenarioContext {
  client: Client;
  taskQueue: string;
  db: Db;
  lines: ScriptedLines;
  /** Runs at the start of every `syncStep` activity while set: a scenario holds the sync open with it. */
  beforeSyncStep: { hook: (() => Promise<void>) | null };
}

export interface MissionScenario {
  name: string;
  run(ctx: MissionScenarioContext): Promise<{ workflowId: string }>;
}

const FROM = '+15550100001';

async function scheduleEvent(ctx: MissionScenarioContext, name: string, fields: Partial<ScheduledEventInput> & { to: string }) {
  const assistantId = `replay-assistant-${name}`;
  await ctx.db.assistant.upsert({
    where: { id: assistantId },
    create: { id: assistantId, accountId: 'default', name, instructions: 'Ask for a quote', model: 'openai/gpt-4o', voice: 'Rime.ArcanaV3.astra', toolsJson: '[]', featuresJson: '["telephony","messaging"]' },
    update: {},
  });
  const eventId = `replay-${name}-${randomUUID()}`;
  const channel = fields.channel ?? 'call';
  await ctx.db.scheduledEvent.create({ data: { id: eventId, accountId: 'default', assistantId, channel, to: fields.to, from: FROM, scheduledAt: new Date(), textBody: fields.textBody ?? null, dedupeKey: eventId } });
  const input: ScheduledEventInput = {
    eventId,
    accountId: 'default',
    assistantId,
    channel,
    from: FROM,
    scheduledAt: Date.now() + 60_000,
    textBody: null,
    missionId: null,
    runId: null,
    stepId: null,
    kind: 'service',
    timeScale: 0.0001,
    ...fields,
  };
  const workflowId = eventWorkflowId(eventId);
  const handle = await ctx.client.workflow.start('scheduledEventWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
  return { handle, workflowId };
}

async function approval(ctx: MissionScenarioContext, name: string, expiresInMs: number) {
  const approvalId = `replay-${name}-${randomUUID()}`;
  await ctx.db.approval.create({ data: { id: approvalId, accountId: 'default', action: name, expiresAt: new Date(Date.now() + expiresInMs) } });
  const workflowId = approvalWorkflowId(approvalId);
  const handle = await ctx.client.workflow.start('approvalWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [{ approvalId, expiresInMs }] });
  return { handle, workflowId };
}

export const missionScenarios: MissionScenario[] = [
  {
    name: 'scheduled-call-answered-with-insights',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'answered', { to: '+13125550101' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    // Recorded after `mission-local-writes`: the event's projection writes are local activities.
    name: 'scheduled-call-answered-local-writes',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'answered', { to: '+13125550102' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    // Recorded after `insights-local` (no patches in its input, so the patch leaves its marker):
    // the answered call's insights are a local activity.
    name: 'scheduled-call-insights-local',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'insights-local', { to: '+13125550104' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    // Started with EVENT_PATCHES in its input: the patches apply, and no patch marker is recorded.
    name: 'scheduled-call-patches-in-input',
    async run(ctx) {
      ctx.lines.script('+13125550103', ['no-answer', 'answer']);
      const { handle, workflowId } = await scheduleEvent(ctx, 'patches-in-input', { to: '+13125550103', patches: EVENT_PATCHES });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'scheduled-call-no-answer-retried',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'no-answer', { to: '+13125550000' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'scheduled-call-busy-then-answered',
    async run(ctx) {
      ctx.lines.script('+13125550155', ['busy', 'answer']);
      const { handle, workflowId } = await scheduleEvent(ctx, 'busy', { to: '+13125550155' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'scheduled-call-cancelled',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'cancelled', { to: '+13125550166', scheduledAt: Date.now() + 24 * 3600_000 });
      await handle.executeUpdate(cancelEventUpdate);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'scheduled-call-cancelled-live',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'cancelled-live', { to: '+13125550009' });
      while ((await ctx.db.scheduledEvent.findFirst({ where: { id: workflowId.replace(/^event-/, '') } }))?.callStatus !== 'ringing') await new Promise((r) => setTimeout(r, 100));
      await handle.executeUpdate(cancelEventUpdate);
      await handle.result();
      return { workflowId };
    },
  },
  {
    // A run's stop that arrives while the event syncs its step: patched 'stop-before-dial'.
    name: 'scheduled-call-stop-before-dial',
    async run(ctx) {
      let reached!: () => void;
      const inSync = new Promise<void>((resolve) => (reached = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      ctx.beforeSyncStep.hook = async () => {
        reached();
        await released;
      };
      try {
        const { handle, workflowId } = await scheduleEvent(ctx, 'stop-before-dial', { to: '+13125550177', runId: 'replay-run-stop-before-dial', stepId: 'calls' });
        await inSync;
        await handle.signal(stopEventSignal, { hangup: true });
        release();
        await handle.result();
        return { workflowId };
      } finally {
        ctx.beforeSyncStep.hook = null;
      }
    },
  },
  {
    // A machine answers every attempt of a `service` event: one message, then hang-ups (patched 'voicemail-budget').
    name: 'scheduled-call-voicemail-budget',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'voicemail-budget', { to: '+13125550003' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'scheduled-sms',
    async run(ctx) {
      const { handle, workflowId } = await scheduleEvent(ctx, 'sms', { to: '+13125550120', channel: 'sms', textBody: 'Your quote is ready' });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'approval-approved',
    async run(ctx) {
      const { handle, workflowId } = await approval(ctx, 'approved', 3600_000);
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ decision: 'approved', note: 'go' }] });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'approval-expired',
    async run(ctx) {
      const { handle, workflowId } = await approval(ctx, 'expired', 200);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'mission-run-succeeded',
    async run(ctx) {
      const runId = `replay-run-${randomUUID()}`;
      await ctx.db.missionRun.create({ data: { id: runId, missionId: 'replay-mission', accountId: 'default' } });
      const workflowId = runWorkflowId(runId);
      const handle = await ctx.client.workflow.start('missionRunWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [{ runId, missionId: 'replay-mission', accountId: 'default', idleTimeoutMs: 3600_000 }] });
      await handle.executeUpdate(updateRunUpdate, { args: [{ status: 'running' }] });
      await handle.executeUpdate(updateRunUpdate, { args: [{ status: 'succeeded', result_summary: 'done', result_payload: { ok: true } }] });
      await handle.result();
      return { workflowId };
    },
  },
];
