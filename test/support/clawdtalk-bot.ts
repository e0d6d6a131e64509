/**
 * A ClawdTalk client for tests, written from docs/clawdtalk-voice.md (not from
 * ws-client.js): it opens `WS /ws`, authenticates with a /v1 key, records every event, and
 * behaves as the real client does with a real OpenClaw gateway: context_request → context_response
 * and its greeting; deep_tool_request → `sessions_send` through the gateway → deep_tool_result;
 * sms.received → handed to the gateway, never texted back (the real client throws before it does).
 */
import WebSocket from 'ws';

export type BotEvent = Record<string, any> & { event: string };

export const BOT_GREETING = 'Hi, this is your assistant on the line.';
export const BOT_SYSTEM_PROMPT = '[VOICE CALL ACTIVE] Keep answers short; this is a phone call.';
export const BOT_MEMORY = 'The owner prefers mornings.';

export class TestBot {
  readonly events: BotEvent[] = [];
  readonly messages: Record<string, any>[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  private waiters: Array<() => void> = [];

  constructor(
    url: string,
    private readonly apiKey: string,
    private readonly gateway: { url: string; token: string },
  ) {
    this.ws = new WebSocket(url, { handshakeTimeout: 10_000 });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'auth', api_key: this.apiKey, owner_name: 'Test Owner' })));
    this.ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      this.messages.push(m);
      if (m.type === 'event') {
        this.events.push(m);
        void this.react(m);
      }
      this.notify();
    });
    this.ws.on('error', () => undefined);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves with the first message (any type) matching `pred`, seen before or after the call. */
  async waitFor(pred: (m: Record<string, any>) => boolean, timeoutMs = 30_000, what = 'message'): Promise<Record<string, any>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.event ?? m.type))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  event(name: string, pred: (e: BotEvent) => boolean = () => true, timeoutMs?: number): Promise<BotEvent> {
    return this.waitFor((m) => m.type === 'event' && m.event === name && pred(m as BotEvent), timeoutMs, name) as Promise<BotEvent>;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): void {
    this.ws.close(1000);
  }

  private async react(e: BotEvent): Promise<void> {
    if (e.event === 'context_request') {
      this.send({ type: 'context_response', call_id: e.call_id, context: { memory: BOT_MEMORY, system_prompt: BOT_SYSTEM_PROMPT } });
      this.send({ type: 'response', call_id: e.call_id, text: BOT_GREETING });
    } else if (e.event === 'deep_tool_request') {
      const reply = await this.askGateway(`[VOICE CALL] Respond concisely for speech. ${e.query}`);
      this.send({ type: 'deep_tool_result', request_id: e.request_id, text: reply });
    } else if (e.event === 'sms.received') {
      await this.askGateway(`[SMS from ${e.from}] ${e.body}`);
    }
  }

  private async askGateway(message: string): Promise<string> {
    const res = await fetch(`${this.gateway.url}/tools/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.gateway.token}` },
      body: JSON.stringify({ tool: 'sessions_send', args: { sessionKey: 'agent:main:main', message, timeoutSeconds: 90 } }),
    });
    const body = (await res.json()) as { result?: { details?: { reply?: string } } };
    return body.result?.details?.reply || 'Done.';
  }
}
