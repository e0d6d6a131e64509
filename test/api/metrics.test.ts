/** GET /metrics: turn latency by stage and reply source, turns, active calls, takeovers, events delivered, /v1 requests, mission events. */
import type { AddressInfo } from 'node:net';
import { instantEngines } from '../../bench/instant-engines';
import { createApiKey } from '../../infra/api-keys';
import { TestAgent } from '../support/agent';
import { postTurn } from '../support/phone';
import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ PARLEY_LOG_LEVEL: 'silent' }, { engines: instantEngines() });
});
afterAll(async () => stack.close());

async function scrape(): Promise<string> {
  const res = await stack.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return res.body;
}

/** The value of one sample line, e.g. `parley_turns_total{outcome="ok"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

test('a turn, a takeover, delivered events and a /v1 request show up in /metrics', async () => {
  const turn = await postTurn(stack.app, { forced_reply: 'Hello there.', reset_session: 'true' });
  expect(turn.status).toBe(200);
  const sid = turn.body.session_id as string;

  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (stack.app.server.address() as AddressInfo).port;
  const agent = await TestAgent.connect(`ws://127.0.0.1:${port}/api/agent/ws`);
  try {
    expect(await agent.request({ type: 'takeover', session_id: sid })).toMatchObject({ ok: true });
    await agent.request({ type: 'subscribe', since: 0 });
    await agent.event('session.started');
  } finally {
    agent.ws.close();
  }

  const { key } = await createApiKey(stack.testDb.db, { name: 'metrics', admin: false });
  expect((await stack.app.inject({ method: 'GET', url: '/v1/missions', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);

  const text = await scrape();
  expect(sample(text, 'parley_turns_total{outcome="ok"}')).toBe(1);
  expect(sample(text, 'parley_turn_stage_seconds_count{stage="total",reply_source="forced"}')).toBe(1);
  expect(text).toContain('parley_turn_stage_seconds_bucket{le="0.05",stage="tts",reply_source="forced"}');
  expect(sample(text, 'parley_active_calls')).toBe(1);
  expect(sample(text, 'parley_takeovers_total')).toBe(1);
  expect(sample(text, 'parley_events_delivered_total')).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'parley_v1_requests_total{method="GET",route="/v1/missions",status="200"}')).toBe(1);
  expect(text).toContain('# TYPE parley_mission_events gauge');
  expect(text).toContain('parley_api_process_cpu_seconds_total');
});

test('/metrics is documented in /openapi.json', async () => {
  const paths = Object.keys((await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths);
  expect(paths).toContain('/metrics');
});
