/**
 * The durable event log (contract §3 "Events"): every event is written with its global `seq`
 * before anyone delivers it, so a reconnecting agent can replay what it missed.
 */
import type { Db } from './db';

export interface NewEvent {
  type: string;
  sessionId?: string;
  data?: Record<string, unknown>;
  /** Makes the append idempotent: a retried activity finds the first write. */
  dedupeKey?: string;
}

export interface LoggedEvent {
  seq: number;
  type: string;
  session_id: string;
  timestamp: number;
  data: Record<string, unknown>;
}

type Tx = Pick<Db, 'event'>;

export async function appendEvent(db: Tx, event: NewEvent): Promise<LoggedEvent> {
  const data = { session_id: event.sessionId ?? '', ...(event.data ?? {}) };
  const row = event.dedupeKey
    ? await db.event.upsert({
        where: { dedupeKey: event.dedupeKey },
        update: {},
        create: { type: event.type, sessionId: event.sessionId ?? '', dataJson: JSON.stringify(data), dedupeKey: event.dedupeKey },
      })
    : await db.event.create({ data: { type: event.type, sessionId: event.sessionId ?? '', dataJson: JSON.stringify(data) } });
  return toLoggedEvent(row);
}

export function toLoggedEvent(row: { seq: number; type: string; sessionId: string; dataJson: string; createdAt: Date }): LoggedEvent {
  return {
    seq: row.seq,
    type: row.type,
    session_id: row.sessionId,
    timestamp: row.createdAt.getTime() / 1000,
    data: JSON.parse(row.dataJson),
  };
}

export async function eventsSince(db: Pick<Db, 'event'>, since: number, limit = 1000): Promise<LoggedEvent[]> {
  const rows = await db.event.findMany({ where: { seq: { gt: since } }, orderBy: { seq: 'asc' }, take: limit });
  return rows.map(toLoggedEvent);
}
