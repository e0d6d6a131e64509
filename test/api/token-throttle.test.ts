/**
 * Failed gateway tokens are throttled per client address (issue 14): after 20 failures the
 * address gets 429 with Retry-After, before its token is even compared; other addresses are not
 * affected.
 */
import { instantEngines } from '../../bench/instant-engines';
import { FAILED_TOKEN_BURST } from '../../api/auth';
import { startStack, Stack } from '../support/stack';

const T = 'the-phone-token';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ PARLEY_BEARER_TOKEN: T }, { worker: false, engines: instantEngines() });
});
afterAll(async () => stack.close());

const get = (url: string, remoteAddress: string, token: string) => stack.app.inject({ method: 'GET', url, remoteAddress, headers: { authorization: `Bearer ${token}` } });

test('20 wrong tokens from one address, then 429 for it (right token included); another address is untouched', async () => {
  const guesser = '203.0.113.7';
  const statuses: number[] = [];
  for (let i = 0; i < FAILED_TOKEN_BURST; i++) statuses.push((await get('/api/status', guesser, `guess-${i}`)).statusCode);
  expect(statuses).toEqual(Array(FAILED_TOKEN_BURST).fill(401));

  for (const url of ['/api/status', '/health', '/api/agent/ws']) {
    const refused = await get(url, guesser, 'guess-more');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ detail: 'Too Many Requests' });
    expect(String(refused.headers['retry-after'])).toMatch(/^[1-9]\d*$/);
  }
  // Locked out means not even compared: the right token from that address waits too.
  expect((await get('/api/status', guesser, T)).statusCode).toBe(429);

  const phone = '198.51.100.20';
  expect((await get('/api/status', phone, T)).statusCode).toBe(200);
  expect((await get('/api/status', phone, 'typo')).statusCode).toBe(401);
  expect((await get('/api/config/call', phone, T)).statusCode).toBe(200);
});
