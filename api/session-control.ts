/**
 * What agents and operators can do to a live call, shared by the REST routes and the agent
 * WebSocket: each function is one workflow message (route → workflow message → activity) or
 * one telephony call. They answer domain results and throw ApiErrors; each surface maps those
 * once (REST: api/surfaces/gateway-errors.ts, WebSocket acks: api/agents/plane.ts).
 */
import { randomUUID } from 'node:crypto';
import { createCallControl, type DialResult, type TelephonyResult } from '../infra/telephony/driver';
import { isWorkflowGone } from '../infra/temporal-errors';
import { callSessionWorkflowId } from '../common/ids';
import { appendEvent } from '../infra/event-log';
import type { RuntimeSettingsService } from '../infra/runtime-settings';
import {
  callStateQuery,
  injectSpeechUpdate,
  releaseTakeoverUpdate,
  setContextUpdate,
  setInstructionsUpdate,
  takeoverUpdate,
  type CallState,
  type InjectResult,
} from '../workflows/call-session/messages';
import type { AppDeps } from './deps';
import { badRequest, conflict, notFound } from './errors';
import type { Static } from '@sinclair/typebox';
import type { CallStateBody } from './schemas/call-state';
import { endSession, endSessions } from './sessions';

export type ControlDeps = Pick<AppDeps, 'db' | 'temporal' | 'config' | 'telephony'>;

const str = (v: string | undefined) => (v !== undefined && v !== '' ? v : undefined);
const epoch = (d: Date | null | undefined) => (d ? d.getTime() / 1000 : null);


const handle = (deps: Pick<ControlDeps, 'temporal'>, sessionId: string) => deps.temporal.workflow.getHandle(callSessionWorkflowId(sessionId));

/** The most recently active live session, or null (contract §4.1 defaults). */
export async function mostRecentActive(deps: Pick<ControlDeps, 'db'>): Promise<string | null> {
  const row = await deps.db.callSession.findFirst({ where: { status: 'active' }, orderBy: [{ lastActiveAt: 'desc' }, { createdAt: 'desc' }], select: { id: true } });
  return row?.id ?? null;
}

/** 'active' | 'ended' | null (never seen). */
async function sessionStatus(deps: Pick<ControlDeps, 'db'>, sessionId: string): Promise<string | null> {
  const row = await deps.db.callSession.findUnique({ where: { id: sessionId }, select: { status: true } });
  return row?.status ?? null;
}

/** Queue speech for the caller (contract §4.1 inject): default = the most recently active session. */
export async function injectSpeech(deps: ControlDeps, input: { text: string; session_id?: string }): Promise<InjectResult> {
  const text = input.text.trim();
  if (!text) throw badRequest('text required');
  let sessionId = str(input.session_id) ?? '';
  if (!sessionId) {
    sessionId = (await mostRecentActive(deps)) ?? '';
    if (!sessionId) throw badRequest('no active session');
  } else {
    const status = await sessionStatus(deps, sessionId);
    if (!status) throw notFound('Session not found');
    if (status !== 'active') throw conflict('session ended');
  }
  try {
    return await handle(deps, sessionId).executeUpdate(injectSpeechUpdate, { args: [{ injectId: randomUUID().replace(/-/g, ''), text }] });
  } catch (err) {
    if (isWorkflowGone(err)) throw conflict('session ended');
    throw err;
  }
}

const NO_DRIVER = 'no telephony driver configured';

/** Dial through the configured driver (the one telephony seam); call.dial once it is delivered. */
export async function dial(deps: ControlDeps, input: { number: string; serial?: string }): Promise<DialResult> {
  if (!deps.telephony) return { ok: false, detail: NO_DRIVER };
  const calls = createCallControl(deps.telephony, { defaultCountryCode: deps.config.defaultCountryCode });
  const result = await calls.dialNumber({ number: input.number, serial: str(input.serial) });
  if (result.ok) {
    await appendEvent(deps.db, { type: 'call.dial', data: { number: input.number, serial: result.serial ?? '', command_id: result.command_id ?? '' } });
  }
  return result;
}

/**
 * Hang up through the driver: the given session's call (a driver that tells calls apart ends
 * only that one), else the phone's. On delivery the session ends with it, or every open one.
 */
export async function hangup(deps: ControlDeps, input: { session_id?: string; serial?: string }): Promise<TelephonyResult & { session_id?: string }> {
  if (!deps.telephony) return { ok: false, detail: NO_DRIVER };
  const sessionId = str(input.session_id);
  const result = await createCallControl(deps.telephony).hangupCall({ serial: str(input.serial), session_id: sessionId });
  let ended: string[] = [];
  if (result.ok) {
    ended = sessionId ? ((await endSession(deps, sessionId, 'hangup')) ? [sessionId] : []) : await endSessions(deps, { reason: 'hangup' });
  }
  const target = sessionId ?? ended[0];
  await appendEvent(deps.db, {
    type: 'call.hangup',
    sessionId: target ?? '',
    data: { ok: result.ok, detail: result.detail, serial: result.serial ?? '', ...(target ? { session_id: target } : {}) },
  });
  return { ok: result.ok, detail: result.detail, ...(target ? { session_id: target } : {}) };
}

