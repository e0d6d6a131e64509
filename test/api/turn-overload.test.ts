/**
 * Overload of the local speech engines (issue 14): more turns at once than one recogniser slot can
 * serve within the ASR stage's budget. Every turn still gets a contract-valid 200 in time: the
 * ones the pool could serve are heard, the others get the clarify answer; none is a 500 and no
 * recognition runs twice.
 */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import type { SpeechEngines } from '../../infra/speech';
import type { SpeechConfig } from '../../infra/speech-config';
import { AdmissionPool } from '../../infra/speech/admission';
import { LocalEngineTimeout } from '../../infra/speech/errors';
import { BUSY_REPLY } from '../../activities/turn';
import { CLARIFY_REPLY } from '../../workflows/call-session/turn';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

/** Stands in for a local recogniser (pocketsphinx, a WASM model): each recognition takes 1.5 s. */
const RECOGNITION_MS = 1500;
const recognitions = { count: 0 };
/** `stuck`: the local engines' child processes miss their deadlines (a machine busier than their budget). */
const mode = { stuck: false };
function slowRecogniser(speech: SpeechConfig): SpeechEngines {
  const instant = instantEngines({ transcriptions: recognitions })(speech);
  return {
    ...instant,
    async transcribe(wav) {
      if (mode.stuck) throw new LocalEngineTimeout('Whisper tiny.en', 'asr', 7500);
      await new Promise((r) => setTimeout(r, RECOGNITION_MS));
      return instant.transcribe(wav);
    },
    async complete(messages) {
      if (mode.stuck) throw new LocalEngineTimeout('llama.cpp', 'llm', 14_000);
      return instant.complete(messages);
    },
  };
}

let stack: Stack;
const pool = new AdmissionPool(1);
beforeAll(async () => {
  stack = await startStack({}, { engines: slowRecogniser, admission: pool });
});
afterAll(async () => stack.close());

test('12 turns at once on one recogniser slot: all 200 in time, heard or asked to repeat, nothing redone', async () => {
  const CALLS = 12;
  const sids = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const greeting = await postTurn(stack.app, { caller_number: `+1555010${String(i).padStart(4, '0')}`, call_direction: 'outgoing', reset_session: 'true', forced_reply: 'Hello.' }, wavSaying(''));
      return greeting.body.session_id as string;
    }),
  );
  recognitions.count = 0;
  const started = Date.now();
  const answers = await Promise.all(
    sids.map(async (sid, i) => {
      const res = await postTurn(stack.app, { session_id: sid, caller_number: `+1555010${String(i).padStart(4, '0')}`, call_direction: 'outgoing' }, wavSaying(`caller number ${i} speaking`));
      return { ...res, ms: Date.now() - started };
    }),
  );
  for (const a of answers) {
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ ok: true, turn_id: expect.any(String), audio_base64: expect.any(String) });
    // The ASR stage's budget (10 s) plus bookkeeping, far inside turn_budget_s (40 s).
    expect(a.ms).toBeLessThan(15_000);
  }
  const heard = answers.filter((a) => a.body.transcript !== '');
  const asked = answers.filter((a) => a.body.transcript === '');
  for (const a of heard) expect(a.body.reply).toMatch(/^You said: caller number \d+ speaking$/);
  for (const a of asked) expect(a.body.reply).toBe(CLARIFY_REPLY);
  // One slot, 1.5 s each, an 8 s attempt: a handful fit, the rest were shed, not timed out.
  expect(heard.length).toBeGreaterThanOrEqual(3);
  expect(asked.length).toBeGreaterThanOrEqual(1);
  expect(recognitions.count).toBe(heard.length);
  expect(await stack.testDb.db.event.count({ where: { type: 'turn.error' } })).toBe(0);
  expect(pool.stats()).toMatchObject({ running: 0, queued: 0 });
}, 60_000);

test('a local engine past its deadline: the turn answers 200 in time (clarify, or the busy reply), never a 500', async () => {
  const greeting = await postTurn(stack.app, { caller_number: '+15550109876', call_direction: 'outgoing', reset_session: 'true', forced_reply: 'Hello.' }, wavSaying(''));
  const sid = greeting.body.session_id as string;
  mode.stuck = true;
  try {
    const unheard = await postTurn(stack.app, { session_id: sid, caller_number: '+15550109876', call_direction: 'outgoing' }, wavSaying('is anyone there'));
    expect([unheard.status, unheard.body.ok, unheard.body.reply]).toEqual([200, true, CLARIFY_REPLY]);
    // The recogniser is skipped (a hint stands in for it): the language model is the stuck one.
    const busy = await postTurn(stack.app, { session_id: sid, caller_number: '+15550109876', call_direction: 'outgoing', transcript_hint: 'is anyone there' }, wavSaying(''));
    expect([busy.status, busy.body.ok, busy.body.reply]).toEqual([200, true, BUSY_REPLY]);
  } finally {
    mode.stuck = false;
  }
  expect(await stack.testDb.db.event.count({ where: { type: 'turn.error' } })).toBe(0);
}, 60_000);
