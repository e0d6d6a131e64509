/**
 * The voice pipeline of one phone turn as activities: caller policy, ASR (with the passphrase
 * gate), LLM, TTS, and the turn's persistence and events. Each stage reads the runtime settings
 * in force, so a config change applies from the next turn. Audio moves as blob ids.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import { appendEvent, appendEventInTx, createTurnRequest, eventRow, type NewEvent } from '../infra/event-log';
import { isUniqueViolation, sqliteDirect, type TurnRow } from '../infra/sqlite-direct';
import { isPgUniqueViolation, pgDirect } from '../infra/pg-direct';
import { getBlob, putBlob } from '../infra/blobs';
import { createRuntimeSettings, type RuntimeSettingsService } from '../infra/runtime-settings';
import type { RuntimeSettings } from '../infra/settings';
import { normalizeNumber } from '../common/phone-number';
import { createSpeechEngines, SpeechEngines } from '../infra/speech';
import { silenceWav } from '../infra/speech/wav';
import { Overloaded } from '../infra/speech/admission';
import { LocalEngineTimeout } from '../infra/speech/errors';
import type { SpeechConfig } from '../infra/speech-config';
import type { CallDirection, ChatMessage, ReplySource } from '../workflows/call-session/messages';
import { missionCallSetup } from './missions/prompt';
import { AUTH_OK_REPLY, CLARIFY_REPLY, failedPassphrase } from '../common/turn-stages';
import { isFinal, TurnProgressStore, type TurnProgress } from './turn-progress';

export interface TurnDeps {
  db: Db;
  config: Pick<Config, 'lookup'> & Partial<Pick<Config, 'agentTakeoverTimeout' | 'turnBudgetS'>>;
  /** Builds engines for a speech configuration; tests and the benchmark inject instant ones. */
  engines?: (speech: SpeechConfig) => SpeechEngines;
  /** The worker's runtime settings; default: a cache of its own over `db`. */
  settings?: RuntimeSettingsService;
}

export type BeginTurnResult =
  | {
      allowed: true;
      /** The session's fencing token now; commitTurn refuses to commit if it has moved. */
      fence: number;
      passphraseSet: boolean;
      authMaxAttempts: number;
      rejectMessage: string;
      maxHistoryTurns: number;
      keepHistory: boolean;
      /** 0 = no limit; else Parley ends the session 60 s after this many seconds (contract §5). */
      maxDurationSec: number;
      callerHistory?: { history: ChatMessage[]; summary: string };
      /** agent_takeover_timeout in ms: how long a takeover holder has to answer a turn.request. */
      agentTakeoverTimeoutMs: number;
      /** turn_budget_s in ms, counted from the turn's arrival. */
      turnBudgetMs: number;
      /** A call placed by the missions plane greets with its assistant's greeting, if it has one. */
      missionGreeting?: string;
      /** …and speaks with its assistant's instructions: the session instruction of that call. */
      missionPrompt?: string;
    }
  | { allowed: false; reason: 'blocklisted' | 'not_allowlisted' | 'unknown_caller'; rejectMessage: string };

interface TurnRef {
  sessionId: string;
  turnId: string;
}

/** What a plain turn (no takeover, bot, inject or greeting) needs of the session to be answered in one activity. */
export interface AnswerTurnInput extends TurnRef {
  callerNumber: string;
  callDirection: CallDirection;
  audioBlobId: string | null;
  hint: string;
  skipAsr: boolean;
  authenticated: boolean;
  /** Failed passphrase attempts so far. */
  authAttempts: number;
  history: ChatMessage[];
  summary: string;
  sessionInstruction: string;
  turnSupplement: string;
  context: string;
  /** The seq this turn commits as. */
  seq: number;
  receivedAt: number;
  requestKey: string | null;
}

/** The domain outcome of a plain turn: the workflow applies it to the session and answers the phone. */
export type AnswerTurnResult =
  | { outcome: 'rejected'; reason: 'blocklisted' | 'not_allowlisted' | 'unknown_caller'; rejectMessage: string; audioBlobId: string }
  | {
      outcome: 'committed' | 'stale';
      maxHistoryTurns: number;
      maxDurationSec: number;
      body: Record<string, unknown>;
      audioBlobId: string;
      replySource: ReplySource;
      gate?: 'passed' | 'failed';
      /** The LLM answered: the caller's words and the reply join the history. */
      exchange?: [ChatMessage, ChatMessage];
      hangup: boolean;
    };

