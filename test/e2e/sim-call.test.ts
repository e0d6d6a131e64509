/**
 * A simulated outbound call from a fresh `npm start`: POST /api/call/dial → the built-in
 * SIMULATED phone answers, its greeting turn, then caller lines spoken by espeak-ng, heard by
 * pocketsphinx, answered over real HTTP by a local OpenAI-compatible TEST server, spoken back by
 * espeak-ng; hang-up ends the session. The worker is SIGKILLed mid-call: no turn is lost.
 */
import { Client, Connection } from '@temporalio/client';
import { callSessionWorkflowId } from '../../common/ids';
import { startFakeOpenAIServer, FakeOpenAIServer } from '../support/fake-openai-server';
import { childRunning, embeddedEnv, npmStart, stopNpmStart, Started } from '../support/npm-start';

jest.setTimeout(300_000);

let llm: FakeOpenAIServer;
let parley: Started;
let api: string;
let temporalAddress: string;

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply((messages) => `Noted: ${messages.at(-1)?.content ?? ''}`);
  const ports = await embeddedEnv({ PARLEY_LLM_BASE_URL: llm.url, PARLEY_LLM_MODEL: 'local-test-model', PARLEY_SIM_PACE: 'fast' });
  api = `http://127.0.0.1:${ports.port}`;
  temporalAddress = `127.0.0.1:${ports.temporalPort}`;
  parley = await npmStart(ports.env);
});
afterAll(async () => {
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
  await llm?.close();
});

interface Detail {
  status: string;
  end_reason: string;
  turns: Array<{ transcript: string; reply: string; model: string; reply_source: string; metrics: Record<string, number> }>;
}

test('dial → greeting → caller turns through ASR → LLM → TTS → hang-up, surviving a worker kill', async () => {
  const dial = await fetch(`${api}/api/call/dial`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ number: '+15550100042' }) }).then((r) => r.json());
  expect(dial).toMatchObject({ ok: true, serial: 'sim' });

  // Wait for the session, then kill the worker once two caller turns are done.
  let sid = '';
  let killed = false;
  let detail: Detail | undefined;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const sessions = (await fetch(`${api}/api/sessions`).then((r) => r.json())) as Array<{ session_id: string }>;
    sid ||= sessions[0]?.session_id ?? '';
    if (sid) {
      detail = (await fetch(`${api}/api/sessions/${sid}`).then((r) => r.json())) as Detail;
      if (!killed && detail.turns.length >= 3) {
        const worker = childRunning(parley, 'worker/main.ts');
        expect(worker).toBeDefined();
        process.kill(worker!, 'SIGKILL');
        killed = true;
      }
      if (detail.status === 'ended') break;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  expect(killed).toBe(true);
  expect(detail).toBeDefined();
  expect(detail!.status).toBe('ended');
  expect(detail!.end_reason).toBe('hangup');

  // The default persona speaks 10 lines: greeting + 10 caller turns, none lost to the kill.
  const [greeting, ...turns] = detail!.turns;
  expect(greeting).toMatchObject({ reply_source: 'forced', model: '' });
  expect(turns).toHaveLength(10);
  for (const turn of turns) {
    expect(turn.model).toBe('local-test-model');
    expect(turn.reply_source === 'llm' || turn.reply_source === 'clarify').toBe(true);
    expect(turn.metrics.tts_ms).toBeGreaterThan(0);
  }
  const heard = turns.filter((t) => t.reply_source === 'llm');
  expect(heard.length).toBeGreaterThanOrEqual(3); // pocketsphinx heard real speech in most turns
  for (const turn of heard) {
    expect(turn.transcript.length).toBeGreaterThan(0);
    expect(turn.reply).toBe(`Noted: ${turn.transcript}`);
    expect(turn.metrics.asr_ms).toBeGreaterThan(0);
  }
  const chats = llm.requests.filter((r) => r.path.endsWith('/chat/completions'));
  expect(chats.length).toBeGreaterThanOrEqual(heard.length);

  // Every turn is an update in the workflow's history (what the Temporal UI shows).
  const connection = await Connection.connect({ address: temporalAddress });
  const history = await new Client({ connection }).workflow.getHandle(callSessionWorkflowId(sid)).fetchHistory();
  await connection.close();
  const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
  expect(accepted).toBeGreaterThanOrEqual(11);
});
