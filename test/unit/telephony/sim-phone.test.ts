/**
 * The SIMULATED phone, its driver, personas and the `parley phone` CLI against a small fake
 * gateway that speaks the contract shapes of /api/config/call, /api/turn and /api/call/hangup.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { loadPersonas, parsePersonas, PersonaFileError, personaFor, type Persona } from '../../../infra/telephony/personas';
import { createSimDriver } from '../../../infra/telephony/sim-driver';
import { DEFAULT_GREETING_HINT, IVR_MENU, runSimCall, SimPhone, type SimEvent } from '../../../infra/telephony/sim-phone';
import { isRiffPcm16Mono, parseWav, silenceWav, wavDurationMs } from '../../../infra/speech/wav';
import { main } from '../../../cli/parley';
import { MACHINE_REASONS } from '../../../common/missions';
import type { CliIo } from '../../../cli/subcommand';

interface RecordedRequest {
  method: string;
  url: string;
  authorization?: string;
  fieldNames: string[];
  fields: Record<string, string>;
  files: Record<string, { filename: string; data: Buffer }>;
  json?: Record<string, unknown>;
}

type TurnResponder = (turn: RecordedRequest, index: number) => Record<string, unknown> | Promise<Record<string, unknown>>;

interface FakeGateway {
  baseUrl: string;
  requests: RecordedRequest[];
  turns(): RecordedRequest[];
  hangups(): RecordedRequest[];
  close(): Promise<void>;
}

const SID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const REPLY_WAV = silenceWav(120, 24_000).toString('base64');

function okTurn(index: number): Record<string, unknown> {
  return {
    ok: true,
    session_id: SID,
    transcript: index === 0 ? '' : `heard ${index}`,
    reply: `reply ${index}`,
    audio_base64: REPLY_WAV,
    model: index === 0 ? '' : 'fake-llm',
    metrics: { asr_ms: 1, llm_ms: 1, tts_ms: 1, total_ms: 3, llm_model: 'fake-llm' },
    turn_id: `t${index}`,
  };
}

/** A stand-in for Parley's phone API with the contract's shapes (§2, §4.1). */
async function startFakeGateway(
  opts: { token?: string; greeting?: string; respond?: TurnResponder } = {},
): Promise<FakeGateway> {
  const requests: RecordedRequest[] = [];
  const app: FastifyInstance = Fastify();
  await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024 } });
  app.addHook('onRequest', async (req, reply) => {
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      requests.push({ method: req.method, url: req.url, authorization: req.headers.authorization, fieldNames: [], fields: {}, files: {} });
      return reply.code(401).send({ detail: 'Unauthorized' });
    }
  });
  app.get('/api/config/call', async (req) => {
    requests.push({ method: 'GET', url: req.url, authorization: req.headers.authorization, fieldNames: [], fields: {}, files: {} });
    return {
      auto_answer: false,
      auto_answer_delay_ms: 0,
      caller_allowlist: [],
      caller_blocklist: [],
      unknown_callers_allowed: true,
      greeting_incoming: 'Incoming greeting.',
      greeting_outgoing: opts.greeting ?? 'Hello, this is Parley calling.',
      max_duration_sec: 0,
      max_duration_message: '',
    };
  });
  let turnIndex = 0;
  app.post('/api/turn', async (req) => {
    const rec: RecordedRequest = { method: 'POST', url: req.url, authorization: req.headers.authorization, fieldNames: [], fields: {}, files: {} };
    for await (const part of req.parts()) {
      rec.fieldNames.push(part.fieldname);
      if (part.type === 'file') rec.files[part.fieldname] = { filename: part.filename, data: await part.toBuffer() };
      else rec.fields[part.fieldname] = String(part.value);
    }
    requests.push(rec);
    const index = turnIndex++;
    return opts.respond ? opts.respond(rec, index) : okTurn(index);
  });
  app.post('/api/call/hangup', async (req) => {
    const json = (req.body ?? {}) as Record<string, unknown>;
    requests.push({ method: 'POST', url: req.url, authorization: req.headers.authorization, fieldNames: [], fields: {}, files: {}, json });
    return { ok: true, detail: 'Broadcast completed: result=0', session_id: json.session_id };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    baseUrl: address,
    requests,
    turns: () => requests.filter((r) => r.url === '/api/turn'),
    hangups: () => requests.filter((r) => r.url === '/api/call/hangup'),
    close: () => app.close(),
  };
}

