/** The WebSockets' access rules over real sockets (contract §6: G01, G02, G03) and WS dial/hangup (G55, G58). */
import type { AddressInfo } from 'node:net';
import { instantEngines } from '../../bench/instant-engines';
import type { TelephonyDriver } from '../../infra/telephony/driver';
import { startStack, Stack } from '../support/stack';
import { TestAgent } from '../support/agent';

const T = 'ws-token';
const driverCalls: string[] = [];
const telephony: TelephonyDriver = {
  async dial(input) {
    driverCalls.push(`dial ${input.number}`);
    return { ok: true, detail: 'Broadcast completed: result=0', serial: 'fake-serial', command_id: 'parley-test-command' };
  },
  async hangup() {
    driverCalls.push('hangup');
    return { ok: true, detail: 'Broadcast completed: result=0', serial: 'fake-serial' };
  },
};

const stacks: Stack[] = [];
async function listen(env: Record<string, string>): Promise<{ stack: Stack; base: string }> {
  const stack = await startStack(env, { engines: instantEngines(), telephony });
  stacks.push(stack);
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  return { stack, base: `ws://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}` };
}
afterAll(async () => Promise.all(stacks.map((s) => s.close())));

const refused = (url: string, headers: Record<string, string> = {}) =>
  TestAgent.connect(url, headers).then(
    async (a) => (await a.close(), 'open'),
    (err: Error) => err.message,
  );

test('G01 with a token set, both WebSockets need it (header or ?token=); G02 a foreign Origin is refused', async () => {
  const { base } = await listen({ PARLEY_BEARER_TOKEN: T });
  for (const path of ['/api/agent/ws', '/ws/events']) {
    expect(await refused(`${base}${path}`)).toBe('HTTP 401');
    expect(await refused(`${base}${path}?token=wrong`)).toBe('HTTP 401');
    expect(await refused(`${base}${path}?token=${T}`)).toBe('open');
    expect(await refused(`${base}${path}`, { authorization: `Bearer ${T}` })).toBe('open');
    expect(await refused(`${base}${path}?token=${T}`, { origin: 'https://evil.example' })).toBe('HTTP 403');
  }
});

test('G03 legacy_open_agent_api: a loopback agent without token or Origin connects; with an Origin it is refused', async () => {
  const { base } = await listen({ PARLEY_BEARER_TOKEN: T, PARLEY_LEGACY_OPEN_AGENT_API: 'true' });
  expect(await refused(`${base}/api/agent/ws`)).toBe('open');
  expect(await refused(`${base}/ws/events`)).toBe('open');
  expect(await refused(`${base}/api/agent/ws`, { origin: 'http://localhost:3000' })).toBe('HTTP 403');
});

test('G55/G58 WS dial → dial.ack + call.dial; WS hangup → hangup.ack, session.ended(hangup), call.hangup', async () => {
  const { stack, base } = await listen({});
  const agent = await TestAgent.connect(`${base}/api/agent/ws`);
  const dial = await agent.request({ type: 'dial', number: '+4915112345678' });
  expect(dial).toMatchObject({ ok: true, serial: 'fake-serial', command_id: 'parley-test-command' });
  expect(await agent.event('call.dial')).toMatchObject({ number: '+4915112345678', session_id: '' });
  expect(await agent.request({ type: 'dial', number: '123; reboot' })).toMatchObject({ ok: false, detail: 'invalid number: E.164 required' });
  expect(driverCalls).toEqual(['dial +4915112345678']);

  const sid = (await stack.app.inject({ method: 'POST', url: '/api/session/new' })).json().session_id;
  const hangup = await agent.request({ type: 'hangup', session_id: sid });
  expect(hangup).toMatchObject({ ok: true, session_id: sid });
  await agent.event('session.ended', (m) => m.session_id === sid && m.reason === 'hangup');
  expect(await agent.event('call.hangup', (m) => m.session_id === sid)).toMatchObject({ ok: true, serial: 'fake-serial' });
  await agent.close();
});
