/** Retention: old audio, old events and spent turn.requests leave the database (run hourly by a Temporal Schedule). */
import type { Db } from '../infra/db';

export interface RetentionPolicy {
  audioRetentionDays: number;
  eventRetentionDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createRetentionActivities(db: Db) {
  return {
    /** Deletes audio blobs and events older than the policy allows; returns what it removed. */
    async pruneExpiredData(policy: RetentionPolicy): Promise<{ audioBlobs: number; events: number; turnRequests?: number }> {
      const now = Date.now();
      // A turn.request is only useful within its turn (≤ 40 s); an hour keeps it for debugging.
      const turnRequests = await db.agentTurnRequest.deleteMany({ where: { createdAt: { lt: new Date(now - 60 * 60 * 1000) } } });
      const audio = await db.audioBlob.deleteMany({ where: { createdAt: { lt: new Date(now - policy.audioRetentionDays * DAY_MS) } } });
      const events = await db.event.deleteMany({ where: { createdAt: { lt: new Date(now - policy.eventRetentionDays * DAY_MS) } } });
      return { audioBlobs: audio.count, events: events.count, turnRequests: turnRequests.count };
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
