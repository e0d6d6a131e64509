/**
 * One phone turn, in the contract's order of operations (gateway-protocol §2.4): caller policy →
 * ASR → passphrase gate / clarify → LLM → history → turn.reply → TTS → generation check →
 * persist → turn.complete. Audio stays in the database; only blob ids pass through here.
 */
import { ActivityFailure, ApplicationFailure, condition, patched, uuid4 } from '@temporalio/workflow';
import { asrStage, background, bookkeeping, llmStage, store, ttsStage, turnAnswer } from './activities';
import { AUTH_OK_REPLY, CLARIFY_REPLY, failedPassphrase } from '../../common/turn-stages';
import type { CallSession } from './state';
import { askBot, botGreeting, routeToBot } from './bot';
import type { ChatMessage, QueuedInject, ReplySource, TurnRequest, TurnResult } from './messages';

export { AUTH_OK_REPLY, AUTH_RETRY_REPLY, CLARIFY_REPLY } from '../../common/turn-stages';

/** A plain turn is answered by one local activity (`answerTurn`) instead of five. */
export const ONE_ACTIVITY_TURN_PATCH = 'one-activity-turn';
/** Any other turn speaks and commits its reply in one local activity (`speakAndCommit`) instead of two. */
export const ONE_ACTIVITY_ANSWER_PATCH = 'one-activity-answer';

