/**
 * Hostile input across the four surfaces (phone API, operator REST, agent WebSocket, /v1), over
 * real HTTP and a real socket: malformed multipart, deep and huge JSON, wrong types, prototype
 * keys, huge numbers, oversized text, unknown ids. No answer is a 5xx (or an "internal error"
 * ack); a rejected request creates no session, setting, event or mission row; /health stays 200.
 */
import { AddressInfo } from 'node:net';
import { instantEngines } from '../../bench/instant-engines';
import { createApiKey } from '../../infra/api-keys';
import { createSimDriver } from '../../infra/telephony/sim-driver';
import { TestAgent, type Msg } from '../support/agent';
import { startStack, type Stack } from '../support/stack';

const TOKEN = 'bad-input-token';
const auth = { authorization: `Bearer ${TOKEN}` };
let stack: Stack;
let base: string;
let v1Key: string;
let liveSession: string;

beforeAll(async () => {
  // The simulated phone as the telephony driver: dial/hangup routes exist; nothing is dialled.
  const telephony = createSimDriver({ baseUrl: 'http://127.0.0.1:9', pace: 'fast', bearerToken: TOKEN });
  // Rate limits out of the way: every case should reach validation, not a 429.
  const unlimited = { PARLEY_RATE_LIMIT_RPS: '100000', PARLEY_RATE_LIMIT_BURST: '100000', PARLEY_RATE_LIMIT_CREATES_PER_MIN: '1000000' };
  stack = await startStack({ PARLEY_BEARER_TOKEN: TOKEN, PARLEY_LOG_LEVEL: 'silent', ...unlimited }, { engines: instantEngines(), telephony });
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
  v1Key = (await createApiKey(stack.testDb.db, { name: 'bad-input', admin: false })).key;
  liveSession = ((await (await fetch(`${base}/api/session/new`, { method: 'POST', headers: auth })).json()) as Msg).session_id;
}, 60_000);
afterAll(async () => stack?.close());

/** Rows a rejected request must not create. */
async function footprint(): Promise<string> {
  const db = stack.testDb.db;
  const counts = await Promise.all([
    db.callSession.count(),
    db.setting.count(),
    db.event.count(),
    db.mission.count(),
    db.missionRun.count(),
    db.assistant.count(),
    db.runEvent.count(),
    db.approval.count(),
    db.message.count(),
    db.callRecord.count(),
    db.scheduledEvent.count(),
    db.planStep.count(),
  ]);
  return counts.join(',');
}

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const results: Array<{ name: string; status: number; body: string }> = [];

async function send(c: Case): Promise<{ status: number; body: string }> {
  const before = await footprint();
  const res = await fetch(`${base}${c.path}`, { method: c.method, headers: c.headers, body: c.body });
  const body = await res.text();
  const outcome = { name: c.name, status: res.status, body: body.slice(0, 300) };
  results.push(outcome);
  if (res.status >= 400) {
    const after = await footprint();
    if (after !== before) results.push({ name: `${c.name} (created rows: ${before} → ${after})`, status: 599, body: '' });
  }
  return outcome;
}

const json = (h: Record<string, string> = {}) => ({ ...auth, 'content-type': 'application/json', ...h });
const v1Headers = (h: Record<string, string> = {}) => ({ authorization: `Bearer ${v1Key}`, 'content-type': 'application/json', ...h });

/** Values of the wrong type for a string field (and for a number field, minus the numbers). */
const NOT_STRINGS: unknown[] = [5, true, ['x'], {}, { a: { b: 1 } }, 1e308, -1];
const NOT_NUMBERS: unknown[] = ['5', true, ['x'], {}, null];
const NOT_BOOLS: unknown[] = ['true', 1, ['x'], {}];
/** Just over the largest text bound (a prompt, 20 000 characters), and far over it. */
const HUGE = ['x'.repeat(20_001), 'y'.repeat(500_000)];
const PROTO_KEYS = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'prototype', 'valueOf'];

function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