const SHORT: Persona = { name: 'Short test caller', lines: ['I would like to move my appointment.', 'Thank you, goodbye.'] };

let gateway: FakeGateway;
afterEach(async () => {
  await gateway?.close();
});

function collect(): { events: SimEvent[]; onEvent: (e: SimEvent) => void } {
  const events: SimEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

describe('SimPhone', () => {
  it('posts the greeting with exactly the app fields and a 16 kHz/300 ms silent WAV', async () => {
    gateway = await startFakeGateway({ greeting: 'Hello, this is Parley calling for the owner.' });
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100147', persona: SHORT, pace: 'fast' });
    const [greeting] = gateway.turns();
    expect([...greeting.fieldNames].sort()).toEqual(
      ['audio', 'call_direction', 'caller_number', 'forced_reply', 'reset_session', 'transcript_hint'].sort(),
    );
    expect(greeting.fields).toEqual({
      reset_session: 'true',
      forced_reply: 'Hello, this is Parley calling for the owner.',
      transcript_hint: 'Hello, this is Parley calling for the owner.',
      caller_number: '+15550100147',
      call_direction: 'outgoing',
    });
    const audio = greeting.files.audio;
    expect(audio.filename).toBe('turn.wav');
    expect(isRiffPcm16Mono(audio.data)).toBe(true);
    expect(parseWav(audio.data).sampleRate).toBe(16_000);
    expect(wavDurationMs(audio.data)).toBe(300);
    expect(gateway.requests[0]).toMatchObject({ method: 'GET', url: '/api/config/call' });
    expect(result).toEqual({ outcome: 'completed', session_id: SID, turns: 3, detail: 'Broadcast completed: result=0' });
  });

  it('sends only the default hint when no greeting is configured', async () => {
    gateway = await startFakeGateway({ greeting: '' });
    await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100147', persona: SHORT, pace: 'fast' });
    const [greeting] = gateway.turns();
    expect(greeting.fields).toEqual({
      reset_session: 'true',
      transcript_hint: DEFAULT_GREETING_HINT,
      caller_number: '+15550100147',
      call_direction: 'outgoing',
    });
  });

  it('speaks every persona line as RIFF PCM16 mono with the session, then hangs up', async () => {
    gateway = await startFakeGateway();
    const { events, onEvent } = collect();
    const persona = (await loadPersonas()).default;
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100147', persona, pace: 'fast', onEvent });

    const lines = gateway.turns().slice(1);
    expect(lines).toHaveLength(persona.lines.length);
    const requestIds = new Set<string>();
    for (const turn of lines) {
      expect([...turn.fieldNames].sort()).toEqual(['audio', 'call_direction', 'caller_number', 'request_id', 'session_id']);
      expect(turn.fields).toMatchObject({ session_id: SID, caller_number: '+15550100147', call_direction: 'outgoing' });
      expect(turn.fields.request_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      requestIds.add(turn.fields.request_id);
      expect(turn.files.audio.filename).toBe('turn.wav');
      expect(isRiffPcm16Mono(turn.files.audio.data)).toBe(true);
      expect(parseWav(turn.files.audio.data).sampleRate).toBe(22_050);
      expect(wavDurationMs(turn.files.audio.data)).toBeGreaterThan(500);
    }
    expect(requestIds.size).toBe(lines.length);
    expect(gateway.hangups().map((h) => h.json)).toEqual([{ session_id: SID }]);
    expect(result).toMatchObject({ outcome: 'completed', session_id: SID, turns: persona.lines.length + 1 });

    expect(events.slice(0, 2)).toEqual([
      { type: 'ring', number: '+15550100147' },
      { type: 'answered', number: '+15550100147' },
    ]);
    const turns = events.filter((e) => e.type === 'turn');
    expect(turns[0]).toMatchObject({ caller_line: null, reply: 'reply 0', model: '', session_id: SID });
    expect(turns[1]).toMatchObject({ caller_line: persona.lines[0], transcript: 'heard 1', reply: 'reply 1', model: 'fake-llm' });
    expect(typeof (turns[1] as { ms: number }).ms).toBe('number');
    expect(events.at(-1)).toMatchObject({ type: 'hangup', reason: 'script-complete', outcome: 'completed' });
  });

  it('sends the bearer token on every request', async () => {
    gateway = await startFakeGateway({ token: 'tok-123' });
    const result = await runSimCall({ baseUrl: gateway.baseUrl, bearerToken: 'tok-123', number: '+15550100147', persona: SHORT, pace: 'fast' });
    expect(result.outcome).toBe('completed');
    expect(gateway.requests.length).toBe(5);
    for (const r of gateway.requests) expect(r.authorization).toBe('Bearer tok-123');
  });

  it('fails with the HTTP status when the token is wrong', async () => {
    gateway = await startFakeGateway({ token: 'tok-123' });
    const { events, onEvent } = collect();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, bearerToken: 'nope', number: '+15550100147', persona: SHORT, pace: 'fast', onEvent });
    expect(result).toMatchObject({ outcome: 'failed', session_id: '', turns: 0 });
    expect(result.detail).toContain('HTTP 401 Unauthorized');
    expect(events.at(-1)).toMatchObject({ type: 'hangup', reason: 'error', outcome: 'failed' });
  });

  it('0000 rings out unanswered after the ring timeout', async () => {
    gateway = await startFakeGateway();
    const { events, onEvent } = collect();
    const started = Date.now();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100000', persona: SHORT, pace: 'fast', onEvent });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(result).toEqual({ outcome: 'no-answer', session_id: '', turns: 0, detail: 'sim: no answer after 200 ms' });
    expect(events.map((e) => e.type)).toEqual(['ring', 'hangup']);
    expect(gateway.requests).toHaveLength(0);
  });

  it.each([
    ['+15550100001', 'busy'],
    ['+15550100002', 'failed'],
  ])('%s ends as %s without touching the gateway', async (number, outcome) => {
    gateway = await startFakeGateway();
    const { events, onEvent } = collect();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number, persona: SHORT, pace: 'fast', onEvent });
    expect(result).toMatchObject({ outcome, session_id: '', turns: 0 });
    expect(events).toEqual([expect.objectContaining({ type: 'hangup', reason: outcome, outcome })]);
    expect(gateway.requests).toHaveLength(0);
  });

  it('0003 voicemail: greeting only, then hangs up', async () => {
    gateway = await startFakeGateway();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100003', persona: SHORT, pace: 'fast' });
    expect(result).toMatchObject({ outcome: 'voicemail', session_id: SID, turns: 1 });
    expect(gateway.turns()).toHaveLength(1);
    expect(gateway.hangups().map((h) => h.json)).toEqual([{ session_id: SID }]);
  });

  it.each([
    ['leave_message', 'voicemail', 1],
    ['hang_up', 'voicemail', 0],
    ['undetected', 'no-answer', 0],
  ] as const)('0003 voicemail with onMachine %s: %s, %i turn(s) onto the tape (E07)', async (onMachine, outcome, turns) => {
    gateway = await startFakeGateway();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100003', persona: SHORT, pace: 'fast', onMachine });
    expect(result).toMatchObject({ outcome, turns, detail: MACHINE_REASONS[onMachine] });
    expect(gateway.turns()).toHaveLength(turns);
  });

  it('stops when the gateway says the session ended', async () => {
    gateway = await startFakeGateway({
      respond: (_turn, i) => (i === 1 ? { ok: false, session_id: SID, ended: true, detail: 'session ended' } : okTurn(i)),
    });
    const { events, onEvent } = collect();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100147', persona: SHORT, pace: 'fast', onEvent });
    expect(result).toMatchObject({ outcome: 'hung-up', session_id: SID, turns: 2 });
    expect(gateway.turns()).toHaveLength(2);
    expect(gateway.hangups()).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'hangup', reason: 'ended', outcome: 'hung-up' });
  });

  it('plays a hangup:true reply, then disconnects', async () => {
    gateway = await startFakeGateway({
      respond: (_turn, i) => (i === 1 ? { ...okTurn(i), reply: 'Goodbye.', hangup: true } : okTurn(i)),
    });
    const { events, onEvent } = collect();
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100147', persona: SHORT, pace: 'fast', onEvent });
    expect(result).toMatchObject({ outcome: 'hung-up', turns: 2 });
    expect(gateway.turns()).toHaveLength(2);
    expect(events.filter((e) => e.type === 'turn').at(-1)).toMatchObject({ reply: 'Goodbye.' });
    expect(events.at(-1)).toMatchObject({ type: 'hangup', reason: 'hangup' });
  });

  it('disconnects on a rejected greeting', async () => {
    gateway = await startFakeGateway({
      respond: () => ({ ok: false, rejected: true, reason: 'blocklisted', session_id: SID, reply: 'Sorry.', audio_base64: REPLY_WAV }),
    });
    const result = await runSimCall({ baseUrl: gateway.baseUrl, number: '+15550100147', persona: SHORT, pace: 'fast', direction: 'incoming' });
    expect(result).toMatchObject({ outcome: 'hung-up', turns: 1 });
    expect(gateway.turns()[0].fields).toMatchObject({ call_direction: 'incoming', forced_reply: 'Incoming greeting.' });
  });

  it('abort() mid-turn hangs up at once; with hangup:true it also tells the gateway', async () => {
    for (const hangup of [false, true]) {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      gateway = await startFakeGateway({
        respond: async (_turn, i) => {
          if (i === 1) await held;
          return okTurn(i);
        },
      });
      const { events, onEvent } = collect();
      const phone = new SimPhone({ baseUrl: gateway.baseUrl, number: '+15550100147', persona: SHORT, pace: 'fast', onEvent });
      const done = phone.run();
      await waitFor(() => gateway.turns().length === 2);
      expect(phone.abort({ hangup })).toBe(true);
      const result = await done;
      release();
      expect(result).toMatchObject({ outcome: 'hung-up', session_id: SID, turns: 1 });
      expect(events.at(-1)).toMatchObject({ type: 'hangup', reason: 'aborted', outcome: 'hung-up' });
      expect(gateway.hangups().map((h) => h.json)).toEqual(hangup ? [{ session_id: SID }] : []);
      expect(phone.abort()).toBe(false);
      await gateway.close();
    }
  });
});

