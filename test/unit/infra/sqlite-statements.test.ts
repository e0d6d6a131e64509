/** The SQLite statement cache (infra/sqlite-statements.ts), alone and under the real Prisma client. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cacheStatements } from '../../../infra/sqlite-statements';
import { createDb, prepareDb } from '../../../infra/db';
import { applyMigrations } from '../../../prisma/migrate';

function counting(db: Database.Database): { prepared: string[] } {
  const seen = { prepared: [] as string[] };
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    seen.prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  return seen;
}

test('a statement is prepared once and runs with each call’s own arguments', () => {
  const db = new Database(':memory:');
  const seen = counting(db);
  cacheStatements(db);
  db.prepare('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)').run();
  const insert = 'INSERT INTO t (k, v) VALUES (?, ?)';
  for (let i = 0; i < 5; i++) expect(db.prepare(insert).bind([`k${i}`, i]).run().changes).toBe(1);
  const select = 'SELECT k, v FROM t WHERE v >= ? ORDER BY v';
  const first = db.prepare(select).bind([3]);
  expect(first.reader).toBe(true);
  expect(first.columns().map((c) => c.name)).toEqual(['k', 'v']);
  expect(first.raw().all()).toEqual([['k3', 3], ['k4', 4]]);
  // The same statement again, other arguments: nothing of the first call's binding remains.
  expect(db.prepare(select).bind([4]).raw().all()).toEqual([['k4', 4]]);
  expect(seen.prepared.filter((s) => s === insert)).toHaveLength(1);
  expect(seen.prepared.filter((s) => s === select)).toHaveLength(1);
  // A constraint error leaves the statement usable.
  expect(() => db.prepare(insert).bind(['k1', 9]).run()).toThrow(/UNIQUE/);
  expect(db.prepare(insert).bind(['k9', 9]).run().changes).toBe(1);
});

test('the cache is bounded: the least recently used statement is prepared again', () => {
  const db = new Database(':memory:');
  const seen = counting(db);
  cacheStatements(db, 2);
  const q = (n: number) => `SELECT ${n}`;
  for (const n of [1, 2, 1, 3, 1, 2]) db.prepare(q(n)).bind([]).raw().all();
  // 1 stays warm; 2 is evicted by 3 and prepared again.
  expect(seen.prepared.filter((s) => s === q(1))).toHaveLength(1);
  expect(seen.prepared.filter((s) => s === q(2))).toHaveLength(2);
});

test('the Prisma client over the cache: transactions, rollbacks and reads agree with the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-stmt-'));
  const url = `file:${path.join(dir, 'p.db')}`;
  await applyMigrations(url);
  const prepared = jest.spyOn(Database.prototype, 'prepare');
  const db = createDb(url);
  await prepareDb(db, url);
  try {
    await db.setting.findUnique({ where: { key: 'none' } });
    const before = prepared.mock.calls.length;
    for (let i = 0; i < 10; i++) await db.setting.findUnique({ where: { key: `none${i}` } });
    // createDb's connections go through the cache: ten reads, no new statement.
    expect(prepared.mock.calls.length).toBe(before);
    for (let i = 0; i < 3; i++) await db.setting.create({ data: { key: `k${i}`, value: String(i) } });
    await expect(
      db.$transaction(async (tx) => {
        await tx.setting.update({ where: { key: 'k0' }, data: { value: 'changed' } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.$transaction(async (tx) => {
      await tx.setting.update({ where: { key: 'k1' }, data: { value: 'kept' } });
    });
    expect((await db.setting.findMany({ orderBy: { key: 'asc' } })).map((s) => s.value)).toEqual(['0', 'kept', '2']);
    await expect(db.setting.create({ data: { key: 'k2', value: 'dup' } })).rejects.toThrow();
    expect(await db.setting.count()).toBe(3);
  } finally {
    prepared.mockRestore();
    await db.$disconnect();
  }
  // What another connection (no cache) reads from the file.
  const raw = new Database(path.join(dir, 'p.db'), { readonly: true });
  expect(raw.prepare('SELECT value FROM Setting ORDER BY key').pluck().all()).toEqual(['0', 'kept', '2']);
  raw.close();
});
