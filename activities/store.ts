/**
 * Database side effects of the call-session workflow. Every activity is idempotent:
 * Temporal retries them, so a retry must land on the same rows and events.
 */
import type { Db } from '../infra/db';
import { appendEventInTx } from '../infra/event-log';
import { callSessionWorkflowId } from '../common/ids';
import type { ChatMessage, EndReason, SessionSource } from '../workflows/call-session/messages';
import type { RuntimeSettingsService } from '../infra/runtime-settings';
import { saveCallerHistory } from './turn';

export interface SessionStarted {
  sessionId: string;
  source: SessionSource;
  callerNumber: string;
  callDirection: string;
  /** 0 for a new session, bumped by each reset: one session.started per generation. */
  generation: number;
}

export interface SessionEnded {
  sessionId: string;
  reason: EndReason;
  callerNumber?: string;
  history?: ChatMessage[];
  summary?: string;
}

/** Builds the store activities around a Prisma client. */
export function createStoreActivities(db: Db, settings: Pick<RuntimeSettingsService, 'current'>) {
  return {
    /** Creates (or re-opens, on reset) the session row and appends `session.started`. */
    async recordSessionStarted(s: SessionStarted): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await tx.callSession.upsert({
          where: { id: s.sessionId },
          create: {
            id: s.sessionId,
            workflowId: callSessionWorkflowId(s.sessionId),
            source: s.source,
            callerNumber: s.callerNumber,
            callDirection: s.callDirection,
          },
          // A reset re-opens the same row; the sid's first creation time keys its events.
          update: { status: 'active', endReason: null, endedAt: null, lastActiveAt: new Date(), turnCount: 0, callerNumber: s.callerNumber, callDirection: s.callDirection },
        });
        await appendEventInTx(tx, {
          type: 'session.started',
          sessionId: s.sessionId,
          data: { caller_number: s.callerNumber, call_direction: s.callDirection, source: s.source },
          dedupeKey: `session.started:${s.sessionId}:${row.createdAt.getTime()}:${s.generation}`,
        });
      });
    },

    /** Marks the session ended, saves caller history (keep_history), appends `session.ended` once. */
    async recordSessionEnded(s: SessionEnded): Promise<void> {
      if (s.callerNumber && s.history) {
        if ((await settings.current()).call.keep_history) await saveCallerHistory(db, s.callerNumber, s.history, s.summary ?? '', s.history.length);
      }
      await db.$transaction(async (tx) => {
        const row = await tx.callSession.update({
          where: { id: s.sessionId },
          data: { status: 'ended', endReason: s.reason, endedAt: new Date() },
        });
        await appendEventInTx(tx, {
          type: 'session.ended',
          sessionId: s.sessionId,
          data: { reason: s.reason },
          dedupeKey: `session.ended:${s.sessionId}:${row.createdAt.getTime()}`,
        });
      });
    },
  };
}

export type StoreActivities = ReturnType<typeof createStoreActivities>;
