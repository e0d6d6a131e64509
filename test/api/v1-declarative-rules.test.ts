/**
 * The planning and retry rules of declarative missions over the real stack, driven through /v1
 * (scripted lines, a local OpenAI-compatible test server for insights): M45 (`not_before`,
 * `not_after`), M46 (spacing, batches, one call per line), M47 (E06 rules by kind, E07 voicemail
 * budgets) and M49
 * (negotiation). Times the rules speak of are plan times (`scheduled_at`, `next_attempt_at`);
 * the waits between them run ×0.0001.
 */
import { MACHINE_REASONS } from '../../common/missions';
import { readStream } from '../../infra/mission-stream';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { startV1, until, type V1 } from '../support/v1';

jest.setTimeout(180_000);

type Obj = Record<string, any>;
let v1: V1;
let llm: FakeOpenAIServer;
/** Each insight quotes its own price (201, 202, …): a finding is traceable to its call. */
let quotes = 0;
const CALL_MS = 200;
const MINUTE = 60_000;

beforeAll(async () => {
  llm = await startFakeOpenAIServer();
  llm.setReply(() => JSON.stringify({ summary: `Quoted $${201 + quotes}`, price_usd: 201 + quotes++ }));
  v1 = await startV1({ PARLEY_LLM_BASE_URL: llm.url, PARLEY_LLM_MODEL: 'insight-test-model' }, { callMs: CALL_MS });
});
afterAll(async () => {
  await v1?.close();
  await llm?.close();
});

const target = (phone: string, kind = 'automated', name = phone) => ({ name, phone, timezone: 'America/Chicago', kind });
const targets = (n: number, from: number) => Array.from({ length: n }, (_, i) => target(`+131255${from + i}`, 'automated', `Firm ${i + 1}`));
const spec = (over: Obj) => ({ class: 'sweep', assistant: { instructions: 'Ask for a quote.' }, schedule: { business_hours: false, avoid: [] }, throttle: { spacing: 'PT30S' }, ...over });

async function create(name: string, s: Obj) {
  const res = await v1.call('POST', '/v1/missions', { name, instructions: 'declarative', spec: s });
  expect(res.status).toBe(201);
  return res.body.data as Obj;
}
const runPath = (m: Obj) => `/v1/missions/${m.id}/runs/${m.run_id}`;
const finished = (m: Obj, timeoutMs = 90_000) =>
  until(
    () => v1.call('GET', runPath(m)).then((r) => r.body.data as Obj),
    (r) => ['succeeded', 'failed', 'cancelled'].includes(r.status),
    timeoutMs,
  );
/** The run's target events as /v1 lists them, in plan order. */
async function eventsOf(m: Obj): Promise<Obj[]> {
  const agent = (await v1.call('GET', `${runPath(m)}/agents`)).body.data[0]?.telnyx_agent_id;
  if (!agent) return []; // the run links its assistant with its first events
  const list = (await v1.call('GET', `/v1/assistants/${agent}/events?run_id=${m.run_id}`)).body.data as Obj[];
  return list.sort((a, b) => Date.parse(a.scheduled_at) - Date.parse(b.scheduled_at));
}
const dialsTo = (phones: string[], since: number) => v1.lines.dials.slice(since).filter((d) => phones.includes(d.to));

