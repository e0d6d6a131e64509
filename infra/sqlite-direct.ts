/**
 * The turn's hot path on SQLite without Prisma's query pipeline. A plain turn makes about a
 * dozen small reads and writes (the caller's and the reply's audio, four events, the fence, the
 * commit); through Prisma each cost about 0.35 ms of JavaScript around 0.1 ms of SQLite
 * (measured: 3.7 of a turn's 7.7 ms CPU in a loop of answerTurn, docs/capacity.md). Here they
 * are prepared statements on the Prisma client's own better-sqlite3 connection, written in
 * Prisma's formats (DateTime as ISO 8601 with "+00:00", Boolean as 0/1), so Prisma reads the
 * rows back as if it had written them.
 *
 * Everything here is synchronous: a statement, or a short transaction, runs between two awaits
 * and holds SQLite's write lock for microseconds, where Prisma's interactive transaction held it
 * across event-loop turns while the other process's writers waited on it.
 *
 * `sqliteDirect(db)` answers null, and the caller uses Prisma, for PostgreSQL, for a
 * transaction client, and while the connection is inside a Prisma interactive transaction
 * (a statement run now would join that transaction).
 */
import BetterSqlite3 from 'better-sqlite3';

type Row = Record<string, unknown>;

interface Slot {
  handle?: BetterSqlite3.Database;
  direct?: SqliteDirect;
}

/** The connection behind each SQLite client, filled in when Prisma connects. */
const slots = new WeakMap<object, Slot>();

/**
 * For createDb (infra/db.ts): `connected` goes to the adapter factory (withStatementCache) and
 * receives the connection Prisma opens; `attachTo` names the client it belongs to.
 */
export function connectionSlot(): { connected(handle: BetterSqlite3.Database): void; attachTo(client: object): void } {
  const slot: Slot = {};
  return {
    connected(handle) {
      slot.handle = handle;
      slot.direct = undefined;
    },
    attachTo(client) {
      slots.set(client, slot);
    },
  };
}

/** The direct statements for this client, or null when Prisma must run the query (see above). */
export function sqliteDirect(db: object): SqliteDirect | null {
  const slot = slots.get(db);
  if (!slot?.handle || !slot.handle.open || slot.handle.inTransaction) return null;
  slot.direct ??= new SqliteDirect(slot.handle);
  return slot.direct;
}