/** Caller policy (contract §5): incoming calls only; blocklist first; empty allowlist allows all. */
export function callerPolicy(settings: RuntimeSettings['call'], number: string, direction: CallDirection) {
  if (direction !== 'incoming') return null;
  const n = normalizeNumber(number, settings.default_country_code);
  if (!n) return settings.unknown_callers_allowed ? null : ('unknown_caller' as const);
  if (settings.caller_blocklist.includes(n)) return 'blocklisted' as const;
  if (settings.caller_allowlist.length > 0 && !settings.caller_allowlist.includes(n)) return 'not_allowlisted' as const;
  return null;
}

/** Passphrase match (§2.4 step 8): lower-case, non-word characters stripped, substring. */
export function matchesPassphrase(transcript: string, passphrase: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[\W_]+/g, '');
  return norm(passphrase) !== '' && norm(transcript).includes(norm(passphrase));
}

/** The LLM request of §2.4 step 11, exactly in the contract's order. */
export function buildLlmMessages(input: {
  basePrompt: string;
  language: string;
  sessionInstruction: string;
  turnSupplement: string;
  context: string;
  summary: string;
  history: ChatMessage[];
  transcript: string;
}): Array<{ role: 'system' | 'user' | 'assistant'; content: string }> {
  let system = input.sessionInstruction || input.basePrompt;
  if (input.language) system += `\n\nAlways answer in ${input.language}.`;
  if (input.turnSupplement) system += `\n\n${input.turnSupplement}`;
  if (input.context) system += `\n\nIMPORTANT — use the following facts when answering:\n${input.context}`;
  const messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }> = [{ role: 'system', content: system }];
  if (input.summary) messages.push({ role: 'system', content: `Summary of earlier conversation:\n${input.summary}` });
  messages.push(...input.history, { role: 'user', content: input.transcript });
  return messages;
}

const REDACTED = '[passphrase attempt]';

/** What a local LLM too busy to answer in time says instead (a fixed reply: model ""). */
export const BUSY_REPLY = 'Sorry, I need a moment. Could you say that again?';

/** The audio of a reply the synthesiser was too busy for: built once, not on every turn. */
const SHED_SILENCE = silenceWav(300, 16000);

/**
 * Replaces an engine call that the machine's load defeated by a fallback: shed by admission
 * (infra/speech/admission.ts) or a local engine past its deadline. A retry would only queue behind
 * the same load and then spend the turn's budget, ending in the contract's 500; the fallback is a
 * contract-valid answer in time. Everything else (a provider's error, bad audio) is rethrown.
 */
function shedTo<T>(fallback: T) {
  return (err: unknown): T => {
    if (err instanceof Overloaded || err instanceof LocalEngineTimeout) return fallback;
    throw err;
  };
}

/** Rolls commitTurn's transaction back when the session's fence moved during the turn. */
class StaleTurn extends Error {}

/** The session's fence (its generation) as the turn begins; null when there is no such session. */
async function sessionFence(db: Db, sessionId: string): Promise<number | null> {
  const direct = sqliteDirect(db);
  if (direct) return direct.sessionGeneration(sessionId);
  const pg = pgDirect(db);
  if (pg) return pg.sessionGeneration(sessionId);
  return (await db.callSession.findUnique({ where: { id: sessionId }, select: { generation: true } }))?.generation ?? null;
}

type CommitOutcome = { outcome: 'committed' } | { outcome: 'stale' } | { outcome: 'stored'; stored: Record<string, unknown> };

/**
 * The commit's writes in one transaction: the turn row first (SQLite takes the write lock at
 * once), then the session's projection behind its fence (a reset or end asked for meanwhile
 * wins: 'stale', nothing written), then turn.complete. A turn id already stored is a retried
 * commit whose first try committed: 'stored', with the answer it stored. On SQLite one
 * synchronous transaction (infra/sqlite-direct.ts), on PostgreSQL one statement
 * (infra/pg-direct.ts), and Prisma's transaction when neither can run.
 */
