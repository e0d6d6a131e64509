import { callSessionWorkflowId } from '../../common/ids';
import { startStack, Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ PARLEY_SESSION_TTL: '2' });
});
afterAll(async () => stack.close());

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  stack.app.inject({ method: 'POST', url, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, payload: body === undefined ? undefined : JSON.stringify(body) });

describe('phone session routes', () => {
  test('session/new → 32-hex sid, listed, session.started(api), visible to Temporal with search attributes', async () => {
    const res = await post('/api/session/new');
    expect(res.statusCode).toBe(200);
    const { session_id } = res.json();
    expect(session_id).toMatch(/^[0-9a-f]{32}$/);

    const list = await stack.app.inject({ method: 'GET', url: '/api/agent/sessions' });
    expect(list.json()).toContain(session_id);

    const events = await stack.testDb.db.event.findMany({ where: { sessionId: session_id } });
    expect(events.map((e) => e.type)).toEqual(['session.started']);
    expect(JSON.parse(events[0].dataJson)).toMatchObject({ session_id, source: 'api' });

    const description = await stack.client.workflow.getHandle(callSessionWorkflowId(session_id)).describe();
    expect(description.searchAttributes.ParleySessionId).toEqual([session_id]);
  });

  test('session/end: no sid → 400; live → ok + session.ended(end_session) and unlisted; again → ok false', async () => {
    const { session_id } = (await post('/api/session/new')).json();

    const missing = await post('/api/session/end', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ detail: 'session_id required' });
    // A body-less POST with a JSON content type is {} (contract §1 rule d), and "" is absent.
    expect((await post('/api/session/end', undefined, { 'content-type': 'application/json' })).statusCode).toBe(400);
    expect((await post('/api/session/end', { session_id: '' })).statusCode).toBe(400);

    const ended = await post('/api/session/end', { session_id });
    expect(ended.json()).toEqual({ ok: true, session_id });
    expect((await stack.app.inject({ method: 'GET', url: '/api/agent/sessions' })).json()).not.toContain(session_id);
    const types = (await stack.testDb.db.event.findMany({ where: { sessionId: session_id }, orderBy: { seq: 'asc' } })).map((e) => [e.type, JSON.parse(e.dataJson).reason]);
    expect(types).toEqual([['session.started', undefined], ['session.ended', 'end_session']]);

    expect((await post('/api/session/end', { session_id })).json()).toEqual({ ok: false, session_id });
    expect((await post('/api/session/end', { session_id: 'never-seen-before' })).json()).toEqual({ ok: false, session_id: 'never-seen-before' });
  });

  test('an idle session ends after session_ttl with reason stale and leaves the list', async () => {
    const { session_id } = (await post('/api/session/new')).json();
    const deadline = Date.now() + 15_000;
    let row = await stack.testDb.db.callSession.findUnique({ where: { id: session_id } });
    while (row?.status !== 'ended' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      row = await stack.testDb.db.callSession.findUnique({ where: { id: session_id } });
    }
    expect(row).toMatchObject({ status: 'ended', endReason: 'stale' });
    expect((await stack.app.inject({ method: 'GET', url: '/api/agent/sessions' })).json()).not.toContain(session_id);
  });

  test('malformed JSON gets a 400 JSON error, unknown routes a 404 JSON error', async () => {
    const bad = await stack.app.inject({ method: 'POST', url: '/api/session/end', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ detail: 'invalid JSON body' });
    const missing = await stack.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toMatch(/Not Found/);
  });
});
