/** Audio blobs: bytes in the database, ids everywhere else (never in workflow history). */
import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import { pgDirect } from './pg-direct';
import { sqliteDirect } from './sqlite-direct';

// Every turn stores the caller's audio and its reply's, and reads both back: without Prisma on
// SQLite (infra/sqlite-direct.ts) and PostgreSQL (infra/pg-direct.ts).

export async function putBlob(db: Pick<Db, 'audioBlob'>, bytes: Buffer, mimeType = 'audio/wav'): Promise<string> {
  const id = randomUUID();
  const direct = sqliteDirect(db);
  const pg = direct ? null : pgDirect(db);
  if (direct) direct.insertBlob(id, bytes, mimeType);
  else if (pg) await pg.insertBlob(id, bytes, mimeType);
  else await db.audioBlob.create({ data: { id, bytes: new Uint8Array(bytes), size: bytes.length, mimeType } });
  return id;
}

export async function getBlob(db: Pick<Db, 'audioBlob'>, id: string): Promise<Buffer | null> {
  const direct = sqliteDirect(db);
  if (direct) return direct.readBlob(id);
  const pg = pgDirect(db);
  if (pg) return pg.readBlob(id);
  const row = await db.audioBlob.findUnique({ where: { id } });
  return row ? Buffer.from(row.bytes) : null;
}
