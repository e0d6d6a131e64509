/**
 * A prepared-statement cache for the SQLite driver adapter. `@prisma/adapter-better-sqlite3`
 * prepares every query afresh (`db.prepare(sql).bind(args)`), so SQLite parses and plans the
 * same few dozen statements on every call: in the mission benchmark's worker that was the
 * largest single cost under Prisma (docs/capacity.md). Prisma's SQL is parameterised, so the
 * set of distinct statements is small; each is prepared once and run with its arguments.
 *
 * better-sqlite3 binds parameters to a statement permanently (`bind`), so a cached statement
 * is never bound: `prepare` answers a view whose `bind(args)` passes the arguments to each
 * run instead. The view offers exactly what the adapter uses (`reader`, `run`, `columns`,
 * `raw().all()`); everything runs synchronously, so no two queries share a statement at once.
 */
import type BetterSqlite3 from 'better-sqlite3';

/** Distinct statements kept (least recently used first out); Prisma's `IN (?,?,…)` lists vary in length. */
export const STATEMENT_CACHE_SIZE = 500;

type Args = unknown[];

interface BoundView {
  readonly reader: boolean;
  run(): BetterSqlite3.RunResult;
  columns(): BetterSqlite3.ColumnDefinition[];
  raw(): { all(): unknown[][] };
}

export interface StatementView {
  readonly reader: boolean;
  bind(args: Args): BoundView;
  run(...args: Args): BetterSqlite3.RunResult;
}

function view(stmt: BetterSqlite3.Statement<Args>): StatementView {
  const bound = (args: Args): BoundView => ({
    reader: stmt.reader,
    run: () => stmt.run(...args),
    columns: () => stmt.columns(),
    raw: () => ({ all: () => stmt.raw(true).all(...args) as unknown[][] }),
  });
  return { reader: stmt.reader, bind: bound, run: (...args) => stmt.run(...args) };
}

/** The adapter factory's shape that `withStatementCache` needs: its connections hold the better-sqlite3 database as `client`. */
interface SqliteAdapterFactory {
  connect(): Promise<unknown>;
}

/**
 * The factory's connections with cached statements. Only the application's connections get it
 * (infra/db.ts createDb); the schema engine (migrations) keeps the adapter as it is. `onConnect`
 * is handed each connection (infra/sqlite-direct.ts runs the turn's hot path on it).
 */
export function withStatementCache<F extends SqliteAdapterFactory>(factory: F, onConnect?: (client: BetterSqlite3.Database) => void): F {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const connection = (await connect()) as { client: BetterSqlite3.Database };
    cacheStatements(connection.client);
    onConnect?.(connection.client);
    return connection;
  };
  return factory;
}

/** Makes `db.prepare` answer cached statements (the adapter's only way in). */
export function cacheStatements(db: BetterSqlite3.Database, size = STATEMENT_CACHE_SIZE): void {
  const prepare = db.prepare.bind(db) as (sql: string) => BetterSqlite3.Statement<Args>;
  const cache = new Map<string, BetterSqlite3.Statement<Args>>();
  const cached = (sql: string): StatementView => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql);
    } else {
      stmt = prepare(sql);
      if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, stmt);
    return view(stmt);
  };
  (db as unknown as { prepare: typeof cached }).prepare = cached;
}
