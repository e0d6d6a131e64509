/**
 * The load side's HTTP client (bench/load.ts): a turn is the app's multipart body on a kept-alive
 * socket, its answer read as JSON, and a failure is a result, never a thrown error that would
 * stop a load step. Runs against a local node:http server that records what it received.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSession, post, postTurn } from '../../../bench/load';

interface Seen {
  url: string;
  contentType: string;
  body: string;
  socket: unknown;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', contentType: String(req.headers['content-type']), body: Buffer.concat(chunks).toString('latin1'), socket: req.socket });
      if (req.url === '/api/session/new') return void res.end(JSON.stringify({ session_id: 's1' }));
      if (req.url === '/broken/api/session/new') return void res.writeHead(503).end('unavailable');
      if (req.url === '/failing/api/turn') return void res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'LLM failed' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, reply: 'Fine.' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

test('a turn posts the multipart fields and the WAV, and reads the JSON answer', async () => {
  const wav = Buffer.from('RIFF....WAVEfmt fake audio', 'latin1');
  const r = await postTurn(`${base}/api/turn`, { session_id: 's1', caller_number: '+15550001111' }, wav);
  expect(r).toMatchObject({ status: 200, ok: true, body: { ok: true, reply: 'Fine.' } });
  expect(r.ms).toBeGreaterThan(0);
  const [req] = seen;
  expect(req.url).toBe('/api/turn');
  const boundary = /boundary=(.+)$/.exec(req.contentType)![1];
  expect(req.body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\ns1\r\n`);
  expect(req.body).toContain(`name="caller_number"\r\n\r\n+15550001111\r\n`);
  expect(req.body).toContain(`name="audio"; filename="turn.wav"\r\nContent-Type: audio/wav\r\n\r\n${wav.toString('latin1')}\r\n--${boundary}--\r\n`);
});

test('turns reuse their socket (keep-alive), as the app does', async () => {
  await postTurn(`${base}/api/turn`, { session_id: 's1' }, Buffer.from('a'));
  await postTurn(`${base}/api/turn`, { session_id: 's1' }, Buffer.from('b'));
  expect(seen).toHaveLength(2);
  expect(seen[1].socket).toBe(seen[0].socket);
});

test('a 5xx answer and a refused connection are results, not exceptions', async () => {
  const failed = await postTurn(`${base}/failing/api/turn`, { session_id: 's1' }, Buffer.from('a'));
  expect(failed).toMatchObject({ status: 500, ok: false, body: { detail: 'LLM failed' } });
  const refused = await postTurn('http://127.0.0.1:1/api/turn', { session_id: 's1' }, Buffer.from('a'));
  expect(refused).toMatchObject({ status: 0, ok: false });
  expect(String(refused.body.error)).toMatch(/ECONNREFUSED/);
});

test('a body that is not JSON reads as {} with its status; a session opens or says why not', async () => {
  await expect(post(`${base}/broken/api/session/new`, '{}', 'application/json')).resolves.toEqual({ status: 503, body: {} });
  await expect(openSession(base)).resolves.toBe('s1');
  await expect(openSession(`${base}/broken`)).rejects.toThrow('/api/session/new answered 503');
});
