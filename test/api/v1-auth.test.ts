/**
 * The /v1 plane's envelope (missions-api §1–§2, §5e–f): API keys (M01, M02), JSON objects and
 * errors everywhere (M03–M05), rate limits (M37) and idempotency keys (M38).
 */
import { createHash } from 'node:crypto';
import { main } from '../../cli/parley';
import { createApiKey } from '../../infra/api-keys';
import { startV1, type V1 } from '../support/v1';

jest.setTimeout(60_000);

let v1: V1;
beforeAll(async () => {
  v1 = await startV1({ PARLEY_API_KEYS: `plain-config-key,sha256:${createHash('sha256').update('hashed-config-key').digest('hex')}` });
});
afterAll(async () => v1?.close());

const inject = (headers: Record<string, string>, url = '/v1/missions') => v1.stack.app.inject({ method: 'GET', url, headers });

test('M01: missing, non-Bearer, unknown and revoked keys get 401 JSON with WWW-Authenticate', async () => {
  const { key: revoked } = await createApiKey(v1.stack.testDb.db, { name: 'old' });
  await v1.stack.testDb.db.apiKey.updateMany({ where: { name: 'old' }, data: { revokedAt: new Date() } });
  for (const headers of [{} as Record<string, string>, { authorization: `Basic ${v1.key}` }, { authorization: 'Bearer prl_live_00000000000000000000000000000000' }, { authorization: `Bearer ${revoked}` }]) {
    const res = await inject(headers);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ error: { code: 'unauthorized', message: 'Missing or invalid API key' }, message: 'Missing or invalid API key' });
  }
  expect((await inject({ authorization: `Bearer ${v1.key}` })).statusCode).toBe(200);
  // Keys from configuration: plaintext (hashed at boot) and sha256: entries.
  expect((await inject({ authorization: 'Bearer plain-config-key' })).statusCode).toBe(200);
  expect((await inject({ authorization: 'Bearer hashed-config-key' })).statusCode).toBe(200);
});

test("M01: another account's ids are 404", async () => {
  const mission = await v1.call('POST', '/v1/missions', { name: 'Mine', instructions: 'x' });
  const { key: other } = await createApiKey(v1.stack.testDb.db, { name: 'other', accountId: 'other-account' });
  const res = await v1.stack.app.inject({ method: 'GET', url: `/v1/missions/${(mission.body.data as { id: string }).id}`, headers: { authorization: `Bearer ${other}` } });
  expect(res.statusCode).toBe(404);
  expect(res.json().error.code).toBe('not_found');
});

test('M02: `parley keys create` prints the key alone on its last line; the database keeps hash and prefix only', async () => {
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l), env: { ...process.env, DATABASE_URL: v1.stack.testDb.url, PARLEY_LOG_LEVEL: 'silent' }, onInterrupt: () => () => undefined };
  expect(await main(['keys', 'create', '--name', 'cli-key'], io)).toBe(0);
  const key = out.at(-1)!;
  expect(key).toMatch(/^prl_live_[0-9A-Za-z]{32}$/);
  const row = await v1.stack.testDb.db.apiKey.findFirst({ where: { name: 'cli-key' } });
  expect(row).toMatchObject({ prefix: key.slice(9, 17), hash: createHash('sha256').update(key).digest('hex') });
  expect(JSON.stringify(row)).not.toContain(key);
  expect((await inject({ authorization: `Bearer ${key}` })).statusCode).toBe(200);
  out.length = 0;
  expect(await main(['keys', 'revoke', key.slice(9, 17)], io)).toBe(0);
  expect((await inject({ authorization: `Bearer ${key}` })).statusCode).toBe(401);
});

test('M03: unknown routes are JSON objects; DELETE answers 204', async () => {
  const res = await v1.call('GET', '/v1/nothing-here');
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ error: { code: 'not_found' } });
  const m = await v1.call('POST', '/v1/missions', { name: 'Del', instructions: 'x' });
  const run = await v1.call('POST', `/v1/missions/${(m.body.data as { id: string }).id}/runs`, { input: {} });
  const a = await v1.call('POST', '/v1/assistants', { name: 'A', instructions: 'x', greeting: '' });
  const base = `/v1/missions/${(m.body.data as { id: string }).id}/runs/${(run.body.data as { id: string }).id}/agents`;
  await v1.call('POST', base, { telnyx_agent_id: a.body.id });
  const del = await v1.call('DELETE', `${base}/${a.body.id}`);
  expect(del.status).toBe(204);
});

test('M04: an empty JSON body is {} on GET, DELETE and POST; malformed JSON is 400 invalid_json', async () => {
  const get = await v1.stack.app.inject({ method: 'GET', url: '/v1/missions', headers: { authorization: `Bearer ${v1.key}`, 'content-type': 'application/json' }, payload: '' });
  expect(get.statusCode).toBe(200);
  const post = await v1.stack.app.inject({ method: 'POST', url: '/v1/missions', headers: { authorization: `Bearer ${v1.key}`, 'content-type': 'application/json' }, payload: '' });
  expect(post.statusCode).toBe(422);
  const bad = await v1.call('POST', '/v1/missions', '{"name": ');
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ error: { code: 'invalid_json' } });
  // Trailing slash accepted.
  expect((await v1.call('GET', '/v1/missions/')).status).toBe(200);
});

