/**
 * A call routed to the account's ClawdTalk client (its bot): the route, looked up once when the
 * call begins; an inbound call's greeting from the bot; and each caller turn handed over as a
 * deep_tool_request whose answer the turn waits for durably, like a takeover's turn.request.
 * Everything here is new behaviour, guarded by the `clawdtalk-voice` patch.
 */
import { ApplicationFailure, condition, patched, uuid4 } from '@temporalio/workflow';
import { botStage, botStore } from './activities';
import type { CallSession } from './state';
import type { DeepToolAck, DeepToolAnswer, TurnRequest } from './messages';
import { LATE_WINDOW_MS, type OpenRequest } from './bot-link';

export const BOT_PATCH = 'clawdtalk-voice';
/** The client answers context_request with its greeting at once; a greeting turn waits this long for it. */
const GREETING_WAIT_MS = 4_000;
/** Room left for the local model and TTS after a silent bot (the takeover's reserve). */
const FALLBACK_RESERVE_MS = 8_000;

/** Looks the call's route up once, when its first turn begins (the greeting turn). */
export async function routeToBot(session: CallSession, req: TurnRequest): Promise<void> {
  if (session.bot.route !== undefined || !patched(BOT_PATCH)) return;
  session.bot.route = await botStage.routeCallToBot({
    sessionId: session.input.sessionId,
    callerNumber: session.callerNumber,
    callDirection: session.callDirection,
    lineNumber: req.lineNumber ?? '',
  });
}

/** An inbound routed call greets with the bot's `response` if it comes in time, else with `fallback`. */
export async function botGreeting(session: CallSession, req: TurnRequest, fallback: string): Promise<string> {
  if (session.bot.route?.direction !== 'inbound' || !req.resetSession) return fallback;
  session.bot.awaitingGreeting = true;
  try {
    await condition(() => session.bot.greeting !== null, GREETING_WAIT_MS);
    return session.bot.greeting ?? fallback;
  } finally {
    session.bot.awaitingGreeting = false;
    session.bot.greeting = null;
  }
}

export type BotAsk =
  | { requestId: string; status: 'answered'; reply: string; ms: number }
  /** Not answered within the turn's wait (the answer is spoken later), or the client is gone. */
  | { requestId: string; status: 'timeout' | 'bot_offline' };

/**
 * Hands the caller's words to the bot and waits for deep_tool_result for at most
 * min(bot_deep_tool_timeout, budget left − 8 s). Null when the call is not routed, the policy
 * skips this turn, or no time is left: the local model answers as usual.
 */
export async function askBot(session: CallSession, req: TurnRequest, transcript: string, turnBudgetMs: number): Promise<BotAsk | null> {
  const route = session.bot.route;
  if (!route || route.policy === 'off' || req.resetSession) return null;
  const timeoutMs = Math.min(route.deepToolTimeoutMs, turnBudgetMs - (Date.now() - req.receivedAt) - FALLBACK_RESERVE_MS);
  if (timeoutMs <= 0) return null;
  session.bot.forgetExpired();
  const requestId = uuid4().replace(/-/g, '');
  const generation = session.generation;
  const started = Date.now();
  const open: OpenRequest = { at: started, waiting: true };
  session.bot.requests.set(requestId, open);
  session.bot.answer = null;
  try {
    const { delivered } = await botStage.requestDeepTool({
      route,
      sessionId: session.input.sessionId,
      requestId,
      query: transcript,
      context: { caller_number: session.callerNumber, direction: route.direction, recent: session.history.slice(-6) },
    });
    if (!delivered) {
      session.bot.requests.delete(requestId);
      return { requestId, status: 'bot_offline' };
    }
    await condition(() => session.bot.answer !== null || session.generation !== generation, timeoutMs);
    if (session.bot.answer !== null) return { requestId, status: 'answered', reply: session.bot.answer, ms: Date.now() - started };
    return { requestId, status: 'timeout' };
  } finally {
    open.waiting = false;
    session.bot.answer = null;
  }
}

export function validateDeepToolAnswer(session: CallSession, req: DeepToolAnswer): void {
  session.validateEnd();
  const open = req && typeof req.requestId === 'string' ? session.bot.requests.get(req.requestId) : undefined;
  if (!open || Date.now() - open.at > LATE_WINDOW_MS) throw ApplicationFailure.nonRetryable('unknown request_id', 'UnknownRequestId');
  if (typeof req.text !== 'string' || req.text.trim() === '') throw ApplicationFailure.nonRetryable('text required', 'InvalidDeepToolAnswer');
}

/**
 * The bot's answer: a result answers the waiting turn, or (late) is spoken on the next turn.
 * Progress is spoken on the next turn unless the result answers the waiting turn first.
 */
export async function answerDeepTool(session: CallSession, req: DeepToolAnswer, speakLater: (text: string) => Promise<unknown>): Promise<DeepToolAck> {
  const open = session.bot.requests.get(req.requestId)!;
  if (req.final) {
    session.bot.requests.delete(req.requestId);
    if (open.waiting) {
      session.bot.answer = req.text;
      return { ok: true, spoken: 'this_turn' };
    }
    await speakLater(req.text);
    return { ok: true, spoken: 'next_turn' };
  }
  // Progress during the wait is held until the turn knows whether the result beat the deadline;
  // once the request is answered (in its turn, or late), progress has nothing left to say.
  if (open.waiting) await condition(() => !open.waiting);
  if (!session.bot.requests.has(req.requestId)) return { ok: true, spoken: 'superseded' };
  await speakLater(req.text);
  return { ok: true, spoken: 'next_turn' };
}

/** The bot's `response`: the greeting an inbound greeting turn waits for, else speech for the next turn. */
export async function botResponse(session: CallSession, text: string, speakLater: (text: string) => Promise<unknown>): Promise<{ ok: true; spoken: 'greeting' | 'next_turn' }> {
  if (session.bot.awaitingGreeting && session.bot.greeting === null) {
    session.bot.greeting = text;
    return { ok: true, spoken: 'greeting' };
  }
  await speakLater(text);
  return { ok: true, spoken: 'next_turn' };
}

/** An inbound routed call's end reaches the bot (an outbound call's end comes from placeCall). */
export async function announceBotCallEnded(session: CallSession): Promise<void> {
  const route = session.bot.route;
  if (route?.direction !== 'inbound' || !patched(BOT_PATCH)) return;
  await botStore.announceInboundCallEnded({ route, sessionId: session.input.sessionId, durationSeconds: Math.round((Date.now() - session.createdAt) / 1000) });
}
