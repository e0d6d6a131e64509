/**
 * One WebSocket of the agent plane (contract §3): an agent on /api/agent/ws or a dashboard on
 * /ws/events. It receives every event in seq order (live, or replayed from the durable log
 * after `subscribe`), and an agent also receives the turn.requests of its takeovers.
 */
import type { WebSocket } from 'ws';
import { getBlob } from '../../infra/blobs';
import type { Db } from '../../infra/db';
import type { LoggedEvent, TurnRequestRow } from '../../infra/event-log';
import { eventsSince, latestSeq } from '../../infra/event-log';
import type { EventHub, HubListener } from './hub';
import { PacedSocket, type SendBufferLimits } from '../paced-socket';

/** Envelope keys: data keys are copied to the top level unless they clash with one of these. */
const ENVELOPE_KEYS = new Set(['type', 'timestamp', 'session_id', 'seq', 'data']);
/** Parley pings every 15 s and drops a connection silent for 45 s (WS pongs count). */
export const PING_INTERVAL_MS = 15_000;
export const SILENCE_LIMIT_MS = 45_000;

/** `{type, timestamp, session_id, seq, data}` plus top-level copies of `data` (never the audio). */
export function envelope(event: LoggedEvent, data: Record<string, unknown> = event.data): Record<string, unknown> {
  const copies: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (!ENVELOPE_KEYS.has(k) && k !== 'audio_base64') copies[k] = v;
  return { ...copies, type: event.type, timestamp: event.timestamp, session_id: event.session_id, seq: event.seq, data };
}

export type SocketKind = 'agent' | 'events';

export class AgentSocket implements HubListener {
  /** Last seq sent; live events at or below it are not sent again. */
  private cursor: number;
  private replaying = false;
  private buffered: LoggedEvent[] = [];
  private sessionFilter = '';
  private lastHeard = Date.now();
  /** turn.requests sent to this connection and not answered yet: request_id → session_id. */
  readonly pending = new Map<string, string>();
  /** Sessions this connection took over (released on disconnect). */
  readonly takeovers = new Set<string>();
  readonly connectedAt = new Date();
  /** The bounded send buffer: a replay goes at the client's reading pace (api/paced-socket.ts). */
  private readonly out: PacedSocket;
  /** Subscribes run one after another: each replay holds one page at a time, however many are asked. */
  private subscribing: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    readonly kind: SocketKind,
    readonly agentId: string,
    readonly name: string,
    private readonly hub: EventHub,
    private readonly db: Db,
    sendBuffer?: SendBufferLimits,
    /** Called for each event sent (metrics). */
    private readonly delivered: () => void = () => undefined,
  ) {
    this.out = new PacedSocket(ws, sendBuffer);
    this.cursor = hub.latestSeq;
    ws.on('pong', () => this.heard());
  }

  heard(): void {
    this.lastHeard = Date.now();
  }

  /** Pings, or gives up on a connection silent for too long. */
  keepalive(now = Date.now()): void {
    if (now - this.lastHeard > SILENCE_LIMIT_MS) {
      this.ws.terminate();
      return;
    }
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  send(message: Record<string, unknown>): void {
    if (this.out.open) this.out.send(JSON.stringify(message));
  }

  error(code: string, message: string): void {
    this.send({ type: 'error', error: { code, message } });
  }

  onEvent(event: LoggedEvent): void {
    if (this.kind === 'agent' && event.type === 'agent.release' && event.data.agent_id === this.agentId) this.takeovers.delete(event.session_id);
    if (this.replaying) {
      this.buffered.push(event);
      return;
    }
    this.deliver(event, true);
  }

  onTurnRequest(request: TurnRequestRow): void {
    if (this.kind !== 'agent' || request.agentId !== this.agentId) return;
    this.pending.set(request.requestId, request.sessionId);
    // The answer window closes in the workflow; forget the id a little after it.
    setTimeout(() => this.pending.delete(request.requestId), request.timeoutMs + 5_000).unref();
    // Flat and never logged (contract §3): it carries the caller's words to one agent only.
    this.send({
      type: 'turn.request',
      session_id: request.sessionId,
      transcript: request.transcript,
      request_id: request.requestId,
      timeout_ms: request.timeoutMs,
      timestamp: request.createdAt.getTime() / 1000,
    });
  }

  private deliver(event: LoggedEvent, live: boolean): void {
    if (event.seq <= this.cursor) return;
    this.cursor = event.seq;
    if (this.sessionFilter && event.session_id !== this.sessionFilter) return;
    if (live && event.type === 'agent.inject' && typeof event.data.audio_blob_id === 'string') {
      // The queued audio goes out live only: the log keeps the blob id, not the audio.
      void this.withAudio(event);
      return;
    }
    this.send(envelope(event));
    this.delivered();
  }

  private async withAudio(event: LoggedEvent): Promise<void> {
    const audio = await getBlob(this.db, event.data.audio_blob_id as string).catch(() => null);
    this.send(envelope(event, audio ? { ...event.data, audio_base64: audio.toString('base64') } : event.data));
    this.delivered();
  }

  /**
   * `subscribe` (contract §3): ack, then exactly the events with seq > since in order, then live,
   * with no gap and no duplicate. Live events arriving meanwhile wait in a buffer.
   */
  subscribe(since: number, sessionId: string): Promise<void> {
    const run = this.subscribing.then(() => (this.out.open ? this.replay(since, sessionId) : undefined));
    this.subscribing = run.catch(() => undefined);
    return run;
  }

  private async replay(since: number, sessionId: string): Promise<void> {
    this.replaying = true;
    this.buffered = [];
    try {
      // The log's head, read here: the ack does not wait on the hub's reads. Events up to it
      // come from the replay; the hub delivers only later ones (what it delivers meanwhile waits
      // in the buffer, and the cursor drops what the replay already sent).
      const upto = Math.max(this.hub.latestSeq, await latestSeq(this.db));
      void this.hub.kick();
      this.sessionFilter = sessionId;
      const where = { seq: { gt: since, lte: upto }, ...(sessionId ? { sessionId } : {}) };
      const [replayed, oldest] = await Promise.all([this.db.event.count({ where }), this.db.event.findFirst({ orderBy: { seq: 'asc' }, select: { seq: true } })]);
      // Older events were pruned by retention (event_retention_days): say so.
      const truncated = oldest !== null && since + 1 < oldest.seq;
      this.send({ type: 'subscribe.ack', ok: true, since, latest_seq: upto, replayed, truncated });
      this.cursor = since;
      let from = since;
      while (from < upto) {
        // Wait for the client to read what it has; a client that never does is closed.
        if (!(await this.out.ready())) return;
        const page = (await eventsSince(this.db, from, 500)).filter((e) => e.seq <= upto);
        if (page.length === 0) break;
        for (const event of page) this.deliver(event, false);
        from = page[page.length - 1].seq;
      }
      if (this.cursor < upto) this.cursor = upto;
      if (since > upto) this.cursor = since;
    } finally {
      this.replaying = false;
      const buffered = this.buffered;
      this.buffered = [];
      for (const event of buffered) this.deliver(event, true);
    }
  }
}
