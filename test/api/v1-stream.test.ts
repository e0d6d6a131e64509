/**
 * /v1/stream over a real socket (M55): bad auth → 4401, header and first-message auth, strictly
 * rising `seq`, `since_seq` replay, and a gate decided with `approval.decide`.
 */
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { startV1, until, type V1 } from '../support/v1';

jest.setTimeout(120_000);

type Obj = Record<string, any>;
let v1: V1;
let base: string;

beforeAll(async () => {
  v1 = await startV1();
  await v1.stack.app.listen({ host: '127.0.0.1', port: 0 });
  base = `ws://127.0.0.1:${(v1.stack.app.server.address() as AddressInfo).port}/v1/stream`;
});
afterAll(async () => v1?.close());

/** A subscriber that keeps every message and the close code. */
function subscribe(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: Obj[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return { ws, messages, closed, opened };
}

const spec = { class: 'multi_round', assistant: { instructions: 'Ask.' }, schedule: { business_hours: false, avoid: [] }, throttle: { spacing: 'PT30S' }, targets: [{ name: 'A', phone: '+13125557001', timezone: 'America/Chicago', kind: 'automated' }] };

test('M55: bad auth → 4401 (header or first message); no auth in time → 4401', async () => {
  expect(await subscribe(base, { authorization: 'Bearer prl_live_00000000000000000000000000000000' }).closed).toBe(4401);
  const s = subscribe(base);
  await s.opened;
  s.ws.send(JSON.stringify({ type: 'auth', api_key: 'nope' }));
  expect(await s.closed).toBe(4401);
  const t = subscribe(base);
  await t.opened;
  t.ws.send(JSON.stringify({ type: 'subscribe' }));
  expect(await t.closed).toBe(4401);
});

test('M55: seq rises strictly; since_seq replays; a gate is decided over the stream', async () => {
  const live = subscribe(base, { authorization: `Bearer ${v1.key}` });
  await live.opened;
  await until(async () => live.messages, (m) => m.some((x) => x.type === 'ready'));
  const created = await v1.call('POST', '/v1/missions', { name: 'Streamed', instructions: 'x', spec });
  expect(created.status).toBe(201);
  const runId = created.body.data.run_id;
  const requested = await until(async () => live.messages, (m) => m.some((x) => x.event?.kind === 'approval_requested'), 30_000);
  const gate = requested.find((x) => x.event?.kind === 'approval_requested')!;
  expect(gate).toMatchObject({ type: 'event', run_id: runId, event: { data: { gate_id: 'gate_1' } } });
  live.ws.send(JSON.stringify({ type: 'approval.decide', request_id: gate.event.data.request_id, decision: 'approve' }));
  const done = await until(async () => live.messages, (m) => m.some((x) => x.event?.kind === 'run_status' && x.event.data.status === 'succeeded'), 60_000);
  const events = done.filter((x) => x.type === 'event');
  for (let i = 1; i < events.length; i++) expect(events[i].seq).toBeGreaterThan(events[i - 1].seq);
  expect(done).toContainEqual(expect.objectContaining({ type: 'approval.decide.ack', ok: true, status: 'approved' }));
  const kinds = new Set(events.map((x) => x.event.kind));
  for (const kind of ['step_status', 'run_event', 'event_status', 'approval_requested', 'approval_decided', 'memory_updated', 'run_status']) expect(kinds).toContain(kind);
  live.ws.close();

  // A late subscriber (first-message auth) replays from since_seq: exactly what came after it.
  const from = events[2].seq;
  const late = subscribe(`${base}?run_id=${runId}&since_seq=${from}`);
  await late.opened;
  late.ws.send(JSON.stringify({ type: 'auth', api_key: v1.key }));
  const replayed = await until(async () => late.messages, (m) => m.filter((x) => x.type === 'event').length >= events.length - 3, 10_000);
  expect(replayed.filter((x) => x.type === 'event').map((x) => x.seq)).toEqual(events.slice(3).map((x) => x.seq));
  late.ws.close();
});