interface JsonRoute {
  method: string;
  path: string;
  strings?: string[];
  numbers?: string[];
  bools?: string[];
  headers?: (h?: Record<string, string>) => Record<string, string>;
}

function jsonCases(route: JsonRoute): Case[] {
  const headers = (route.headers ?? json)();
  const cases: Case[] = [];
  const at = `${route.method} ${route.path}`;
  for (const field of route.strings ?? []) {
    for (const value of [...NOT_STRINGS, ...HUGE]) {
      cases.push({ name: `${at} ${field}=${JSON.stringify(value).slice(0, 20)}`, method: route.method, path: route.path, headers, body: JSON.stringify({ [field]: value }) });
    }
  }
  for (const field of route.numbers ?? []) {
    for (const value of NOT_NUMBERS) cases.push({ name: `${at} ${field}=${JSON.stringify(value)}`, method: route.method, path: route.path, headers, body: JSON.stringify({ [field]: value }) });
  }
  for (const field of route.bools ?? []) {
    for (const value of NOT_BOOLS) cases.push({ name: `${at} ${field}=${JSON.stringify(value)}`, method: route.method, path: route.path, headers, body: JSON.stringify({ [field]: value }) });
  }
  for (const key of PROTO_KEYS) {
    cases.push({ name: `${at} {${key}:"x"}`, method: route.method, path: route.path, headers, body: `{"${key}":"x"}` });
    cases.push({ name: `${at} {${key}:{}}`, method: route.method, path: route.path, headers, body: `{"${key}":{"polluted":true}}` });
  }
  for (const depth of [64, 5000]) {
    cases.push({ name: `${at} object depth ${depth}`, method: route.method, path: route.path, headers, body: deepObject(depth) });
    cases.push({ name: `${at} array depth ${depth}`, method: route.method, path: route.path, headers, body: deepArray(depth) });
  }
  cases.push({ name: `${at} broken JSON`, method: route.method, path: route.path, headers, body: '{"a":' });
  cases.push({ name: `${at} 2 MB body`, method: route.method, path: route.path, headers, body: JSON.stringify({ pad: 'z'.repeat(2_000_000) }) });
  return cases;
}

