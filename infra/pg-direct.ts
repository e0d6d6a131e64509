/**
 * The turn's hot path on PostgreSQL without Prisma's query pipeline, as infra/sqlite-direct.ts
 * is on SQLite. Measured on PostgreSQL with the API and worker in their own processes (4 calls
 * at one turn per second): the worker spent 53 ms of CPU a turn, most of it Prisma's JavaScript
 * around some ten small statements (docs/capacity.md).
 *
 * The statements run on the pool the Prisma client itself uses (createDb hands it to the driver
 * adapter), and write what Prisma writes: TIMESTAMP(3) columns hold UTC. Each is one round
 * trip, the commit included: the turn row, the fenced session update and `turn.complete` are
 * one statement, so the event append lock (infra/event-log.ts) is held for one statement, not
 * across an interactive transaction's round trips.
 *
 * `pgDirect(db)` answers null, and the caller uses Prisma, for SQLite, for a transaction client
 * (a statement on the pool would not join its transaction), and once the pool has ended.
 */
import pg from 'pg';
import type { EventRow, TurnRow } from './sqlite-direct';

/** PostgreSQL channel that wakes every API process's event hub when an event commits. */
export const EVENTS_CHANNEL = 'parley_events';
/** Advisory lock key that serialises event appends on PostgreSQL (infra/event-log.ts, appendEventInTx). */
export const EVENT_APPEND_LOCK = 7_225_001;

const pools = new WeakMap<object, pg.Pool>();
const directs = new WeakMap<pg.Pool, PgDirect>();

/** For createDb (infra/db.ts): the pool it gives the driver adapter belongs to this client. */
export function attachPool(client: object, pool: pg.Pool): void {
  pools.set(client, pool);
}

/** The direct statements for this client, or null when Prisma must run the query (see above). */
export function pgDirect(db: object): PgDirect | null {
  const pool = pools.get(db);
  if (!pool || (pool as pg.Pool & { ending?: boolean }).ending) return null;
  let direct = directs.get(pool);
  if (!direct) directs.set(pool, (direct = new PgDirect(pool)));
  return direct;
}

/** A unique or primary-key constraint failed (PostgreSQL 23505, which Prisma reports as P2002). */
export function isPgUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

// A UTC ISO time, read as TIMESTAMP(3) in UTC whatever the session's TimeZone.
const UTC = (n: number) => `$${n}::timestamptz AT TIME ZONE 'UTC'`;

/**
 * One event in its own transaction: it takes the append lock, inserts (a dedupe key already
 * taken inserts nothing, and the statement answers no row) and notifies; the lock is released
 * when it commits. Parameters: type, sessionId, dataJson, dedupeKey, createdAt (UTC ISO).
 * `::text` on the notify because Prisma, which runs this too (appendEventPostgres), cannot
 * deserialize a void column.
 */
export const INSERT_EVENT = `WITH ins AS (
    INSERT INTO "Event" ("type", "sessionId", "dataJson", "dedupeKey", "createdAt", "updatedAt")
    SELECT $1::text, $2::text, $3::text, $4::text, ${UTC(5)}, ${UTC(5)}
    FROM (SELECT pg_advisory_xact_lock(${EVENT_APPEND_LOCK})) AS serialised
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING "seq"
  )
  SELECT "seq", pg_notify('${EVENTS_CHANNEL}', '')::text AS notified FROM ins`;