export async function runTurn(session: CallSession, req: TurnRequest): Promise<TurnResult> {
  const sessionId = session.input.sessionId;
  if (req.resetSession && session.turnSeq > 0) {
    session.reset();
    await store.recordSessionStarted({ sessionId, source: 'reset', callerNumber: req.callerNumber, callDirection: req.callDirection, generation: session.generation });
  }
  if (req.callerNumber) session.callerNumber = req.callerNumber;
  if (req.callDirection) session.callDirection = req.callDirection;
  if (isPlainTurn(session, req) && patched(ONE_ACTIVITY_TURN_PATCH)) return answerPlainTurn(session, req);
  const generation = session.generation;
  const base = { sessionId, turnId: req.turnId };

  const begin = await bookkeeping.beginTurn({
    ...base,
    callerNumber: session.callerNumber,
    callDirection: session.callDirection,
    loadCallerHistory: session.turnCount === 0 && session.history.length === 0,
  });
  if (!begin.allowed) return rejectCaller(session, req, begin.reason, begin.rejectMessage);
  session.maxHistoryTurns = begin.maxHistoryTurns;
  session.maxDurationSec = begin.maxDurationSec;
  // A call the missions plane placed speaks with its assistant's instructions (set once, when
  // the conversation begins; an agent's session instruction may still replace it).
  if (begin.missionPrompt && !session.sessionInstruction) session.sessionInstruction = begin.missionPrompt;
  if (begin.callerHistory) {
    session.history = begin.callerHistory.history;
    session.summary = begin.callerHistory.summary;
  }
  await routeToBot(session, req);
  const inject = session.injectQueue.shift();
  if (inject) return deliverInject(session, req, inject, begin.fence, begin.keepHistory);

  try {
    let transcript = '';
    let reply: string;
    let model = '';
    let replySource: ReplySource;
    let hangup = false;
    const metrics = { asr_ms: 0, llm_ms: 0, tts_ms: 0 };
    let deepTool: { request_id: string; status: string } | undefined;

    if (req.forcedReply !== null) {
      // The phone speaks the app's configured greeting; a call the missions plane placed
      // greets with its assistant's greeting instead (the app plays whatever reply it gets).
      reply = await botGreeting(session, req, req.resetSession && begin.missionGreeting ? begin.missionGreeting : req.forcedReply);
      replySource = 'forced';
      session.history.push({ role: 'assistant', content: reply });
    } else {
      const gate = begin.passphraseSet && !session.authenticated;
      const asr = await asrStage.transcribeTurn({ ...base, audioBlobId: req.audioBlobId, hint: req.transcriptHint, skipAsr: req.skipAsr, gate, attempt: session.authAttempts + 1 });
      metrics.asr_ms = asr.asrMs;
      transcript = asr.transcript;
      if (asr.gate === 'passed') {
        session.authenticated = true;
        reply = AUTH_OK_REPLY;
        replySource = 'auth';
      } else if (asr.gate === 'failed') {
        session.authAttempts += 1;
        replySource = 'auth';
        ({ reply, hangup } = failedPassphrase(session.authAttempts, begin.authMaxAttempts, begin.rejectMessage));
      } else if (transcript.trim() === '') {
        reply = CLARIFY_REPLY;
        replySource = 'clarify';
      } else {
        // Step 10: the takeover holder answers; if it does not in time, the LLM does (fallback).
        const heldBy = session.takeoverAgentId;
        const agent = heldBy ? await askAgent(session, req, heldBy, transcript, begin) : null;
        // A call routed to the account's bot asks it (deep_tool_request) unless an agent holds the call.
        const bot = heldBy ? null : await askBot(session, req, transcript, begin.turnBudgetMs);
        if (bot) deepTool = { request_id: bot.requestId, status: bot.status };
        if (agent) {
          metrics.llm_ms = agent.ms;
          reply = agent.reply;
          model = 'agent';
          replySource = 'agent';
        } else if (bot?.status === 'answered') {
          metrics.llm_ms = bot.ms;
          reply = bot.reply;
          model = 'bot';
          replySource = 'bot';
        } else {
          const turnSupplement = session.turnSupplement;
          session.turnSupplement = ''; // one-shot: consumed by this LLM turn
          const llm = await llmStage.generateReply({
            ...base,
            transcript,
            history: session.history.slice(-2 * begin.maxHistoryTurns),
            summary: session.summary,
            sessionInstruction: session.sessionInstruction,
            turnSupplement,
            context: session.context,
          });
          metrics.llm_ms = llm.llmMs;
          reply = llm.reply;
          model = llm.model;
          replySource = heldBy || bot ? 'fallback' : 'llm';
        }
        session.history.push({ role: 'user', content: transcript }, { role: 'assistant', content: reply });
      }
    }

    // What the commit records, but the reply's audio and its TTS time.
    const turn = {
      ...base,
      transcript,
      reply,
      model,
      replySource,
      forced: req.forcedReply !== null,
      metrics,
      receivedAt: req.receivedAt,
      requestKey: req.requestKey,
      // A reference only (the audio stays in the database): the dashboard plays it back.
      callerAudioBlobId: req.audioBlobId,
      callerNumber: session.callerNumber,
      keepHistory: begin.keepHistory,
      history: session.history,
      summary: session.summary,
      hangup,
      fence: begin.fence,
      ...(deepTool ? { deepTool } : {}),
    };
    if (patched(ONE_ACTIVITY_ANSWER_PATCH)) {
      // The reply is known (a greeting, an agent's or a bot's answer, …): TTS and the commit in
      // one local activity, each under its own limits. A reset during the wait above answers
      // stale here; one during TTS moved the fence, and the commit answers stale.
      if (session.generation !== generation) return staleTurn(session, req);
      const done = await turnAnswer.speakAndCommit({ ...turn, seq: session.turnSeq + 1 });
      session.turnCount += 1;
      session.turnSeq += 1;
      session.turnsThisRun += 1;
      if (done.stale) return staleTurn(session, req);
      if (hangup) session.requestEnd('auth_failed');
      return { outcome: 'ok', body: done.body, audioBlobId: done.audioBlobId, replySource };
    }
    const speech = await ttsStage.speakReply({ ...base, reply });
    metrics.tts_ms = speech.ttsMs;
    if (session.generation !== generation) return staleTurn(session, req);

    session.turnCount += 1;
    session.turnSeq += 1;
    session.turnsThisRun += 1;
    const committed = await bookkeeping.commitTurn({ ...turn, seq: session.turnSeq, audioBlobId: speech.audioBlobId });
    if (committed.stale) return staleTurn(session, req);
    if (hangup) session.requestEnd('auth_failed');
    return { outcome: 'ok', body: committed.body, audioBlobId: speech.audioBlobId, replySource };
  } catch (err) {
    return failedTurn(session, req, err);
  }
}

/**
 * A turn nobody but the LLM answers: not a greeting or the first turn of a conversation (caller
 * history, a mission's prompt), no inject waiting, no agent holding the call, not routed to a bot.
 * Most turns of a call are plain.
 */
