/**
 * The API's Temporal connection (infra/temporal.ts connectNative): the native client's real
 * failures against the test dev server are classified as the routes expect them.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { connectNative, ensureSearchAttributes } from '../../infra/temporal';
import { classifyTemporalError, isWorkflowGone } from '../../infra/temporal-errors';
import { temporalAddress } from '../support/temporal';

let connection: NativeConnection;
let client: Client;

beforeAll(async () => {
  connection = await connectNative(temporalAddress());
  client = new Client({ connection });
});
afterAll(async () => {
  await connection.close();
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
}

test('an update to a workflow that never started or has ended: the workflow is gone', async () => {
  const unknown = await failure(client.workflow.getHandle(`nobody-${randomUUID()}`).executeUpdate('anything'));
  expect(classifyTemporalError(unknown).kind).toBe('not_found');

  // No worker polls this queue: the workflow only has to exist, then end.
  const handle = await client.workflow.start('callSessionWorkflow', { taskQueue: `idle-${randomUUID()}`, workflowId: `ended-${randomUUID()}`, args: [] });
  await handle.terminate('test');
  const closed = await failure(handle.executeUpdate('anything'));
  // The native client drops the server's "already completed" text (infra/temporal-errors.ts), so
  // this may read as not_found; /v1 and the ClawdTalk plane answer both alike, and /api/turn
  // learns "ended" from its Update-With-Start (test/api/turn-session.test.ts, G16).
  expect(isWorkflowGone(closed)).toBe(true);
  expect(['closed', 'not_found']).toContain(classifyTemporalError(closed).kind);
});

test('registering the search attributes again is a no-op', async () => {
  await ensureSearchAttributes(connection, 'default');
  await expect(ensureSearchAttributes(connection, 'default')).resolves.toBeUndefined();
});

test('nothing listening: the connection fails at once, so the boot retry loop can say so', async () => {
  const started = Date.now();
  await expect(connectNative('127.0.0.1:1')).rejects.toThrow(/connect/i);
  expect(Date.now() - started).toBeLessThan(5000);
});