describe('createSimDriver', () => {
  it('dials in the background, lists the call and hangs it up', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    gateway = await startFakeGateway({
      respond: async (_turn, i) => {
        if (i === 1) await held;
        return okTurn(i);
      },
    });
    const driver = createSimDriver({ baseUrl: gateway.baseUrl, pace: 'fast' });
    const dialed = await driver.dial({ number: '+12025550147' });
    expect(dialed).toEqual({ ok: true, detail: 'sim: dialling +12025550147', command_id: expect.stringMatching(/^sim-[0-9a-f-]{36}$/), serial: 'sim' });
    const [call] = driver.activeCalls();
    expect(call).toMatchObject({ command_id: dialed.command_id, number: '+12025550147', persona: expect.stringContaining('Marco Rossi') });
    await waitFor(() => gateway.turns().length === 2);
    expect(driver.activeCalls()[0].session_id).toBe(SID);

    await expect(driver.hangup({ serial: 'other' })).resolves.toMatchObject({ ok: false });
    await expect(driver.hangup({})).resolves.toEqual({ ok: true, detail: 'sim: hung up 1 call(s)', serial: 'sim' });
    await expect(call.done).resolves.toMatchObject({ outcome: 'hung-up', session_id: SID });
    release();
    await waitFor(() => driver.activeCalls().length === 0);
    await expect(driver.hangup({ serial: 'sim' })).resolves.toEqual({ ok: false, detail: 'sim: no active call', serial: 'sim' });
    await driver.close();
  });

  it("a dial's onMachine reaches the simulated call and the dial log", async () => {
    gateway = await startFakeGateway();
    const dialLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dial-')), 'dials.jsonl');
    const driver = createSimDriver({ baseUrl: gateway.baseUrl, pace: 'fast', dialLog });
    await driver.dial({ number: '+15550100003', onMachine: 'hang_up' });
    await expect(driver.activeCalls()[0].done).resolves.toMatchObject({ outcome: 'voicemail', turns: 0, detail: MACHINE_REASONS.hang_up });
    expect(JSON.parse(fs.readFileSync(dialLog, 'utf8'))).toMatchObject({ number: '+15550100003', on_machine: 'hang_up' });
    await driver.close();
  });

  it('close() aborts every call; a bad personas file refuses the dial', async () => {
    gateway = await startFakeGateway();
    const driver = createSimDriver({ baseUrl: gateway.baseUrl, pace: 'realtime' });
    await driver.dial({ number: '+15550100147' });
    await driver.dial({ number: '+15550100000' });
    expect(driver.activeCalls()).toHaveLength(2);
    await driver.close();
    expect(driver.activeCalls()).toHaveLength(0);

    const bad = createSimDriver({ baseUrl: gateway.baseUrl, pace: 'fast', personasFile: writeTemp('{"default": {"name": "x", "lines": []}}') });
    const refused = await bad.dial({ number: '+15550100147' });
    expect(refused.ok).toBe(false);
    expect(refused.detail).toContain('"lines" must be a non-empty array');
  });
});

