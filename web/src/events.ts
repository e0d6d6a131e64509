/**
 * The live event feed: `WS /ws/events`, resumed after any disconnect with
 * `{"type":"subscribe","since":<last seq seen>}`, so nothing is missed and nothing repeats,
 * without reloading the page.
 */
import { wsUrl } from './api';
import { Store } from './store';

export interface GatewayEvent {
  type: string;
  seq: number;
  timestamp: number;
  session_id: string;
  data: Record<string, unknown>;
}

export type FeedState = 'connecting' | 'live' | 'reconnecting';

/** How long a subscribe may wait for its ack before the feed reconnects. */
const ACK_TIMEOUT_MS = 15_000;

export class EventFeed {
  readonly state = new Store<FeedState>('connecting');
  readonly recent = new Store<GatewayEvent[]>([]);
  private lastSeq = 0;
  private socket: WebSocket | null = null;
  private listeners = new Set<(ev: GatewayEvent) => void>();
  private retryMs = 500;
  private stopped = false;
  private timer: number | undefined;

  /** Starts at `since` (the log head when the page loaded its snapshot). */
  start(since: number): void {
    this.lastSeq = since;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  on(listener: (ev: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get seq(): number {
    return this.lastSeq;
  }

  private connect(): void {
    const socket = new WebSocket(wsUrl('/ws/events'));
    this.socket = socket;
    let ackTimer: number | undefined;
    socket.onopen = () => {
      this.retryMs = 500;
      socket.send(JSON.stringify({ type: 'subscribe', since: this.lastSeq }));
      // A subscribe the server never acknowledges is treated as a lost connection.
      ackTimer = window.setTimeout(() => socket.close(), ACK_TIMEOUT_MS);
    };
    socket.onmessage = (msg) => {
      const ev = JSON.parse(String(msg.data)) as GatewayEvent & { ok?: boolean };
      if (ev.type === 'subscribe.ack') {
        clearTimeout(ackTimer);
        this.state.set('live');
        return;
      }
      if (typeof ev.seq !== 'number' || ev.seq <= this.lastSeq) return;
      this.lastSeq = ev.seq;
      this.recent.update((list) => [ev, ...list].slice(0, 300));
      for (const l of this.listeners) l(ev);
    };
    socket.onclose = () => {
      clearTimeout(ackTimer);
      if (this.socket !== socket || this.stopped) return;
      this.state.set('reconnecting');
      this.timer = window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }
}

export const feed = new EventFeed();
