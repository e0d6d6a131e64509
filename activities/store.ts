/**
 * Database side effects of the call-session workflow. Every activity is idempotent:
 * Temporal retries them, so a retry must land on the same rows and events.
 */
import type { Db } from '../infra/db';
import { appendEvent } from '../infra/event-log';
import { callSessionWorkflowId } from '../common/ids';
import type { EndReason, SessionSource } from '../workflows/call-session/messages';

export interface SessionStarted {
  sessionId: string;
  source: SessionSource;
  callerNumber: string;
  callDirection: string;
}

export interface SessionEnded {
  sessionId: string;
  reason: EndReason;
}

/** Builds the store activities around a Prisma client. */
export function createStoreActivities(db: Db) {
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
          update: {},
        });
        await appendEvent(tx, {
          type: 'session.started',
          sessionId: s.sessionId,
          data: { caller_number: s.callerNumber, call_direction: s.callDirection, source: s.source },
          dedupeKey: `session.started:${s.sessionId}:${row.createdAt.getTime()}`,
        });
      });
    },

    /** Marks the session ended and appends `session.ended` exactly once. */
    async recordSessionEnded(s: SessionEnded): Promise<void> {
      await db.$transaction(async (tx) => {
        const row = await tx.callSession.update({
          where: { id: s.sessionId },
          data: { status: 'ended', endReason: s.reason, endedAt: new Date() },
        });
        await appendEvent(tx, {
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