test('M45: not_before holds every start back; not_after drops the targets and retries past it and finalises the run', async () => {
  const now = Date.now();
  const notBefore = now + 2 * 60 * MINUTE;
  const early = targets(2, 45100);
  let since = v1.lines.dials.length;
  const held = await create('Not before', spec({ targets: early, schedule: { business_hours: false, avoid: [], not_before: new Date(notBefore).toISOString() } }));
  expect((await finished(held)).status).toBe('succeeded');
  expect((await eventsOf(held)).map((e) => [e.to, Date.parse(e.scheduled_at) - notBefore])).toEqual([
    [early[0].phone, 0],
    [early[1].phone, 30_000],
  ]);
  // No dial before not_before: 2 h ×0.0001 is 0.72 s after the create.
  expect(dialsTo([early[0].phone], since)[0].at - now).toBeGreaterThanOrEqual(720);

  // a now, b 5 min later (busy: its retry, 10–15 min on, falls past not_after), c 10 min later (past not_after).
  const [a, b, c] = targets(3, 45200);
  v1.lines.script(b.phone, ['busy', 'busy']);
  since = v1.lines.dials.length;
  const m = await create('Not after', spec({ targets: [a, b, c], throttle: { spacing: 'PT5M' }, schedule: { business_hours: false, avoid: [], not_after: new Date(Date.now() + 9 * MINUTE).toISOString() } }));
  const run = await finished(m);
  expect(run.status).toBe('succeeded');
  expect((await eventsOf(m)).map((e) => e.to)).toEqual([a.phone, b.phone]);
  expect(run.result_payload.targets.map((t: Obj) => [t.phone, t.state, t.attempts])).toEqual([
    [a.phone, 'completed', 1],
    [b.phone, 'failed', 1],
    [c.phone, 'skipped', 0],
  ]);
  expect(dialsTo([a.phone, b.phone, c.phone], since).map((d) => d.to)).toEqual([a.phone, b.phone]);
  const steps = (await v1.call('GET', `${runPath(m)}/plan`)).body.data.steps.map((s: Obj) => [s.step_id, s.status]);
  expect(steps).toEqual([
    ['setup', 'completed'],
    ['calls', 'completed'],
    ['analyze', 'completed'],
    ['report', 'completed'],
  ]);
});

test('M46: starts `spacing` apart, batches of batch_size in order (each after the last ended), one live call per line', async () => {
  const all = targets(7, 46100);
  const since = v1.lines.dials.length;
  const m = await create('Throttle', spec({ targets: all, throttle: { batch_size: 3, spacing: 'PT2M' } }));
  expect((await finished(m)).status).toBe('succeeded');
  const events = await eventsOf(m);
  expect(events.map((e) => e.to)).toEqual(all.map((t) => t.phone));
  const starts = events.map((e) => Date.parse(e.scheduled_at));
  for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(2 * MINUTE);
  const dials = dialsTo(
    all.map((t) => t.phone),
    since,
  );
  expect(dials).toHaveLength(7);
  // Batches [1–3], [4–6], [7]: a batch's dials all come after every call of the one before has ended.
  const batchOf = (phone: string) => Math.floor(all.findIndex((t) => t.phone === phone) / 3);
  for (const d of dials) {
    const earlier = dials.filter((e) => batchOf(e.to) < batchOf(d.to));
    for (const e of earlier) expect(d.at).toBeGreaterThanOrEqual(e.at + CALL_MS);
  }
  // Two lines for batches of three: the third call of a batch waits for its line.
  expect(new Set(dials.map((d) => d.from)).size).toBe(2);
  for (const line of new Set(dials.map((d) => d.from))) {
    const on = dials.filter((d) => d.from === line).map((d) => d.at);
    for (let i = 1; i < on.length; i++) expect(on[i] - on[i - 1]).toBeGreaterThanOrEqual(CALL_MS);
  }
});

