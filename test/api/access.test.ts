/** Access rules of contract §6: G02 (Origin), G03 (legacy_open_agent_api), G05 (admin_token). */
import { Writable } from 'node:stream';
import { instantEngines } from '../../bench/instant-engines';
import { buildApp } from '../../api/app';
import { createLogger } from '../../infra/log';
import { loadConfig } from '../../infra/config';
import { startStack, Stack } from '../support/stack';
import { TMP_DIR } from '../support/paths';

const T = 'phone-and-agent-token';
const ADMIN = 'the-admin-token';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack(
    { PARLEY_BEARER_TOKEN: T, PARLEY_ADMIN_TOKEN: ADMIN, PARLEY_LEGACY_OPEN_AGENT_API: 'true', PARLEY_ALLOWED_ORIGINS: 'https://console.example.com' },
    { worker: false, engines: instantEngines() },
  );
});
afterAll(async () => stack.close());

type Method = 'GET' | 'POST' | 'DELETE';
const request = (method: Method, url: string, opts: { token?: string; origin?: string; remoteAddress?: string; payload?: object } = {}) =>
  stack.app.inject({
    method,
    url,
    remoteAddress: opts.remoteAddress,
    payload: opts.payload,
    headers: {
      'content-type': 'application/json',
      host: 'gateway.local:8996',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
    },
  });

test('G02 a foreign Origin → 403 even with the token; same-origin and allowed_origins pass', async () => {
  for (const [method, url] of [['GET', '/api/status'], ['POST', '/api/session/new'], ['GET', '/health'], ['GET', '/api/agent/ws']] as Array<[Method, string]>) {
    const res = await request(method, url, { token: T, origin: 'https://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ detail: 'Forbidden' });
  }
  expect((await request('GET', '/api/agent/sessions', { token: T, origin: 'null' })).statusCode).toBe(403);
  expect((await request('GET', '/api/agent/sessions', { token: T, origin: 'http://gateway.local:8996' })).statusCode).toBe(200);
  expect((await request('GET', '/api/agent/sessions', { token: T, origin: 'https://console.example.com' })).statusCode).toBe(200);
  // An allowed Origin still needs the token: legacy access is for Origin-less local clients only.
  expect((await request('GET', '/api/agent/sessions', { origin: 'https://console.example.com' })).statusCode).toBe(401);
});

test('G03 legacy_open_agent_api: §4 routes open to a loopback peer without Origin; phone routes still need T', async () => {
  expect((await request('GET', '/api/agent/sessions')).statusCode).toBe(200);
  expect((await request('GET', '/api/instructions')).statusCode).toBe(200);
  expect((await request('POST', '/api/agent/takeover')).json()).toMatchObject({ ok: false });
  // Not from loopback → the token is needed.
  expect((await request('GET', '/api/agent/sessions', { remoteAddress: '192.168.1.20' })).statusCode).toBe(401);
  // Phone routes (§2.1) never open up.
  for (const [method, url] of [['GET', '/health'], ['POST', '/api/session/new'], ['POST', '/api/turn'], ['POST', '/api/asr'], ['GET', '/api/config/call']] as Array<[Method, string]>) {
    const res = await request(method, url);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ detail: 'Unauthorized' });
  }
  // The agent WebSocket paths are part of the open surface (no upgrade here: past auth = not 401).
  expect((await request('GET', '/api/agent/ws')).statusCode).not.toBe(401);
  expect((await request('GET', '/ws/events')).statusCode).not.toBe(401);
  expect((await request('GET', '/api/agent/ws', { origin: 'https://evil.example' })).statusCode).toBe(403);
});

test('without legacy_open_agent_api the §4 routes need the token too', async () => {
  const config = loadConfig({ ...process.env, PARLEY_BEARER_TOKEN: T, DATABASE_URL: stack.config.databaseUrl, TEMPORAL_ADDRESS: stack.config.temporalAddress }, TMP_DIR);
  const app = await buildApp({ config, db: stack.testDb.db, temporal: stack.client });
  try {
    expect((await app.inject({ method: 'GET', url: '/api/agent/sessions' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/ws/events' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/agent/sessions', headers: { authorization: `Bearer ${T}` } })).statusCode).toBe(200);
    // Contract §6: `?token=` opens WebSocket upgrades only, never a REST route.
    expect((await app.inject({ method: 'GET', url: '/api/agent/sessions?token=' + T })).statusCode).toBe(401);
  } finally {
    await app.close();
  }
});

