/**
 * A fresh `npm start` on the embedded defaults, nothing configured: Whisper tiny.en, the
 * SmolLM2-135M-Instruct model on llama.cpp and espeak-ng WebAssembly, all from the package
 * registries. `npm run phone -- --to +15551230201` holds a conversation answered by the model, and
 * a call scheduled through /v1 ends `completed` with a completed, schema-valid insight.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { embeddedEnv, npmStart, stopNpmStart, type Started } from '../support/npm-start';
import { ROOT, TMP_DIR } from '../support/paths';

jest.setTimeout(600_000);

type Obj = Record<string, any>;
const MODEL = 'SmolLM2-135M-Instruct-Q4_1';
let parley: Started;
let api: string;
let key: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fs.mkdirSync(TMP_DIR, { recursive: true });
  // The scheduled call's callee says three lines; the phone command below uses the shipped personas.
  const personas = path.join(TMP_DIR, `embedded-personas-${process.pid}.json`);
  fs.writeFileSync(personas, JSON.stringify({ default: { name: 'Quote', voice: 'en-us', speed: 1, lines: ['Hello, this is Clear View windows.', 'The price is two hundred dollars.', 'Thursday works. Bye.'] } }));
  const ports = await embeddedEnv({ PARLEY_SIM_PACE: 'fast', PARLEY_SIM_PERSONAS: personas, PARLEY_MISSION_TIME_SCALE: '0.001' });
  env = ports.env;
  // Nothing configured: whatever the test runner's environment says about engines is dropped.
  for (const k of Object.keys(env)) if (/^PARLEY_(ASR|LLM|TTS)_/.test(k)) delete env[k];
  key = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'parley.js'), 'keys', 'create', '--name', 'embedded'], { env, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  parley = await npmStart(env);
  api = `http://127.0.0.1:${ports.port}`;
});
afterAll(async () => {
  if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
});

test('boot checks every engine before the ready line, and /health names the model', async () => {
  const out = parley.output();
  const ready = out.indexOf('[parley] ready:');
  for (const line of ['asr: whisper ok', 'llm: llama ok', 'tts: espeak ok']) {
    expect(out).toContain(line);
    expect(out.indexOf(line)).toBeLessThan(ready);
  }
  const health = (await fetch(`${api}/health`).then((r) => r.json())) as Obj;
  expect(health.llm).toMatchObject({ ok: true, engine: 'llama', model: MODEL });
  expect(health.asr).toMatchObject({ ok: true, engine: 'whisper', model: 'whisper-tiny.en' });
  expect(health.tts).toMatchObject({ ok: true, engine: 'espeak' });
});

test('npm run phone -- --to +15551230201: a conversation answered by the embedded model', async () => {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'phone', '--', '--to', '+15551230201', '--pace', 'fast'], { cwd: ROOT, env, timeout: 400_000 }).catch(
    (err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}\n--- npm start:\n${parley.output().slice(-6000)}`);
    },
  );
  expect(stdout).toMatch(/outcome: completed/);
  const sid = /session (\S+)\)/.exec(stdout)?.[1];
  expect(sid).toBeDefined();
  const detail = (await fetch(`${api}/api/sessions/${sid}`).then((r) => r.json())) as Obj;
  const answered = (detail.turns as Obj[]).filter((t) => t.reply_source === 'llm' && t.model === MODEL && t.reply.trim() !== '');
  expect(answered.length).toBeGreaterThanOrEqual(3);
});

test('a call scheduled through /v1 ends completed, with a completed insight that fits its schema', async () => {
  const call = async (method: string, endpoint: string, body?: Obj) => {
    const res = await fetch(`${api}/v1${endpoint}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return res.json() as Promise<Obj>;
  };
  const created = await call('POST', '/assistants', { name: 'Quote caller', instructions: 'Ask for a window washing quote for Thursday.', greeting: 'Hi, I am calling about a quote.' });
  const assistant = created.assistant ?? created;
  const scheduled = await call('POST', `/assistants/${assistant.id}/events`, { channel: 'call', to: '+13125550101', from: '+15550100001', scheduled_at: new Date(Date.now() + 90_000).toISOString() });
  const event = scheduled.event ?? scheduled;
  let status: Obj = {};
  const deadline = Date.now() + 400_000;
  while (Date.now() < deadline) {
    const got = await call('GET', `/assistants/${assistant.id}/events/${event.id}`);
    status = got.event ?? got;
    if (['completed', 'failed', 'cancelled'].includes(status.status)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(status).toMatchObject({ status: 'completed', call_status: 'completed' });
  const insights = (await call('GET', `/missions/conversations/${status.conversation_id}/insights`)).data as Obj[];
  expect(insights).toHaveLength(1);
  expect(insights[0]).toMatchObject({ status: 'completed' });
  // The default template's schema: an object with a string `summary`, whose text is the result.
  const [insight] = insights[0].conversation_insights as Obj[];
  expect(typeof insight.result).toBe('string');
  expect(insight.result.length).toBeGreaterThan(0);
});
