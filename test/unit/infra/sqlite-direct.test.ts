/**
 * The turn's hot path without Prisma (infra/sqlite-direct.ts): what it writes, Prisma reads back
 * as its own; it steps aside inside a Prisma transaction; PostgreSQL never takes it.
 */
import { getBlob, putBlob } from '../../../infra/blobs';
import { appendEvent } from '../../../infra/event-log';
import { sqliteDirect } from '../../../infra/sqlite-direct';
import { createTestDb, usingPostgres, type TestDb } from '../../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

const sqliteOnly = usingPostgres() ? test.skip : test;

test('PostgreSQL clients and transaction clients never take the direct path', async () => {
  if (usingPostgres()) expect(sqliteDirect(t.db)).toBeNull();
  await t.db.$transaction(async (tx) => {
    expect(sqliteDirect(tx)).toBeNull();
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

sqliteOnly('blobs and events written directly read back through Prisma with their types', async () => {
  await t.db.callSession.count();
  expect(sqliteDirect(t.db)).not.toBeNull();
  const bytes = Buffer.from('RIFF....WAVEfmt direct');
  const id = await putBlob(t.db, bytes);
  const row = await t.db.audioBlob.findUnique({ where: { id } });
  expect(row).toMatchObject({ id, mimeType: 'audio/wav', size: bytes.length });
  expect(Buffer.from(row!.bytes)).toEqual(bytes);
  expect(row!.createdAt).toBeInstanceOf(Date);
  expect(Math.abs(row!.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  expect(await getBlob(t.db, id)).toEqual(bytes);
  expect(await getBlob(t.db, 'no-such-blob')).toBeNull();

  const before = Date.now();
  const logged = await appendEvent(t.db, { type: 'turn.started', sessionId: 'direct-s1', data: { turn_id: 't1' }, dedupeKey: 't1:turn.started' });
  const stored = await t.db.event.findUnique({ where: { seq: logged.seq } });
  expect(stored).toMatchObject({ type: 'turn.started', sessionId: 'direct-s1', dedupeKey: 't1:turn.started' });
  expect(JSON.parse(stored!.dataJson)).toEqual({ session_id: 'direct-s1', turn_id: 't1' });
  expect(stored!.createdAt.getTime()).toBe(logged.timestamp * 1000);
  expect(logged.timestamp * 1000).toBeGreaterThanOrEqual(before);
  // Seqs keep growing across both writers.
  const viaPrisma = await t.db.event.create({ data: { type: 'x', sessionId: 'direct-s1', dataJson: '{}' } });
  const next = await appendEvent(t.db, { type: 'turn.reply', sessionId: 'direct-s1', data: {} });
  expect(viaPrisma.seq).toBeGreaterThan(logged.seq);
  expect(next.seq).toBeGreaterThan(viaPrisma.seq);
});

test('an event appended twice under one dedupe key is stored once and answered as the first', async () => {
  const first = await appendEvent(t.db, { type: 'turn.transcript', sessionId: 'direct-s2', data: { transcript: 'a' }, dedupeKey: 't2:turn.transcript' });
  const again = await appendEvent(t.db, { type: 'turn.transcript', sessionId: 'direct-s2', data: { transcript: 'b' }, dedupeKey: 't2:turn.transcript' });
  expect(again).toEqual(first);
  expect(await t.db.event.count({ where: { dedupeKey: 't2:turn.transcript' } })).toBe(1);
});
