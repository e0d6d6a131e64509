import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { createRetentionActivities } from '../../activities/retention';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../infra/temporal';
import { createTestDb, TestDb } from '../support/db';
import { connectTestClient, createTestWorker } from '../support/temporal';

let client: Client;
let testDb: TestDb;
beforeAll(async () => {
  client = await connectTestClient();
  testDb = await createTestDb();
});
afterAll(async () => {
  await client.connection.close();
  await testDb.close();
});

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

test('retentionWorkflow prunes audio, events and spent turn.requests past their retention, nothing newer', async () => {
  const { db } = testDb;
  await db.audioBlob.create({ data: { id: 'old-audio', bytes: new Uint8Array([1]), size: 1, createdAt: daysAgo(8) } });
  await db.audioBlob.create({ data: { id: 'new-audio', bytes: new Uint8Array([1]), size: 1 } });
  await db.event.create({ data: { type: 'turn.started', createdAt: daysAgo(31) } });
  await db.event.create({ data: { type: 'turn.started' } });
  const request = { sessionId: 's', agentId: 'a', transcript: 'hi', timeoutMs: 1000 };
  await db.agentTurnRequest.create({ data: { ...request, requestId: 'spent', createdAt: new Date(Date.now() - 2 * 3_600_000) } });
  await db.agentTurnRequest.create({ data: { ...request, requestId: 'recent' } });

  const { worker, taskQueue, connection } = await createTestWorker({ activities: createRetentionActivities(db) });
  const result = await worker.runUntil(
    client.workflow.execute('retentionWorkflow', { taskQueue, workflowId: `retention-${randomUUID()}`, args: [{ audioRetentionDays: 7, eventRetentionDays: 30 }] }),
  );
  await connection.close();
  expect(result).toEqual({ audioBlobs: 1, events: 1, turnRequests: 1 });
  expect((await db.agentTurnRequest.findMany()).map((r) => r.requestId)).toEqual(['recent']);
  expect((await db.audioBlob.findMany()).map((b) => b.id)).toEqual(['new-audio']);
  expect(await db.event.count()).toBe(1);
});

test('the hourly retention Schedule is created once, idempotently', async () => {
  const config = { taskQueue: `test-${randomUUID()}`, audioRetentionDays: 7, eventRetentionDays: 30 };
  await ensureRetentionSchedule(client, config);
  await ensureRetentionSchedule(client, config);
  const description = await client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
  expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow' });
  expect(description.spec.intervals?.[0]?.every).toBe(3_600_000);
  await client.schedule.getHandle(RETENTION_SCHEDULE_ID).delete();
});
