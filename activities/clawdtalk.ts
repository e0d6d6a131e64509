/**
 * The call-session workflow's side of the ClawdTalk voice plane: whether a call goes to the
 * account's connected client (its bot), and the events the workflow sends it: context_request,
 * deep_tool_request and an inbound call's call.ended. The API process holding the account's
 * `WS /ws` delivers them from the log (api/clawdtalk).
 */
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { LineConfig } from '../infra/missions-config';
import { appendBotEvent, botConnected } from '../infra/clawdtalk/bot-log';
import type { BotRoute, DeepToolPolicy } from '../workflows/call-session/messages';
import { missionCallRecord } from './missions/prompt';

/** `bot_deep_tool_policy`: `every_turn` hands every caller turn of a routed call to the bot; `off` none. */
const POLICIES: DeepToolPolicy[] = ['every_turn', 'off'];

/** Reads and checks the voice plane's settings once, when the worker builds its activities. */
export function botSettings(config: Pick<Config, 'lookup'>): { policy: DeepToolPolicy; deepToolTimeoutMs: number } {
  const policy = (config.lookup('bot_deep_tool_policy') ?? 'every_turn') as DeepToolPolicy;
  if (!POLICIES.includes(policy)) throw new Error(`bot_deep_tool_policy must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
  const raw = config.lookup('bot_deep_tool_timeout') ?? '20';
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) throw new Error(`bot_deep_tool_timeout must be whole seconds from 1 to 600, got ${JSON.stringify(raw)}`);
  return { policy, deepToolTimeoutMs: seconds * 1000 };
}

export function createBotActivities(deps: { db: Db; config: Pick<Config, 'lookup'>; lines: LineConfig[] }) {
  const { db } = deps;
  const settings = botSettings(deps.config);

  return {
    /**
     * Routes a call that begins to the account's bot when its client is connected: an inbound
     * call to one of the account's lines (announced with context_request, the one greeting path
     * of an inbound call), or an outbound call the missions plane placed (announced by placeCall
     * with call.started). Null: the call runs on the local model alone.
     */
    async routeCallToBot(input: { sessionId: string; callerNumber: string; callDirection: string; lineNumber: string }): Promise<BotRoute | null> {
      const base = { policy: settings.policy, deepToolTimeoutMs: settings.deepToolTimeoutMs, callerNumber: input.callerNumber };
      if (input.callDirection === 'outgoing') {
        const rec = await missionCallRecord(db, input.sessionId);
        if (!rec || !(await botConnected(db, rec.accountId))) return null;
        return { ...base, accountId: rec.accountId, callId: rec.id, direction: 'outbound' };
      }
      if (input.callDirection !== 'incoming') return null;
      // The phone names the line it rings on (the simulated phone does); else the first line.
      const line = input.lineNumber ? deps.lines.find((l) => l.number === input.lineNumber) : deps.lines[0];
      if (!line) return null;
      const row = await db.phoneLine.findUnique({ where: { number: line.number } });
      const accountId = row?.accountId ?? 'default';
      if (!(await botConnected(db, accountId))) return null;
      await appendBotEvent(db, {
        accountId,
        event: 'context_request',
        fields: { call_id: input.sessionId, direction: 'inbound', from_number: input.callerNumber, to_number: line.number },
        callId: input.sessionId,
        sessionId: input.sessionId,
        dedupeKey: `${input.sessionId}:context_request`,
      });
      return { ...base, accountId, callId: input.sessionId, direction: 'inbound' };
    },

    /**
     * Hands the caller's words to the bot (deep_tool_request). False when its client is not
     * connected now: the turn then falls back to the local model at once instead of waiting.
     */
    async requestDeepTool(input: { route: BotRoute; sessionId: string; requestId: string; query: string; context: Record<string, unknown> }): Promise<{ delivered: boolean }> {
      if (!(await botConnected(db, input.route.accountId))) return { delivered: false };
      await appendBotEvent(db, {
        accountId: input.route.accountId,
        event: 'deep_tool_request',
        fields: { call_id: input.route.callId, request_id: input.requestId, query: input.query, context: input.context },
        callId: input.route.callId,
        sessionId: input.sessionId,
        requestId: input.requestId,
        dedupeKey: `${input.requestId}:deep_tool_request`,
      });
      return { delivered: true };
    },

    /** An inbound routed call is over (an outbound one is announced by placeCall, with its outcome). */
    async announceInboundCallEnded(input: { route: BotRoute; sessionId: string; durationSeconds: number }): Promise<void> {
      await appendBotEvent(db, {
        accountId: input.route.accountId,
        event: 'call.ended',
        fields: { call_id: input.route.callId, direction: 'inbound', duration_seconds: input.durationSeconds, reason: 'user_hangup', from_number: input.route.callerNumber },
        callId: input.route.callId,
        sessionId: input.sessionId,
        dedupeKey: `${input.sessionId}:call.ended`,
      });
    },
  };
}

export type BotActivities = ReturnType<typeof createBotActivities>;