// The fence first: a session whose generation moved matches no row, so no turn row and no
// event are written, and `committed` is 0. The turn row hangs off the fenced update and the
// event off the turn row; a turn id already stored fails the whole statement (23505), nothing
// written. The append lock is taken after the session's row lock, as Prisma's transaction did.
const COMMIT_TURN = `WITH fenced AS (
    UPDATE "CallSession" SET "turnCount" = $3::int, "lastActiveAt" = ${UTC(14)}, "callerNumber" = $15::text, "updatedAt" = ${UTC(14)}
    WHERE "id" = $2::text AND "generation" = $16::int
    RETURNING "id"
  ), turn AS (
    INSERT INTO "Turn" ("id", "sessionId", "seq", "transcript", "reply", "model", "replySource", "forcedReply", "metricsJson", "requestKey", "responseJson", "audioBlobId", "callerAudioBlobId", "createdAt", "updatedAt")
    SELECT $1::text, "id", $3::int, $4::text, $5::text, $6::text, $7::text, $8::boolean, $9::text, $10::text, $11::text, $12::text, $13::text, ${UTC(14)}, ${UTC(14)}
    FROM fenced
    RETURNING "id"
  ), ev AS (
    INSERT INTO "Event" ("type", "sessionId", "dataJson", "dedupeKey", "createdAt", "updatedAt")
    SELECT $17::text, $18::text, $19::text, $20::text, ${UTC(14)}, ${UTC(14)}
    FROM turn, (SELECT pg_advisory_xact_lock(${EVENT_APPEND_LOCK})) AS serialised
    ON CONFLICT ("dedupeKey") DO NOTHING
    RETURNING "seq"
  )
  SELECT (SELECT count(*) FROM turn)::int AS committed, (SELECT pg_notify('${EVENTS_CHANNEL}', '')::text FROM ev) AS notified`;

export class PgDirect {
  constructor(private readonly pool: pg.Pool) {}

  async insertBlob(id: string, bytes: Buffer, mimeType: string): Promise<void> {
    const now = new Date().toISOString();
    await this.pool.query(`INSERT INTO "AudioBlob" ("id", "mimeType", "bytes", "size", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, ${UTC(5)}, ${UTC(5)})`, [id, mimeType, bytes, bytes.length, now]);
  }

  async readBlob(id: string): Promise<Buffer | null> {
    const { rows } = await this.pool.query<{ bytes: Buffer }>('SELECT "bytes" FROM "AudioBlob" WHERE "id" = $1', [id]);
    return rows[0]?.bytes ?? null;
  }

  /** Appends an event: its seq, or null when its dedupe key was taken (nothing inserted). */
  async insertEvent(event: EventRow, createdAt: Date): Promise<number | null> {
    const { rows } = await this.pool.query<{ seq: string | number }>(INSERT_EVENT, [event.type, event.sessionId, event.dataJson, event.dedupeKey, createdAt.toISOString()]);
    return rows.length > 0 ? Number(rows[0].seq) : null;
  }

  /** The session's fence (its generation), or null when there is no such session. */
  async sessionGeneration(sessionId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ generation: number }>('SELECT "generation" FROM "CallSession" WHERE "id" = $1', [sessionId]);
    return rows.length > 0 ? Number(rows[0].generation) : null;
  }

  /** The stored answer of a committed turn (a retried commit answers it again). */
  async turnResponse(turnId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ responseJson: string | null }>('SELECT "responseJson" FROM "Turn" WHERE "id" = $1', [turnId]);
    return rows.length > 0 ? (rows[0].responseJson ?? '{}') : null;
  }

  /**
   * The turn's commit in one statement (COMMIT_TURN). 'stale', with nothing written, when the
   * fence moved; a turn id already stored throws (isPgUniqueViolation), nothing written.
   */
  async commitTurn(turn: TurnRow, session: { callerNumber: string; fence: number }, event: EventRow): Promise<'committed' | 'stale'> {
    const { rows } = await this.pool.query<{ committed: number }>(COMMIT_TURN, [
      turn.id,
      turn.sessionId,
      turn.seq,
      turn.transcript,
      turn.reply,
      turn.model,
      turn.replySource,
      turn.forcedReply,
      turn.metricsJson,
      turn.requestKey,
      turn.responseJson,
      turn.audioBlobId,
      turn.callerAudioBlobId,
      new Date().toISOString(),
      session.callerNumber,
      session.fence,
      event.type,
      event.sessionId,
      event.dataJson,
      event.dedupeKey,
    ]);
    return rows[0].committed > 0 ? 'committed' : 'stale';
  }
}
