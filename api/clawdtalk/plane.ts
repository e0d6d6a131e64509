/**
 * The ClawdTalk voice plane of one API process (`WS /ws`, docs/clawdtalk-voice.md): its
 * authenticated client sockets (one per account), the delivery of each account's events from
 * the durable log (table BotEvent), keepalive, and the duplicate-client policy.
 *
 * - Auth: the first message is `{type:"auth", api_key}` with a `/v1` key; a wrong key gets
 *   `auth_error` and a closed socket (the client stops reconnecting only then).
 * - One client per account, the newest wins: an older connection (in this process or another)
 *   is closed with 4000, the code ws-client.js reads as "duplicate client".
 * - Delivery: every event not yet delivered and still actionable goes out in log order; a row is
 *   claimed (deliveredAt) before its send, so two replicas never both send it, and a failed send
 *   frees it again for the next connection.
 */
import { randomUUID } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import type { WebSocket } from 'ws';
import { PacedSocket } from '../paced-socket';
import type { Client } from '@temporalio/client';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Logger } from '../../infra/log';
import { KEY_PATTERN, keyPrefix, sameHash } from '../../infra/api-keys';
import { sha256Hex } from '../../infra/missions-config';
import { BOT_CONNECTION_STALE_MS, botWireMessage } from '../../infra/clawdtalk/bot-log';
import { answerDeepTool, applyContext, CommandRefused, speak } from './commands';
import { AuthMessage, ContextResponse, DeepToolMessage, SpeakResponse, WalkieResponse } from './messages';

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

/** ws-client.js gives up on a handshake after 10 s; an unauthenticated socket gets as long. */
const AUTH_TIMEOUT_MS = 10_000;
/** Pings every 15 s; a socket silent for 45 s is dropped (the agent plane's numbers). */
const PING_INTERVAL_MS = 15_000;
/** How soon a connection learns that a newer one of its account took over. */
const OWNERSHIP_CHECK_MS = 1_000;
/** Delivered or expired events are kept a day for inspection, then deleted. */
const KEEP_SPENT_MS = 24 * 3600_000;
export const DUPLICATE_CLIENT = 4000;

export interface VoicePlaneDeps {
  config: Pick<Config, 'eventPollMs' | 'missions'>;
  db: Db;
  temporal: Client;
}

class BotSocket {
  accountId = '';
  connectionId = '';
  lastHeard = Date.now();
  /** The bounded send buffer (api/paced-socket.ts): a client that stops reading is closed. */
  private readonly out: PacedSocket;
  constructor(readonly ws: WebSocket) {
    this.out = new PacedSocket(ws);
  }

  /** Waits while the client is behind on reading; true once written, false if the socket closed. */
  send(message: Record<string, unknown>): Promise<boolean> {
    return this.out.sendWritten(JSON.stringify(message));
  }
}

export class VoicePlane {
  private readonly instanceId = randomUUID().replace(/-/g, '').slice(0, 12);
  /** Authenticated sockets by account: each holds its account's BotConnection row. */
  private readonly clients = new Map<string, BotSocket>();
  private readonly all = new Set<BotSocket>();
  private timers: NodeJS.Timeout[] = [];
  private delivering: Promise<void> | null = null;

  constructor(
    private readonly deps: VoicePlaneDeps,
    private readonly log: Log,
  ) {}

  start(): void {
    const every = (ms: number, fn: () => Promise<void> | void) => {
      const t = setInterval(() => void Promise.resolve(fn()).catch((err) => this.log.warn({ err }, 'voice plane: periodic task failed')), ms);
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(20, this.deps.config.eventPollMs), () => this.deliver());
    every(PING_INTERVAL_MS, () => this.keepalive());
    every(OWNERSHIP_CHECK_MS, () => this.checkOwnership());
    every(3600_000, () => this.prune());
  }

  /** A new socket: its listeners first (no message may be missed), then the auth deadline. */
  open(ws: WebSocket): void {
    const socket = new BotSocket(ws);
    this.all.add(socket);
    ws.on('message', (raw) => {
      socket.lastHeard = Date.now();
      void this.onMessage(socket, String(raw)).catch((err) => this.log.error({ err }, 'voice plane: message failed'));
    });
    ws.on('pong', () => (socket.lastHeard = Date.now()));
    ws.on('close', () => void this.closed(socket));
    ws.on('error', () => undefined);
    const deadline = setTimeout(() => {
      if (!socket.accountId) ws.close(1008, 'auth timeout');
    }, AUTH_TIMEOUT_MS);
    deadline.unref();
    ws.once('close', () => clearTimeout(deadline));
  }

  private async onMessage(socket: BotSocket, raw: string): Promise<void> {
    let m: unknown;
    try {
      m = JSON.parse(raw);
    } catch {
      await socket.send({ type: 'error', message: 'invalid JSON' });
      return;
    }
    const type = m && typeof m === 'object' ? (m as { type?: unknown }).type : undefined;
    if (!socket.accountId) {
      if (type !== 'auth' || !Value.Check(AuthMessage, m)) {
        await socket.send({ type: 'auth_error', message: 'the first message must be {"type":"auth","api_key":"…"}' });
        socket.ws.close(1008, 'auth required');
        return;
      }
      await this.authenticate(socket, m.api_key);
      return;
    }
    try {
      if (type === 'context_response' && Value.Check(ContextResponse, m)) await applyContext(this.deps, socket.accountId, m);
      else if (type === 'response' && Value.Check(SpeakResponse, m)) await speak(this.deps, socket.accountId, m);
      else if ((type === 'deep_tool_progress' || type === 'deep_tool_result') && Value.Check(DeepToolMessage, m)) await answerDeepTool(this.deps, socket.accountId, m);
      // Parley sends no walkie_request, so no walkie_response can belong to anything.
      else if (type === 'walkie_response' && Value.Check(WalkieResponse, m)) throw new CommandRefused(`unknown request_id ${JSON.stringify(m.request_id)}`);
      else if (type === 'auth') throw new CommandRefused('already authenticated');
      else throw new CommandRefused(`malformed or unknown message ${JSON.stringify(type ?? null)}`);
    } catch (err) {
      if (!(err instanceof CommandRefused)) throw err;
      this.log.info({ account_id: socket.accountId, type, reason: err.message }, 'voice plane: message refused');
      await socket.send({ type: 'error', message: err.message });
    }
  }

