/**
 * WebSocket backpressure (issue 14): a client that asks for the whole event log many times over
 * and never reads is paced, then closed with 1008, and costs the API a bounded amount of memory.
 */
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { instantEngines } from '../../bench/instant-engines';
import { SLOW_CONSUMER_CLOSE_CODE } from '../../api/paced-socket';
import { startStack, Stack } from '../support/stack';

const EVENTS = 20_000;
const STALL_MS = 2_000;
let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack({}, { engines: instantEngines(), sendBuffer: { softBytes: 1 << 20, hardBytes: 8 << 20, stallMs: STALL_MS } });
  // A long log: ~1 KB per event, ~20 MB in all, so that 300 replays would be ~6 GB unpaced.
  const filler = 'x'.repeat(900);
  for (let i = 0; i < EVENTS; i += 2_000) {
    await stack.testDb.db.event.createMany({
      data: Array.from({ length: 2_000 }, (_, j) => ({ type: 'turn.transcript', sessionId: 'f'.repeat(32), dataJson: JSON.stringify({ session_id: 'f'.repeat(32), transcript: filler, n: i + j }) })),
    });
  }
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  base = `ws://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => stack.close());

for (const path of ['/ws/events', '/api/agent/ws?name=never-reads']) {
  test(`${path}: 300 × subscribe since 0 without reading → paced, closed with 1008, ≤ 50 MB`, async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const client = new WebSocket(`${base}${path}`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.pause(); // stops reading: the kernel buffers fill, then the API's
    let received = 0;
    client.on('message', () => (received += 1));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => client.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
    for (let i = 0; i < 300; i++) client.send(JSON.stringify({ type: 'subscribe', since: 0 }));
    // Stalled past stallMs: the API queues the close behind what is buffered and waits a grace
    // period for the client to read to it. This client reads again in time and gets the code.
    await new Promise((r) => setTimeout(r, STALL_MS + 1_500));
    client.resume();
    const { code, reason } = await closed;
    clearInterval(sampler);
    expect(code).toBe(SLOW_CONSUMER_CLOSE_CODE);
    expect(reason).toMatch(/^slow consumer: /);
    // It was paced: it got a part of the first replay, nowhere near 300 of them.
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(2 * EVENTS);
    expect((peak - before) / 2 ** 20).toBeLessThanOrEqual(50);
  }, 60_000);
}
