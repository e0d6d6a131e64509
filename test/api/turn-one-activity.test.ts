/**
 * A plain turn is one local activity (`answerTurn`, patch `one-activity-turn`), and any other
 * turn speaks and commits its reply in one (`speakAndCommit`, patch `one-activity-answer`): the
 * history shows one marker each, and a stage that fails once is retried by Temporal from that stage,
 * with nothing before it run twice and every event written once.
 */
import { instantEngines, wavSaying } from '../../bench/instant-engines';
import type { SpeechEngines } from '../../infra/speech';
import { callSessionWorkflowId } from '../../common/ids';
import { callStateQuery } from '../../workflows/call-session/messages';
import { startStack, Stack } from '../support/stack';
import { postTurn } from '../support/phone';

const transcriptions = { count: 0 };
const chats: Array<Array<{ role: string; content: string }>> = [];
const tts = { runs: 0, failNext: 0 };
function hiccupingSynthesiser(): SpeechEngines {
  const instant = instantEngines({ transcriptions, chats })();
  return {
    ...instant,
    async synthesize(text, opts) {
      tts.runs += 1;
      if (tts.failNext > 0) {
        tts.failNext -= 1;
        throw new Error('synthesiser hiccup');
      }
      return instant.synthesize(text, opts);
    },
  };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { engines: hiccupingSynthesiser });
});
afterAll(async () => stack.close());

const phone = { caller_number: '+15550100321', call_direction: 'outgoing' };

test('a plain turn runs as one local activity; a TTS failure is retried from TTS alone', async () => {
  const sid = (await postTurn(stack.app, { ...phone, reset_session: 'true', forced_reply: 'Hi.' }, wavSaying(''))).body.session_id;
  await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('first question'));

  const before = { asr: transcriptions.count, llm: chats.length, tts: tts.runs };
  tts.failNext = 1;
  const answered = await postTurn(stack.app, { ...phone, session_id: sid }, wavSaying('second question'));
  expect(answered.status).toBe(200);
  expect(answered.body).toMatchObject({ ok: true, transcript: 'second question', reply: 'You said: second question' });
  expect({ asr: transcriptions.count - before.asr, llm: chats.length - before.llm, tts: tts.runs - before.tts }).toEqual({ asr: 1, llm: 1, tts: 2 });

  const turnId = answered.body.turn_id as string;
  const events = await stack.testDb.db.event.findMany({ where: { sessionId: sid, dedupeKey: { startsWith: `${turnId}:` } }, orderBy: { seq: 'asc' } });
  expect(events.map((e) => e.type)).toEqual(['turn.started', 'turn.transcript', 'turn.reply', 'turn.complete']);

  // The session took the turn's outcome: both exchanges are in its history.
  const handle = stack.client.workflow.getHandle(callSessionWorkflowId(sid));
  const state = await handle.query(callStateQuery);
  expect(state.history.slice(-4).map((m) => m.content)).toEqual(['first question', 'You said: first question', 'second question', 'You said: second question']);

  // The greeting: policy, bot route, then TTS and commit in one (speakAndCommit): three local
  // activities; each plain turn after it is one, its TTS retry included.
  const history = await handle.fetchHistory();
  const localActivities = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
  expect(localActivities).toBe(3 + 2);
});