test('G05 admin_token: T posting security keys → 403 and nothing applied; the admin token applies them', async () => {
  const before = (await request('GET', '/api/config/call', { token: T })).json();
  for (const payload of [{ auth_passphrase: 'swordfish' }, { caller_blocklist: ['+15550100999'], greeting_owner: 'Mallory' }, { unknown_callers_allowed: false }, { auth_max_attempts: 0 }]) {
    const res = await request('POST', '/api/config/call', { token: T, payload });
    expect(res.statusCode).toBe(403);
  }
  expect((await request('GET', '/api/config/call', { token: T })).json()).toEqual(before);
  expect(await stack.testDb.db.setting.count({ where: { key: { in: ['auth_passphrase', 'caller_blocklist', 'greeting_owner', 'unknown_callers_allowed'] } } })).toBe(0);

  // Non-security call keys stay open to T.
  expect((await request('POST', '/api/config/call', { token: T, payload: { greeting_owner: 'Ada' } })).json()).toMatchObject({ ok: true, greeting_owner: 'Ada' });

  // LLM base_url / api_key (generic and legacy names), the global prompt, the reload.
  for (const payload of [{ base_url: 'http://127.0.0.1:9/v1' }, { llm_api_key: 'sk-x' }, { api_key: 'sk-y', temperature: 0.5 }]) {
    expect((await request('POST', '/api/config/llm', { token: T, payload })).statusCode).toBe(403);
  }
  expect((await request('GET', '/api/config/llm', { token: T })).json()).toMatchObject({ base_url: '', has_api_key: false, temperature: 0.2 });
  expect((await request('POST', '/api/config/llm', { token: T, payload: { temperature: 0.5 } })).json()).toMatchObject({ ok: true, temperature: 0.5 });
  expect((await request('POST', '/api/instructions', { token: T, payload: { text: 'pwned' } })).statusCode).toBe(403);
  expect(await stack.testDb.db.setting.findUnique({ where: { key: 'llm_system_prompt' } })).toBeNull();
  expect((await request('POST', '/api/config', { token: T })).statusCode).toBe(403);
  // Legacy-open, token-less local clients are not admins either.
  expect((await request('POST', '/api/instructions', { payload: { text: 'pwned' } })).statusCode).toBe(403);

  const admin = await request('POST', '/api/config/call', { token: ADMIN, payload: { auth_passphrase: 'swordfish', caller_blocklist: ['+1 555 010 0999'] } });
  expect(admin.json()).toMatchObject({ ok: true, auth_required: true, caller_blocklist: ['+15550100999'] });
  expect((await request('POST', '/api/instructions', { token: ADMIN, payload: { text: 'Be brief.' } })).json()).toEqual({ ok: true, scope: 'global' });
  expect((await request('POST', '/api/config/llm', { token: ADMIN, payload: { api_key: 'sk-admin' } })).json()).toMatchObject({ ok: true, has_api_key: true });
});

test('?token= never reaches a log line', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const config = loadConfig({ ...process.env, PARLEY_BEARER_TOKEN: T, PARLEY_LOG_LEVEL: 'debug', DATABASE_URL: stack.config.databaseUrl, TEMPORAL_ADDRESS: stack.config.temporalAddress }, TMP_DIR);
  const app = await buildApp({ config, db: stack.testDb.db, temporal: stack.client }, { loggerInstance: createLogger('api', 'debug', sink) });
  try {
    // A REST route ignores `?token=` (WebSocket upgrades only, contract §6), but still logs its URL redacted.
    expect((await app.inject({ method: 'GET', url: `/api/agent/sessions?token=${T}` })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/agent/sessions?token=wrong&x=1' })).statusCode).toBe(401);
  } finally {
    await app.close();
  }
  const text = lines.join('');
  expect(text).toContain('/api/agent/sessions?token=[REDACTED]');
  expect(text).toContain('?token=[REDACTED]&x=1');
  expect(text).not.toContain(T);
  expect(text).not.toContain('wrong');
});