  /** A `/v1` key of the configuration or the database, not revoked; its account, else null. */
  private async accountOf(key: string): Promise<string | null> {
    const hash = sha256Hex(key);
    if (this.deps.config.missions.apiKeyHashes.some((h) => sameHash(h, hash))) return 'default';
    if (!KEY_PATTERN.test(key)) return null;
    const row = await this.deps.db.apiKey.findUnique({ where: { hash } });
    return row && !row.revokedAt ? row.accountId : null;
  }

  private async authenticate(socket: BotSocket, key: string): Promise<void> {
    const accountId = await this.accountOf(key);
    if (!accountId) {
      this.log.info({ prefix: KEY_PATTERN.test(key) ? keyPrefix(key) : '' }, 'voice plane: rejected API key');
      await socket.send({ type: 'auth_error', message: 'Missing or invalid API key' });
      socket.ws.close(1008, 'auth failed');
      return;
    }
    if (socket.ws.readyState !== socket.ws.OPEN) return;
    socket.accountId = accountId;
    socket.connectionId = randomUUID();
    const row = { connectionId: socket.connectionId, instanceId: this.instanceId, seenAt: new Date() };
    // The newest connection wins: taking the row over tells the holder of the older one (in this
    // process or another) to close it with 4000.
    await this.deps.db.botConnection.upsert({ where: { accountId }, create: { accountId, ...row }, update: row });
    const previous = this.clients.get(accountId);
    this.clients.set(accountId, socket);
    if (previous && previous !== socket) previous.ws.close(DUPLICATE_CLIENT, 'another client of this account connected');
    this.log.info({ account_id: accountId }, 'voice plane: client connected');
    await socket.send({ type: 'auth_ok' });
    void this.deliver();
  }

  /** Sends each connected account's pending events in log order (one read at a time). */
  deliver(): Promise<void> {
    if (this.delivering || this.clients.size === 0) return this.delivering ?? Promise.resolve();
    this.delivering = (async () => {
      try {
        for (const [accountId, socket] of this.clients) {
          const rows = await this.deps.db.botEvent.findMany({ where: { accountId, deliveredAt: null, expiresAt: { gt: new Date() } }, orderBy: { seq: 'asc' }, take: 100 });
          for (const row of rows) {
            if (this.clients.get(accountId) !== socket) break;
            const claimed = await this.deps.db.botEvent.updateMany({ where: { seq: row.seq, deliveredAt: null }, data: { deliveredAt: new Date() } });
            if (claimed.count === 0) continue;
            if (!(await socket.send(botWireMessage(row)))) {
              await this.deps.db.botEvent.updateMany({ where: { seq: row.seq }, data: { deliveredAt: null } });
              break;
            }
          }
        }
      } finally {
        this.delivering = null;
      }
    })();
    return this.delivering;
  }

  private async keepalive(): Promise<void> {
    const now = Date.now();
    for (const socket of this.all) {
      if (now - socket.lastHeard > 3 * PING_INTERVAL_MS) socket.ws.terminate();
      else if (socket.ws.readyState === socket.ws.OPEN) socket.ws.ping();
    }
    for (const [accountId, socket] of this.clients) {
      await this.deps.db.botConnection.updateMany({ where: { accountId, connectionId: socket.connectionId }, data: { seenAt: new Date() } });
    }
  }

  /** A connection whose account row now names a newer connection is closed with 4000. */
  private async checkOwnership(): Promise<void> {
    if (this.clients.size === 0) return;
    const rows = await this.deps.db.botConnection.findMany({ where: { accountId: { in: [...this.clients.keys()] } } });
    for (const [accountId, socket] of this.clients) {
      const row = rows.find((r) => r.accountId === accountId);
      if (row && row.connectionId !== socket.connectionId) {
        this.clients.delete(accountId);
        socket.ws.close(DUPLICATE_CLIENT, 'another client of this account connected');
      }
    }
  }

  private async closed(socket: BotSocket): Promise<void> {
    this.all.delete(socket);
    if (!socket.accountId || this.clients.get(socket.accountId) !== socket) return;
    this.clients.delete(socket.accountId);
    await this.deps.db.botConnection.deleteMany({ where: { accountId: socket.accountId, connectionId: socket.connectionId } }).catch((err) => this.log.warn({ err }, 'voice plane: releasing a connection failed'));
    this.log.info({ account_id: socket.accountId }, 'voice plane: client disconnected');
  }

  private async prune(): Promise<void> {
    const cutoff = new Date(Date.now() - KEEP_SPENT_MS);
    await this.deps.db.botEvent.deleteMany({ where: { OR: [{ expiresAt: { lt: cutoff } }, { deliveredAt: { lt: cutoff } }] } });
    await this.deps.db.botConnection.deleteMany({ where: { seenAt: { lt: new Date(Date.now() - BOT_CONNECTION_STALE_MS) } } });
  }

  /** Graceful stop: every socket closes (1001) and gives up its account's row. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.delivering;
    const sockets = [...this.all];
    await Promise.all(sockets.map((s) => this.closed(s)));
    for (const s of sockets) s.ws.close(1001, 'server shutting down');
  }
}
