/** The call session's state, kept apart from the workflow body so handlers stay one-liners. */
import { ApplicationFailure } from '@temporalio/workflow';
import { BotLink } from './bot-link';
import type {
  AgentReply,
  CallSessionInput,
  CallState,
  CarriedState,
  ChatMessage,
  ContextRequest,
  EndReason,
  InjectRequest,
  InstructionsRequest,
  QueuedInject,
  ReleaseRequest,
  TakeoverRequest,
  TurnRequest,
  TurnResult,
} from './messages';

export class CallSession {
  readonly createdAt: number;
  /** Turn start and end, inject delivery, reset: session_ttl counts from here. */
  lastActivityAt = Date.now();
  recorded = false;
  endReason: EndReason | null = null;
  closed = false;
  /** Bumped on reset and end: a turn that sees it change mid-way answers "stale". */
  generation: number;
  /** Turns in the conversation since the last reset. */
  turnCount: number;
  /** Turns persisted over the session's life (never reset): the database's turn sequence. */
  turnSeq: number;
  turnsThisRun = 0;
  turnInFlight = false;
  callerNumber: string;
  callDirection: CallSessionInput['callDirection'];
  history: ChatMessage[];
  summary: string;
  authenticated: boolean;
  authAttempts: number;
  sessionInstruction: string;
  turnSupplement: string;
  context: string;
  compacting = false;
  /** Background activities still running (compaction counts separately). */
  backgroundJobs = 0;
  injectQueue: QueuedInject[];
  /** Injects being synthesised: they count toward queue_depth already. */
  injectsPending = 0;
  /** The agent holding the takeover (contract §5 Takeover): one holder, last writer wins. */
  takeoverAgentId: string | null;
  /** The turn.request the running turn waits on, and the agent's answer once it arrives. */
  pendingRequest: { requestId: string; agentId: string } | null = null;
  agentReply: string | null = null;
  /** From the runtime settings at the last turn: history kept verbatim is 2× this. */
  maxHistoryTurns = 8;
  /** max_duration_sec from the runtime settings at the last turn; 0 = no limit. */
  maxDurationSec = 0;
  /** The call's link to the account's ClawdTalk client (workflows/call-session/bot.ts). */
  readonly bot: BotLink;

  /** The app hangs up at max_duration_sec; a session still open 60 s later is ended here. */
  maxDurationDeadline(): number | null {
    return this.maxDurationSec > 0 ? this.createdAt + (this.maxDurationSec + 60) * 1000 : null;
  }
  /** Recent turn results by request key, for retries within turn_replay_window_s. */
  readonly recentTurns = new Map<string, { at: number; result: Promise<TurnResult> }>();

  constructor(readonly input: CallSessionInput) {
    const c = input.carried;
    this.createdAt = c?.createdAt ?? Date.now();
    this.generation = c?.generation ?? 0;
    this.turnCount = c?.turnCount ?? 0;
    this.turnSeq = c?.turnSeq ?? 0;
    this.history = c?.history ?? [];
    this.summary = c?.summary ?? '';
    this.authenticated = c?.authenticated ?? false;
    this.authAttempts = c?.authAttempts ?? 0;
    this.sessionInstruction = c?.sessionInstruction ?? '';
    this.turnSupplement = c?.turnSupplement ?? '';
    this.context = c?.context ?? '';
    this.injectQueue = c?.injectQueue ?? [];
    this.takeoverAgentId = c?.takeoverAgentId ?? null;
    this.bot = new BotLink(c?.bot);
    this.callerNumber = input.callerNumber;
    this.callDirection = input.callDirection;
    for (const t of c?.recentTurns ?? []) this.recentTurns.set(t.key, { at: t.at, result: Promise.resolve(t.result) });
  }

  touch(): void {
    this.lastActivityAt = Date.now();
  }

  validateEnd(): void {
    if (this.endReason !== null) throw ApplicationFailure.nonRetryable('session already ended', 'SessionEnded');
  }

  validateInject(req: InjectRequest): void {
    this.validateEnd();
    if (!req || typeof req.text !== 'string' || req.text.trim() === '') throw ApplicationFailure.nonRetryable('text required', 'InvalidInject');
  }

  validateTakeover(req: TakeoverRequest): void {
    this.validateEnd();
    if (!req || typeof req.agentId !== 'string' || req.agentId === '') throw ApplicationFailure.nonRetryable('agentId required', 'InvalidTakeover');
  }

