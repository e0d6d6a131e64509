/**
 * A fresh, migrated database per test file: a SQLite file by default, a new PostgreSQL
 * database when PARLEY_TEST_POSTGRES_URL is set (npm test runs the suite on both).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { createDb, Db, prepareDb } from '../../infra/db';
import { applyMigrations } from '../../prisma/migrate';
import { TMP_DIR } from './paths';

export interface TestDb {
  db: Db;
  url: string;
  close(): Promise<void>;
}

export const usingPostgres = () => Boolean(process.env.PARLEY_TEST_POSTGRES_URL);

export async function createTestDb(): Promise<TestDb> {
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  const adminUrl = process.env.PARLEY_TEST_POSTGRES_URL;
  let url: string;
  let drop: () => Promise<void>;
  if (adminUrl) {
    const admin = new PgClient({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = async () => {
      const c = new PgClient({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    fs.mkdirSync(TMP_DIR, { recursive: true });
    const file = path.join(TMP_DIR, `${name}.db`);
    url = `file:${file}`;
    drop = async () => {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    };
  }
  await applyMigrations(url);
  const db = createDb(url);
  await prepareDb(db, url);
  return {
    db,
    url,
    async close() {
      await db.$disconnect();
      await drop();
    },
  };
}
