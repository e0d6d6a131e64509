/** Calls (call.sh), messages (sms.sh) and approvals (approval.sh): M32–M36. */
import { createApiKey } from '../../infra/api-keys';
import { startV1, until, type V1 } from '../support/v1';

jest.setTimeout(60_000);

type Obj = Record<string, any>;
let v1: V1;
beforeAll(async () => {
  v1 = await startV1({}, { callMs: 300 });
});
afterAll(async () => v1?.close());

test('M32: POST /calls {} dials the owner → initiating + call_id; status and end work; no owner phone → 422', async () => {
  const res = await v1.call('POST', '/v1/calls', {});
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ call_id: expect.any(String), status: 'initiating', to: '+15550109999', from: '+15550100001' });
  const done = await until(async () => (await v1.call('GET', `/v1/calls/${res.body.call_id}`)).body, (c) => c.status === 'completed');
  expect(done).toMatchObject({ call_id: res.body.call_id, status: 'completed', outcome: 'answered', duration_seconds: expect.any(Number) });
  expect(v1.lines.dials.at(-1)).toMatchObject({ to: '+15550109999' });
  // --to / --purpose, then end: idempotent.
  const held = await v1.call('POST', '/v1/calls', { to: '+13125550009', greeting: 'Hi', context: { purpose: 'Schedule a meeting' } });
  expect(held.body.status).toBe('initiating');
  await until(async () => (await v1.call('GET', `/v1/calls/${held.body.call_id}`)).body, (c) => c.status === 'ringing');
  const ended = await v1.call('POST', `/v1/calls/${held.body.call_id}/end`, { reason: 'user_ended' });
  expect(ended.body).toMatchObject({ call_id: held.body.call_id, status: 'canceled', reason: 'user_ended' });
  expect((await v1.call('POST', `/v1/calls/${held.body.call_id}/end`, { reason: 'user_ended' })).body.status).toBe('canceled');
  const noOwner = await startV1({ PARLEY_OWNER_PHONE: '' });
  try {
    const res2 = await noOwner.call('POST', '/v1/calls', {});
    expect(res2.status).toBe(422);
    expect(res2.body.error.message).toEqual(expect.any(String));
  } finally {
    await noOwner.close();
  }
});

test('M33, M34: messages/send → 201 id and from; missing message 422; list with a raw + contact; conversations', async () => {
  const sent = await v1.call('POST', '/v1/messages/send', { to: '+13125550140', message: 'Hello from Parley' });
  expect(sent.status).toBe(201);
  expect(sent.body).toMatchObject({ id: expect.any(String), from: '+15550100001', to: '+13125550140', body: 'Hello from Parley', status: 'sent' });
  expect(sent.body.error).toBeUndefined();
  expect((await v1.call('POST', '/v1/messages/send', { to: '+13125550140' })).status).toBe(422);
  const mms = await v1.call('POST', '/v1/messages/send', { to: '+13125550140', message: 'x', media_urls: ['https://example.com/a.jpg'] });
  expect(mms.body.error.code).toBe('media_not_supported');
  await v1.call('POST', '/v1/messages/send', { to: '+13125550141', message: 'Other contact' });
  // sms.sh puts the + raw in the query: it arrives as a space.
  const list = await v1.call('GET', '/v1/messages?limit=20&contact=+13125550140');
  expect(list.body.pagination.total).toBe(2);
  for (const m of list.body.messages) {
    expect(m.created_at).toContain('T');
    expect(typeof m.body).toBe('string');
    expect([m.from, m.to]).toContain('+13125550140');
  }
  expect(list.body.messages.find((m: Obj) => m.direction === 'inbound').body).toContain('Hello from Parley');
  const conv = await v1.call('GET', '/v1/messages/conversations');
  expect(conv.body.conversations.map((c: Obj) => c.contact).sort()).toEqual(['+13125550140', '+13125550141']);
  for (const c of conv.body.conversations) expect(typeof c.last_message).toBe('string');
});

test('M35: an approval is pending with devices_notified ≥ 1, is decided once, and expires after expires_in', async () => {
  const req = await v1.call('POST', '/v1/approvals', { action: 'Book flight', require_biometric: false, expires_in: 86400, details: 'LAX→JFK' });
  expect(req.status).toBe(201);
  expect(req.body).toMatchObject({ request_id: expect.any(String), status: 'pending', devices_notified: 1, devices_failed: 0, expires_at: expect.stringContaining('T') });
  const approved = await v1.call('POST', `/v1/approvals/${req.body.request_id}/approve`, { note: 'ok' });
  expect(approved.body).toMatchObject({ status: 'approved', note: 'ok' });
  expect((await v1.call('GET', `/v1/approvals/${req.body.request_id}`)).body).toMatchObject({ request_id: req.body.request_id, status: 'approved', action: 'Book flight' });
  // M36: a second decision is 409.
  const again = await v1.call('POST', `/v1/approvals/${req.body.request_id}/deny`, {});
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('already_decided');
  // expires_in 10 s ×0.0001 → 1 ms.
  const short = await v1.call('POST', '/v1/approvals', { action: 'Delete files', expires_in: 10 });
  const expired = await until(async () => (await v1.call('GET', `/v1/approvals/${short.body.request_id}`)).body, (a) => a.status !== 'pending');
  expect(expired.status).toBe('expired');
  expect((await v1.call('POST', `/v1/approvals/${short.body.request_id}/approve`, {})).status).toBe(409);
  const list = await v1.call('GET', '/v1/approvals?status=expired');
  expect(list.body.data.map((a: Obj) => a.request_id)).toContain(short.body.request_id);
  expect((await v1.call('POST', '/v1/approvals', { action: 'x', expires_in: 5 })).status).toBe(422);
});

test('M36: a require_biometric approval needs an admin key (403 with a client key)', async () => {
  const req = await v1.call('POST', '/v1/approvals', { action: 'Transfer $5000', require_biometric: true, expires_in: 86400 });
  const denied = await v1.call('POST', `/v1/approvals/${req.body.request_id}/approve`, {});
  expect(denied.status).toBe(403);
  const { key } = await createApiKey(v1.stack.testDb.db, { name: 'admin', admin: true });
  const res = await v1.stack.app.inject({ method: 'POST', url: `/v1/approvals/${req.body.request_id}/deny`, headers: { authorization: `Bearer ${key}` } });
  expect(res.statusCode).toBe(200);
  expect(res.json().status).toBe('denied');
});

test('M30 without an LLM: the insight is `failed` with the reason, never invented; the event still completes', async () => {
  const a = (await v1.call('POST', '/v1/assistants', { name: 'No LLM', instructions: 'x', greeting: '' })).body;
  const at = new Date(Date.now() + 61_000).toISOString();
  const ev = await v1.call('POST', `/v1/assistants/${a.id}/events`, { channel: 'call', to: '+13125550101', from: '+15550100002', scheduled_at: at });
  const done = await until(async () => (await v1.call('GET', `/v1/assistants/${a.id}/events/${ev.body.id}`)).body, (e) => e.status === 'completed');
  const insights = (await v1.call('GET', `/v1/missions/conversations/${done.conversation_id}/insights`)).body.data;
  expect(insights).toEqual([expect.objectContaining({ name: 'summary', status: 'failed', conversation_insights: [], reason: expect.stringContaining('no LLM configured') })]);
});