  validateRelease(req: ReleaseRequest): void {
    if (!req || typeof req.agentId !== 'string' || !['release', 'disconnect'].includes(req.reason)) throw ApplicationFailure.nonRetryable('agentId and reason required', 'InvalidRelease');
  }

  /** A reply counts only for the request pending now, from the agent it was sent to. */
  validateAnswer(req: AgentReply): void {
    const pending = this.pendingRequest;
    if (!req || typeof req.reply !== 'string' || !pending || pending.requestId !== req.requestId || pending.agentId !== req.agentId || this.agentReply !== null) {
      throw ApplicationFailure.nonRetryable('unknown request_id', 'UnknownRequestId');
    }
  }

  validateInstructions(req: InstructionsRequest): void {
    this.validateEnd();
    if (!req || !['session', 'turn'].includes(req.scope) || typeof req.text !== 'string') throw ApplicationFailure.nonRetryable('scope session|turn and text required', 'InvalidInstructions');
  }

  validateContext(req: ContextRequest): void {
    this.validateEnd();
    if (!req || typeof req.context !== 'string') throw ApplicationFailure.nonRetryable('context required', 'InvalidContext');
  }

  validateTurn(req: TurnRequest): void {
    if (!req || typeof req.turnId !== 'string' || req.turnId === '') throw ApplicationFailure.nonRetryable('turnId required', 'InvalidTurn');
    if (!req.audioBlobId && req.forcedReply === null) throw ApplicationFailure.nonRetryable('audio required', 'InvalidTurn');
  }

  requestEnd(reason: EndReason): void {
    if (this.endReason === null) {
      this.endReason = reason;
      this.generation += 1;
      this.injectQueue = [];
    }
  }

  /** Reset (contract §5): wipe the conversation, keep the sid, bump the generation. */
  reset(): void {
    this.generation += 1;
    this.history = [];
    this.summary = '';
    this.authenticated = false;
    this.authAttempts = 0;
    this.sessionInstruction = '';
    this.turnSupplement = '';
    this.context = '';
    this.turnCount = 0;
    this.injectQueue = [];
  }

  /**
   * Messages a compaction keeps. Past the limit (2 × max_history_turns messages) it summarises a
   * batch of max_history_turns / 4 turns more than the overflow, so a long call runs one summary
   * (an LLM call) every few turns instead of one per turn; the newest turns always stay verbatim.
   */
  messagesKeptByCompaction(): number {
    return 2 * (this.maxHistoryTurns - Math.floor(this.maxHistoryTurns / 4));
  }

  needsCompaction(): boolean {
    return !this.compacting && !this.turnInFlight && this.endReason === null && this.history.length > 2 * this.maxHistoryTurns;
  }

  forgetOldTurns(windowMs: number): void {
    const now = Date.now();
    for (const [key, t] of this.recentTurns) if (now - t.at > windowMs) this.recentTurns.delete(key);
  }

  async carry(): Promise<CarriedState> {
    const recentTurns = await Promise.all([...this.recentTurns].map(async ([key, t]) => ({ key, at: t.at, result: await t.result })));
    return {
      generation: this.generation,
      turnCount: this.turnCount,
      turnSeq: this.turnSeq,
      history: this.history,
      summary: this.summary,
      authenticated: this.authenticated,
      authAttempts: this.authAttempts,
      sessionInstruction: this.sessionInstruction,
      turnSupplement: this.turnSupplement,
      context: this.context,
      createdAt: this.createdAt,
      recentTurns,
      injectQueue: this.injectQueue,
      takeoverAgentId: this.takeoverAgentId,
      ...(this.bot.carry() ? { bot: this.bot.carry() } : {}),
    };
  }

  view(): CallState {
    return {
      sessionId: this.input.sessionId,
      status: this.closed ? 'ended' : this.endReason ? 'ending' : 'active',
      source: this.input.source,
      callerNumber: this.callerNumber,
      callDirection: this.callDirection,
      createdAt: this.createdAt,
      lastActivityAt: this.lastActivityAt,
      endReason: this.endReason,
      turnCount: this.turnCount,
      history: this.history,
      summary: this.summary,
      authenticated: this.authenticated,
      instructions: { session: this.sessionInstruction, pending_turn: this.turnSupplement },
      context: this.context,
      generation: this.generation,
      injectQueueDepth: this.injectQueue.length,
      takeoverAgentId: this.takeoverAgentId,
      pendingRequestId: this.pendingRequest?.requestId ?? null,
    };
  }
}
