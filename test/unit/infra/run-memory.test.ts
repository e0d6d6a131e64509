/** setMemoryKeys against a real database (SQLite, and PostgreSQL in npm test's second pass). */
import { setMemoryKeys } from '../../../infra/run-memory';
import { createTestDb, type TestDb } from '../../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

const memoryOf = async (id: string) => {
  const run = await t.db.missionRun.findUniqueOrThrow({ where: { id } });
  return { memory: JSON.parse(run.memoryJson) as Record<string, unknown>, version: run.memoryVersion, updatedAt: run.updatedAt };
};

test('sets top-level keys, replacing their values whole and keeping every other key', async () => {
  const memory = { 'targets.+13125550100': { status: 'pending', insights: { price: 10 } }, notes: 'from the bot', nested: { a: 1 } };
  await t.db.missionRun.create({ data: { id: 'run-1', missionId: 'm', accountId: 'a', memoryJson: JSON.stringify(memory), memoryVersion: 4 } });
  const before = await memoryOf('run-1');

  const version = await setMemoryKeys(t.db, 'run-1', { 'targets.+13125550100': { status: 'completed', insights: null }, scheduled_events: ['e1', 'e2'], result: null });

  expect(version).toBe(5);
  const after = await memoryOf('run-1');
  expect(after.version).toBe(5);
  // A key's value is replaced, not merged (RFC 7396 would have kept `insights.price`, and dropped `result`).
  expect(after.memory).toEqual({ 'targets.+13125550100': { status: 'completed', insights: null }, notes: 'from the bot', nested: { a: 1 }, scheduled_events: ['e1', 'e2'], result: null });
  expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
});

test('writes inside a transaction and commit with it; a rolled-back one leaves the memory as it was', async () => {
  await t.db.missionRun.create({ data: { id: 'run-2', missionId: 'm', accountId: 'a' } });
  await t.db.$transaction((tx) => setMemoryKeys(tx, 'run-2', { a: 1 }));
  await expect(
    t.db.$transaction(async (tx) => {
      await setMemoryKeys(tx, 'run-2', { b: 2 });
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect(await memoryOf('run-2')).toMatchObject({ memory: { a: 1 }, version: 1 });
});

test('an unknown run is no write', async () => {
  expect(await setMemoryKeys(t.db, 'no-such-run', { a: 1 })).toBeNull();
});
