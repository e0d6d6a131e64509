/**
 * Placing calls and sending texts for the missions workflows. One call attempt is one
 * `placeCall` activity that dials through the line's driver and heartbeats until the call ends.
 */
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Db } from '../../infra/db';
import type { LineConfig } from '../../infra/missions-config';
import type { AttemptOutcome, MachinePolicy } from '../../common/missions';
import { CALL_TERMINAL } from '../../common/missions';
import type { LineDrivers } from './lines';
import { appendBotEvent } from '../../infra/clawdtalk/bot-log';
import { announceOutboundCallEnded, announceOutboundCallStarted } from '../../infra/clawdtalk/call-events';

export interface PlaceCallInput {
  /** The call record (`conversation_id`), created by the caller of the activity's workflow. */
  callId: string;
  accountId: string;
  eventId: string | null;
  /** The assistant whose instructions and greeting the call uses (snapshotted at dial time). */
  assistantId?: string | null;
  attempt: number;
  from: string;
  to: string;
  /** A per-event prompt that replaces the assistant's instructions for this call (E14). */
  instructions?: string | null;
  /** E07: what the line does if a machine answers; absent (events before budgets) leaves a message. */
  onMachine?: MachinePolicy;
}

export interface SendSmsInput {
  messageId: string;
  accountId: string;
  eventId: string | null;
  from: string;
  to: string;
  text: string;
}

/** How long a line lease outlives its last heartbeat: a crashed worker frees the line this fast. */
const LEASE_MS = 60_000;
/**
 * A cancel (call.sh end) reaches placeCall with a heartbeat's answer: this often, so it hangs up
 * within 2 s even on a loaded box (at 500 ms a loaded CI run measured 2,045 ms).
 */
const HEARTBEAT_MS = 250;
/** A call not answered this long after its dial never will be (the contract's 45 s, with margin). */
const LOST_ANSWER_MS = 60_000;

/** Thrown while another call holds the line: Temporal retries, the attempt stays `pending`. */
export const LINE_BUSY = 'LineBusy';

