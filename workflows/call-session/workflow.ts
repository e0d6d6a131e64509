import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { background, bookkeeping, injects, store } from './activities';
import { CallSession } from './state';
import { runTurn } from './turn';
import { announceBotCallEnded, answerDeepTool, botResponse, validateDeepToolAnswer } from './bot';
import {
  CallSessionInput,
  CallSessionResult,
  callStateQuery,
  endSessionUpdate,
  openSessionUpdate,
  processTurnUpdate,
  resetSessionUpdate,
  injectSpeechUpdate,
  takeoverUpdate,
  releaseTakeoverUpdate,
  answerTurnRequestUpdate,
  setInstructionsUpdate,
  setContextUpdate,
  answerDeepToolUpdate,
  botResponseUpdate,
  type ContextRequest,
  type InstructionsRequest,
  type ReleaseRequest,
  type TakeoverRequest,
  type InjectRequest,
  type InjectResult,
  type TurnResult,
} from './messages';

export type { CallSessionResult } from './messages';

/** Turns per run before continue-as-new: each turn is ~15 events, far below the 50k/2k limits. */
export const TURNS_PER_RUN = 100;
/** Retries of the same /api/turn within this window get the stored answer. */
const REPLAY_WINDOW_MS = 120_000;

/** One live call: its turns are updates, its state a query; it ends on request or when idle. */
export async function callSessionWorkflow(input: CallSessionInput): Promise<CallSessionResult> {
  const session = new CallSession(input);
  setHandler(callStateQuery, () => session.view());
  setHandler(openSessionUpdate, async () => {
    await condition(() => session.recorded);
    return { session_id: input.sessionId };
  });
  setHandler(processTurnUpdate, (req) => handleTurn(session, req), { validator: (req) => session.validateTurn(req) });
  setHandler(injectSpeechUpdate, (req) => injectSpeech(session, req), { validator: (req) => session.validateInject(req) });
  setHandler(resetSessionUpdate, () => resetSession(session), { validator: () => session.validateEnd() });
  setHandler(takeoverUpdate, (req) => takeover(session, req), { validator: (req) => session.validateTakeover(req) });
  setHandler(releaseTakeoverUpdate, (req) => releaseTakeover(session, req), { validator: (req) => session.validateRelease(req) });
  setHandler(
    answerTurnRequestUpdate,
    (req) => {
      session.agentReply = req.reply;
      return { ok: true } as const;
    },
    { validator: (req) => session.validateAnswer(req) },
  );
  setHandler(setInstructionsUpdate, (req) => setInstructions(session, req), { validator: (req) => session.validateInstructions(req) });
  setHandler(setContextUpdate, (req) => setContext(session, req), { validator: (req) => session.validateContext(req) });
  // The ClawdTalk bot's answers: what arrives too late for its turn is spoken on the next one.
  const speakLater = (text: string) => injectSpeech(session, { injectId: uuid4().replace(/-/g, ''), text });
  setHandler(answerDeepToolUpdate, (req) => answerDeepTool(session, req, speakLater), { validator: (req) => validateDeepToolAnswer(session, req) });
  setHandler(botResponseUpdate, (req) => botResponse(session, req.text, speakLater), { validator: (req) => session.validateInject(req) });
  setHandler(
    endSessionUpdate,
    async ({ reason }) => {
      session.requestEnd(reason);
      await condition(() => session.closed);
      return { ok: true, session_id: input.sessionId } as const;
    },
    { validator: (_request) => session.validateEnd() },
  );

  if (!input.carried) {
    await store.recordSessionStarted({
      sessionId: input.sessionId,
      source: input.source,
      callerNumber: input.callerNumber,
      callDirection: input.callDirection,
      generation: 0,
    });
  }
  session.recorded = true;

  while (session.endReason === null) {
    // One timer per idle period, not one per turn: sleep until the session would be idle for
    // session_ttl (or reach its maximum duration), then look at when it was last active.
    const ttlMs = input.sessionTtlSeconds * 1000;
    const durationDeadline = session.maxDurationDeadline();
    const next = Math.min(session.lastActivityAt + ttlMs, durationDeadline ?? Infinity);
    const woke = await condition(
      () => session.endReason !== null || session.needsCompaction() || shouldContinueAsNew(session),
      Math.max(1, next - Date.now()),
    );
    if (!woke) {
      // Neither limit ends a session in the middle of a turn (contract §5).
      if (session.turnInFlight) await condition(() => !session.turnInFlight || session.endReason !== null);
      else if (durationDeadline !== null && Date.now() >= durationDeadline) session.requestEnd('max_duration');
      else if (Date.now() >= session.lastActivityAt + ttlMs) session.requestEnd('stale');
    }
    if (session.needsCompaction()) void compact(session);
    if (shouldContinueAsNew(session) && session.endReason === null) {
      await condition(() => !session.turnInFlight && !session.compacting && session.backgroundJobs === 0 && allHandlersFinished());
      if (session.endReason === null) await continueAsNew<typeof callSessionWorkflow>({ ...input, callerNumber: session.callerNumber, callDirection: session.callDirection, carried: await session.carry() });
    }
  }

  const endReason = session.endReason;
  await condition(() => !session.turnInFlight && !session.compacting && session.backgroundJobs === 0);
  // Every takeover end is announced (contract §6 Correctness), the session's end included.
  if (session.takeoverAgentId) {
    const agentId = session.takeoverAgentId;
    session.takeoverAgentId = null;
    await announce(session, 'agent.release', { agent_id: agentId, reason: 'session_ended' });
  }
  await store.recordSessionEnded({
    sessionId: input.sessionId,
    reason: endReason,
    callerNumber: session.callerNumber,
    history: session.history,
    summary: session.summary,
  });
  await announceBotCallEnded(session);
  session.closed = true;
  await condition(allHandlersFinished);
  return { sessionId: input.sessionId, endReason };
}