describe('personas', () => {
  it('ships a default persona with at least eight lines and per-number personas', async () => {
    const book = await loadPersonas();
    expect(book.default.lines.length).toBeGreaterThanOrEqual(8);
    expect(book.byNumber.size).toBeGreaterThanOrEqual(1);
    expect(personaFor(book, '+1 (202) 555-0147').name).toContain('Marco Rossi');
    expect(personaFor(book, '+15550109999')).toBe(book.default);
  });

  it('explains every problem in a bad file', () => {
    const error = (() => {
      try {
        parsePersonas({ '12345': { name: '', lines: ['ok', 7], speed: -1, mood: 'x' } }, 'bad.json');
      } catch (err) {
        return err as PersonaFileError;
      }
      throw new Error('expected a PersonaFileError');
    })();
    expect(error).toBeInstanceOf(PersonaFileError);
    expect(error.problems).toEqual([
      'missing the "default" persona',
      '"12345": unknown key "mood" (allowed: name, lines, voice, speed, behaviour, facts)',
      '"12345": "name" must be a non-empty string',
      '"12345": lines[1] must be a non-empty string',
      '"12345": "speed" must be a number above 0 and at most 3',
      '"12345": keys must be "default" or an E.164 number such as "+15550100147"',
    ]);
    expect(error.message).toContain('invalid personas file bad.json');
  });

  it('ships mission callees with facts and behaviours (IVR, voicemail, busy, never answers)', async () => {
    const book = await loadPersonas();
    expect(personaFor(book, '+13125550201').facts).toMatchObject({ price_usd: 240, available_today: true });
    expect(personaFor(book, '+13125550202').facts).toMatchObject({ price_usd: 310, available_today: false });
    expect(['+13125550203', '+13125550204', '+13125550205', '+13125550206'].map((n) => personaFor(book, n).behaviour)).toEqual(['ivr', 'voicemail', 'busy', 'no-answer']);
    expect(() => parsePersonas({ default: { name: 'x', lines: ['a'], behaviour: 'sleepy' } }, 'b.json')).toThrow(/"behaviour" must be one of/);
  });

  it('a persona behaviour decides the call: busy never rings, an IVR speaks its menu first', async () => {
    gateway = await startFakeGateway({});
    const busy = await runSimCall({ baseUrl: gateway.baseUrl, number: '+13125550205', persona: { ...SHORT, behaviour: 'busy' }, pace: 'fast' });
    expect(busy.outcome).toBe('busy');
    expect(gateway.turns()).toHaveLength(0);
    const { events, onEvent } = collect();
    const ivr = await runSimCall({ baseUrl: gateway.baseUrl, number: '+13125550203', persona: { ...SHORT, behaviour: 'ivr' }, pace: 'fast', onEvent });
    expect(ivr.outcome).toBe('completed');
    expect(events.filter((e) => e.type === 'speaking').map((e) => (e as { line: string }).line)).toEqual([IVR_MENU, ...SHORT.lines]);
  });

  it('accepts a single persona as the default and reports unreadable files', async () => {
    expect(parsePersonas({ name: 'Solo', lines: ['Hi.'] }, 'solo.json').default).toEqual({ name: 'Solo', lines: ['Hi.'] });
    await expect(loadPersonas(writeTemp('{ nope'))).rejects.toThrow(/not valid JSON/);
    await expect(loadPersonas('/nonexistent/personas.json')).rejects.toThrow(/cannot read it/);
  });
});

