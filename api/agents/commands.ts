/**
 * The agent WebSocket's messages (contract §3 "Agent → Parley"), each mapped to one action of
 * api/session-control.ts (a workflow message or a driver call) and answered with its ack.
 */
import { cleanReply } from '../../infra/speech/text';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';
import { answerTurnRequestUpdate } from '../../workflows/call-session/messages';
import { callSessionWorkflowId } from '../../common/ids';
import { endSession } from '../sessions';
import { updateCallConfig } from '../services/call-config';
import { isWorkflowGone } from '../../infra/temporal-errors';
import { ApiError, badRequest } from '../errors';
import { LIMITS } from '../schemas/gateway';
import type { ApiMetrics } from '../../infra/metrics';
import * as control from '../session-control';
import type { AgentSocket } from './agent-socket';

type Message = Record<string, unknown>;
export type Ack = Record<string, unknown> | null;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A message's `session_id`: absent or a string; any other type is refused, never "the default session". */
function sid(m: Message): string {
  const v = m.session_id;
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest('session_id must be a string');
  if (v.length > LIMITS.short) throw badRequest(`session_id must be at most ${LIMITS.short} characters`);
  return v;
}

/** A text field: a string within `max` characters (absent = ""). */
function textField(m: Message, key: string, max: number): string {
  const v = m[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
  if (v.length > max) throw badRequest(`${key} must be at most ${max} characters`);
  return v;
}

/** The ack of a refused command: `{type: <cmd>.ack, ok:false, error}` (contract §3). */
export function refusedAck(type: string, err: ApiError, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: `${type}.ack`, ok: false, ...extra, error: err.message };
}

/** Call keys an agent may change with set_call_config: nothing that guards the phone. */
const AGENT_CALL_KEYS = new Set([
  'call_auto_answer',
  'auto_answer',
  'call_auto_answer_delay_ms',
  'auto_answer_delay_ms',
  'greeting_incoming',
  'greeting_outgoing',
  'greeting_owner',
  'max_duration_sec',
  'max_duration_message',
  'keep_history',
  'tts_voice',
  'tts_speed',
]);

export interface CommandContext {
  deps: control.ControlDeps & { runtimeSettings: RuntimeSettingsService };
  socket: AgentSocket;
  /** Wakes this process's hub after writing an event, so the sender sees it at once. */
  kick(): void;
  metrics?: Pick<ApiMetrics, 'takeovers'>;
}

type Handler = (ctx: CommandContext, m: Message) => Promise<Ack>;

