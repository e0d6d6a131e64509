/**
 * The event hub of one API process: it tails the durable event log and the pending
 * turn.requests in the database and hands each new row, in order, to this process's sockets.
 *
 * Events are written by whichever process makes them (the worker's activities, any API
 * replica), so delivery cannot be in-process. The database is the bus: every process polls
 * it every `event_poll_ms` (cheap: one indexed range read), and on PostgreSQL a LISTEN on
 * the channel that event appends NOTIFY wakes it at once. Ordering comes from the log itself
 * (appendEventInTx makes seqs visible in order), so a hub never skips a seq.
 */
import type { Config } from '../../infra/config';
import { isPostgresUrl } from '../../infra/config';
import type { Db } from '../../infra/db';
import { EVENTS_CHANNEL, eventsSince, latestSeq, type LoggedEvent, type TurnRequestRow, turnRequestsSince } from '../../infra/event-log';
import type { Logger } from '../../infra/log';

export interface HubListener {
  onEvent(event: LoggedEvent): void;
  onTurnRequest(request: TurnRequestRow): void;
}

const PAGE = 500;
const IDLE_REFRESH_MS = 500;

export class EventHub {
  private seq = 0;
  private requestId = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  /** Kicks waiting for a read that begins after them. */
  private waiting: Array<() => void> = [];
  private again = false;
  private stopped = false;
  private idleRefreshedAt = 0;
  private pg: { end(): Promise<void> } | null = null;
  private readonly listeners = new Set<HubListener>();

  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'databaseUrl' | 'eventPollMs'>,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  /** The last seq this hub has delivered: new sockets start after it. */
  get latestSeq(): number {
    return this.seq;
  }

  async start(): Promise<void> {
    this.seq = await latestSeq(this.db);
    const lastRequest = await this.db.agentTurnRequest.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    this.requestId = lastRequest?.id ?? 0;
    if (isPostgresUrl(this.config.databaseUrl)) await this.listen();
    this.timer = setInterval(() => this.tick(), this.config.eventPollMs);
    this.timer.unref();
  }

  add(listener: HubListener): void {
    this.listeners.add(listener);
  }

  remove(listener: HubListener): void {
    this.listeners.delete(listener);
  }

  /**
   * Look now (after this process wrote something) rather than at the next tick. Resolves once a
   * read that began after this call has finished, so the hub has then seen every event
   * committed before the call.
   */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.wake();
    });
  }

  /** The timer's tick: a read already under way is enough (the next tick looks again). */
  private tick(): void {
    if (!this.polling) this.wake();
  }

  /**
   * One read at a time; a wake during a read asks for one more right after it. Each waiter is
   * answered by the first read that began after it asked, so a steady stream of ticks or
   * notifications cannot keep a waiter waiting (the loop itself may go on while they come).
   */
  private wake(): void {
    this.again = true;
    if (this.polling) return;
    this.polling = (async () => {
      try {
        while (this.again && !this.stopped) {
          this.again = false;
          const served = this.waiting.splice(0);
          try {
            await this.drain();
          } finally {
            for (const resolve of served) resolve();
          }
        }
      } catch (err) {
        this.log?.warn({ err }, 'event hub: reading the log failed; retrying at the next tick');
      } finally {
        this.polling = null;
        // A failed read or a stop leaves later waiters to the next tick, or answers them now.
        if (this.stopped) for (const resolve of this.waiting.splice(0)) resolve();
      }
    })();
  }

  private async drain(): Promise<void> {
    if (this.listeners.size === 0) {
      // Nobody to deliver to: only keep the position current (two indexed reads, twice a
      // second), so a socket that opens later starts from about now without this process
      // reading and parsing every event meanwhile.
      if (Date.now() - this.idleRefreshedAt < IDLE_REFRESH_MS) return;
      this.idleRefreshedAt = Date.now();
      this.seq = Math.max(this.seq, await latestSeq(this.db));
      const lastRequest = await this.db.agentTurnRequest.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
      this.requestId = Math.max(this.requestId, lastRequest?.id ?? 0);
      return;
    }
    for (;;) {
      const events = await eventsSince(this.db, this.seq, PAGE);
      for (const event of events) {
        this.seq = event.seq;
        for (const l of this.listeners) safely(() => l.onEvent(event));
      }
      if (events.length < PAGE) break;
    }
    const requests = await turnRequestsSince(this.db, this.requestId);
    for (const request of requests) {
      this.requestId = request.id;
      for (const l of this.listeners) safely(() => l.onTurnRequest(request));
    }
  }

  private async listen(): Promise<void> {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', () => this.wake());
    // A lost LISTEN connection only costs latency: polling goes on.
    client.on('error', (err) => this.log?.warn({ err }, 'event hub: LISTEN connection lost; polling only'));
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.pg = client;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    for (const resolve of this.waiting.splice(0)) resolve();
    await this.pg?.end().catch(() => undefined);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // One broken socket must not stop delivery to the others.
  }
}