function isPlainTurn(session: CallSession, req: TurnRequest): boolean {
  const route = session.bot.route;
  return (
    req.forcedReply === null &&
    !req.resetSession &&
    (session.turnCount > 0 || session.history.length > 0) &&
    session.injectQueue.length === 0 &&
    session.takeoverAgentId === null &&
    route !== undefined &&
    (route === null || route.policy === 'off')
  );
}

/**
 * The same order of operations as `runTurn`, with every stage and write in one local activity
 * (activities/turn.ts `answerTurn`); the session's state changes here, from its result. A reset
 * or end asked for meanwhile moved the session's fence, and the commit answers stale.
 */
async function answerPlainTurn(session: CallSession, req: TurnRequest): Promise<TurnResult> {
  const sessionId = session.input.sessionId;
  const generation = session.generation;
  let answered;
  try {
    answered = await turnAnswer.answerTurn({
      sessionId,
      turnId: req.turnId,
      callerNumber: session.callerNumber,
      callDirection: session.callDirection,
      audioBlobId: req.audioBlobId,
      hint: req.transcriptHint,
      skipAsr: req.skipAsr,
      authenticated: session.authenticated,
      authAttempts: session.authAttempts,
      history: session.history,
      summary: session.summary,
      sessionInstruction: session.sessionInstruction,
      turnSupplement: session.turnSupplement,
      context: session.context,
      seq: session.turnSeq + 1,
      receivedAt: req.receivedAt,
      requestKey: req.requestKey,
    });
  } catch (err) {
    return failedTurn(session, req, err);
  }
  if (answered.outcome === 'rejected') {
    session.requestEnd('rejected');
    return rejectedBody(session, answered.reason, answered.rejectMessage, answered.audioBlobId);
  }
  session.maxHistoryTurns = answered.maxHistoryTurns;
  session.maxDurationSec = answered.maxDurationSec;
  session.turnCount += 1;
  session.turnSeq += 1;
  session.turnsThisRun += 1;
  if (answered.outcome === 'stale') return staleTurn(session, req);
  // Committed before any reset moved the fence; a reset handled since starts from a clean slate.
  if (session.generation === generation) {
    if (answered.gate === 'passed') session.authenticated = true;
    if (answered.gate === 'failed') session.authAttempts += 1;
    if (answered.exchange) {
      session.turnSupplement = ''; // one-shot: consumed by this LLM turn
      session.history.push(...answered.exchange);
    }
    if (answered.hangup) session.requestEnd('auth_failed');
  }
  return { outcome: 'ok', body: answered.body, audioBlobId: answered.audioBlobId, replySource: answered.replySource };
}