test('M47: E06 by kind: retry delays, attempt caps (automated 4, service 3, professional 2), machines retried within the cap, voicemail caps (automated 0, service 1)', async () => {
  const [noAnswer, busy, failedThenAnswer, voicemail] = targets(4, 47100);
  const service = target('+13125547200', 'service');
  const professional = target('+13125547300', 'professional');
  const serviceMachine = target('+13125547203', 'service');
  for (const t of [noAnswer, service, professional]) v1.lines.script(t.phone, Array(5).fill('no-answer'));
  v1.lines.script(busy.phone, Array(5).fill('busy'));
  v1.lines.script(failedThenAnswer.phone, ['failed', 'answer']);
  for (const t of [voicemail, serviceMachine]) v1.lines.script(t.phone, Array(5).fill('voicemail'));
  const all = [noAnswer, busy, failedThenAnswer, voicemail, service, serviceMachine, professional];
  const since = v1.lines.dials.length;
  const m = await create('Rules', spec({ targets: all.slice(0, 6), throttle: { batch_size: 10, spacing: 'PT30S' }, schedule: { business_hours: false, avoid: [] } }));
  // Every hour of every day is a business hour: "the next business day" is the next local day.
  const allDay = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59' };
  const pro = await create('Rules pro', spec({ targets: [professional], schedule: { business_hours: allDay } }));
  const [run, proRun] = await Promise.all([finished(m, 150_000), finished(pro, 150_000)]);
  expect([run.status, proRun.status]).toEqual(['succeeded', 'failed']);
  const count = (t: Obj) => dialsTo([t.phone], since).length;
  expect(all.map(count)).toEqual([4, 4, 2, 4, 3, 3, 2]);
  expect([...run.result_payload.targets, ...proRun.result_payload.targets].map((t: Obj) => [t.phone, t.state, t.attempts])).toEqual([
    [noAnswer.phone, 'failed', 4],
    [busy.phone, 'failed', 4],
    [failedThenAnswer.phone, 'completed', 2],
    // `automated` has AMD off: its machine is never classified, so it ends like a no-answer.
    [voicemail.phone, 'failed', 4],
    [service.phone, 'failed', 3],
    // A voicemail on the last attempt still completes the event (its one message was left).
    [serviceMachine.phone, 'completed', 3],
    [professional.phone, 'failed', 2],
  ]);

  // E07, as the lines report each call: one message per service target, none for automated.
  const reasons = (t: Obj) => v1.stack.testDb.db.callRecord.findMany({ where: { to: t.phone }, orderBy: { attempt: 'asc' } }).then((cs) => cs.map((c) => c.reason));
  expect(await reasons(serviceMachine)).toEqual([MACHINE_REASONS.leave_message, MACHINE_REASONS.hang_up, MACHINE_REASONS.hang_up]);
  expect(await reasons(voicemail)).toEqual(Array(4).fill(MACHINE_REASONS.undetected));

  // Each retry's plan time (next_attempt_at) against the end of the attempt before it.
  const db = v1.stack.testDb.db;
  const accountId = (await db.missionRun.findUniqueOrThrow({ where: { id: m.run_id } })).accountId;
  const log = [...(await readStream(db, { accountId, sinceSeq: 0, runId: m.run_id, limit: 5000 })), ...(await readStream(db, { accountId, sinceSeq: 0, runId: pro.run_id, limit: 5000 }))];
  const retries = new Map<string, Array<{ delayMin: number; next: number }>>();
  const events = [...(await eventsOf(m)), ...(await eventsOf(pro))];
  for (const entry of log) {
    const d = entry.event.data as Obj;
    if (entry.event.kind !== 'event_status' || d.status !== 'pending' || !d.next_attempt_at || !d.conversation_id) continue;
    const call = await db.callRecord.findUniqueOrThrow({ where: { id: d.conversation_id } });
    const to = events.find((e) => e.id === d.event_id)!.to;
    const next = Date.parse(d.next_attempt_at);
    retries.set(to, [...(retries.get(to) ?? []), { delayMin: (next - call.endedAt!.getTime()) / MINUTE, next }]);
  }
  const within = (phone: string, lo: number, hi: number, n: number) => {
    const r = retries.get(phone) ?? [];
    expect(r).toHaveLength(n);
    // The workflow computes the delay a moment after the call ended: allow it 30 s.
    for (const { delayMin } of r) expect([phone, delayMin >= lo && delayMin <= hi + 0.5]).toEqual([phone, true]);
  };
  within(noAnswer.phone, 5, 15, 3);
  within(busy.phone, 10, 15, 3);
  within(failedThenAnswer.phone, 5, 10, 1);
  within(voicemail.phone, 5, 15, 3);
  within(service.phone, 30, 120, 2);
  within(serviceMachine.phone, 30, 120, 2);
  // professional: the next local day, within an hour of its opening (00:00 here).
  const [retry] = retries.get(professional.phone) ?? [];
  expect(retry).toBeDefined();
  const local = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' }).format(new Date(ms));
  const firstEnd = retry.next - retry.delayMin * MINUTE;
  expect(local(retry.next).slice(0, 10) > local(firstEnd).slice(0, 10)).toBe(true);
  expect(local(retry.next).slice(-2)).toBe('00');
});

