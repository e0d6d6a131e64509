/**
 * Replay scenarios of a call routed to the account's ClawdTalk bot (workflows/call-session/bot.ts):
 * the deep tool answered in its turn, answered late (spoken on the next turn), timed out, and
 * the bot disconnecting mid-call. The scenario plays the bot: it marks the account's client
 * connected (table BotConnection) and answers the deep_tool_requests the workflow logs, through
 * the same updates the voice plane sends (api/clawdtalk/commands.ts).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { callSessionWorkflowId } from '../../common/ids';
import { putBlob } from '../../infra/blobs';
import { wavSaying } from '../../bench/instant-engines';
import {
  answerDeepToolUpdate,
  botResponseUpdate,
  endSessionUpdate,
  openSessionUpdate,
  processTurnUpdate,
  setInstructionsUpdate,
  type CallSessionInput,
  type TurnRequest,
} from '../../workflows/call-session/messages';
import type { Scenario, ScenarioContext } from './scenarios';

const LINE = '+15550100001';
const CALLER = '+15550107777';
/** A turn that arrived this long ago has about 2 s left to wait for the bot (40 s budget, 8 s reserve). */
const NEARLY_SPENT_MS = 30_000;

let turnNo = 0;
async function turn(ctx: ScenarioContext, text: string | null, fields: Partial<TurnRequest> = {}): Promise<TurnRequest> {
  turnNo += 1;
  return {
    turnId: `botreplayturn${String(turnNo).padStart(6, '0')}`,
    requestKey: null,
    audioBlobId: text === null ? null : await putBlob(ctx.db, wavSaying(text)),
    forcedReply: null,
    transcriptHint: '',
    skipAsr: false,
    resetSession: false,
    callerNumber: CALLER,
    callDirection: 'incoming',
    receivedAt: Date.now(),
    ...fields,
  };
}

const connectBot = (ctx: ScenarioContext) =>
  ctx.db.botConnection.upsert({ where: { accountId: 'default' }, create: { accountId: 'default', connectionId: 'replay-bot', instanceId: 'replay' }, update: { seenAt: new Date() } });

/** The newest event of `event` the workflow logged for the session (what the voice plane delivers). */
async function logged(ctx: ScenarioContext, sessionId: string, event: string, after = 0) {
  for (;;) {
    const row = await ctx.db.botEvent.findFirst({ where: { sessionId, event, seq: { gt: after } }, orderBy: { seq: 'desc' } });
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An inbound call to the account's line: the greeting turn, greeted by the bot, its prompt set. */
async function inboundCall(ctx: ScenarioContext, sid: string): Promise<{ handle: WorkflowHandle; workflowId: string }> {
  await connectBot(ctx);
  const input: CallSessionInput = { sessionId: sid, source: 'turn', callerNumber: CALLER, callDirection: 'incoming', sessionTtlSeconds: 60 };
  const workflowId = callSessionWorkflowId(sid);
  const handle = await ctx.client.workflow.start('callSessionWorkflow', { taskQueue: ctx.taskQueue, workflowId, args: [input] });
  await handle.executeUpdate(openSessionUpdate);
  const greeting = handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, null, { forcedReply: 'Hello.', resetSession: true, lineNumber: LINE })] });
  await logged(ctx, sid, 'context_request');
  await handle.executeUpdate(setInstructionsUpdate, { args: [{ scope: 'session', text: '[VOICE CALL ACTIVE] Keep it short.' }] });
  await handle.executeUpdate(botResponseUpdate, { args: [{ text: "Hey, what's up?" }] });
  await greeting;
  return { handle, workflowId };
}

const end = async (handle: WorkflowHandle) => {
  await handle.executeUpdate(endSessionUpdate, { args: [{ reason: 'hangup' }] });
  await handle.result();
};

export const botScenarios: Scenario[] = [
  {
    name: 'call-session-bot-deep-tool-answered',
    async run(ctx) {
      const sid = 'replay-bot-answered';
      const { handle, workflowId } = await inboundCall(ctx, sid);
      const pending = handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'what is on my calendar tomorrow')] });
      const asked = await logged(ctx, sid, 'deep_tool_request');
      // Progress is held while the turn waits; the result answers the turn and supersedes it.
      const progress = handle.executeUpdate(answerDeepToolUpdate, { args: [{ requestId: asked.requestId!, text: 'Checking your calendar now.', final: false }] });
      await new Promise((r) => setTimeout(r, 200));
      await handle.executeUpdate(answerDeepToolUpdate, { args: [{ requestId: asked.requestId!, text: 'The dentist at nine.', final: true }] });
      await Promise.all([pending, progress]);
      await end(handle);
      return { workflowId };
    },
  },
  {
    name: 'call-session-bot-deep-tool-late',
    async run(ctx) {
      const sid = 'replay-bot-late';
      const { handle, workflowId } = await inboundCall(ctx, sid);
      const pending = handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'what is on my calendar tomorrow', { receivedAt: Date.now() - NEARLY_SPENT_MS })] });
      const asked = await logged(ctx, sid, 'deep_tool_request');
      // Progress during the wait is held, then spoken on the next turn (the result came too late).
      const progress = handle.executeUpdate(answerDeepToolUpdate, { args: [{ requestId: asked.requestId!, text: 'Still looking.', final: false }] });
      await pending;
      await progress;
      await handle.executeUpdate(answerDeepToolUpdate, { args: [{ requestId: asked.requestId!, text: 'The dentist at nine.', final: true }] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'hello')] });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'and then')] });
      await end(handle);
      return { workflowId };
    },
  },
  {
    name: 'call-session-bot-deep-tool-timeout',
    async run(ctx) {
      const sid = 'replay-bot-timeout';
      const { handle, workflowId } = await inboundCall(ctx, sid);
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'what is on my calendar tomorrow', { receivedAt: Date.now() - NEARLY_SPENT_MS })] });
      await end(handle);
      return { workflowId };
    },
  },
  {
    name: 'call-session-bot-disconnected',
    async run(ctx) {
      const sid = 'replay-bot-disconnected';
      const { handle, workflowId } = await inboundCall(ctx, sid);
      const pending = handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'first question')] });
      const asked = await logged(ctx, sid, 'deep_tool_request');
      await handle.executeUpdate(answerDeepToolUpdate, { args: [{ requestId: asked.requestId!, text: 'First answer.', final: true }] });
      await pending;
      // The client goes away: the next turn is answered by the local model at once.
      await ctx.db.botConnection.deleteMany({ where: { accountId: 'default' } });
      await handle.executeUpdate(processTurnUpdate, { args: [await turn(ctx, 'second question')] });
      await end(handle);
      return { workflowId };
    },
  },
];
