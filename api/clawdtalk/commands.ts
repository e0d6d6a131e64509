/**
 * What the ClawdTalk client's messages do: each becomes one update on the call's session
 * workflow (route → workflow message → activity). Calls and requests are looked up within the
 * socket's account only, so one account's client can never speak into another's call.
 */
import type { Client } from '@temporalio/client';
import { callSessionWorkflowId } from '../../common/ids';
import type { Db } from '../../infra/db';
import { classifyTemporalError } from '../../infra/temporal-errors';
import { answerDeepToolUpdate, botResponseUpdate, setContextUpdate, setInstructionsUpdate } from '../../workflows/call-session/messages';
import type { ContextResponse, DeepToolMessage, SpeakResponse } from './messages';

export interface CommandDeps {
  db: Db;
  temporal: Client;
}

/** An outcome the client is told about with an `error` message (it ignores them; logs show them). */
export class CommandRefused extends Error {}

/** The voice session behind a `call_id` of this account: inbound calls name it, outbound ones via their call record. */
async function sessionOfCall(db: Db, accountId: string, callId: string): Promise<string> {
  const logged = await db.botEvent.findFirst({ where: { accountId, callId, sessionId: { not: null } }, select: { sessionId: true } });
  if (logged?.sessionId) return logged.sessionId;
  const rec = await db.callRecord.findFirst({ where: { id: callId, accountId }, select: { sessionId: true } });
  if (rec?.sessionId) return rec.sessionId;
  throw new CommandRefused(`unknown call_id ${JSON.stringify(callId)}`);
}

async function update<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // A validator's refusal (unknown request, session ended) or a call that is already over.
    const { kind, message } = classifyTemporalError(err);
    if (kind === 'rejected') throw new CommandRefused(message);
    if (kind === 'not_found' || kind === 'closed') throw new CommandRefused('the call has ended');
    throw err;
  }
}

const session = (deps: CommandDeps, sessionId: string) => deps.temporal.workflow.getHandle(callSessionWorkflowId(sessionId));

/** `context_response`: the bot's system prompt becomes the call's session instruction, its memory the call's context. */
export async function applyContext(deps: CommandDeps, accountId: string, m: ContextResponse): Promise<void> {
  const handle = session(deps, await sessionOfCall(deps.db, accountId, m.call_id));
  if (m.context.system_prompt !== undefined) await update(() => handle.executeUpdate(setInstructionsUpdate, { args: [{ scope: 'session', text: m.context.system_prompt! }] }));
  if (m.context.memory !== undefined) await update(() => handle.executeUpdate(setContextUpdate, { args: [{ context: m.context.memory! }] }));
}

/** `response`: spoken to the caller (an inbound call's greeting, when it comes in time for it). */
export async function speak(deps: CommandDeps, accountId: string, m: SpeakResponse): Promise<void> {
  const handle = session(deps, await sessionOfCall(deps.db, accountId, m.call_id));
  await update(() => handle.executeUpdate(botResponseUpdate, { args: [{ text: m.text }] }));
}

/** `deep_tool_progress` / `deep_tool_result`: handed to the call that asked, found by its request id. */
export async function answerDeepTool(deps: CommandDeps, accountId: string, m: DeepToolMessage): Promise<void> {
  const asked = await deps.db.botEvent.findFirst({ where: { accountId, requestId: m.request_id }, select: { sessionId: true } });
  if (!asked?.sessionId) throw new CommandRefused(`unknown request_id ${JSON.stringify(m.request_id)}`);
  const handle = session(deps, asked.sessionId);
  await update(() => handle.executeUpdate(answerDeepToolUpdate, { args: [{ requestId: m.request_id, text: m.text, final: m.type === 'deep_tool_result' }] }));
}
