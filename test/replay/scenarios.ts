/**
 * The scenarios whose histories are committed under test/replay/histories/. Each one drives a
 * workflow through one main path with fake activities; `npm run histories:record` re-runs them.
 * Add a scenario here when a workflow gains a path, then record.
 */
import type { Client } from '@temporalio/client';
import { callSessionWorkflowId } from '../../common/ids';
import { endSessionUpdate, openSessionUpdate, type CallSessionInput } from '../../workflows/call-session/messages';
import type { StoreActivities } from '../../activities/store';

export interface ScenarioContext {
  client: Client;
  taskQueue: string;
}

export interface Scenario {
  /** File name (without .json) of the committed history. */
  name: string;
  run(ctx: ScenarioContext): Promise<string /* workflow id */>;
}

export const fakeActivities: StoreActivities = {
  async recordSessionStarted() {},
  async recordSessionEnded() {},
};

function sessionInput(sessionId: string, overrides: Partial<CallSessionInput> = {}): CallSessionInput {
  return { sessionId, source: 'api', callerNumber: '+15550100001', callDirection: 'outgoing', sessionTtlSeconds: 60, ...overrides };
}

export const scenarios: Scenario[] = [
  {
    name: 'call-session-ended-by-api',
    async run({ client, taskQueue }) {
      const workflowId = callSessionWorkflowId('replayendedbyapi00000000000000001');
      const handle = await client.workflow.start('callSessionWorkflow', { taskQueue, workflowId, args: [sessionInput('replayendedbyapi00000000000000001')] });
      await handle.executeUpdate(openSessionUpdate);
      await handle.executeUpdate(endSessionUpdate, { args: [{ reason: 'end_session' }] });
      await handle.result();
      return workflowId;
    },
  },
  {
    name: 'call-session-ttl-stale',
    async run({ client, taskQueue }) {
      const workflowId = callSessionWorkflowId('replayttlstale0000000000000000001');
      const handle = await client.workflow.start('callSessionWorkflow', {
        taskQueue,
        workflowId,
        args: [sessionInput('replayttlstale0000000000000000001', { sessionTtlSeconds: 1 })],
      });
      await handle.result();
      return workflowId;
    },
  },
];