/** Prisma's SQLite DateTime format (adapter-better-sqlite3, timestampFormat "iso8601"). */
export function sqliteTime(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** A unique or primary-key constraint failed (the SQLite error Prisma reports as P2002). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export interface TurnRow {
  id: string;
  sessionId: string;
  seq: number;
  transcript: string;
  reply: string;
  model: string;
  replySource: string;
  forcedReply: boolean;
  metricsJson: string;
  requestKey: string | null;
  responseJson: string;
  audioBlobId: string;
  callerAudioBlobId: string | null;
}

export interface EventRow {
  type: string;
  sessionId: string;
  dataJson: string;
  dedupeKey: string | null;
}

export class SqliteDirect {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly handle: BetterSqlite3.Database;
  private readonly commitTransaction: BetterSqlite3.Transaction<(turn: TurnRow, session: { callerNumber: string; fence: number }, event: EventRow) => void>;

  constructor(handle: BetterSqlite3.Database) {
    this.handle = handle;
    this.commitTransaction = handle.transaction((turn: TurnRow, session: { callerNumber: string; fence: number }, event: EventRow) => this.writeCommit(turn, session, event));
  }

  /**
   * Prepared once. The prototype's `prepare`: the connection's own is the adapter's statement
   * cache (infra/sqlite-statements.ts), whose statements offer only what the adapter uses.
   */
  private statement(sql: string): BetterSqlite3.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = BetterSqlite3.prototype.prepare.call(this.handle, sql) as BetterSqlite3.Statement;
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  insertBlob(id: string, bytes: Buffer, mimeType: string): void {
    const now = sqliteTime(new Date());
    this.statement('INSERT INTO "AudioBlob" ("id", "mimeType", "bytes", "size", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)').run(id, mimeType, bytes, bytes.length, now, now);
  }

  readBlob(id: string): Buffer | null {
    const row = this.statement('SELECT "bytes" FROM "AudioBlob" WHERE "id" = ?').get(id) as { bytes: Buffer } | undefined;
    return row ? row.bytes : null;
  }

  /** Appends an event; its seq and time. A taken dedupe key throws (isUniqueViolation). */
  insertEvent(event: EventRow): { seq: number; createdAt: Date } {
    const createdAt = new Date();
    const now = sqliteTime(createdAt);
    const result = this.statement('INSERT INTO "Event" ("type", "sessionId", "dataJson", "dedupeKey", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)').run(
      event.type,
      event.sessionId,
      event.dataJson,
      event.dedupeKey,
      now,
      now,
    );
    return { seq: Number(result.lastInsertRowid), createdAt };
  }

  /** The event first written under this dedupe key. */
  eventByDedupeKey(dedupeKey: string): { seq: number; type: string; sessionId: string; dataJson: string; createdAt: Date } | null {
    const row = this.statement('SELECT "seq", "type", "sessionId", "dataJson", "createdAt" FROM "Event" WHERE "dedupeKey" = ?').get(dedupeKey) as Row | undefined;
    if (!row) return null;
    return { seq: Number(row.seq), type: String(row.type), sessionId: String(row.sessionId), dataJson: String(row.dataJson), createdAt: new Date(String(row.createdAt)) };
  }

  /** The session's fence (its generation), or null when there is no such session. */
  sessionGeneration(sessionId: string): number | null {
    const row = this.statement('SELECT "generation" FROM "CallSession" WHERE "id" = ?').get(sessionId) as { generation: number } | undefined;
    return row ? Number(row.generation) : null;
  }

  /** The stored answer of a committed turn (a retried commit answers it again). */
  turnResponse(turnId: string): string | null {
    const row = this.statement('SELECT "responseJson" FROM "Turn" WHERE "id" = ?').get(turnId) as { responseJson: string | null } | undefined;
    return row ? (row.responseJson ?? '{}') : null;
  }

  /**
   * The turn's commit in one transaction: the turn row first (it takes the write lock), then the
   * session's projection behind its fence, then the event. 'stale', with nothing written, when
   * the fence moved; a turn id already stored throws (isUniqueViolation), nothing written.
   */
  commitTurn(turn: TurnRow, session: { callerNumber: string; fence: number }, event: EventRow): 'committed' | 'stale' {
    try {
      this.commitTransaction.immediate(turn, session, event);
      return 'committed';
    } catch (err) {
      if (err instanceof FenceMoved) return 'stale';
      throw err;
    }
  }

  private writeCommit(turn: TurnRow, session: { callerNumber: string; fence: number }, event: EventRow): void {
    const now = sqliteTime(new Date());
    this.statement(
      'INSERT INTO "Turn" ("id", "sessionId", "seq", "transcript", "reply", "model", "replySource", "forcedReply", "metricsJson", "requestKey", "responseJson", "audioBlobId", "callerAudioBlobId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(turn.id, turn.sessionId, turn.seq, turn.transcript, turn.reply, turn.model, turn.replySource, turn.forcedReply ? 1 : 0, turn.metricsJson, turn.requestKey, turn.responseJson, turn.audioBlobId, turn.callerAudioBlobId, now, now);
    const fenced = this.statement('UPDATE "CallSession" SET "turnCount" = ?, "lastActiveAt" = ?, "callerNumber" = ?, "updatedAt" = ? WHERE "id" = ? AND "generation" = ?').run(
      turn.seq,
      now,
      session.callerNumber,
      now,
      turn.sessionId,
      session.fence,
    );
    // A throw rolls the transaction back (better-sqlite3).
    if (fenced.changes === 0) throw new FenceMoved();
    this.insertEvent(event);
  }
}

/** The session's fence moved during the turn: rolls the commit back. */
class FenceMoved extends Error {}
