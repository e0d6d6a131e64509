import { randomUUID } from 'node:crypto';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { callSessionWorkflowId, sessionIdFromUuid } from '../../common/ids';
import { callStateQuery, endSessionUpdate, openSessionUpdate, type CallSessionInput } from '../../workflows/call-session/messages';
import { createFakeStore } from '../support/fake-store';
import { connectTestClient, createTestWorker } from '../support/temporal';

let client: Client;
beforeAll(async () => {
  client = await connectTestClient();
});
afterAll(async () => {
  await client.connection.close();
});

function input(overrides: Partial<CallSessionInput> = {}): CallSessionInput {
  return {
    sessionId: sessionIdFromUuid(randomUUID()),
    source: 'api',
    callerNumber: '+491701234567',
    callDirection: 'incoming',
    sessionTtlSeconds: 60,
    ...overrides,
  };
}

describe('callSessionWorkflow', () => {
  test('records the session, answers callState, and ends on endSession', async () => {
    const store = createFakeStore();
    const { worker, taskQueue, connection } = await createTestWorker({ activities: store.activities });
    const args = input();
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('callSessionWorkflow', { taskQueue, workflowId: callSessionWorkflowId(args.sessionId), args: [args] });
      expect(await handle.executeUpdate(openSessionUpdate)).toEqual({ session_id: args.sessionId });
      const state = await handle.query(callStateQuery);
      expect(state).toMatchObject({ sessionId: args.sessionId, status: 'active', callerNumber: '+491701234567', endReason: null });

      expect(await handle.executeUpdate(endSessionUpdate, { args: [{ reason: 'end_session' }] })).toEqual({ ok: true, session_id: args.sessionId });
      expect(await handle.result()).toEqual({ sessionId: args.sessionId, endReason: 'end_session' });
    });
    await connection.close();
    expect(store.calls.map((c) => c.name)).toEqual(['recordSessionStarted', 'recordSessionEnded']);
    expect(store.calls[1].args).toMatchObject({ sessionId: args.sessionId, reason: 'end_session', callerNumber: '+491701234567', history: [] });
  });

  test('ends as stale after session_ttl seconds without activity', async () => {
    const store = createFakeStore();
    const { worker, taskQueue, connection } = await createTestWorker({ activities: store.activities });
    const args = input({ sessionTtlSeconds: 1 });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('callSessionWorkflow', { taskQueue, workflowId: callSessionWorkflowId(args.sessionId), args: [args] });
      expect(await handle.result()).toEqual({ sessionId: args.sessionId, endReason: 'stale' });
    });
    await connection.close();
    expect(store.calls[1].args).toMatchObject({ sessionId: args.sessionId, reason: 'stale' });
  });

  test('a second endSession while ending is rejected by the validator and leaves no trace', async () => {
    const store = createFakeStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Hold the end activity so the session stays in "ending" while we send the second end.
    const activities = { ...store.activities, recordSessionEnded: async (s: never) => { await gate; return store.activities.recordSessionEnded(s); } };
    const { worker, taskQueue, connection } = await createTestWorker({ activities });
    const args = input();
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('callSessionWorkflow', { taskQueue, workflowId: callSessionWorkflowId(args.sessionId), args: [args] });
      await handle.executeUpdate(openSessionUpdate);
      const first = handle.executeUpdate(endSessionUpdate, { args: [{ reason: 'end_session' }] });
      await waitFor(async () => (await handle.query(callStateQuery)).status === 'ending');
      await expect(handle.executeUpdate(endSessionUpdate, { args: [{ reason: 'hangup' }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      release();
      await first;
      expect((await handle.result()).endReason).toBe('end_session');
    });
    await connection.close();
    expect(store.calls.filter((c) => c.name === 'recordSessionEnded')).toHaveLength(1);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
