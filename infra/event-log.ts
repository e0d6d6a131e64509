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
  const row = { type: event.type, sessionId: event.sessionId ?? '', dataJson: JSON.stringify(data), dedupeKey: event.dedupeKey ?? null };
  try {
    // Write first: an upsert would read then write, which SQLite (WAL, several processes)
    // refuses at once with SQLITE_BUSY_SNAPSHOT when another process wrote in between.
    return toLoggedEvent(await db.event.create({ data: row }));
  } catch (err) {
    if (event.dedupeKey && (err as { code?: string }).code === 'P2002') {
      const existing = await db.event.findUnique({ where: { dedupeKey: event.dedupeKey } });
      if (existing) return toLoggedEvent(existing);
    }
    throw err;
  }
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