async function commitTurnRows(db: Db, turn: TurnRow, session: { callerNumber: string; fence: number }, event: NewEvent): Promise<CommitOutcome> {
  const stored = (responseJson: string | null): CommitOutcome | null =>
    responseJson === null ? null : { outcome: 'stored', stored: JSON.parse(responseJson || '{}') as Record<string, unknown> };
  const direct = sqliteDirect(db);
  if (direct) {
    try {
      return { outcome: direct.commitTurn(turn, session, eventRow(event)) };
    } catch (err) {
      const found = isUniqueViolation(err) ? stored(direct.turnResponse(turn.id)) : null;
      if (found) return found;
      throw err;
    }
  }
  const pg = pgDirect(db);
  if (pg) {
    try {
      return { outcome: await pg.commitTurn(turn, session, eventRow(event)) };
    } catch (err) {
      const found = isPgUniqueViolation(err) ? stored(await pg.turnResponse(turn.id)) : null;
      if (found) return found;
      throw err;
    }
  }
  try {
    await db.$transaction(async (tx) => {
      await tx.turn.create({ data: turn });
      const fenced = await tx.callSession.updateMany({
        where: { id: turn.sessionId, generation: session.fence },
        data: { turnCount: turn.seq, lastActiveAt: new Date(), callerNumber: session.callerNumber },
      });
      if (fenced.count === 0) throw new StaleTurn();
      await appendEventInTx(tx, event);
    });
    return { outcome: 'committed' };
  } catch (err) {
    if (err instanceof StaleTurn) return { outcome: 'stale' };
    if ((err as { code?: string }).code === 'P2002') {
      const existing = await db.turn.findUnique({ where: { id: turn.id } });
      const found = existing ? stored(existing.responseJson ?? '{}') : null;
      if (found) return found;
    }
    throw err;
  }
}

