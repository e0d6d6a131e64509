/**
 * scheduledEventWorkflow with in-memory activities: the retry table by kind, voicemail on the
 * last attempt, the voicemail budget by kind (E06/E07), a cancel during the wait, and insights
 * before `completed`.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { AttemptOutcome, EventKind, MachinePolicy } from '../../common/missions';
import { cancelEventUpdate, type ScheduledEventInput, stopEventSignal } from '../../workflows/missions/messages';
import { connectTestClient, createTestWorker } from '../support/temporal';

let client: Client;
beforeAll(async () => {
  client = await connectTestClient();
});
afterAll(async () => client.connection.close());

/**
 * Fake activities: scripted call outcomes; every projection write recorded in order. A scripted
 * `voicemail` is a machine: it obeys the dial's `onMachine` like the lines do (AMD off: no-answer).
 */
function fakes(outcomes: Array<AttemptOutcome['call_status'] | 'voicemail'>) {
  const log: string[] = [];
  const script = [...outcomes];
  return {
    log,
    activities: {
      async placeCall(input: { callId: string; attempt: number; onMachine?: MachinePolicy }): Promise<AttemptOutcome> {
        const next = script.shift() ?? 'completed';
        log.push(`dial#${input.attempt}:${next}`);
        if (next === 'voicemail') log.push(`machine#${input.attempt}:${input.onMachine ?? 'none'}`);
        if (next === 'voicemail' && input.onMachine === 'undetected') return { call_status: 'no-answer', outcome: null, call_id: input.callId };
        return next === 'voicemail' ? { call_status: 'completed', outcome: 'voicemail', call_id: input.callId } : { call_status: next, outcome: next === 'completed' ? 'answered' : null, call_id: input.callId };
      },
      async readCallOutcome(): Promise<AttemptOutcome | null> {
        return null;
      },
      async sendSms() {
        return { ok: true, detail: 'sent' };
      },
      async extractInsights() {
        log.push('insights');
        return { status: 'completed', result: 'ok', structured: { summary: 'ok' } };
      },
      async saveEventState(patch: { status?: string; retryCount?: number }) {
        log.push(`save:${patch.status}:${patch.retryCount ?? ''}`);
      },
      async syncStep() {},
      async logRunEvent() {},
      async saveRun() {},
      async runHasOpenEvents() {
        return false;
      },
      async saveApproval() {},
    },
  };
}

function input(kind: EventKind, scheduledInMs = 0): ScheduledEventInput {
  return { eventId: randomUUID(), accountId: 'a', assistantId: 'x', channel: 'call', to: '+13125550101', from: '+15550100001', scheduledAt: Date.now() + scheduledInMs, textBody: null, missionId: null, runId: null, stepId: null, kind, timeScale: 0.00001 };
}

async function run(kind: EventKind, outcomes: Parameters<typeof fakes>[0]) {
  const f = fakes(outcomes);
  const { worker, taskQueue, connection } = await createTestWorker({ activities: f.activities });
  const result = await worker.runUntil(client.workflow.execute('scheduledEventWorkflow', { taskQueue, workflowId: `event-${randomUUID()}`, args: [input(kind)] }));
  await connection.close();
  return { result, log: f.log };
}

test('professional: two attempts at most; automated: four', async () => {
  expect((await run('professional', ['no-answer', 'no-answer', 'no-answer'])).result).toMatchObject({ status: 'failed', retry_count: 1 });
  const automated = await run('automated', ['busy', 'failed', 'no-answer', 'no-answer']);
  expect(automated.result).toMatchObject({ status: 'failed', retry_count: 3 });
  expect(automated.log.filter((l) => l.startsWith('dial'))).toEqual(['dial#1:busy', 'dial#2:failed', 'dial#3:no-answer', 'dial#4:no-answer']);
});

test('a voicemail is retried like no-answer; on the last attempt it completes without insights', async () => {
  const { result, log } = await run('service', ['voicemail', 'voicemail', 'voicemail']);
  expect(result).toMatchObject({ status: 'completed', retry_count: 2 });
  expect(log).not.toContain('insights');
});

test('E06/E07: a service or professional machine gets one message, later attempts hang up; automated (AMD off) gets none', async () => {
  const machines = (log: string[]) => log.filter((l) => l.startsWith('machine#'));
  const service = await run('service', ['voicemail', 'voicemail', 'voicemail']);
  expect(machines(service.log)).toEqual(['machine#1:leave_message', 'machine#2:hang_up', 'machine#3:hang_up']);
  // Busy first: the budget is per target over its attempts, not per attempt number.
  const professional = await run('professional', ['busy', 'voicemail']);
  expect(machines(professional.log)).toEqual(['machine#2:leave_message']);
  expect(professional.result).toMatchObject({ status: 'completed', retry_count: 1 });
  // Without AMD the machine is never classified: retried and failed like a line nobody answers.
  const automated = await run('automated', ['voicemail', 'voicemail', 'voicemail', 'voicemail']);
  expect(machines(automated.log)).toEqual(['machine#1:undetected', 'machine#2:undetected', 'machine#3:undetected', 'machine#4:undetected']);
  expect(automated.result).toMatchObject({ status: 'failed', retry_count: 3 });
});

test('an answered call: insights are extracted before the event is saved completed; canceled by the driver is final', async () => {
  const { result, log } = await run('service', ['completed']);
  // The outcome a declarative run records: the last call and its insights.
  expect(result).toEqual({ status: 'completed', retry_count: 0, call_status: 'completed', conversation_id: expect.any(String), insights: { summary: 'ok' } });
  expect(log.slice(-2)).toEqual(['insights', 'save:completed:0']);
  expect((await run('service', ['canceled'])).result).toMatchObject({ status: 'failed', retry_count: 0 });
});

test('a cancel during the wait ends the event without dialling', async () => {
  const f = fakes([]);
  const { worker, taskQueue, connection } = await createTestWorker({ activities: f.activities });
  const result = await worker.runUntil(async () => {
    const handle = await client.workflow.start('scheduledEventWorkflow', { taskQueue, workflowId: `event-${randomUUID()}`, args: [{ ...input('service', 3600_000), timeScale: 1 }] });
    expect(await handle.executeUpdate(cancelEventUpdate)).toEqual({ status: 'cancelled' });
    return handle.result();
  });
  await connection.close();
  expect(result).toEqual({ status: 'cancelled', retry_count: 0, call_status: null, conversation_id: null, insights: null });
  expect(f.log).toEqual(['save:cancelled:0']);
});

test("a run's stop that arrives while the step syncs (before any call is live) keeps the dial from happening", async () => {
  const f = fakes(['completed']);
  let sent!: () => void;
  const stopped = new Promise<void>((resolve) => (sent = resolve));
  let syncing!: () => void;
  const inSync = new Promise<void>((resolve) => (syncing = resolve));
  // syncStep holds until the stop has been signalled: the race a declarative run's cancel hit.
  const activities = {
    ...f.activities,
    async syncStep() {
      syncing();
      await stopped;
    },
  };
  const { worker, taskQueue, connection } = await createTestWorker({ activities });
  const result = await worker.runUntil(async () => {
    const handle = await client.workflow.start('scheduledEventWorkflow', { taskQueue, workflowId: `event-${randomUUID()}`, args: [{ ...input('automated'), runId: 'r', stepId: 'calls' }] });
    await inSync;
    await handle.signal(stopEventSignal, { hangup: true });
    sent();
    return handle.result();
  });
  await connection.close();
  expect(result).toMatchObject({ status: 'cancelled', retry_count: 0 });
  expect(f.log.filter((l) => l.startsWith('dial'))).toEqual([]);
});