test('M54: a cancel hangs up the ringing call; the run and every event of it end, the live one canceled', async () => {
  const live = target('+13125540009'); // …0009 rings until hung up
  const m = await create('Cancel', spec({ targets: [live, ...targets(2, 54100)], throttle: { batch_size: 3, spacing: 'PT30S' } }));
  await until(() => eventsOf(m), (e) => e.some((x) => x.call_status === 'ringing'));
  expect((await v1.call('PATCH', runPath(m), { status: 'cancelled' })).status).toBe(200);
  const events = await eventsOf(m);
  expect(events.map((e) => e.status).filter((s) => !['cancelled', 'completed', 'failed'].includes(s))).toEqual([]);
  expect(events.find((e) => e.to === live.phone)).toMatchObject({ status: 'cancelled', call_status: 'canceled' });
  expect((await finished(m)).status).toBe('cancelled');
});

test('M54: a cancel with hangup:false lets the live call finish; nothing new starts, the run is cancelled', async () => {
  const live = target('+13125540009'); // …0009 rings until hung up
  const rest = targets(4, 54200);
  const m = await create('Cancel softly', spec({ targets: [live, ...rest], throttle: { batch_size: 1, spacing: 'PT30S' } }));
  await until(() => eventsOf(m), (e) => e.some((x) => x.call_status === 'ringing'));
  const since = v1.lines.dials.length;
  expect((await v1.call('POST', `${runPath(m)}/cancel`, { reason: 'enough', hangup: false })).status).toBe(202);
  await new Promise((r) => setTimeout(r, 1000));
  const events = await eventsOf(m);
  // The live call rings on: not hung up, and its event still open.
  expect(events.find((e) => e.to === live.phone)).toMatchObject({ status: 'in_progress', call_status: 'ringing' });
  expect(dialsTo(rest.map((t) => t.phone), since)).toEqual([]);
  expect((await v1.call('GET', runPath(m))).body.data.status).toBe('cancelled');
  // Hang it up by hand: the event ends, and with it the run's workflow.
  const ringing = events.find((e) => e.to === live.phone)!;
  const agent = (await v1.call('GET', `${runPath(m)}/agents`)).body.data[0].telnyx_agent_id;
  expect((await v1.call('DELETE', `/v1/assistants/${agent}/events/${ringing.id}`)).status).toBeLessThan(300);
  expect((await finished(m)).status).toBe('cancelled');
});

test('M49: negotiation is strictly serial; call N+1 dials with the findings of calls 1…N in its prompt', async () => {
  const all = targets(3, 49100);
  const since = v1.lines.dials.length;
  const m = await create('Haggle', spec({ class: 'negotiation', targets: all }));
  const run = await finished(m);
  expect(run.status).toBe('succeeded');
  const dials = dialsTo(
    all.map((t) => t.phone),
    since,
  );
  expect(dials.map((d) => d.to)).toEqual(all.map((t) => t.phone));
  // Serial: each dial after the call before it ended (a call lasts CALL_MS), even across two lines.
  for (let i = 1; i < dials.length; i++) expect(dials[i].at - dials[i - 1].at).toBeGreaterThanOrEqual(CALL_MS);
  const prices = run.result_payload.targets.map((t: Obj) => t.insights.price_usd as number);
  expect(new Set(prices).size).toBe(3);
  // The per-event prompt, as snapshotted on each call record at dial time.
  const db = v1.stack.testDb.db;
  const prompts = await Promise.all(all.map((t) => db.callRecord.findFirstOrThrow({ where: { to: t.phone } }).then((c) => c.instructions ?? '')));
  expect(prompts[0]).not.toContain('Findings of the earlier calls');
  expect(prompts[1]).toContain(`"price_usd":${prices[0]}`);
  expect(prompts[1]).not.toContain(`"price_usd":${prices[1]}`);
  expect(prompts[2]).toContain(`"price_usd":${prices[0]}`);
  expect(prompts[2]).toContain(`"price_usd":${prices[1]}`);
  for (const p of prompts) expect(p).toContain('Ask for a quote.');
});