/** Builds the turn activities around the database, the configuration and the speech engines. */
export function createTurnActivities({ db, config, engines = createSpeechEngines, settings: runtime = createRuntimeSettings(db, config) }: TurnDeps) {
  // Engines are rebuilt only when the speech configuration changes.
  let cached: { key: string; engines: SpeechEngines } | undefined;
  const enginesFor = (speech: SpeechConfig) => {
    const key = JSON.stringify(speech);
    if (cached?.key !== key) cached = { key, engines: engines(speech) };
    return cached.engines;
  };
  // The settings in force when a turn begins apply to all of its stages: read once per turn
  // (a stage retried on another worker reads them afresh), dropped when the turn commits. The
  // read itself may come from the settings cache, so "in force" is at most its TTL old.
  const perTurn = new Map<string, Promise<RuntimeSettings>>();
  const settings = (turnId?: string) => {
    if (!turnId) return runtime.shared();
    let loaded = perTurn.get(turnId);
    if (!loaded) {
      loaded = runtime.shared();
      perTurn.set(turnId, loaded);
      loaded.catch(() => perTurn.delete(turnId));
      // A turn that never commits (caller rejected, stale, failed) must not pin its entry.
      setTimeout(() => perTurn.delete(turnId), 60_000).unref();
    }
    return loaded;
  };
  const event = (sessionId: string, type: string, data: Record<string, unknown>, dedupeKey: string) =>
    appendEvent(db, { type, sessionId, data, dedupeKey });
  const progress = new TurnProgressStore();

  const activities = {
    /** Caller policy and turn.started (or turn.caller_rejected); loads caller history for a new session. */
    async beginTurn(input: TurnRef & { callerNumber: string; callDirection: CallDirection; loadCallerHistory: boolean }): Promise<BeginTurnResult> {
      const s = await settings(input.turnId);
      const rejected = callerPolicy(s.call, input.callerNumber, input.callDirection);
      if (rejected) {
        await event(input.sessionId, 'turn.caller_rejected', { number: input.callerNumber, reason: rejected }, `${input.turnId}:turn.caller_rejected`);
        return { allowed: false, reason: rejected, rejectMessage: s.call.auth_reject_message };
      }
      let callerHistory: { history: ChatMessage[]; summary: string } | undefined;
      const number = normalizeNumber(input.callerNumber, s.call.default_country_code);
      if (input.loadCallerHistory && number) {
        if (s.call.keep_history) {
          const row = await db.callerHistory.upsert({ where: { number }, create: { number, totalCalls: 1 }, update: { totalCalls: { increment: 1 }, lastCallAt: new Date() } });
          callerHistory = { history: JSON.parse(row.historyJson), summary: row.summary };
        } else {
          await db.callerHistory.deleteMany({ where: { number } });
        }
      }
      await event(input.sessionId, 'turn.started', { turn_id: input.turnId }, `${input.turnId}:turn.started`);
      const fence = await sessionFence(db, input.sessionId);
      // Only when a conversation begins (first turn, or after a reset): not on the per-turn path.
      const mission = input.loadCallerHistory ? await missionCallSetup(db, input.sessionId, s.llmSystemPrompt) : {};
      return {
        allowed: true,
        fence: fence ?? 0,
        passphraseSet: s.call.auth_passphrase !== '',
        authMaxAttempts: s.call.auth_max_attempts,
        rejectMessage: s.call.auth_reject_message,
        maxHistoryTurns: s.speech.llm.max_history_turns,
        keepHistory: s.call.keep_history,
        maxDurationSec: s.call.max_duration_sec,
        callerHistory,
        agentTakeoverTimeoutMs: (config.agentTakeoverTimeout ?? 30) * 1000,
        turnBudgetMs: (config.turnBudgetS ?? 40) * 1000,
        ...(mission.greeting ? { missionGreeting: mission.greeting } : {}),
        ...(mission.prompt ? { missionPrompt: mission.prompt } : {}),
      };
    },

    /** ASR (or the hint), the passphrase gate, and turn.transcript (redacted for gate attempts). */
    async transcribeTurn(
      input: TurnRef & { audioBlobId: string | null; hint: string; skipAsr: boolean; gate: boolean; attempt: number },
    ): Promise<{ transcript: string; asrMs: number; gate?: 'passed' | 'failed' }> {
      const s = await settings(input.turnId);
      let transcript = '';
      let asrMs = 0;
      if (!(input.skipAsr && input.hint) && input.audioBlobId) {
        const audio = await getBlob(db, input.audioBlobId);
        if (!audio) throw ApplicationFailure.nonRetryable(`audio blob ${input.audioBlobId} is missing`, 'ProviderRejected');
        // A recogniser too busy to finish in time hears nothing: the caller is asked to repeat
        // (the clarify answer, contract §2.4 step 9) instead of getting a 500.
        const asr = await enginesFor(s.speech).transcribe(audio).catch(shedTo({ transcript: '', ms: 0 }));
        transcript = asr.transcript;
        asrMs = asr.ms;
      }
      if (transcript.trim() === '' && input.hint) transcript = input.hint;
      if (input.gate && transcript.trim() !== '') {
        const passed = matchesPassphrase(transcript, s.call.auth_passphrase);
        await event(input.sessionId, 'turn.transcript', { transcript: REDACTED, turn_id: input.turnId }, `${input.turnId}:turn.transcript`);
        if (passed) await event(input.sessionId, 'turn.authenticated', {}, `${input.turnId}:turn.authenticated`);
        else await event(input.sessionId, 'turn.auth_failed', { attempt: input.attempt }, `${input.turnId}:turn.auth_failed`);
        return { transcript: REDACTED, asrMs, gate: passed ? 'passed' : 'failed' };
      }
      await event(input.sessionId, 'turn.transcript', { transcript, turn_id: input.turnId }, `${input.turnId}:turn.transcript`);
      return { transcript, asrMs };
    },

    /** The LLM (or the echo responder when none is configured) answers the caller. */
    async generateReply(
      input: TurnRef & { transcript: string; history: ChatMessage[]; summary: string; sessionInstruction: string; turnSupplement: string; context: string },
    ): Promise<{ reply: string; model: string; llmMs: number }> {
      const s = await settings(input.turnId);
      const messages = buildLlmMessages({ ...input, basePrompt: s.llmSystemPrompt, language: s.speech.llm.language });
      const { reply, model, ms } = await enginesFor(s.speech).complete(messages as never).catch(shedTo({ reply: BUSY_REPLY, model: '', ms: 0 }));
      return { reply, model, llmMs: ms };
    },

    /** turn.reply (unless silent), then TTS; the audio is stored and its blob id returned. */
    async speakReply(input: TurnRef & { reply: string; silent?: boolean }): Promise<{ audioBlobId: string; ttsMs: number }> {
      const s = await settings(input.turnId);
      if (!input.silent) await event(input.sessionId, 'turn.reply', { reply: input.reply, turn_id: input.turnId }, `${input.turnId}:turn.reply`);
      // A synthesiser too busy to finish in time: the reply goes out as text with silent audio.
      const silent = { wav: SHED_SILENCE, ms: 0 };
      const { wav, ms } = input.reply.trim() ? await enginesFor(s.speech).synthesize(input.reply).catch(shedTo(silent)) : silent;
      return { audioBlobId: await putBlob(db, wav), ttsMs: ms };
    },

    /** Persists the turn, the session projection and caller history, then turn.complete. */
    async commitTurn(
      input: TurnRef & {
        seq: number;
        transcript: string;
        reply: string;
        model: string;
        replySource: ReplySource;
        forced: boolean;
        metrics: { asr_ms: number; llm_ms: number; tts_ms: number };
        receivedAt: number;
        requestKey: string | null;
        audioBlobId: string;
        /** The caller's audio of this turn (absent on forced and inject turns, and in older histories). */
        callerAudioBlobId?: string | null;
        callerNumber: string;
        keepHistory: boolean;
        history: ChatMessage[];
        summary: string;
        hangup: boolean;
        fence: number;
        injectId?: string;
        /** A bot-routed turn's deep_tool_request and how it ended (answered, timeout, bot_offline). */
        deepTool?: { request_id: string; status: string };
      },
    ): Promise<{ body: Record<string, unknown>; stale?: true }> {
      perTurn.delete(input.turnId);
      const metrics = { ...input.metrics, total_ms: Math.max(0, Date.now() - input.receivedAt), llm_model: input.model };
      const body: Record<string, unknown> = {
        ok: true,
        session_id: input.sessionId,
        transcript: input.transcript,
        reply: input.reply,
        model: input.model,
        metrics,
        turn_id: input.turnId,
        ...(input.hangup ? { hangup: true } : {}),
        // The inject body repeats the timings at the top level (contract §2.3).
        ...(input.injectId ? { asr_ms: 0, llm_ms: 0, tts_ms: 0, total_ms: 0, inject_id: input.injectId } : {}),
      };
      // Write first: a retried commit (its first try committed, the ack was lost) fails on the
      // turn's id and answers what was stored, so the common case costs no extra read.
      const turnRow = {
        id: input.turnId,
        sessionId: input.sessionId,
        seq: input.seq,
        transcript: input.transcript,
        reply: input.reply,
        model: input.model,
        replySource: input.replySource,
        forcedReply: input.forced,
        metricsJson: JSON.stringify(metrics),
        requestKey: input.requestKey,
        responseJson: JSON.stringify(body),
        audioBlobId: input.audioBlobId,
        callerAudioBlobId: input.callerAudioBlobId ?? null,
      };
      const completeEvent = {
        type: 'turn.complete',
        sessionId: input.sessionId,
        data: { turn_id: input.turnId, transcript: input.transcript, reply: input.reply, model: input.model, reply_source: input.replySource, metrics, ...(input.deepTool ? { deep_tool: input.deepTool } : {}) },
        dedupeKey: `${input.turnId}:turn.complete`,
      };
      const committed = await commitTurnRows(db, turnRow, { callerNumber: input.callerNumber, fence: input.fence }, completeEvent);
      if (committed.outcome === 'stale') return { body: {}, stale: true };
      if (committed.outcome === 'stored') return { body: committed.stored };
      if (input.keepHistory) await saveCallerHistory(db, input.callerNumber, input.history, input.summary, input.seq);
      return { body };
    },

    /** Synthesises queued speech and announces it (agent.inject); the audio is stored, not logged. */
    async prepareInject(input: { sessionId: string; injectId: string; text: string; queueDepth: number }): Promise<{ audioBlobId: string; ttsMs: number }> {
      const s = await settings();
      const { wav, ms } = await enginesFor(s.speech).synthesize(input.text);
      const audioBlobId = await putBlob(db, wav);
      await event(input.sessionId, 'agent.inject', { text: input.text, tts_ms: ms, inject_id: input.injectId, queue_depth: input.queueDepth, audio_blob_id: audioBlobId }, `${input.injectId}:agent.inject`);
      return { audioBlobId, ttsMs: ms };
    },

    /** ASR only, no events: the caller's words on an inject poll, kept as an unanswered message. */
    async transcribeUnanswered(input: { audioBlobId: string }): Promise<{ transcript: string }> {
      const s = await settings();
      const audio = await getBlob(db, input.audioBlobId);
      if (!audio) return { transcript: '' };
      return { transcript: (await enginesFor(s.speech).transcribe(audio)).transcript };
    },

    /**
     * Hands the caller's words to the agent holding the takeover: the request is stored, and the
     * API process holding that agent's WebSocket sends it as `turn.request` (never an event).
     */
    async requestAgentReply(input: TurnRef & { requestId: string; agentId: string; transcript: string; timeoutMs: number }): Promise<void> {
      await createTurnRequest(db, input);
    },

    /** Appends one turn event (turn.stale, turn.error) exactly once. */
    async recordTurnEvent(input: { sessionId: string; type: string; data: Record<string, unknown>; dedupeKey: string }): Promise<void> {
      await event(input.sessionId, input.type, input.data, input.dedupeKey);
    },

    /** Summarises older messages with the LLM, off the request path (contract §5 Compaction). */
    async compactHistory(input: { sessionId: string; older: ChatMessage[]; summary: string }): Promise<{ summary: string }> {
      const s = await settings();
      const transcript = input.older.map((m) => `${m.role === 'user' ? 'Caller' : 'Assistant'}: ${m.content}`).join('\n');
      const { reply } = await enginesFor(s.speech).complete([
        { role: 'system', content: 'Summarise this phone conversation in a few sentences, keeping names, numbers, dates and decisions.' },
        { role: 'user', content: `${input.summary ? `Earlier summary:\n${input.summary}\n\n` : ''}${transcript}` },
      ] as never, { background: true });
      return { summary: reply };
    },
  };

  /**
   * A plain turn in the contract's order (§2.4), in one local activity: caller policy, ASR and
   * the passphrase gate (or clarify), LLM, turn.reply and TTS, then the commit behind the fence.
   * The same steps the workflow takes with five local activities, each part under its own limits
   * (turn-progress.ts); the session's state changes are the workflow's to make from the result.
   */
  async function answer(p: TurnProgress, input: AnswerTurnInput): Promise<AnswerTurnResult> {
    const base = { sessionId: input.sessionId, turnId: input.turnId };
    const begin = await p.bookkeeping('begin', () =>
      activities.beginTurn({ ...base, callerNumber: input.callerNumber, callDirection: input.callDirection, loadCallerHistory: false }),
    );
    if (!begin.allowed) {
      const speech = await p.stage('tts', () => activities.speakReply({ ...base, reply: begin.rejectMessage, silent: true }));
      return { outcome: 'rejected', reason: begin.reason, rejectMessage: begin.rejectMessage, audioBlobId: speech.audioBlobId };
    }
    const gate = begin.passphraseSet && !input.authenticated;
    const asr = await p.stage('asr', () =>
      activities.transcribeTurn({ ...base, audioBlobId: input.audioBlobId, hint: input.hint, skipAsr: input.skipAsr, gate, attempt: input.authAttempts + 1 }),
    );
    let reply: string;
    let model = '';
    let replySource: ReplySource;
    let hangup = false;
    let llmMs = 0;
    let exchange: [ChatMessage, ChatMessage] | undefined;
    if (asr.gate === 'passed') {
      reply = AUTH_OK_REPLY;
      replySource = 'auth';
    } else if (asr.gate === 'failed') {
      ({ reply, hangup } = failedPassphrase(input.authAttempts + 1, begin.authMaxAttempts, begin.rejectMessage));
      replySource = 'auth';
    } else if (asr.transcript.trim() === '') {
      reply = CLARIFY_REPLY;
      replySource = 'clarify';
    } else {
      const llm = await p.stage('llm', () =>
        activities.generateReply({
          ...base,
          transcript: asr.transcript,
          history: input.history.slice(-2 * begin.maxHistoryTurns),
          summary: input.summary,
          sessionInstruction: input.sessionInstruction,
          turnSupplement: input.turnSupplement,
          context: input.context,
        }),
      );
      reply = llm.reply;
      model = llm.model;
      llmMs = llm.llmMs;
      replySource = 'llm';
      exchange = [
        { role: 'user', content: asr.transcript },
        { role: 'assistant', content: reply },
      ];
    }
    const speech = await p.stage('tts', () => activities.speakReply({ ...base, reply }));
    const committed = await p.bookkeeping('commit', () =>
      activities.commitTurn({
        ...base,
        seq: input.seq,
        transcript: asr.transcript,
        reply,
        model,
        replySource,
        forced: false,
        metrics: { asr_ms: asr.asrMs, llm_ms: llmMs, tts_ms: speech.ttsMs },
        receivedAt: input.receivedAt,
        requestKey: input.requestKey,
        audioBlobId: speech.audioBlobId,
        callerAudioBlobId: input.audioBlobId,
        callerNumber: input.callerNumber,
        keepHistory: begin.keepHistory,
        history: exchange ? [...input.history, ...exchange] : input.history,
        summary: input.summary,
        hangup,
        fence: begin.fence,
      }),
    );
    return {
      outcome: committed.stale ? 'stale' : 'committed',
      maxHistoryTurns: begin.maxHistoryTurns,
      maxDurationSec: begin.maxDurationSec,
      body: committed.body,
      audioBlobId: speech.audioBlobId,
      replySource,
      ...(asr.gate ? { gate: asr.gate } : {}),
      ...(exchange ? { exchange } : {}),
      hangup,
    };
  }

  type CommitInput = Parameters<(typeof activities)['commitTurn']>[0];

  /** Runs `work` with this turn's progress: kept across the activity's attempts, dropped when it ends. */
  async function withProgress<T>(sessionId: string, turnId: string, work: (p: TurnProgress) => Promise<T>): Promise<T> {
    const key = `${sessionId}:${turnId}`;
    try {
      const result = await work(progress.of(key));
      progress.drop(key);
      return result;
    } catch (err) {
      if (isFinal(err)) progress.drop(key);
      throw err;
    }
  }

  return {
    ...activities,

    /** A plain turn, answered and committed in one local activity (see `answer`). */
    answerTurn: (input: AnswerTurnInput): Promise<AnswerTurnResult> => withProgress(input.sessionId, input.turnId, (p) => answer(p, input)),

    /**
     * A turn whose reply is known (a greeting, an agent's, a bot's, the passphrase's): turn.reply
     * and TTS, then the commit, in one local activity, each under its own limits (turn-progress.ts).
     */
    speakAndCommit: (input: Omit<CommitInput, 'audioBlobId'>): Promise<{ body: Record<string, unknown>; stale?: true; audioBlobId: string }> =>
      withProgress(input.sessionId, input.turnId, async (p) => {
        const speech = await p.stage('tts', () => activities.speakReply({ sessionId: input.sessionId, turnId: input.turnId, reply: input.reply }));
        const committed = await p.bookkeeping('commit', () =>
          activities.commitTurn({ ...input, metrics: { ...input.metrics, tts_ms: speech.ttsMs }, audioBlobId: speech.audioBlobId }),
        );
        return { ...committed, audioBlobId: speech.audioBlobId };
      }),
  };
}

/** Caller history (keep_history), per normalised number. */
export async function saveCallerHistory(db: Db, callerNumber: string, history: ChatMessage[], summary: string, turnCount: number): Promise<void> {
  const number = normalizeNumber(callerNumber);
  if (!number) return;
  const data = { historyJson: JSON.stringify(history), summary, turnCount, lastCallAt: new Date() };
  await db.callerHistory.upsert({ where: { number }, create: { number, totalCalls: 1, ...data }, update: data });
}

export type TurnActivities = ReturnType<typeof createTurnActivities>;
