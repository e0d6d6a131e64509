/**
 * call.started / call.ended of the calls the missions plane places (POST /v1/calls, scheduled
 * events), in ClawdTalk's vocabulary: `outbound`, `user_hangup`, `no_answer`, `voicemail`.
 */
import type { Db } from '../db';
import { appendBotEvent } from './bot-log';

interface CallRow {
  id: string;
  accountId: string;
  to: string;
  status: string;
  outcome: string | null;
  greeting: string | null;
  purpose: string | null;
  answeredAt: Date | null;
  endedAt: Date | null;
}

/** ClawdTalk's `reason` and `outcome` for a call record's final status and outcome. */
export function clawdtalkEnding(rec: Pick<CallRow, 'status' | 'outcome' | 'answeredAt'>): { reason: string; outcome?: string } {
  switch (rec.status) {
    case 'completed':
      return rec.outcome === 'voicemail' ? { reason: 'user_hangup', outcome: 'voicemail' } : { reason: 'user_hangup' };
    case 'no-answer':
      return { reason: 'no_answer', outcome: 'no_answer' };
    case 'canceled':
      // Ended through call.sh end (or an event's DELETE): a hang-up from the user's side.
      return { reason: rec.answeredAt ? 'user_hangup' : 'canceled' };
    default:
      return { reason: rec.status };
  }
}

/** The dial went out: the account's client learns of the call (it does not greet an outbound one). */
export async function announceOutboundCallStarted(db: Db, rec: CallRow): Promise<void> {
  await appendBotEvent(db, {
    accountId: rec.accountId,
    event: 'call.started',
    fields: { call_id: rec.id, direction: 'outbound', to_number: rec.to },
    callId: rec.id,
    dedupeKey: `${rec.id}:call.started`,
  });
}

/** The call is over: its outcome for the client to report to its bot. */
export async function announceOutboundCallEnded(db: Db, rec: CallRow): Promise<void> {
  const { reason, outcome } = clawdtalkEnding(rec);
  const seconds = rec.answeredAt && rec.endedAt ? Math.max(0, Math.round((rec.endedAt.getTime() - rec.answeredAt.getTime()) / 1000)) : 0;
  await appendBotEvent(db, {
    accountId: rec.accountId,
    event: 'call.ended',
    fields: {
      call_id: rec.id,
      direction: 'outbound',
      duration_seconds: seconds,
      reason,
      ...(outcome ? { outcome } : {}),
      to_number: rec.to,
      ...(rec.purpose ? { purpose: rec.purpose } : {}),
      ...(rec.greeting ? { greeting: rec.greeting } : {}),
      // The simulated line "leaves" the call's greeting as its voicemail.
      ...(outcome === 'voicemail' && rec.greeting ? { voicemail_message: rec.greeting } : {}),
    },
    callId: rec.id,
    dedupeKey: `${rec.id}:call.ended`,
  });
}
