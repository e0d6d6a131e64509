/** Provider and call configuration (G66–G68), /api/tts/preview, caller history and restarts (G70). */
import { instantEngines } from '../../bench/instant-engines';
import { buildApp } from '../../api/app';
import { startStack, Stack } from '../support/stack';
import { startFakeOpenAIServer, FakeOpenAIServer } from '../support/fake-openai-server';

let stack: Stack;
let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await startFakeOpenAIServer();
  stack = await startStack({ PARLEY_TTS_BASE_URL: fake.url, PARLEY_TTS_MODEL: 'kokoro' }, { engines: instantEngines() });
});
afterAll(async () => {
  await stack.close();
  await fake.close();
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => stack.app.inject({ method, url, payload, headers: { 'content-type': 'application/json' } });
const lastEvent = async (type: string) => {
  const row = await stack.testDb.db.event.findFirst({ where: { type }, orderBy: { seq: 'desc' } });
  return row ? JSON.parse(row.dataJson) : null;
};
// A port nothing listens on: connections are refused at once.
const DEAD = 'http://127.0.0.1:9/v1';

test('G66 GET /api/config/call: every §4.2 key, {owner} substituted, templates raw, no passphrase', async () => {
  await call('POST', '/api/config/call', { greeting_incoming: 'Hi, {owner} is busy.', greeting_owner: 'Ada', auth_passphrase: 'swordfish' });
  const res = await call('GET', '/api/config/call');
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(
    ['auto_answer', 'auto_answer_delay_ms', 'caller_allowlist', 'caller_blocklist', 'unknown_callers_allowed', 'greeting_incoming', 'greeting_outgoing', 'greeting_incoming_template', 'greeting_outgoing_template', 'greeting_owner', 'max_duration_sec', 'max_duration_message', 'auth_required', 'auth_reject_message', 'auth_max_attempts', 'keep_history'].sort(),
  );
  expect(body).toMatchObject({ greeting_incoming: 'Hi, Ada is busy.', greeting_incoming_template: 'Hi, {owner} is busy.', auth_required: true, auto_answer: false });
  expect(res.body).not.toContain('swordfish');
});

test('G67 /api/config/llm: legacy names update llm_* keys; has_api_key shown, never the key; type checks → 400', async () => {
  const res = await call('POST', '/api/config/llm', { model: 'fake-model', base_url: `${fake.url}/`, api_key: 'sk-never-shown', max_tokens: 120, temperature: 0.7, top_k: 40, top_p_enabled: false, stop: 'END', context_tokens: 4096, max_history_turns: 4, repeat_penalty: 1.1 });
  expect(res.statusCode).toBe(200);
  const expected = { model: 'fake-model', base_url: fake.url, has_api_key: true, max_tokens: 120, context_tokens: 4096, context_tokens_effective: 4096, max_history_turns: 4, temperature: 0.7, top_p: 1, top_p_enabled: false, top_k: 40, top_k_enabled: true, repeat_penalty: 1.1, stop: ['END'], is_local: true };
  expect(res.json()).toEqual({ ok: true, ...expected });
  expect(res.body).not.toContain('sk-never-shown');
  expect((await call('GET', '/api/config/llm')).json()).toEqual(expected);
  expect(await lastEvent('config.llm_updated')).toEqual({ session_id: '', ...expected });
  const stored = Object.fromEntries((await stack.testDb.db.setting.findMany({ where: { key: { startsWith: 'llm_' } } })).map((s) => [s.key, s.value]));
  expect(stored).toMatchObject({ llm_model: 'fake-model', llm_api_key: 'sk-never-shown', llm_max_tokens: '120', llm_temperature: '0.7', llm_stop: '["END"]' });

  for (const payload of [{ temperature: 'hot' }, { temperature: 5 }, { top_p_enabled: 'yes' }, { stop: [1] }, { base_url: 'not a url' }, { max_tokens: 1.5 }]) {
    const bad = await call('POST', '/api/config/llm', { ...payload, model: 'must-not-apply' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ ok: false, error: expect.any(String) });
  }
  expect((await call('GET', '/api/config/llm')).json()).toMatchObject({ model: 'fake-model', temperature: 0.7 });
  // Back to the echo responder, for the other tests.
  expect((await call('POST', '/api/config/llm', { llm_base_url: '', llm_api_key: '' })).json()).toMatchObject({ ok: true, model: 'echo', base_url: '', has_api_key: false, is_local: true });
});

test('G68 /api/config/tts: voice, speed, lang update tts_*; a new language with an unreachable provider → 400, nothing applied', async () => {
  const before = (await call('GET', '/api/config/tts')).json();
  expect(before).toMatchObject({ lang: '', model: 'kokoro', voice: 'af_heart', speed: 1, has_api_key: false, base_url: fake.url });
  expect(before.voices).toContain('af_heart');

  const res = await call('POST', '/api/config/tts', { voice: 'af_bella', speed: 1.2, lang: 'en' });
  expect(res.json()).toMatchObject({ ok: true, voice: 'af_bella', speed: 1.2, lang: 'en' });
  expect(await lastEvent('config.tts_updated')).toMatchObject({ voice: 'af_bella', speed: 1.2, lang: 'en' });
  const stored = Object.fromEntries((await stack.testDb.db.setting.findMany({ where: { key: { startsWith: 'tts_' } } })).map((s) => [s.key, s.value]));
  expect(stored).toMatchObject({ tts_voice: 'af_bella', tts_speed: '1.2', tts_language: 'en' });

  // German through the old gateway's Piper keys, its server down.
  const down = await call('POST', '/api/config/tts', { lang: 'de', piper_base: DEAD, piper_voice: 'de_DE-thorsten-medium' });
  expect(down.statusCode).toBe(400);
  expect(down.json()).toMatchObject({ ok: false, error: expect.stringMatching(/unreachable/) });
  expect((await call('GET', '/api/config/tts')).json()).toMatchObject({ lang: 'en', voice: 'af_bella' });

  // The same with a server that answers: de gets its own provider, piper_* are echoed.
  const up = await call('POST', '/api/config/tts', { lang: 'de', piper_base: fake.url, piper_voice: 'de_DE-thorsten-medium', piper_length_scale: 1.25, piper_noise_scale: 0.667 });
  expect(up.statusCode).toBe(200);
  expect(up.json()).toMatchObject({ ok: true, lang: 'de', base_url: fake.url, voice: 'de_DE-thorsten-medium', speed: 0.8, piper_base: fake.url, piper_length_scale: '1.25', piper_noise_scale: '0.667' });

  // tts_languages works the same for any language; switching to one that is down is refused.
  const other = await call('POST', '/api/config/tts', { lang: 'fr', tts_languages: { fr: { base_url: DEAD, voice: 'fr-voice' } } });
  expect(other.statusCode).toBe(400);
  expect((await call('GET', '/api/config/tts')).json()).toMatchObject({ lang: 'de' });
  expect((await call('POST', '/api/config/tts', { speed: 'fast' })).statusCode).toBe(400);
  expect((await call('POST', '/api/config/tts', { speed: 9 })).statusCode).toBe(400);
  await call('POST', '/api/config/tts', { lang: 'en' });
});

test('/api/tts/preview speaks with the given voice and speed and changes nothing', async () => {
  const settingsBefore = await stack.testDb.db.setting.findMany({ orderBy: { key: 'asc' } });
  const res = await call('POST', '/api/tts/preview', { text: 'Testing.', voice: 'am_adam', speed: 1.5 });
  expect(res.json()).toMatchObject({ ok: true, voice: 'am_adam', speed: 1.5 });
  expect(Buffer.from(res.json().audio_base64, 'base64').subarray(0, 4).toString('ascii')).toBe('RIFF');
  expect((await call('POST', '/api/tts/preview')).json()).toMatchObject({ ok: true, voice: 'af_bella', speed: 1.2 });
  expect(await stack.testDb.db.setting.findMany({ orderBy: { key: 'asc' } })).toEqual(settingsBefore);
});

test('caller history: list, G70 delete with an unnormalised number', async () => {
  await stack.testDb.db.callerHistory.create({ data: { number: '+491701234567', historyJson: '[]', turnCount: 6, totalCalls: 2, lastCallAt: new Date(1_800_000_000_000) } });
  await stack.testDb.db.callerHistory.create({ data: { number: '+15550100042', turnCount: 1, totalCalls: 1, lastCallAt: new Date(1_800_000_100_000) } });
  expect((await call('GET', '/api/caller-history')).json()).toEqual([
    { number: '+15550100042', total_calls: 1, last_call_at: 1_800_000_100, turn_count: 1 },
    { number: '+491701234567', total_calls: 2, last_call_at: 1_800_000_000, turn_count: 6 },
  ]);
  const res = await call('DELETE', `/api/caller-history/${encodeURIComponent('+49 (170) 123-4567')}`);
  expect(res.json()).toEqual({ ok: true, number: '+491701234567' });
  expect((await call('DELETE', `/api/caller-history/${encodeURIComponent('0049 170 1234567')}`)).json()).toEqual({ ok: false, number: '+491701234567' });
  expect((await call('GET', '/api/caller-history')).json().map((h: { number: string }) => h.number)).toEqual(['+15550100042']);
});

test('G70 the sessions list and detail survive an API restart; unknown → 404', async () => {
  const sid = (await call('POST', '/api/session/new')).json().session_id;
  const restarted = await buildApp({ config: stack.config, db: stack.testDb.db, temporal: stack.client, engines: instantEngines() });
  try {
    const list = (await restarted.inject({ method: 'GET', url: '/api/sessions' })).json();
    expect(list[0]).toMatchObject({ session_id: sid, status: 'active', turn_count: 0 });
    expect((await restarted.inject({ method: 'GET', url: `/api/sessions/${sid}` })).json()).toMatchObject({ session_id: sid, status: 'active', turns: [] });
    const missing = await restarted.inject({ method: 'GET', url: '/api/sessions/never-seen' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'Session not found' });
  } finally {
    await restarted.close();
  }
});