/** Multipart bodies a phone (or an attacker) might send broken. */
function multipartCases(path: string): Case[] {
  const b = 'XBOUNDARY';
  const part = (name: string, value: string) => `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const bodies: Array<[string, string, string]> = [
    ['no boundary', 'multipart/form-data', part('session_id', '') + `--${b}--\r\n`],
    ['wrong boundary', 'multipart/form-data; boundary=OTHER', part('session_id', '') + `--${b}--\r\n`],
    ['unterminated body', `multipart/form-data; boundary=${b}`, `--${b}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF`],
    ['part headers never end', `multipart/form-data; boundary=${b}`, `--${b}\r\nContent-Disposition: form-data; name="x"\r\n` + 'X-Junk: y\r\n'.repeat(5000)],
    ['empty body', `multipart/form-data; boundary=${b}`, ''],
    ['only the closing boundary', `multipart/form-data; boundary=${b}`, `--${b}--\r\n`],
    ['forced_reply 20 KB', `multipart/form-data; boundary=${b}`, part('forced_reply', 'r'.repeat(20_000)) + `--${b}--\r\n`],
    ['transcript_hint 500 KB', `multipart/form-data; boundary=${b}`, part('skip_asr', 'true') + part('transcript_hint', 'h'.repeat(500_000)) + `--${b}--\r\n`],
    ['caller_number 3 KB', `multipart/form-data; boundary=${b}`, part('forced_reply', 'hi') + part('caller_number', '1'.repeat(3000)) + `--${b}--\r\n`],
    ['session_id malformed', `multipart/form-data; boundary=${b}`, part('forced_reply', 'hi') + part('session_id', '../../etc') + `--${b}--\r\n`],
    ['session_id 10 KB', `multipart/form-data; boundary=${b}`, part('forced_reply', 'hi') + part('session_id', 'a'.repeat(10_000)) + `--${b}--\r\n`],
    ['__proto__ field', `multipart/form-data; boundary=${b}`, part('__proto__', 'x') + `--${b}--\r\n`],
    ['audio not a WAV', `multipart/form-data; boundary=${b}`, `--${b}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nnot a wav\r\n--${b}--\r\n`],
    ['60 fields', `multipart/form-data; boundary=${b}`, Array.from({ length: 60 }, (_, i) => part(`f${i}`, 'v')).join('') + `--${b}--\r\n`],
    ['binary garbage', `multipart/form-data; boundary=${b}`, `--${b}\r\n\u0000\u0001\u0002\r\n\r\n--${b}--`],
    ['boundary of 200 chars', `multipart/form-data; boundary=${'q'.repeat(200)}`, `--${'q'.repeat(200)}--\r\n`],
  ];
  return bodies.map(([name, type, body]) => ({ name: `POST ${path} multipart ${name}`, method: 'POST', path, headers: { ...auth, 'content-type': type }, body }));
}

function pathCases(): Case[] {
  const ids = ['unknown-session', 'a'.repeat(5000), '%00', '..%2F..%2Fetc', '%E2%80%AE', '_active', 'constructor', '__proto__'];
  const cases: Case[] = [];
  for (const id of ids) {
    for (const [method, template] of [
      ['GET', '/api/sessions/:id'],
      ['GET', '/api/agent/call/:id'],
      ['GET', '/api/agent/context/:id'],
      ['DELETE', '/api/agent/context/:id'],
      ['DELETE', '/api/instructions/:id'],
      ['DELETE', '/api/instructions/:id/turn'],
      ['DELETE', '/api/caller-history/:id'],
      ['GET', '/v1/missions/:id'],
      ['GET', '/v1/assistants/:id'],
      ['GET', '/v1/calls/:id'],
      ['GET', '/v1/approvals/:id'],
    ] as const) {
      const isV1 = template.startsWith('/v1');
      cases.push({ name: `${method} ${template} id=${id.slice(0, 20)}`, method, path: template.replace(':id', id), headers: isV1 ? v1Headers() : auth });
    }
  }
  return cases;
}

function queryCases(): Case[] {
  const queries = [
    '/v1/messages?offset=1e20',
    '/v1/messages?offset=-1',
    '/v1/messages?limit=1e308',
    '/v1/messages?limit=abc',
    '/v1/messages?offset=1&offset=2',
    '/v1/messages?contact=' + '9'.repeat(5000),
    '/v1/missions?page[size]=1e20',
    '/v1/missions?page[number]=-5',
    '/v1/missions?pageSize=0',
    '/v1/missions?page=1e400',
    '/v1/assistants?page[size]=abc',
    '/v1/approvals?status=' + 's'.repeat(5000),
    '/v1/numbers/account-phones?page[size]=101',
  ];
  return queries.map((q) => ({ name: `GET ${q.slice(0, 60)}`, method: 'GET', path: q, headers: v1Headers() }));
}

test('≥ 500 hostile HTTP requests: no 5xx, nothing created by a rejected one, /health 200 after', async () => {
  const mission = await fetch(`${base}/v1/missions`, { method: 'POST', headers: v1Headers(), body: JSON.stringify({ name: 'Bad input', instructions: 'Stay calm.' }) });
  const missionId = ((await mission.json()) as Msg).data.id as string;
  const run = await fetch(`${base}/v1/missions/${missionId}/runs`, { method: 'POST', headers: v1Headers(), body: '{}' });
  const runId = ((await run.json()) as Msg).data.id as string;
  const runPath = `/v1/missions/${missionId}/runs/${runId}`;

  const v1 = (method: string, path: string, fields: Pick<JsonRoute, 'strings' | 'numbers' | 'bools'>): JsonRoute => ({ method, path, ...fields, headers: () => v1Headers() });
  const cases: Case[] = [
    ...multipartCases('/api/turn'),
    ...multipartCases('/api/asr'),
    ...jsonCases({ method: 'POST', path: '/api/turn', strings: ['session_id', 'forced_reply', 'transcript_hint', 'caller_number', 'request_id'] }),
    ...jsonCases({ method: 'POST', path: '/api/session/reset', strings: ['session_id'] }),
    ...jsonCases({ method: 'POST', path: '/api/session/end', strings: ['session_id'] }),
    ...jsonCases({ method: 'POST', path: '/api/call/inject', strings: ['text', 'session_id'] }),
    ...jsonCases({ method: 'POST', path: '/api/agent/inject', strings: ['session_id'] }),
    ...jsonCases({ method: 'POST', path: '/api/call/dial', strings: ['number', 'serial'] }),
    ...jsonCases({ method: 'POST', path: '/api/call/hangup', strings: ['session_id', 'serial'] }),
    ...jsonCases({ method: 'POST', path: `/api/agent/context/${liveSession}`, strings: ['context'] }),
    ...jsonCases({ method: 'POST', path: '/api/instructions', strings: ['text'] }),
    ...jsonCases({ method: 'POST', path: `/api/instructions/${liveSession}/turn`, strings: ['text'] }),
    ...jsonCases({ method: 'POST', path: '/api/config/call', strings: ['greeting_incoming', 'auth_passphrase'], numbers: ['max_duration_sec', 'auth_max_attempts'], bools: ['keep_history'] }),
    ...jsonCases({ method: 'POST', path: '/api/config/tts', strings: ['voice', 'lang', 'base_url'], numbers: ['speed'] }),
    ...jsonCases({ method: 'POST', path: '/api/config/llm', strings: ['model', 'base_url'], numbers: ['temperature', 'max_tokens'], bools: ['top_k_enabled'] }),
    ...jsonCases({ method: 'POST', path: '/api/tts/preview', strings: ['text', 'voice'], numbers: ['speed'] }),
    ...jsonCases(v1('POST', '/v1/missions', { strings: ['name', 'instructions'] })),
    ...jsonCases(v1('PATCH', runPath, { strings: ['status', 'result_summary'] })),
    ...jsonCases(v1('POST', `${runPath}/plan`, {})),
    ...jsonCases(v1('POST', `${runPath}/events`, { strings: ['type', 'summary'] })),
    ...jsonCases(v1('PUT', `${runPath}/memory`, {})),
    ...jsonCases(v1('PATCH', `${runPath}/memory`, {})),
    ...jsonCases(v1('POST', '/v1/assistants', { strings: ['name', 'instructions', 'model'] })),
    ...jsonCases(v1('POST', '/v1/messages/send', { strings: ['to', 'message'] })),
    ...jsonCases(v1('POST', '/v1/approvals', { strings: ['action'], numbers: ['expires_in'], bools: ['require_biometric'] })),
    // The Idempotency-Key path hashes the body: deep and huge bodies must not break it either.
    ...jsonCases({ ...v1('POST', '/v1/missions', {}), headers: () => v1Headers({ 'idempotency-key': 'bad-input-key' }) }),
    ...pathCases(),
    ...queryCases(),
  ];
  expect(cases.length).toBeGreaterThanOrEqual(500);

  for (const c of cases) await send(c);
  // Most cases are refused; the rest are accepted no-ops (unknown keys skipped, unknown ids answered ok:false).
  expect(results.filter((r) => r.status >= 400).length).toBeGreaterThan(cases.length * 0.8);

  const fivexx = results.filter((r) => r.status >= 500);
  expect(fivexx).toEqual([]);
  // Prototype-named keys never become settings.
  const stored = await stack.testDb.db.setting.findMany({ where: { key: { in: PROTO_KEYS } } });
  expect(stored).toEqual([]);
  // The live session got no injected speech from a wrong-typed session_id.
  expect(await stack.testDb.db.event.count({ where: { type: 'agent.inject' } })).toBe(0);
  const health = await fetch(`${base}/health`, { headers: auth });
  expect(health.status).toBe(200);
}, 600_000);

test('wrong-typed session_id on inject is a 400 over REST and WebSocket, never the most recent call', async () => {
  for (const sid of [5, true, ['x'], {}]) {
    const res = await fetch(`${base}/api/call/inject`, { method: 'POST', headers: json(), body: JSON.stringify({ text: 'hi', session_id: sid }) });
    expect(res.status).toBe(400);
  }
  const agent = await TestAgent.connect(`${base.replace('http', 'ws')}/api/agent/ws`, auth);
  try {
    for (const sid of [5, true, ['x'], {}]) {
      expect(await agent.request({ type: 'inject', text: 'hi', session_id: sid })).toMatchObject({ ok: false, error: expect.stringMatching(/session_id/) });
    }
  } finally {
    agent.ws.close();
  }
  const state = (await (await fetch(`${base}/api/agent/call/${liveSession}`, { headers: auth })).json()) as Msg;
  expect(state.status).toBe('active');
  expect(await stack.testDb.db.event.count({ where: { sessionId: liveSession, type: 'agent.inject' } })).toBe(0);
});

test('hostile agent WebSocket messages are answered with an error or a refused ack, never "internal error"', async () => {
  const agent = await TestAgent.connect(`${base.replace('http', 'ws')}/api/agent/ws`, auth);
  const messages: Array<Msg | string> = [
    '{"type":',
    deepObject(5000),
    deepArray(64),
    '[]',
    '"just a string"',
    'null',
    { type: 'subscribe', since: 1e300 },
    { type: 'subscribe', since: -1 },
    { type: 'subscribe', since: 'x' },
    { type: 'subscribe', since: 1.5 },
    ...PROTO_KEYS.map((type) => ({ type })),
    ...['inject', 'takeover', 'release', 'set_instructions', 'inject_context', 'clear_context', 'end_session', 'get_call_state', 'hangup'].flatMap((type) =>
      [...NOT_STRINGS, 'z'.repeat(300)].map((session_id) => ({ type, session_id, text: 'hi', context: 'c', instructions: 'i', scope: 'session' })),
    ),
    ...HUGE.map((text) => ({ type: 'inject', session_id: liveSession, text })),
    { type: 'set_call_config', config: { constructor: 'x', keep_history: 'yes' } },
    { type: 'set_call_config', config: [1, 2] },
    { type: 'dial', number: { a: 1 } },
    { type: 'dial', number: 'n'.repeat(10_000) },
    { reply: 5, request_id: { x: 1 } },
  ];
  try {
    let answered = 0;
    for (const message of messages) {
      const mark = agent.received.length;
      agent.send(message);
      const answer = await agent.next((m) => m.type === 'error' || String(m.type).endsWith('.ack') || m.type === 'call_state' || m.type === 'pong', 10_000, mark);
      expect({ message: JSON.stringify(message).slice(0, 80), answer }).not.toMatchObject({ answer: { error: 'internal error' } });
      expect(answer.error?.code).not.toBe('internal');
      answered += 1;
    }
    expect(answered).toBe(messages.length);
    expect(agent.ws.readyState).toBe(agent.ws.OPEN);
  } finally {
    agent.ws.close();
  }
});

test('hangup by session id ends that session at once (simulated phone)', async () => {
  const sid = ((await (await fetch(`${base}/api/session/new`, { method: 'POST', headers: auth })).json()) as Msg).session_id;
  const res = await fetch(`${base}/api/call/hangup`, { method: 'POST', headers: json(), body: JSON.stringify({ session_id: sid }) });
  expect(await res.json()).toMatchObject({ ok: true, session_id: sid });
  const row = await stack.testDb.db.callSession.findUnique({ where: { id: sid } });
  expect(row).toMatchObject({ status: 'ended', endReason: 'hangup' });
  // The other live session is untouched.
  expect((await stack.testDb.db.callSession.findUnique({ where: { id: liveSession } }))?.status).toBe('active');
});