test('M05: a 422 has error, message and errors[].source.pointer; a 2xx has none of them', async () => {
  const res = await v1.call('POST', '/v1/missions', { name: 'No instructions' });
  expect(res.status).toBe(422);
  expect(res.body).toMatchObject({ error: { code: 'validation_failed' }, message: expect.any(String), errors: [{ code: 'validation_failed', detail: expect.any(String), source: { pointer: '/instructions' } }] });
  const ok = await v1.call('POST', '/v1/missions', { name: 'Fine', instructions: 'x' });
  expect(ok.status).toBe(201);
  for (const k of ['error', 'errors', 'message']) expect(ok.body).not.toHaveProperty(k);
});

test('M38: an Idempotency-Key replays the same response; another body is 422', async () => {
  const headers = { 'idempotency-key': 'create-once' };
  const first = await v1.call('POST', '/v1/assistants', { name: 'Idem', instructions: 'x', greeting: 'hi' }, headers);
  const again = await v1.call('POST', '/v1/assistants', { name: 'Idem', instructions: 'x', greeting: 'hi' }, headers);
  expect(first.status).toBe(201);
  expect(again.status).toBe(201);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toEqual(first.body);
  expect(await v1.stack.testDb.db.assistant.count({ where: { name: 'Idem' } })).toBe(1);
  const other = await v1.call('POST', '/v1/assistants', { name: 'Other', instructions: 'x' }, headers);
  expect(other.status).toBe(422);
  expect(other.body).toMatchObject({ error: { code: 'idempotency_key_reused' } });
});

test('M38: a key whose first request is still in flight is 409', async () => {
  await v1.stack.testDb.db.idempotencyRecord.create({
    data: { id: createHash('sha256').update(`default\nPOST\n/v1/missions\nbusy-key`).digest('hex'), bodyHash: createHash('sha256').update(JSON.stringify({ name: 'x', instructions: 'y' })).digest('hex'), state: 'in_flight', expiresAt: new Date(Date.now() + 60_000) },
  });
  const res = await v1.call('POST', '/v1/missions', { name: 'x', instructions: 'y' }, { 'idempotency-key': 'busy-key' });
  expect(res.status).toBe(409);
});

test('M37: over the rate limit is 429 with an integer Retry-After', async () => {
  const limited = await startV1({ PARLEY_RATE_LIMIT_RPS: '1', PARLEY_RATE_LIMIT_BURST: '3' });
  try {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) statuses.push((last = await limited.call('GET', '/v1/missions')).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(String(last!.headers['retry-after'])).toMatch(/^\d+$/);
    expect(last!.body).toMatchObject({ error: { code: 'rate_limited' } });
  } finally {
    await limited.close();
  }
});

test('guesses at one key prefix from many addresses turn into 429 (a valid key still passes)', async () => {
  const prefix = 'Zz9Yy8Xx';
  const guess = (i: number) => `prl_live_${prefix}${String(i).padStart(24, '0')}`;
  const statuses: number[] = [];
  // 60 failures per prefix, refilled at one a second: on a busy machine the guesses take a few
  // seconds, so the first 429 may come that many guesses after the 61st, never before it.
  const started = Date.now();
  for (let i = 0; i < 200 && !statuses.includes(429); i++) {
    const res = await v1.stack.app.inject({ method: 'GET', url: '/v1/missions', remoteAddress: `192.0.2.${i + 1}`, headers: { authorization: `Bearer ${guess(i)}` } });
    statuses.push(res.statusCode);
  }
  const first429 = statuses.indexOf(429);
  expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
  expect(first429).toBeGreaterThanOrEqual(60);
  expect(first429).toBeLessThanOrEqual(60 + Math.ceil((Date.now() - started) / 1000));
  const other = await v1.stack.app.inject({ method: 'GET', url: '/v1/missions', remoteAddress: '192.0.2.200', headers: { authorization: 'Bearer prl_live_AAAAAAAA000000000000000000000000' } });
  expect(other.statusCode).toBe(401);
  expect((await v1.stack.app.inject({ method: 'GET', url: '/v1/missions', remoteAddress: '192.0.2.201', headers: { authorization: `Bearer ${v1.key}` } })).statusCode).toBe(200);
});

test('§2: repeated 401s from one address turn into 429', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++) statuses.push((await inject({ authorization: 'Bearer wrong' })).statusCode);
  expect(statuses.slice(0, 5).every((s) => s === 401 || s === 429)).toBe(true);
  expect(statuses.at(-1)).toBe(429);
  // A valid key is never locked out by someone else's failures.
  expect((await inject({ authorization: `Bearer ${v1.key}` })).statusCode).toBe(200);
});
