/** The runtime-settings cache over a real database: TTL, its own writes, other processes' writes. */
import { createRuntimeSettings, RUNTIME_SETTINGS_TTL_MS } from '../../../infra/runtime-settings';
import { saveSettings } from '../../../infra/settings';
import { createTestDb, type TestDb } from '../../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());
beforeEach(() => t.db.setting.deleteMany());

const config = { lookup: () => undefined };

/** A clock the test moves by hand. */
function clock() {
  let ms = 1_000_000;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

test('the TTL is short: about a second or two', () => {
  expect(RUNTIME_SETTINGS_TTL_MS).toBeGreaterThanOrEqual(1000);
  expect(RUNTIME_SETTINGS_TTL_MS).toBeLessThanOrEqual(2000);
});

test('reads within the TTL share one database read; the first read after it goes to the database', async () => {
  const c = clock();
  const settings = createRuntimeSettings(t.db, config, { now: c.now });
  const reads = jest.spyOn(t.db.setting, 'findMany');
  try {
    await saveSettings(t.db, { greeting_owner: 'Ada' });
    const [a, b] = await Promise.all([settings.current(), settings.current()]);
    expect(a.call.greeting_owner).toBe('Ada');
    expect(b.call.greeting_owner).toBe('Ada');
    c.advance(RUNTIME_SETTINGS_TTL_MS - 1);
    expect((await settings.current()).call.greeting_owner).toBe('Ada');
    expect(reads).toHaveBeenCalledTimes(1);

    // Another process writes: not seen until the TTL has run out, then seen.
    await saveSettings(t.db, { greeting_owner: 'Grace' });
    expect((await settings.current()).call.greeting_owner).toBe('Ada');
    c.advance(1);
    expect((await settings.current()).call.greeting_owner).toBe('Grace');
    expect(reads).toHaveBeenCalledTimes(2);
  } finally {
    reads.mockRestore();
  }
});

test("a process's own write drops its cache: it reads what it wrote at once", async () => {
  const c = clock();
  const settings = createRuntimeSettings(t.db, config, { now: c.now });
  await settings.save({ greeting_owner: 'Ada' });
  expect((await settings.current()).call.greeting_owner).toBe('Ada');
  await settings.save({ greeting_owner: 'Grace', llm_system_prompt: 'Be brief.' });
  const now = await settings.current();
  expect(now.call.greeting_owner).toBe('Grace');
  expect(now.llmSystemPrompt).toBe('Be brief.');
  expect(await settings.overrides()).toEqual({ greeting_owner: 'Grace', llm_system_prompt: 'Be brief.' });
});

test("another process's cache is stale for at most the TTL after a write", async () => {
  const c = clock();
  const api = createRuntimeSettings(t.db, config, { now: c.now });
  const worker = createRuntimeSettings(t.db, config, { now: c.now });
  await api.save({ caller_blocklist: '["+15550100001"]' });
  expect((await worker.current()).call.caller_blocklist).toEqual(['+15550100001']);

  await api.save({ caller_blocklist: '[]' });
  expect((await api.current()).call.caller_blocklist).toEqual([]);
  // The worker read just before the write: it may answer the old list, but only until its TTL ends.
  expect((await worker.current()).call.caller_blocklist).toEqual(['+15550100001']);
  c.advance(RUNTIME_SETTINGS_TTL_MS);
  expect((await worker.current()).call.caller_blocklist).toEqual([]);
});

test('each read is its own object, and a failed read is not remembered', async () => {
  const settings = createRuntimeSettings(t.db, config);
  const a = await settings.current();
  a.call.greeting_owner = 'changed by a caller';
  expect((await settings.current()).call.greeting_owner).not.toBe('changed by a caller');

  const c = clock();
  const flaky = createRuntimeSettings(t.db, config, { now: c.now });
  const reads = jest.spyOn(t.db.setting, 'findMany').mockRejectedValueOnce(new Error('database down'));
  try {
    await expect(flaky.current()).rejects.toThrow('database down');
    await saveSettings(t.db, { greeting_owner: 'Ada' });
    expect((await flaky.current()).call.greeting_owner).toBe('Ada');
  } finally {
    reads.mockRestore();
  }
});

test('settings are built once per read of the overrides, not once per caller', async () => {
  const c = clock();
  const lookup = jest.fn((key: string) => (key === 'greeting_owner' ? 'Ada' : undefined));
  const settings = createRuntimeSettings(t.db, { lookup }, { now: c.now });
  const first = await settings.current();
  const builtWith = lookup.mock.calls.length;
  expect(builtWith).toBeGreaterThan(0);
  const second = await settings.current();
  expect(lookup).toHaveBeenCalledTimes(builtWith); // the cached build, copied
  expect(second).toEqual(first);
  expect(second).not.toBe(first);
  second.call.greeting_owner = 'changed by a caller';
  expect((await settings.current()).call.greeting_owner).toBe('Ada');
  c.advance(RUNTIME_SETTINGS_TTL_MS);
  await settings.current();
  expect(lookup.mock.calls.length).toBe(2 * builtWith); // a new read builds again
});

test('shared() is one frozen object per read, for hot paths that only read', async () => {
  const settings = createRuntimeSettings(t.db, config);
  const a = await settings.shared();
  expect(await settings.shared()).toBe(a);
  expect(Object.isFrozen(a) && Object.isFrozen(a.call) && Object.isFrozen(a.speech)).toBe(true);
  expect(() => {
    (a.call as { greeting_owner: string }).greeting_owner = 'x';
  }).toThrow(TypeError);
  expect(Object.isFrozen(await settings.current())).toBe(false); // a copy of its own
});