/** Take over a live session for an agent connection; ok:false for unknown or ended sessions. */
export async function takeover(deps: ControlDeps, sessionId: string, agentId: string): Promise<{ ok: boolean; error?: string; previous_agent_id?: string | null }> {
  if ((await sessionStatus(deps, sessionId)) !== 'active') return { ok: false, error: 'unknown or ended session' };
  try {
    const result = await handle(deps, sessionId).executeUpdate(takeoverUpdate, { args: [{ agentId }] });
    return { ok: true, previous_agent_id: result.previous_agent_id };
  } catch (err) {
    if (isWorkflowGone(err)) return { ok: false, error: 'unknown or ended session' };
    throw err;
  }
}

/** Release a takeover; only the holder's release counts (ok:false otherwise). */
export async function release(deps: ControlDeps, sessionId: string, agentId: string, reason: 'release' | 'disconnect'): Promise<boolean> {
  if (!sessionId) return false;
  try {
    return (await handle(deps, sessionId).executeUpdate(releaseTakeoverUpdate, { args: [{ agentId, reason }] })).ok;
  } catch (err) {
    if (isWorkflowGone(err)) return false;
    throw err;
  }
}

/** Session instruction or one-shot turn supplement ("" clears); 404 unknown, 409 ended. */
export async function setInstructions(deps: ControlDeps, sessionId: string, scope: 'session' | 'turn', text: string): Promise<{ session_id: string }> {
  const status = await sessionStatus(deps, sessionId);
  if (!status) throw notFound('Session not found', { ok: false, error: 'Session not found' });
  try {
    return await handle(deps, sessionId).executeUpdate(setInstructionsUpdate, { args: [{ scope, text }] });
  } catch (err) {
    if (isWorkflowGone(err)) throw conflict('session ended', { ok: false, error: 'session ended' });
    throw err;
  }
}

/** The session's one knowledge slot; newlines flattened, "" clears. 404 unknown, 409 ended. */
export async function setContext(deps: ControlDeps, sessionId: string, context: string): Promise<{ session_id: string }> {
  const status = await sessionStatus(deps, sessionId);
  if (!status) throw notFound('Session not found', { ok: false });
  const flat = context.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  try {
    return await handle(deps, sessionId).executeUpdate(setContextUpdate, { args: [{ context: flat }] });
  } catch (err) {
    if (isWorkflowGone(err)) throw conflict('session ended', { ok: false });
    throw err;
  }
}

/** The live state of a session's workflow, or null when it cannot be asked. */
export async function liveCallState(deps: Pick<ControlDeps, 'temporal'>, sessionId: string): Promise<CallState | null> {
  try {
    return await handle(deps, sessionId).query(callStateQuery);
  } catch {
    return null;
  }
}

/** The session-scoped instruction of each live session that has one (GET /api/instructions). */
export async function liveSessionInstructions(deps: Pick<ControlDeps, 'db' | 'temporal'>): Promise<Record<string, string>> {
  const active = await deps.db.callSession.findMany({ where: { status: 'active' }, orderBy: { lastActiveAt: 'desc' }, select: { id: true } });
  const states = await Promise.all(active.map((s) => liveCallState(deps, s.id)));
  const sessions: Record<string, string> = {};
  for (const state of states) if (state?.instructions.session) sessions[state.sessionId] = state.instructions.session;
  return sessions;
}

/** GET /api/agent/call/{sid} and the WebSocket's call_state (contract §4.1). */
export async function callStateBody(deps: Pick<ControlDeps, 'db' | 'temporal'> & { runtimeSettings: RuntimeSettingsService }, sessionId: string): Promise<Static<typeof CallStateBody>> {
  const row = await deps.db.callSession.findUnique({ where: { id: sessionId } });
  const base = (await deps.runtimeSettings.current()).llmSystemPrompt;
  if (!row) {
    return {
      session_id: sessionId,
      status: 'unknown' as const,
      ended_at: null,
      history: [],
      turn_count: 0,
      instructions: { base, session: '', pending_turn: '' },
      agent_takeover: false,
      created_at: null,
      takeover_agent_id: null,
      caller_number: '',
      call_direction: '',
      summary: '',
      context: '',
    };
  }
  // An ended session's workflow can still be queried (Temporal replays it) until retention.
  const state = await liveCallState(deps, sessionId);
  const active = row.status === 'active' && state?.status !== 'ended';
  return {
    session_id: sessionId,
    status: active ? ('active' as const) : ('ended' as const),
    ended_at: epoch(row.endedAt),
    history: state?.history ?? [],
    turn_count: state?.turnCount ?? row.turnCount,
    instructions: { base, session: state?.instructions.session ?? '', pending_turn: state?.instructions.pending_turn ?? '' },
    agent_takeover: active && !!state?.takeoverAgentId,
    created_at: epoch(row.createdAt),
    takeover_agent_id: active ? (state?.takeoverAgentId ?? null) : null,
    caller_number: row.callerNumber,
    call_direction: row.callDirection,
    summary: state?.summary ?? '',
    context: state?.context ?? '',
  };
}
