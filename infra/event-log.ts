/**
 * The durable event log (contract §3 "Events"): every event is written with its global `seq`
 * before anyone delivers it, so a reconnecting agent can replay what it missed.
 */
import { type Db, isPostgresClient } from './db';
import { type EventRow, isUniqueViolation, sqliteDirect } from './sqlite-direct';
import { EVENT_APPEND_LOCK, EVENTS_CHANNEL, INSERT_EVENT, pgDirect } from './pg-direct';

export { EVENTS_CHANNEL };

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

type Tx = Pick<Db, 'event' | '$queryRawUnsafe'>;


/** The event's row: its data carries the session id, as every event's does. */
export function eventRow(event: NewEvent): EventRow {
  const data = { session_id: event.sessionId ?? '', ...(event.data ?? {}) };
  return { type: event.type, sessionId: event.sessionId ?? '', dataJson: JSON.stringify(data), dedupeKey: event.dedupeKey ?? null };
}

/**
 * Appends one event in its own transaction (three of a turn's four events): on PostgreSQL one
 * statement, on SQLite one statement without Prisma (infra/sqlite-direct.ts).
 */
export async function appendEvent(db: Db, event: NewEvent): Promise<LoggedEvent> {
  if (isPostgresClient(db)) return appendEventPostgres(db, event);
  const direct = sqliteDirect(db);
  if (!direct) return appendEventInTx(db, event);
  const row = eventRow(event);
  try {
    return toLoggedEvent({ ...row, ...direct.insertEvent(row) });
  } catch (err) {
    const existing = event.dedupeKey && isUniqueViolation(err) ? direct.eventByDedupeKey(event.dedupeKey) : null;
    if (existing) return toLoggedEvent(existing);
    throw err;
  }
}

/**
 * On PostgreSQL, one statement in its own transaction (INSERT_EVENT, infra/pg-direct.ts): it
 * takes the append lock, inserts (a dedupe key already taken inserts nothing) and notifies, and
 * the lock is released when it commits (see appendEventInTx for why the lock). An interactive
 * transaction took five round trips with the lock held: every process's appends waited on them
 * (docs/capacity.md). On the client's own pool without Prisma when it can (pgDirect).
 */
async function appendEventPostgres(db: Db, event: NewEvent): Promise<LoggedEvent> {
  const row = eventRow(event);
  const createdAt = new Date();
  const direct = pgDirect(db);
  const seq = direct
    ? await direct.insertEvent(row, createdAt)
    : ((await db.$queryRawUnsafe<Array<{ seq: number }>>(INSERT_EVENT, row.type, row.sessionId, row.dataJson, row.dedupeKey, createdAt.toISOString()))[0]?.seq ?? null);
  if (seq !== null) return toLoggedEvent({ ...row, seq: Number(seq), createdAt });
  const existing = event.dedupeKey ? await db.event.findUnique({ where: { dedupeKey: event.dedupeKey } }) : null;
  if (!existing) throw new Error(`event ${event.type}: nothing inserted and no event under its dedupe key`);
  return toLoggedEvent(existing);
}

/**
 * Appends one event inside the caller's transaction: it becomes visible when that commits.
 *
 * Subscribers read "every seq above the last one I saw", so seqs must become visible in
 * order. SQLite has a single writer, so they do. On PostgreSQL a sequence value taken by one
 * transaction can commit after a higher one taken by another; an advisory lock held until
 * commit makes appends take their seq and commit one at a time, and NOTIFY (delivered at
 * commit) wakes the API processes' hubs at once instead of at their next poll.
 */
export async function appendEventInTx(db: Tx, event: NewEvent): Promise<LoggedEvent> {
  const row = eventRow(event);
  if (isPostgresClient(db)) {
    // ::text: Prisma cannot deserialize a `void` column and fails the query otherwise.
    await db.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${EVENT_APPEND_LOCK})::text`);
    // Under the lock nobody else appends, so look-then-write cannot race (a failed insert
    // would abort the caller's transaction on PostgreSQL).
    if (event.dedupeKey) {
      const existing = await db.event.findUnique({ where: { dedupeKey: event.dedupeKey } });
      if (existing) return toLoggedEvent(existing);
    }
    const created = await db.event.create({ data: row });
    await db.$queryRawUnsafe(`SELECT pg_notify('${EVENTS_CHANNEL}', '')::text`);
    return toLoggedEvent(created);
  }
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

export interface TurnRequestRow {
  id: number;
  requestId: string;
  sessionId: string;
  agentId: string;
  transcript: string;
  timeoutMs: number;
  createdAt: Date;
}

/** Stores a turn.request for the API process holding the agent (idempotent per request id). */
export async function createTurnRequest(db: Db, input: { requestId: string; sessionId: string; agentId: string; transcript: string; timeoutMs: number }): Promise<void> {
  const data = { requestId: input.requestId, sessionId: input.sessionId, agentId: input.agentId, transcript: input.transcript, timeoutMs: input.timeoutMs };
  if (isPostgresClient(db)) {
    await db.$transaction(async (tx) => {
      if (await tx.agentTurnRequest.findUnique({ where: { requestId: input.requestId } })) return;
      await tx.agentTurnRequest.create({ data });
      await tx.$queryRawUnsafe(`SELECT pg_notify('${EVENTS_CHANNEL}', '')::text`);
    });
    return;
  }
  try {
    await db.agentTurnRequest.create({ data });
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
  }
}

export async function turnRequestsSince(db: Pick<Db, 'agentTurnRequest'>, afterId: number): Promise<TurnRequestRow[]> {
  return db.agentTurnRequest.findMany({ where: { id: { gt: afterId } }, orderBy: { id: 'asc' }, take: 500 });
}

export async function latestSeq(db: Pick<Db, 'event'>): Promise<number> {
  const row = await db.event.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  return row?.seq ?? 0;
}

export async function eventsSince(db: Pick<Db, 'event'>, since: number, limit = 1000): Promise<LoggedEvent[]> {
  const rows = await db.event.findMany({ where: { seq: { gt: since } }, orderBy: { seq: 'asc' }, take: limit });
  return rows.map(toLoggedEvent);
}