describe('parley CLI', () => {
  function fakeIo(env: NodeJS.ProcessEnv = {}): CliIo & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, env, out: (l) => lines.push(l), err: (l) => errors.push(l), onInterrupt: () => () => undefined };
  }

  it('phone prints the conversation and exits 0 when completed', async () => {
    gateway = await startFakeGateway({ token: 'tok' });
    const port = new URL(gateway.baseUrl).port;
    const persona = writeTemp(JSON.stringify({ name: 'CLI caller', lines: ['Hello there.'] }));
    const io = fakeIo({ PARLEY_PORT: port, PARLEY_BEARER_TOKEN: 'tok', PARLEY_SIM_PACE: 'fast' });
    await expect(main(['phone', '--to', '+1 555 010 0147', '--persona', persona], io)).resolves.toBe(0);
    expect(io.lines).toEqual([
      expect.stringContaining('☎ SIMULATED phone → +15550100147'),
      '☎ ringing…',
      '☎ answered',
      expect.stringMatching(/^parley \(fixed reply, \d+ ms\): reply 0$/),
      'caller: Hello there.',
      '  (heard: "heard 1")',
      expect.stringMatching(/^parley \(fake-llm, \d+ ms\): reply 1$/),
      '☎ the caller said everything and hung up: Broadcast completed: result=0',
      `outcome: completed (2 turns, session ${SID})`,
    ]);
  });

  it('phone exits 1 on other outcomes and 2 on usage errors; help lists the commands', async () => {
    gateway = await startFakeGateway();
    await expect(main(['phone', '--to', '+15550100001', '--url', gateway.baseUrl, '--pace', 'fast'], fakeIo())).resolves.toBe(1);
    const io = fakeIo();
    await expect(main(['phone'], io)).resolves.toBe(2);
    expect(io.errors.join('\n')).toContain('--to <number> is required');
    await expect(main(['phone', '--to', '12'], fakeIo())).resolves.toBe(2);
    await expect(main(['phone', '--to', '+15550100147', '--pace', 'slow'], fakeIo())).resolves.toBe(2);
    await expect(main(['phone', '--bogus'], fakeIo())).resolves.toBe(2);
    await expect(main(['nope'], fakeIo())).resolves.toBe(2);
    const helpIo = fakeIo();
    await expect(main(['help'], helpIo)).resolves.toBe(0);
    expect(helpIo.lines.join('\n')).toMatch(/phone\s+place a SIMULATED phone call/);
  });
});

function writeTemp(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-personas-'));
  const file = path.join(dir, 'personas.json');
  fs.writeFileSync(file, content);
  return file;
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
