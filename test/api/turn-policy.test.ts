/** Caller policy and the passphrase gate (contract §2.4 steps 3 and 8; G17–G25). */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

let stack: Stack;
const chats: Array<Array<{ role: string; content: string }>> = [];
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ chats }) });
});
afterAll(async () => stack.close());

const configure = (body: Record<string, unknown>) =>
  stack.app.inject({ method: 'POST', url: '/api/config/call', payload: body }).then((r) => {
    expect(r.statusCode).toBe(200);
    return r.json();
  });
const eventsOf = async (sid: string) =>
  (await stack.testDb.db.event.findMany({ where: { sessionId: sid }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, ...JSON.parse(e.dataJson) }));
const incoming = (number: string, extra: Record<string, string> = {}) => postTurn(stack.app, { caller_number: number, call_direction: 'incoming', ...extra }, wavSaying('hello there'));

beforeEach(() => configure({ caller_allowlist: [], caller_blocklist: [], unknown_callers_allowed: true, auth_passphrase: '', auth_max_attempts: 3 }));

test('G17 blocklisted caller: rejected body with audio, caller_rejected, session.ended(rejected), no turn.started', async () => {
  await configure({ caller_blocklist: ['+49 (170) 123-4567'] });
  const res = await incoming('+491701234567');
  expect(res.body).toMatchObject({ ok: false, rejected: true, reason: 'blocklisted' });
  expect(res.body.audio_base64.length).toBeGreaterThan(0);
  expect(res.body.reply).toBe((await configure({})).auth_reject_message);
  const types = (await eventsOf(res.body.session_id)).map((e) => e.type);
  expect(types).toEqual(['session.started', 'turn.caller_rejected', 'session.ended']);
  expect((await eventsOf(res.body.session_id)).at(-1)).toMatchObject({ reason: 'rejected' });
});

test('G18 allowlist miss → not_allowlisted; blank number with unknown disallowed → unknown_caller', async () => {
  await configure({ caller_allowlist: ['+15550100001'] });
  expect((await incoming('+15550100002')).body).toMatchObject({ rejected: true, reason: 'not_allowlisted' });
  await configure({ caller_allowlist: [], unknown_callers_allowed: false });
  expect((await incoming('')).body).toMatchObject({ rejected: true, reason: 'unknown_caller' });
});

test('G19 list entries match after normalisation ("0049…" ≡ "+49…"); G20 outgoing calls ignore the lists', async () => {
  await configure({ caller_allowlist: ['0049 170 1234567'] });
  expect((await configure({})).caller_allowlist).toEqual(['+491701234567']);
  expect((await incoming('+491701234567')).body).toMatchObject({ ok: true });
  const outgoing = await postTurn(stack.app, { caller_number: '+15550100002', call_direction: 'outgoing' }, wavSaying('hi'));
  expect(outgoing.body).toMatchObject({ ok: true });
});

describe('passphrase gate', () => {
  test('G21 miss → retry reply, auth_failed(attempt 1), no LLM; G22 match inside a sentence → authenticated, no gate after', async () => {
    await configure({ auth_passphrase: 'Blue Harbor', auth_max_attempts: 3 });
    const before = chats.length;
    const miss = await postTurn(stack.app, { caller_number: '+15550100003', call_direction: 'incoming' }, wavSaying('red river'));
    const sid = miss.body.session_id;
    expect(miss.body).toMatchObject({ ok: true, reply: "That's not correct. Please try again.", model: '' });
    expect(chats.length).toBe(before);
    expect((await eventsOf(sid)).find((e) => e.type === 'turn.auth_failed')).toMatchObject({ attempt: 1 });

    const hit = await postTurn(stack.app, { session_id: sid, caller_number: '+15550100003', call_direction: 'incoming' }, wavSaying('Hi! It is: blue-HARBOR, okay?'));
    expect(hit.body.reply).toBe('Authentication successful. How can I help you?');
    expect((await eventsOf(sid)).some((e) => e.type === 'turn.authenticated')).toBe(true);

    const after = await postTurn(stack.app, { session_id: sid, caller_number: '+15550100003', call_direction: 'incoming' }, wavSaying('what is the weather'));
    expect(after.body).toMatchObject({ reply: 'You said: what is the weather', model: 'instant-test-model' });
    expect(chats.length).toBe(before + 1);
  });

  test('G23 attempts exhausted → hangup:true, reject message, session.ended(auth_failed); G24 passphrase stored nowhere', async () => {
    await configure({ auth_passphrase: 'Blue Harbor', auth_max_attempts: 2 });
    const first = await postTurn(stack.app, { caller_number: '+15550100004', call_direction: 'incoming' }, wavSaying('wrong one blue'));
    const sid = first.body.session_id;
    const second = await postTurn(stack.app, { session_id: sid, caller_number: '+15550100004', call_direction: 'incoming' }, wavSaying('blue harbour?'));
    expect(second.body).toMatchObject({ ok: true, hangup: true });
    const events = await eventsOf(sid);
    expect(events.at(-1)).toMatchObject({ type: 'session.ended', reason: 'auth_failed' });
    const stored = JSON.stringify(events) + JSON.stringify(await stack.testDb.db.turn.findMany({ where: { sessionId: sid } }));
    expect(stored).not.toMatch(/harbou?r/i);
    const config = await stack.app.inject({ method: 'GET', url: '/api/config/call' });
    expect(config.body).not.toMatch(/Blue Harbor/);
    expect(config.json().auth_required).toBe(true);

    await configure({ auth_max_attempts: 0 });
    let last = await postTurn(stack.app, { caller_number: '+15550100005', call_direction: 'incoming' }, wavSaying('nope'));
    for (let i = 0; i < 4; i++) last = await postTurn(stack.app, { session_id: last.body.session_id, caller_number: '+15550100005', call_direction: 'incoming' }, wavSaying('nope'));
    expect(last.body.hangup).toBeUndefined();
  });

  test('G25 forced_reply skips ASR, LLM and the gate', async () => {
    await configure({ auth_passphrase: 'Blue Harbor' });
    const before = chats.length;
    const res = await postTurn(stack.app, { forced_reply: 'Please hold.', caller_number: '+15550100006', call_direction: 'incoming' }, wavSaying('ignored'));
    expect(res.body).toMatchObject({ ok: true, reply: 'Please hold.', transcript: '', model: '' });
    expect(chats.length).toBe(before);
  });
});

test('G66 GET /api/config/call: every §4.2 key, {owner} substituted, no passphrase', async () => {
  await configure({ greeting_incoming: 'Hi, {owner} here.', greeting_owner: 'Ada', auth_passphrase: 'secret words' });
  const body = (await stack.app.inject({ method: 'GET', url: '/api/config/call' })).json();
  expect(Object.keys(body).sort()).toEqual(
    ['auth_max_attempts', 'auth_reject_message', 'auth_required', 'auto_answer', 'auto_answer_delay_ms', 'caller_allowlist', 'caller_blocklist', 'greeting_incoming', 'greeting_incoming_template', 'greeting_outgoing', 'greeting_outgoing_template', 'greeting_owner', 'keep_history', 'max_duration_message', 'max_duration_sec', 'unknown_callers_allowed'].sort(),
  );
  expect(body.greeting_incoming).toBe('Hi, Ada here.');
  expect(body.greeting_incoming_template).toBe('Hi, {owner} here.');
  expect(JSON.stringify(body)).not.toContain('secret words');
  const bad = await stack.app.inject({ method: 'POST', url: '/api/config/call', payload: { caller_allowlist: 'not a list' } });
  expect(bad.statusCode).toBe(400);
});