export const AGENT_COMMANDS: Record<string, Handler> = {
  async takeover({ deps, socket, metrics }, m) {
    const sessionId = sid(m);
    if (!sessionId) return { type: 'takeover.ack', ok: false, session_id: '', error: 'session_id required' };
    const result = await control.takeover(deps, sessionId, socket.agentId);
    if (result.ok) {
      socket.takeovers.add(sessionId);
      metrics?.takeovers.inc();
    }
    return { type: 'takeover.ack', ok: result.ok, session_id: sessionId, ...(result.error ? { error: result.error } : {}) };
  },

  async release({ deps, socket }, m) {
    const sessionId = sid(m);
    const ok = await control.release(deps, sessionId, socket.agentId, 'release');
    if (ok) socket.takeovers.delete(sessionId);
    return { type: 'release.ack', ok, session_id: sessionId };
  },

  async inject({ deps, kick }, m) {
    const sessionId = sid(m);
    try {
      const result = await control.injectSpeech(deps, { text: textField(m, 'text', LIMITS.speech), session_id: sessionId });
      kick();
      return { type: 'inject.ack', ...result, ok: true };
    } catch (err) {
      if (err instanceof ApiError) return refusedAck('inject', err, { session_id: sessionId });
      throw err;
    }
  },

  async set_instructions({ deps }, m) {
    const scope = str(m.scope) || 'turn';
    if (scope === 'global') return { type: 'set_instructions.ack', ok: false, scope, error: 'Global scope disabled. Use session or turn scope.' };
    if (scope !== 'session' && scope !== 'turn') return { type: 'set_instructions.ack', ok: false, scope, error: 'scope must be session or turn' };
    if (!sid(m)) return { type: 'set_instructions.ack', ok: false, scope, error: 'Missing session_id for session/turn scope.' };
    if (typeof m.instructions !== 'string') return { type: 'set_instructions.ack', ok: false, scope, error: 'instructions must be a string' };
    try {
      await control.setInstructions(deps, sid(m), scope, textField(m, 'instructions', LIMITS.prompt));
      return { type: 'set_instructions.ack', ok: true, scope, session_id: sid(m) };
    } catch (err) {
      if (err instanceof ApiError) return refusedAck('set_instructions', err, { scope, session_id: sid(m) });
      throw err;
    }
  },

  async set_call_config({ deps }, m) {
    const config = m.config;
    if (!config || typeof config !== 'object' || Array.isArray(config)) return { type: 'set_call_config.ack', ok: false, error: 'config must be an object', ignored: [] };
    const apply: Record<string, unknown> = {};
    const ignored: string[] = [];
    for (const [k, v] of Object.entries(config)) (AGENT_CALL_KEYS.has(k) ? (apply[k] = v) : ignored.push(k.slice(0, LIMITS.short)));
    if (Object.keys(apply).length > 0) {
      try {
        await updateCallConfig(deps.db, deps.runtimeSettings, apply);
      } catch (err) {
        if (err instanceof ApiError) return refusedAck('set_call_config', err, { ignored });
        throw err;
      }
    }
    return { type: 'set_call_config.ack', ok: true, ignored };
  },

  async dial({ deps, kick }, m) {
    const result = await control.dial(deps, { number: textField(m, 'number', LIMITS.number), serial: textField(m, 'serial', LIMITS.short) });
    kick();
    return { type: 'dial.ack', ...result };
  },

  async hangup({ deps, kick }, m) {
    const result = await control.hangup(deps, { session_id: sid(m), serial: textField(m, 'serial', LIMITS.short) });
    kick();
    return { type: 'hangup.ack', ...result };
  },

  async get_call_state({ deps }, m) {
    return { type: 'call_state', ...(await control.callStateBody(deps, sid(m))) };
  },

  async end_session({ deps }, m) {
    const sessionId = sid(m);
    const ok = sessionId ? await endSession(deps, sessionId, 'end_session') : false;
    return { type: 'end_session.ack', ok, session_id: sessionId };
  },

  async inject_context({ deps }, m) {
    const context = str(m.context).trim();
    if (!sid(m) || !context) return { type: 'inject_context.ack', ok: false, session_id: sid(m), error: !sid(m) ? 'session_id required' : 'context is required' };
    try {
      await control.setContext(deps, sid(m), textField(m, 'context', LIMITS.prompt));
      return { type: 'inject_context.ack', ok: true, session_id: sid(m) };
    } catch (err) {
      if (err instanceof ApiError) return refusedAck('inject_context', err, { session_id: sid(m) });
      throw err;
    }
  },

  async clear_context({ deps }, m) {
    // Contract §3: always ok:true (as the old gateway); there is nothing to clear on an unknown
    // or ended session.
    if (sid(m)) await control.setContext(deps, sid(m), '').catch((err: unknown) => {
      if (!(err instanceof ApiError)) throw err;
    });
    return { type: 'clear_context.ack', ok: true, session_id: sid(m) };
  },

  async subscribe({ socket }, m) {
    const since = Number(m.since ?? 0);
    if (!Number.isSafeInteger(since) || since < 0) return { type: 'subscribe.ack', ok: false, error: 'since must be a whole number ≥ 0' };
    await socket.subscribe(since, sid(m));
    return null; // subscribe sends its own ack before the replay
  },

  async ping() {
    return { type: 'pong' };
  },
};

/** /ws/events is read-only: dashboards may only ping and subscribe. */
export const EVENTS_COMMANDS: Record<string, Handler> = { subscribe: AGENT_COMMANDS.subscribe, ping: AGENT_COMMANDS.ping };

/**
 * `{reply, request_id}` without a type answers a turn.request pending on this connection. A late,
 * unknown or foreign id is refused by the workflow's validator and reported, with no other effect.
 */
export async function answerTurnRequest({ deps, socket }: CommandContext, m: Message): Promise<Ack> {
  const requestId = str(m.request_id);
  const sessionId = socket.pending.get(requestId);
  const refused = { type: 'error', error: { code: 'unknown_request_id', message: `no pending turn.request ${requestId}` }, request_id: requestId };
  if (!sessionId || typeof m.reply !== 'string') return refused;
  socket.pending.delete(requestId);
  try {
    await deps.temporal.workflow
      .getHandle(callSessionWorkflowId(sessionId))
      .executeUpdate(answerTurnRequestUpdate, { args: [{ requestId, agentId: socket.agentId, reply: cleanReply(m.reply) }] });
    return null;
  } catch (err) {
    if (isWorkflowGone(err)) return refused;
    throw err;
  }
}