/** A stage that failed for good: turn.error, and the contract's 500; the call goes on. */
async function failedTurn(session: CallSession, req: TurnRequest, err: unknown): Promise<TurnResult> {
  // A failed local activity surfaces as its ApplicationFailure; a regular one wrapped in an
  // ActivityFailure. Anything else is a bug in this workflow and must fail the task.
  if (!(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err;
  const detail = (err instanceof ActivityFailure ? err.cause?.message : undefined) ?? err.message;
  await bookkeeping.recordTurnEvent({ sessionId: session.input.sessionId, type: 'turn.error', data: { turn_id: req.turnId, error: detail }, dedupeKey: `${req.turnId}:turn.error` });
  return { outcome: 'error', body: { detail }, audioBlobId: null };
}

/** Room left for the local LLM and TTS after a silent agent (contract §2.4 step 10). */
const FALLBACK_RESERVE_MS = 8_000;

/**
 * Sends turn.request to the takeover holder and waits for its answer (answerTurnRequest) for at
 * most min(agent_takeover_timeout, budget left − 8 s). Null when it does not answer in time, its
 * takeover ends, or the session is reset or ended meanwhile: that turn then falls back to the LLM.
 */
async function askAgent(
  session: CallSession,
  req: TurnRequest,
  agentId: string,
  transcript: string,
  begin: { agentTakeoverTimeoutMs: number; turnBudgetMs: number },
): Promise<{ reply: string; ms: number } | null> {
  const budgetLeft = begin.turnBudgetMs - (Date.now() - req.receivedAt) - FALLBACK_RESERVE_MS;
  const timeoutMs = Math.min(begin.agentTakeoverTimeoutMs, budgetLeft);
  if (timeoutMs <= 0) return null;
  const requestId = uuid4().replace(/-/g, '');
  const generation = session.generation;
  const started = Date.now();
  session.pendingRequest = { requestId, agentId };
  session.agentReply = null;
  try {
    await bookkeeping.requestAgentReply({ sessionId: session.input.sessionId, turnId: req.turnId, requestId, agentId, transcript, timeoutMs });
    await condition(
      () => session.agentReply !== null || session.takeoverAgentId !== agentId || session.generation !== generation,
      timeoutMs,
    );
    return session.agentReply !== null ? { reply: session.agentReply, ms: Date.now() - started } : null;
  } finally {
    session.pendingRequest = null;
    session.agentReply = null;
  }
}

/**
 * Step 5 of §2.4: the oldest queued inject answers this poll without ASR or LLM. Its text enters
 * the history; the caller's audio of this poll is transcribed afterwards, in the background, and
 * kept as an unanswered user message so the LLM knows what was said.
 */
async function deliverInject(session: CallSession, req: TurnRequest, inject: QueuedInject, fence: number, keepHistory: boolean): Promise<TurnResult> {
  const sessionId = session.input.sessionId;
  const generation = session.generation;
  await bookkeeping.recordTurnEvent({ sessionId, type: 'turn.reply', data: { reply: inject.text, turn_id: req.turnId }, dedupeKey: `${req.turnId}:turn.reply` });
  const said: ChatMessage = { role: 'assistant', content: inject.text };
  session.history.push(said);
  session.turnCount += 1;
  session.turnSeq += 1;
  session.turnsThisRun += 1;
  const committed = await bookkeeping.commitTurn({
    sessionId,
    turnId: req.turnId,
    seq: session.turnSeq,
    transcript: '',
    reply: inject.text,
    model: 'inject',
    replySource: 'inject',
    forced: false,
    metrics: { asr_ms: 0, llm_ms: 0, tts_ms: 0 },
    receivedAt: req.receivedAt,
    requestKey: req.requestKey,
    audioBlobId: inject.audioBlobId,
    callerNumber: session.callerNumber,
    keepHistory,
    history: session.history,
    summary: session.summary,
    hangup: false,
    fence,
    injectId: inject.injectId,
  });
  if (committed.stale) return staleTurn(session, req);
  if (req.audioBlobId) void keepUnanswered(session, req.audioBlobId, generation, said);
  return { outcome: 'ok', body: committed.body, audioBlobId: inject.audioBlobId, replySource: 'inject' };
}

/** Inserts the words right after the inject they were spoken against, whatever came since. */
async function keepUnanswered(session: CallSession, audioBlobId: string, generation: number, inject: ChatMessage): Promise<void> {
  session.backgroundJobs += 1;
  try {
    const { transcript } = await background.transcribeUnanswered({ audioBlobId });
    if (transcript.trim() && session.generation === generation) {
      const message: ChatMessage = { role: 'user', content: transcript };
      // If a compaction summarised the inject away meanwhile, the words simply come last.
      const at = session.history.indexOf(inject);
      if (at >= 0) session.history.splice(at + 1, 0, message);
      else session.history.push(message);
    }
  } catch {
    // Losing an unheard utterance is acceptable; the call goes on.
  } finally {
    session.backgroundJobs -= 1;
  }
}

async function rejectCaller(session: CallSession, req: TurnRequest, reason: string, rejectMessage: string): Promise<TurnResult> {
  const sessionId = session.input.sessionId;
  const speech = await ttsStage.speakReply({ sessionId, turnId: req.turnId, reply: rejectMessage, silent: true });
  session.requestEnd('rejected');
  return rejectedBody(session, reason, rejectMessage, speech.audioBlobId);
}

function rejectedBody(session: CallSession, reason: string, rejectMessage: string, audioBlobId: string): TurnResult {
  return {
    outcome: 'rejected',
    body: { ok: false, rejected: true, reason, session_id: session.input.sessionId, reply: rejectMessage },
    audioBlobId,
  };
}

async function staleTurn(session: CallSession, req: TurnRequest): Promise<TurnResult> {
  const sessionId = session.input.sessionId;
  await bookkeeping.recordTurnEvent({ sessionId, type: 'turn.stale', data: { reason: 'generation_changed', turn_id: req.turnId }, dedupeKey: `${req.turnId}:turn.stale` });
  return { outcome: 'stale', body: { ok: false, session_id: sessionId, stale: true, detail: 'session reset during turn' }, audioBlobId: null };
}
