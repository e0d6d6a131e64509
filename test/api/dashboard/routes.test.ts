/**
 * The dashboard plugin over the real stack: its static files load token-less (and still obey the
 * Origin rule), its read routes need the token, the log search, the caller's and the reply's
 * audio of a turn, and clear 4xx on bad input.
 */
import { instantEngines, wavSaying } from '../../../bench/instant-engines';
import { startStack, Stack } from '../../support/stack';
import { postTurn } from '../../support/phone';

const T = 'dashboard-route-token';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ PARLEY_BEARER_TOKEN: T }, { engines: instantEngines() });
});
afterAll(async () => stack.close());

const get = (url: string, headers: Record<string, string> = {}) => stack.app.inject({ method: 'GET', url, headers: { host: 'gateway.local:8996', ...headers } });
const auth = { authorization: `Bearer ${T}` };

test('the static files and the auth probe load without the token; a foreign Origin is still refused', async () => {
  const built = (await get('/')).statusCode;
  // 200 with the bundle (npm test builds it in its bootstrap), 503 with a hint without one.
  expect([200, 503]).toContain(built);
  if (built === 200) {
    expect((await get('/')).body).toContain('<div id="root">');
    expect((await get('/app.js')).statusCode).toBe(200);
    expect((await get('/app.css')).headers['content-type']).toMatch(/text\/css/);
  }
  expect((await get('/api/dashboard/auth')).json()).toEqual({ token_required: true });
  expect((await get('/', { origin: 'https://evil.example' })).statusCode).toBe(403);
  expect((await get('/api/dashboard/auth', { origin: 'https://evil.example' })).statusCode).toBe(403);
  // Anything else still needs the token, files that do not exist included.
  expect((await get('/api/dashboard/calls')).statusCode).toBe(401);
  expect((await get('/api/dashboard/meta')).statusCode).toBe(401);
  expect((await get('/secret.txt')).statusCode).toBe(401);
});

test('the session log search finds a call by number and by words, with its outcome; meta names the Temporal UI', async () => {
  const h = { authorization: `Bearer ${T}` };
  const greet = await postTurn(stack.app, { reset_session: 'true', forced_reply: 'Hi.', caller_number: '+15550100077', call_direction: 'incoming' }, wavSaying(''), h);
  const sid = greet.body.session_id as string;
  await postTurn(stack.app, { session_id: sid, caller_number: '+15550100077', call_direction: 'incoming' }, wavSaying('the blue umbrella'), h);
  await stack.app.inject({ method: 'POST', url: '/api/session/end', headers: h, payload: { session_id: sid } });

  const byNumber = (await get('/api/dashboard/calls?q=0100077', auth)).json();
  expect(byNumber).toEqual([expect.objectContaining({ session_id: sid, workflow_id: `call-session-${sid}`, status: 'ended', end_reason: 'end_session', caller_number: '+15550100077', call_direction: 'incoming', turn_count: 2 })]);
  expect((await get('/api/dashboard/calls?q=blue%20umbrella', auth)).json().map((r: { session_id: string }) => r.session_id)).toEqual([sid]);
  expect((await get('/api/dashboard/calls?q=no%20such%20words', auth)).json()).toEqual([]);
  expect((await get('/api/dashboard/calls?status=active&q=0100077', auth)).json()).toEqual([]);
  expect((await get('/api/dashboard/calls?status=gone', auth)).statusCode).toBe(400);
  expect((await get('/api/dashboard/calls?limit=0', auth)).statusCode).toBe(400);

  expect((await get('/api/dashboard/meta', auth)).json()).toEqual({ temporal_ui_port: stack.config.temporalUiPort, temporal_namespace: stack.config.temporalNamespace, task_queue: stack.config.taskQueue });
});

test("a turn's caller audio and reply audio play back; a forced turn has no caller audio; unknown → 404", async () => {
  const h = { authorization: `Bearer ${T}` };
  const greet = await postTurn(stack.app, { reset_session: 'true', forced_reply: 'Hello.', caller_number: '+15550100078', call_direction: 'incoming' }, wavSaying(''), h);
  const caller = wavSaying('play me back');
  const turn = await postTurn(stack.app, { session_id: greet.body.session_id, caller_number: '+15550100078', call_direction: 'incoming' }, caller, h);

  const callerAudio = await get(`/api/dashboard/turns/${turn.body.turn_id}/audio?which=caller`, auth);
  expect(callerAudio.statusCode).toBe(200);
  expect(callerAudio.headers['content-type']).toBe('audio/wav');
  expect(callerAudio.rawPayload.equals(caller)).toBe(true);
  const replyAudio = await get(`/api/dashboard/turns/${turn.body.turn_id}/audio`, auth);
  expect(replyAudio.rawPayload.toString('base64')).toBe(turn.body.audio_base64);

  expect((await get(`/api/dashboard/turns/${greet.body.turn_id}/audio?which=caller`, auth)).statusCode).toBe(404);
  expect((await get('/api/dashboard/turns/nope/audio', auth)).json()).toEqual({ detail: 'audio not found' });
  expect((await get(`/api/dashboard/turns/${turn.body.turn_id}/audio?which=both`, auth)).statusCode).toBe(400);
});