function shouldContinueAsNew(session: CallSession): boolean {
  const limit = session.input.turnsPerRun ?? TURNS_PER_RUN;
  return !session.turnInFlight && (session.turnsThisRun >= limit || workflowInfo().continueAsNewSuggested);
}

async function handleTurn(session: CallSession, req: Parameters<typeof runTurn>[1]) {
  session.forgetOldTurns(REPLAY_WINDOW_MS);
  const known = req.requestKey ? session.recentTurns.get(req.requestKey) : undefined;
  if (known) return known.result;
  const result = (async () => {
    // Single-flight: one turn at a time per session; later ones wait their turn. A new
    // session's first turn also waits for session.started to be recorded. Temporal unblocks
    // every satisfied condition in one pass, so re-check after waking: another waiter may
    // have taken the turn first.
    while (!session.recorded || session.turnInFlight) await condition(() => session.recorded && !session.turnInFlight);
    if (session.endReason !== null) {
      return { outcome: 'ended' as const, body: { ok: false, session_id: session.input.sessionId, ended: true, detail: 'session ended' }, audioBlobId: null };
    }
    session.turnInFlight = true;
    session.touch();
    let turn: TurnResult;
    try {
      turn = await runTurn(session, req);
    } finally {
      session.turnInFlight = false;
      session.touch();
    }
    // A turn that ended the call (rejected caller, passphrase exhausted) answers only once
    // session.ended is recorded, so the phone and agents never see the session half-ended.
    if (session.endReason !== null) await condition(() => session.closed);
    return turn;
  })();
  if (req.requestKey) session.recentTurns.set(req.requestKey, { at: Date.now(), result });
  return result;
}

async function injectSpeech(session: CallSession, req: InjectRequest): Promise<InjectResult> {
  await condition(() => session.recorded);
  session.injectsPending += 1;
  const queueDepth = session.injectQueue.length + session.injectsPending;
  try {
    const { audioBlobId, ttsMs } = await injects.prepareInject({ sessionId: session.input.sessionId, injectId: req.injectId, text: req.text, queueDepth });
    session.injectQueue.push({ injectId: req.injectId, text: req.text, audioBlobId, ttsMs });
    session.touch();
    return { ok: true, session_id: session.input.sessionId, inject_id: req.injectId, tts_ms: ttsMs, queue_depth: session.injectQueue.length };
  } finally {
    session.injectsPending -= 1;
  }
}

async function resetSession(session: CallSession) {
  await condition(() => session.recorded);
  session.reset();
  session.touch();
  const { sessionId } = session.input;
  await store.recordSessionStarted({ sessionId, source: 'reset', callerNumber: session.callerNumber, callDirection: session.callDirection, generation: session.generation });
  return { ok: true as const, session_id: sessionId };
}

/** Summarises the older messages in the background; applied only if nothing reset meanwhile. */
async function compact(session: CallSession): Promise<void> {
  session.compacting = true;
  const generation = session.generation;
  // Sessions that compacted before batches existed keep cutting to the limit on replay.
  const kept = patched('compaction-batches') ? session.messagesKeptByCompaction() : 2 * session.maxHistoryTurns;
  const cut = session.history.length - kept;
  try {
    const { summary } = await background.compactHistory({
      sessionId: session.input.sessionId,
      older: session.history.slice(0, cut),
      summary: session.summary,
    });
    if (session.generation === generation) {
      session.summary = summary;
      session.history = session.history.slice(cut);
    }
  } catch {
    // The old summary stays; the next turn past the limit tries again.
  } finally {
    session.compacting = false;
  }
}

/** Appends a session event from inside the workflow, exactly once (the key survives replay). */
function announce(session: CallSession, type: string, data: Record<string, unknown>): Promise<void> {
  const sessionId = session.input.sessionId;
  return bookkeeping.recordTurnEvent({ sessionId, type, data: { session_id: sessionId, ...data }, dedupeKey: `${sessionId}:${type}:${uuid4()}` });
}

/** Last writer wins: the previous holder is told it was superseded. */
async function takeover(session: CallSession, req: TakeoverRequest) {
  await condition(() => session.recorded);
  const previous = session.takeoverAgentId;
  session.takeoverAgentId = req.agentId;
  if (previous && previous !== req.agentId) await announce(session, 'agent.release', { agent_id: previous, reason: 'superseded' });
  await announce(session, 'agent.takeover', { agent_id: req.agentId, previous_agent_id: previous });
  return { ok: true as const, session_id: session.input.sessionId, previous_agent_id: previous };
}

/** Only the holder's release or disconnect frees the session; a pending turn.request falls back at once. */
async function releaseTakeover(session: CallSession, req: ReleaseRequest) {
  const sessionId = session.input.sessionId;
  if (session.takeoverAgentId !== req.agentId) return { ok: false, session_id: sessionId };
  session.takeoverAgentId = null;
  await announce(session, 'agent.release', { agent_id: req.agentId, reason: req.reason });
  return { ok: true, session_id: sessionId };
}

async function setInstructions(session: CallSession, req: InstructionsRequest) {
  if (req.scope === 'session') session.sessionInstruction = req.text;
  else session.turnSupplement = req.text;
  await announce(session, 'instructions.updated', { scope: req.scope });
  return { ok: true as const, session_id: session.input.sessionId, scope: req.scope };
}

async function setContext(session: CallSession, req: ContextRequest) {
  session.context = req.context;
  await announce(session, req.context ? 'agent.context_injected' : 'agent.context_cleared', {});
  return { ok: true as const, session_id: session.input.sessionId };
}
