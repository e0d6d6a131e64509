import { wavSaying, instantEngines } from '../../bench/instant-engines';
import { isRiffPcm16Mono } from '../../infra/speech/wav';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

let stack: Stack;
const chats: Array<Array<{ role: string; content: string }>> = [];
beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines({ chats }) });
});
afterAll(async () => stack.close());

const eventsOf = async (sid: string) =>
  (await stack.testDb.db.event.findMany({ where: { sessionId: sid }, orderBy: { seq: 'asc' } })).map((e) => ({ type: e.type, ...JSON.parse(e.dataJson) }));

describe('/api/turn', () => {
  test('G11 greeting: new sid, reply = greeting, model "", only the four events', async () => {
    const greeting = 'Hello, this is the assistant.';
    const res = await postTurn(stack.app, { reset_session: 'true', forced_reply: greeting, transcript_hint: greeting, caller_number: '+15550100009', call_direction: 'outgoing' }, wavSaying(''));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, reply: greeting, model: '', transcript: '' });
    expect(res.body.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await eventsOf(res.body.session_id)).map((e) => e.type)).toEqual(['session.started', 'turn.started', 'turn.reply', 'turn.complete']);
  });

  test('G12 a normal turn has every ok field and RIFF PCM16 mono audio', async () => {
    const greet = await postTurn(stack.app, { reset_session: 'true', forced_reply: 'Hi.', caller_number: '+15550100009', call_direction: 'outgoing' }, wavSaying(''));
    const sid = greet.body.session_id;
    const res = await postTurn(stack.app, { session_id: sid, caller_number: '+15550100009', call_direction: 'outgoing' }, wavSaying('what time is it'));
    expect(res.body).toMatchObject({ ok: true, session_id: sid, transcript: 'what time is it', reply: 'You said: what time is it', model: 'instant-test-model' });
    expect(Object.keys(res.body.metrics).sort()).toEqual(['asr_ms', 'llm_model', 'llm_ms', 'total_ms', 'tts_ms']);
    expect(res.body.metrics.llm_model).toBe('instant-test-model');
    expect(typeof res.body.turn_id).toBe('string');
    expect(isRiffPcm16Mono(Buffer.from(res.body.audio_base64, 'base64'))).toBe(true);
  });

  test('G13 no audio and no forced_reply → 400; G16 malformed sid → 400', async () => {
    expect(await postTurn(stack.app, { session_id: 'abc' })).toEqual({ status: 400, body: { detail: 'audio required' } });
    expect((await postTurn(stack.app, { session_id: 'bad sid!' }, wavSaying('x'))).body).toEqual({ detail: 'invalid session_id' });
  });
});
