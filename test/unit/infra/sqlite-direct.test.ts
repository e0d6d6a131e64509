/**
 * The turn's hot path without Prisma's model queries, on SQLite (infra/sqlite-direct.ts) and
 * PostgreSQL (infra/pg-direct.ts): what it writes, Prisma reads back as its own; transaction
 * clients, and on SQLite the client inside a Prisma transaction, take Prisma's path.
 */
import { getBlob, putBlob } from '../../../infra/blobs';
import { appendEvent } from '../../../infra/event-log';
import { sqliteDirect } from '../../../infra/sqlite-direct';
import { pgDirect } from '../../../infra/pg-direct';
import { createTestDb, usingPostgres, type TestDb } from '../../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

const sqliteOnly = usingPostgres() ? test.skip : test;

test("each database's client takes its own direct path; transaction clients never do", async () => {
  await t.db.callSession.count(); // Prisma connects lazily
  expect(sqliteDirect(t.db) === null).toBe(usingPostgres());
  expect(pgDirect(t.db) === null).toBe(!usingPostgres());
  await t.db.$transaction(async (tx) => {
    expect(sqliteDirect(tx)).toBeNull();
    expect(pgDirect(tx)).toBeNull();
  });
});

sqliteOnly('inside a Prisma interactive transaction the client itself steps aside (a statement would join it)', async () => {
  await t.db.callSession.count(); // Prisma connects lazily
  expect(sqliteDirect(t.db)).not.toBeNull();
  await t.db.$transaction(async (tx) => {
    await tx.callSession.count();
    expect(sqliteDirect(t.db)).toBeNull();
  });
  expect(sqliteDirect(t.db)).not.toBeNull();
});

test('blobs written directly read back through Prisma with their types (both databases)', async () => {
  await t.db.callSession.count();
  expect(sqliteDirect(t.db) ?? pgDirect(t.db)).not.toBeNull();
  const bytes = Buffer.from('RIFF....WAVEfmt direct');
  const id = await putBlob(t.db, bytes);
  const row = await t.db.audioBlob.findUnique({ where: { id } });
  expect(row).toMatchObject({ id, mimeType: 'audio/wav', size: bytes.length });
  expect(Buffer.from(row!.bytes)).toEqual(bytes);
  expect(row!.createdAt).toBeInstanceOf(Date);
  expect(Math.abs(row!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  expect(await getBlob(t.db, id)).toEqual(bytes);
  expect(await getBlob(t.db, 'no-such-blob')).toBeNull();
});

test('an event appended twice under one dedupe key is stored once and answered as the first', async () => {
  const first = await appendEvent(t.db, { type: 'turn.transcript', sessionId: 'direct-s2', data: { transcript: 'a' }, dedupeKey: 't2:turn.transcript' });
  const again = await appendEvent(t.db, { type: 'turn.transcript', sessionId: 'direct-s2', data: { transcript: 'b' }, dedupeKey: 't2:turn.transcript' });
  expect(again).toEqual(first);
  expect(await t.db.event.count({ where: { dedupeKey: 't2:turn.transcript' } })).toBe(1);
});

test('an appended event reads back through Prisma with its time, and seqs grow across writers (both databases)', async () => {
  const before = Date.now();
  const logged = await appendEvent(t.db, { type: 'turn.started', sessionId: 'direct-s3', data: { turn_id: 't3' }, dedupeKey: 't3:turn.started' });
  const stored = await t.db.event.findUnique({ where: { seq: logged.seq } });
  expect(stored).toMatchObject({ type: 'turn.started', sessionId: 'direct-s3', dedupeKey: 't3:turn.started' });
  expect(JSON.parse(stored!.dataJson)).toEqual({ session_id: 'direct-s3', turn_id: 't3' });
  expect(stored!.createdAt.getTime()).toBe(logged.timestamp * 1000);
  expect(logged.timestamp * 1000).toBeGreaterThanOrEqual(before);
  expect(logged.timestamp * 1000).toBeLessThanOrEqual(Date.now());
  const viaPrisma = await t.db.event.create({ data: { type: 'x', sessionId: 'direct-s3', dataJson: '{}' } });
  const next = await appendEvent(t.db, { type: 'turn.reply', sessionId: 'direct-s3', data: {} });
  expect(viaPrisma.seq).toBeGreaterThan(logged.seq);
  expect(next.seq).toBeGreaterThan(viaPrisma.seq);
});

test('concurrent appends get distinct seqs and each dedupe key is stored once (both databases)', async () => {
  const appends = Array.from({ length: 40 }, (_, i) => appendEvent(t.db, { type: 'turn.transcript', sessionId: 'direct-s4', data: { i }, dedupeKey: `t4-${i % 20}:turn.transcript` }));
  const logged = await Promise.all(appends);
  expect(new Set(logged.map((e) => e.seq)).size).toBe(20);
  expect(await t.db.event.count({ where: { sessionId: 'direct-s4' } })).toBe(20);
  for (let i = 0; i < 20; i++) expect(logged[i].seq).toBe(logged[i + 20].seq);
});
