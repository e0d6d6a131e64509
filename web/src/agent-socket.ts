/**
 * The browser as an agent: `WS /api/agent/ws?name=dashboard`, the same takeover, turn.request,
 * reply and release messages (and so the same call-session workflow updates) as any agent.
 * One connection for the whole page: a takeover lives as long as its connection.
 */
import { wsUrl } from './api';
import { Store } from './store';

export interface TurnRequest {
  session_id: string;
  request_id: string;
  transcript: string;
  timeout_ms: number;
  /** When the browser received it (ms), for the countdown. */
  received_at: number;
}

type Ack = { type: string; ok?: boolean; error?: string; [k: string]: unknown };

class AgentSocket {
  /** Open turn.requests by request_id. */
  readonly requests = new Store<Map<string, TurnRequest>>(new Map());
  readonly agentId = new Store<string>('');
  private socket: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private asked = new Set<string>();
  private waiting: Array<{ type: string; resolve: (a: Ack) => void }> = [];

  private open(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl('/api/agent/ws', { name: 'dashboard' }));
      socket.onopen = () => {
        this.socket = socket;
        this.opening = null;
        resolve(socket);
      };
      socket.onerror = () => {
        this.opening = null;
        reject(new Error('agent connection failed'));
      };
      socket.onmessage = (msg) => this.receive(JSON.parse(String(msg.data)) as Ack);
      socket.onclose = () => {
        // The server released every takeover of this connection (agent.release "disconnect").
        if (this.socket === socket) this.socket = null;
        this.agentId.set('');
        this.requests.set(new Map());
        for (const w of this.waiting.splice(0)) w.resolve({ type: w.type, ok: false, error: 'connection closed' });
      };
    });
    return this.opening;
  }

  private receive(msg: Ack): void {
    // Our own agent id: the holder named by the agent.takeover of a session we just asked for.
    if (msg.type === 'agent.takeover' && this.asked.delete(String(msg.session_id))) this.agentId.set(String(msg.agent_id ?? ''));
    if (msg.type === 'turn.request') {
      const req = msg as unknown as TurnRequest;
      this.requests.update((m) => new Map(m).set(req.request_id, { ...req, received_at: Date.now() }));
      return;
    }
    if (msg.type === 'turn.complete' || msg.type === 'agent.release') {
      // A request is over once its turn completed (answered or fallen back) or the takeover ended.
      const sid = msg.session_id;
      this.requests.update((m) => new Map([...m].filter(([, r]) => r.session_id !== sid)));
    }
    const i = this.waiting.findIndex((w) => w.type === msg.type);
    if (i >= 0) this.waiting.splice(i, 1)[0].resolve(msg);
  }

  private async command(body: Record<string, unknown>, ackType: string): Promise<Ack> {
    const socket = await this.open();
    const ack = new Promise<Ack>((resolve) => this.waiting.push({ type: ackType, resolve }));
    socket.send(JSON.stringify(body));
    return ack;
  }

  takeover(sessionId: string): Promise<Ack> {
    this.asked.add(sessionId);
    return this.command({ type: 'takeover', session_id: sessionId }, 'takeover.ack');
  }

  release(sessionId: string): Promise<Ack> {
    return this.command({ type: 'release', session_id: sessionId }, 'release.ack');
  }

  /** Answers a turn.request: a message without `type` (contract §3). */
  async reply(request: TurnRequest, text: string): Promise<void> {
    const socket = await this.open();
    socket.send(JSON.stringify({ request_id: request.request_id, reply: text }));
    this.requests.update((m) => {
      const next = new Map(m);
      next.delete(request.request_id);
      return next;
    });
  }

  /** True while this page's connection holds `agentId`'s takeovers. */
  holds(agentId: string | null): boolean {
    return !!agentId && agentId === this.agentId.get() && this.socket !== null;
  }
}

export const agent = new AgentSocket();
