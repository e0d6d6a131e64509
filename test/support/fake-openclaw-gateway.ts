/**
 * TEST DOUBLE: a local stand-in for an OpenClaw gateway's `POST /tools/invoke`, the only gateway
 * route ClawdTalk's ws-client.js calls (`sessions_send` to the bot's main session). It answers
 * in the real gateway's shape (`result.details.reply`, and the same JSON in `result.content`),
 * with a configurable reply, and can hold answers back to simulate a bot that takes its time.
 * It is not a bot: nothing here understands the message.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatewayCall {
  tool: string;
  args: { sessionKey?: string; message?: string; timeoutSeconds?: number };
  authorization: string;
}

export interface FakeOpenClawGateway {
  /** Base URL, as skill-config.json's `gateway_url`. */
  url: string;
  token: string;
  calls: GatewayCall[];
  setReply(reply: (message: string) => string): void;
  /** Answers wait until `release()`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startFakeOpenClawGateway(token = 'test-gateway-token'): Promise<FakeOpenClawGateway> {
  const calls: GatewayCall[] = [];
  let reply = (message: string) => `Gateway test reply to: ${message.slice(-60)}`;
  let held: Promise<void> = Promise.resolve();
  let releaseHeld = () => undefined as void;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      if (req.method !== 'POST' || req.url !== '/tools/invoke') return void res.writeHead(404).end();
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      const call = { ...(JSON.parse(body) as Omit<GatewayCall, 'authorization'>), authorization: req.headers.authorization };
      calls.push(call);
      await held;
      const text = reply(call.args.message ?? '');
      const details = { status: 'ok', reply: text, sessionKey: call.args.sessionKey };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { content: [{ type: 'text', text: JSON.stringify(details) }], details } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    setReply: (fn) => (reply = fn),
    hold() {
      held = new Promise<void>((resolve) => (releaseHeld = resolve));
    },
    release: () => releaseHeld(),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