export function createMissionCallActivities(deps: { db: Db; lines: LineConfig[]; drivers: LineDrivers }) {
  const { db } = deps;
  const lineFor = (number: string) => {
    const line = deps.lines.find((l) => l.number === number);
    if (!line) throw ApplicationFailure.nonRetryable(`no line ${number} is configured`, 'UnknownLine');
    return line;
  };

  /**
   * Takes the line's lease for `holder`, or throws LINE_BUSY. Atomic in both databases. A line's
   * row is created on its first call and kept: a release expires it, so the next call takes it
   * with one update.
   */
  async function acquireLease(number: string, holder: string): Promise<void> {
    const expiresAt = new Date(Date.now() + LEASE_MS);
    const taken = await db.lineLease.updateMany({ where: { number, OR: [{ holder }, { expiresAt: { lt: new Date() } }] }, data: { holder, expiresAt } });
    if (taken.count === 1) return;
    try {
      await db.lineLease.create({ data: { number, holder, expiresAt } });
    } catch {
      throw ApplicationFailure.retryable(`line ${number} is busy with another call`, LINE_BUSY);
    }
  }

  const releaseLease = (number: string, holder: string) => db.lineLease.updateMany({ where: { number, holder }, data: { expiresAt: new Date(0) } });

  async function setCall(callId: string, eventId: string | null, data: { status?: string; sessionId?: string; outcome?: string | null; reason?: string | null; answeredAt?: Date; endedAt?: Date }) {
    const rec = await db.callRecord.update({ where: { id: callId }, data });
    // The account's ClawdTalk client hears of the call when it rings and when it ends.
    if (data.status === 'ringing') await announceOutboundCallStarted(db, rec);
    if (data.endedAt) await announceOutboundCallEnded(db, rec);
    // The event's row is not read back: updateMany writes without returning it.
    if (eventId && data.status) await db.scheduledEvent.updateMany({ where: { id: eventId }, data: { callStatus: data.status, conversationId: callId } });
    return rec;
  }

  /**
   * The fate of a call whose follower died: answered once a voice session exists for it, ended
   * when that session ends; never answered within LOST_ANSWER_MS of the dial → `failed`.
   */
  async function followLostCall(rec: { id: string; to: string; sessionId: string | null; dialedAt: Date | null }, number: string, holder: string) {
    const ctx = Context.current();
    for (;;) {
      const session = rec.sessionId
        ? await db.callSession.findUnique({ where: { id: rec.sessionId } })
        : await db.callSession.findFirst({ where: { callerNumber: rec.to, createdAt: { gte: rec.dialedAt ?? new Date(0) } }, orderBy: { createdAt: 'asc' } });
      if (session?.status === 'ended') return { status: 'completed', outcome: 'answered', sessionId: session.id, reason: 'followed after a worker restart' };
      if (!session && Date.now() - (rec.dialedAt?.getTime() ?? 0) > LOST_ANSWER_MS) return { status: 'failed', outcome: null, reason: 'the worker following this call stopped before it was answered' };
      ctx.heartbeat();
      await db.lineLease.updateMany({ where: { number, holder }, data: { expiresAt: new Date(Date.now() + LEASE_MS) } });
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS));
    }
  }

  const outcomeOf = (rec: { id: string; status: string; outcome: string | null; reason: string | null }): AttemptOutcome => ({
    call_status: rec.status as AttemptOutcome['call_status'],
    outcome: (rec.outcome as AttemptOutcome['outcome']) ?? null,
    call_id: rec.id,
    ...(rec.reason ? { detail: rec.reason } : {}),
  });

  return {
    /**
     * Dials once and follows the call to its end. Guarded so a retried activity never dials
     * twice: the dial is recorded before it is sent, and a retry that finds it reports the
     * call's fate from the database instead. Cancellation hangs the call up.
     */
    async placeCall(input: PlaceCallInput): Promise<AttemptOutcome> {
      const ctx = Context.current();
      const line = lineFor(input.from);
      let rec = await db.callRecord.findUnique({ where: { id: input.callId } });
      if (rec && CALL_TERMINAL.has(rec.status)) return outcomeOf(rec);
      if (rec?.dialedAt) {
        // An earlier try dialled and then lost its worker. Never dial again: follow the call's
        // voice session to its end instead (a phone call goes on without Parley's worker).
        const ended = await followLostCall(rec, line.number, input.callId);
        const saved = await setCall(rec.id, input.eventId, { ...ended, endedAt: new Date() });
        await releaseLease(line.number, input.callId);
        return outcomeOf(saved);
      }
      await acquireLease(line.number, input.callId);
      if (input.eventId) await db.scheduledEvent.updateMany({ where: { id: input.eventId }, data: { status: 'in_progress', nextAttemptAt: null, callStatus: null } });
      const assistant = input.assistantId ? await db.assistant.findUnique({ where: { id: input.assistantId } }) : null;
      const snapshot = assistant ? { instructions: input.instructions || assistant.instructions, greeting: assistant.greeting } : {};
      // The record was read above: create it, or (a retry that never dialled) mark the dial.
      rec = rec
        ? await db.callRecord.update({ where: { id: input.callId }, data: { dialedAt: new Date(), ...snapshot } })
        : await db.callRecord.create({ data: { id: input.callId, accountId: input.accountId, eventId: input.eventId, attempt: input.attempt, from: input.from, to: input.to, status: 'initiating', dialedAt: new Date(), ...snapshot } });
      const dialed = await deps.drivers.dial(line, input.to, { onMachine: input.onMachine ?? 'leave_message' });
      if (!dialed.ok) {
        await setCall(rec.id, input.eventId, { status: 'failed', reason: dialed.detail, endedAt: new Date() });
        await releaseLease(line.number, input.callId);
        return { call_status: 'failed', outcome: null, call_id: rec.id, detail: dialed.detail };
      }
      const call = dialed.call;
      await setCall(rec.id, input.eventId, { status: 'ringing' });
      let answered = false;
      let cancelled = false;
      ctx.cancelled.catch(() => {
        cancelled = true;
        void call.hangup();
      });
      let result: Awaited<typeof call.done> | undefined;
      // A failed call surfaces through the race below; this side chain only records success.
      call.done.then((r) => (result = r)).catch(() => undefined);
      let ended: Awaited<ReturnType<typeof setCall>>;
      try {
        while (!result) {
          await Promise.race([call.done, new Promise((r) => setTimeout(r, HEARTBEAT_MS))]);
          // A call that has just ended needs neither: its lease is released below, and the
          // activity's completion follows at once (a heartbeat is a server write).
          if (result) break;
          ctx.heartbeat();
          await db.lineLease.updateMany({ where: { number: line.number, holder: input.callId }, data: { expiresAt: new Date(Date.now() + LEASE_MS) } });
          const sid = call.sessionId();
          if (!answered && sid) {
            answered = true;
            await setCall(rec.id, input.eventId, { status: 'in-progress', sessionId: sid, answeredAt: new Date() });
          }
        }
        const r: NonNullable<typeof result> = result;
        ended = await setCall(rec.id, input.eventId, { status: r.call_status, outcome: r.outcome, sessionId: r.session_id || undefined, reason: r.detail ?? null, endedAt: new Date() });
      } finally {
        await releaseLease(line.number, input.callId);
      }
      if (cancelled) throw new CancelledFailure('call hung up on cancel');
      return outcomeOf(ended);
    },

    /** The recorded outcome of a call (after a cancelled placeCall). */
    async readCallOutcome(callId: string): Promise<AttemptOutcome | null> {
      const rec = await db.callRecord.findUnique({ where: { id: callId } });
      return rec && CALL_TERMINAL.has(rec.status) ? outcomeOf(rec) : null;
    },

    /** Sends one SMS through the line's driver; stores it, and any reply as an inbound message. */
    async sendSms(input: SendSmsInput): Promise<{ ok: boolean; detail: string }> {
      const existing = await db.message.findUnique({ where: { id: input.messageId } });
      if (existing && existing.status !== 'queued') return { ok: existing.status === 'sent', detail: existing.status };
      const line = lineFor(input.from);
      if (!existing) {
        await db.message.create({ data: { id: input.messageId, accountId: input.accountId, direction: 'outbound', from: input.from, to: input.to, body: input.text, status: 'queued', eventId: input.eventId } });
      }
      const sent = await deps.drivers.sendSms(line, input.to, input.text);
      await db.message.update({ where: { id: input.messageId }, data: { status: sent.ok ? 'sent' : 'failed' } });
      if (sent.ok && sent.reply) {
        const replyId = `${input.messageId}-reply`;
        await db.message.create({ data: { id: replyId, accountId: input.accountId, direction: 'inbound', from: input.to, to: input.from, body: sent.reply, status: 'received' } });
        await appendBotEvent(db, { accountId: input.accountId, event: 'sms.received', fields: { from: input.to, to: input.from, body: sent.reply, message_id: replyId }, dedupeKey: `${replyId}:sms.received` });
      }
      return { ok: sent.ok, detail: sent.detail };
    },
  };
}

export type MissionCallActivities = ReturnType<typeof createMissionCallActivities>;
