/** A test agent on the agent WebSocket: records everything it receives and waits for messages. */
import WebSocket from 'ws';

export type Msg = Record<string, any>;

export class TestAgent {
  readonly received: Msg[] = [];
  private waiters: Array<{ match: (m: Msg) => boolean; resolve: (m: Msg) => void; from: number }> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as Msg;
      this.received.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<TestAgent> {
    const ws = new WebSocket(url, { headers });
    const agent = new TestAgent(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (req, res) => {
        // With a listener, ws leaves the refused request open: close it, or the server waits on it.
        req.destroy();
        res.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
      });
    });
    return agent;
  }

  send(message: Msg | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received after `after`, or still to come) that matches. */
  next(match: (m: Msg) => boolean, timeoutMs = 10_000, after = 0): Promise<Msg> {
    const seen = this.received.slice(after).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting; received: ${JSON.stringify(this.received.slice(-5))}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)), from: after });
    });
  }

  /** Sends a command and waits for its ack (the ack type is `<type>.ack` unless given). */
  async request(message: Msg, ackType = `${message.type}.ack`): Promise<Msg> {
    const mark = this.received.length;
    this.send(message);
    return this.next((m) => m.type === ackType, 10_000, mark);
  }

  event(type: string, pred: (m: Msg) => boolean = () => true, timeoutMs = 10_000): Promise<Msg> {
    return this.next((m) => m.type === type && typeof m.seq === 'number' && pred(m), timeoutMs);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
