/**
 * The scenarios whose histories are committed under test/replay/histories/. Each one drives the
 * call-session workflow through one main path with the real activities over a scratch SQLite
 * database and instant speech engines; `npm run histories:record` re-runs them. Add a scenario
 * when a workflow gains a path, then record.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { callSessionWorkflowId } from '../../common/ids';
import type { Db } from '../../infra/db';
import { putBlob } from '../../infra/blobs';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';
import { wavSaying } from '../../bench/instant-engines';
import {
  endSessionUpdate,
  injectSpeechUpdate,
  openSessionUpdate,
  processTurnUpdate,
  resetSessionUpdate,
  takeoverUpdate,
  releaseTakeoverUpdate,
  answerTurnRequestUpdate,
  callStateQuery,
  type CallSessionInput,
  type TurnRequest,
} from '../../workflows/call-session/messages';

export interface ScenarioContext {
  client: Client;
  taskQueue: string;
  db: Db;
  /** The recording worker's settings: written through it, a change reaches the next turn at once. */
  settings: RuntimeSettingsService;
}

export interface Scenario {
  /** File name (without .json) of the committed history. */
  name: string;
  /** Returns the workflow id, and the run id when the history to keep is not the latest run's. */
  run(ctx: ScenarioContext): Promise<{ workflowId: string; runId?: string }>;
}

function sessionInput(sessionId: string, overrides: Partial<CallSessionInput> = {}): CallSessionInput {
  return { sessionId, source: 'turn', callerNumber: '+15550100001', callDirection: 'outgoing', sessionTtlSeconds: 60, ...overrides };
}

let turnNo = 0;
async function turn(db: Db, text: string | null, fields: Partial<TurnRequest> = {}): Promise<TurnRequest> {
  turnNo += 1;
  return {
    turnId: `replayturn${String(turnNo).padStart(6, '0')}`,
    requestKey: null,
    audioBlobId: text === null ? null : await putBlob(db, wavSaying(text)),
    forcedReply: null,
    transcriptHint: '',
    skipAsr: false,
    resetSession: false,
    callerNumber: '+15550100001',
    callDirection: 'outgoing',
    receivedAt: Date.now(),
    ...fields,
  };
}

async function start(ctx: ScenarioContext, sid: string, overrides: Partial<CallSessionInput> = {}) {
  const workflowId = callSessionWorkflowId(sid);
  const handle = await ctx.client.workflow.start('callSessionWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [sessionInput(sid, overrides)] });
  await handle.executeUpdate(openSessionUpdate);
  return { handle, workflowId };
}

/** The turn.request the workflow stored for an agent, once it is there (what the API delivers). */
async function turnRequestFor(ctx: ScenarioContext, sessionId: string, after = 0): Promise<{ id: number; requestId: string }> {
  for (;;) {
    const row = await ctx.db.agentTurnRequest.findFirst({ where: { sessionId, id: { gt: after } }, orderBy: { id: 'desc' } });
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One turn answered by the takeover holder. */
async function agentTurn(ctx: ScenarioContext, h: WorkflowHandle, sessionId: string, agentId: string, text: string, after = 0) {
  const pending = h.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, text)] });
  const request = await turnRequestFor(ctx, sessionId, after);
  await h.executeUpdate(answerTurnRequestUpdate, { args: [{ requestId: request.requestId, agentId, reply: `Agent says: ${text}` }] });
  await pending;
  return request.id;
}

const takeover = (h: WorkflowHandle, agentId: string) => h.executeUpdate(takeoverUpdate, { args: [{ agentId }] });

const end = (h: WorkflowHandle) => h.executeUpdate(endSessionUpdate, { args: [{ reason: 'end_session' }] });

