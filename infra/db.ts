/**
 * The Prisma client factory: the SQLite client over better-sqlite3 for the embedded default,
 * the PostgreSQL client over node-postgres when DATABASE_URL is a postgres:// URL.
 */
import { PrismaClient as SqliteClient } from '../generated/prisma/sqlite/client';
import { PrismaClient as PostgresClient } from '../generated/prisma/postgresql/client';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { adapterFactoryFor } from '../prisma/engine';
import { isPostgresUrl } from './config';
import { withStatementCache } from './sqlite-statements';
import { connectionSlot } from './sqlite-direct';
import { attachPool } from './pg-direct';

/** Both generated clients come from one model file, so they share this shape. */
export type Db = SqliteClient;

/** The one answer to "which database is this": by the URL's scheme. */
export function databaseKind(databaseUrl: string): 'postgresql' | 'sqlite' {
  return isPostgresUrl(databaseUrl) ? 'postgresql' : 'sqlite';
}

/** The same answer for a client (or a transaction client) already made: by its provider. */
export function isPostgresClient(db: unknown): boolean {
  return (db as { _activeProvider?: string })._activeProvider === 'postgresql';
}

export function createDb(databaseUrl: string): Db {
  if (isPostgresUrl(databaseUrl)) {
    // The turn's hot path runs on this client's pool without Prisma (infra/pg-direct.ts); the
    // client ends the pool when it disconnects.
    const pool = new pg.Pool({ connectionString: databaseUrl });
    const client = new PostgresClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    attachPool(client, pool);
    return client as unknown as Db;
  }
  const adapter = adapterFactoryFor(databaseUrl);
  // The turn's hot path runs on this client's connection without Prisma (infra/sqlite-direct.ts).
  const connection = connectionSlot();
  const client = new SqliteClient({ adapter: withStatementCache(adapter, connection.connected) });
  connection.attachTo(client);
  return client;
}

/**
 * SQLite is shared by the API and worker processes: WAL lets readers and one writer overlap.
 * synchronous=NORMAL is SQLite's recommended pairing with WAL: commits no longer fsync (a turn
 * makes several), the database never corrupts, and only an OS crash or power loss can drop the
 * last transactions. PostgreSQL deployments keep their own durability settings.
 */
export async function prepareDb(db: Db, databaseUrl: string): Promise<void> {
  if (isPostgresUrl(databaseUrl)) return;
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
}