export const scenarios: Scenario[] = [
  {
    name: 'call-session-ended-by-api',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-ended-by-api', { source: 'api' });
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-ttl-stale',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-ttl-stale', { sessionTtlSeconds: 1 });
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-greeting-and-turns',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-greeting-turns');
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, null, { forcedReply: 'Hello, this is the assistant.', resetSession: true })] });
      for (const line of ['I would like to book a table', 'for two people', 'at seven tonight']) {
        await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, line)] });
      }
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, '')] }); // clarify
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    // Patch one-activity-turn: after the greeting, each plain turn (an answer, a clarify) is
    // one answerTurn local activity.
    name: 'call-session-one-activity-turns',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-one-activity-turns');
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, null, { forcedReply: 'Hello, this is the assistant.', resetSession: true })] });
      for (const line of ['I would like to book a table', 'for two people']) {
        await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, line)] });
      }
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, '')] }); // clarify
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-forced-reply-and-reset',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-forced-reset');
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'first question')] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'ignored', { forcedReply: 'Please hold the line.' })] });
      await handle.executeUpdate(resetSessionUpdate);
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'after the reset')] });
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-passphrase',
    async run(ctx) {
      await ctx.settings.save({ auth_passphrase: 'blue harbor', auth_max_attempts: '2' });
      try {
        const { handle, workflowId } = await start(ctx, 'replay-passphrase', { callDirection: 'incoming' });
        const incoming = { callDirection: 'incoming' as const };
        await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'red river', incoming)] });
        await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'it is blue harbor', incoming)] });
        await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'now help me', incoming)] });
        await end(handle);
        await handle.result();
        return { workflowId };
      } finally {
        await ctx.settings.save({ auth_passphrase: '' });
      }
    },
  },
  {
    name: 'call-session-passphrase-exhausted',
    async run(ctx) {
      await ctx.settings.save({ auth_passphrase: 'blue harbor', auth_max_attempts: '1' });
      try {
        const { handle, workflowId } = await start(ctx, 'replay-passphrase-exhausted', { callDirection: 'incoming' });
        await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'no idea', { callDirection: 'incoming' })] });
        await handle.result();
        return { workflowId };
      } finally {
        await ctx.settings.save({ auth_passphrase: '' });
      }
    },
  },
  {
    name: 'call-session-inject',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-inject');
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'hello')] });
      await handle.executeUpdate(injectSpeechUpdate, { args: [{ injectId: 'replayinject1', text: 'Your order has shipped.' }] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'anything new')] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'thanks')] });
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-continue-as-new',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-continue-as-new', { turnsPerRun: 2 });
      for (const line of ['one', 'two', 'three']) await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, line)] });
      await end(ctx.client.workflow.getHandle(workflowId));
      await ctx.client.workflow.getHandle(workflowId).result();
      // The first run's history, which ends in continue-as-new, is the one recorded.
      return { workflowId, runId: handle.firstExecutionRunId };
    },
  },
  {
    name: 'call-session-compaction',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-compaction');
      const summaryNow = async () => (await handle.query(callStateQuery)).summary;
      const summaryChanges = async (from: string) => {
        for (const deadline = Date.now() + 15_000; (await summaryNow()) === from; await new Promise((r) => setTimeout(r, 50))) {
          if (Date.now() > deadline) throw new Error('compaction did not run');
        }
      };
      // Past 2 × 8 messages the first compaction runs; a batch later, the second.
      for (let i = 1; i <= 9; i++) await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, `line ${i}`)] });
      await summaryChanges('');
      const first = await summaryNow();
      for (let i = 10; i <= 12; i++) await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, `line ${i}`)] });
      await summaryChanges(first);
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-takeover-release',
    async run(ctx) {
      const sid = 'replay-takeover-release';
      const { handle, workflowId } = await start(ctx, sid);
      await takeover(handle, 'agent-a');
      const last = await agentTurn(ctx, handle, sid, 'agent-a', 'first');
      await agentTurn(ctx, handle, sid, 'agent-a', 'second', last);
      await handle.executeUpdate(releaseTakeoverUpdate, { args: [{ agentId: 'agent-a', reason: 'release' }] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'back to the assistant')] });
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-takeover-timeout-fallback',
    async run(ctx) {
      const { handle, workflowId } = await start(ctx, 'replay-takeover-fallback');
      await takeover(handle, 'agent-a');
      // Arrived 31 s ago: 40 s budget − 31 s − 8 s leaves the agent 1 s before the LLM answers.
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'anyone there', { receivedAt: Date.now() - 31_000 })] });
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-takeover-last-wins',
    async run(ctx) {
      const sid = 'replay-takeover-last-wins';
      const { handle, workflowId } = await start(ctx, sid);
      await takeover(handle, 'agent-a');
      await takeover(handle, 'agent-b');
      await agentTurn(ctx, handle, sid, 'agent-b', 'who is this');
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-takeover-disconnect',
    async run(ctx) {
      const sid = 'replay-takeover-disconnect';
      const { handle, workflowId } = await start(ctx, sid);
      await takeover(handle, 'agent-a');
      const pending = handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'hello')] });
      await turnRequestFor(ctx, sid);
      // The holder's connection closes while its turn.request is pending: that turn falls back.
      await handle.executeUpdate(releaseTakeoverUpdate, { args: [{ agentId: 'agent-a', reason: 'disconnect' }] });
      await pending;
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-takeover-inject',
    async run(ctx) {
      const sid = 'replay-takeover-inject';
      const { handle, workflowId } = await start(ctx, sid);
      await takeover(handle, 'agent-a');
      await handle.executeUpdate(injectSpeechUpdate, { args: [{ injectId: 'replaytakeoverinject', text: 'Please hold on.' }] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx.db, 'hello')] });
      await agentTurn(ctx, handle, sid, 'agent-a', 'still there');
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'call-session-takeover-ended',
    async run(ctx) {
      const sid = 'replay-takeover-ended';
      const { handle, workflowId } = await start(ctx, sid);
      await takeover(handle, 'agent-a');
      await agentTurn(ctx, handle, sid, 'agent-a', 'goodbye');
      await end(handle);
      await handle.result();
      return { workflowId };
    },
  },
  {
    name: 'retention-pass',
    async run(ctx) {
      const workflowId = `retention-replay`;
      await ctx.client.workflow.execute('retentionWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [{ audioRetentionDays: 7, eventRetentionDays: 30 }] });
      return { workflowId };
    },
  },
];
