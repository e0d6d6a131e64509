/**
 * The agent plane of one API process: its event hub, its open sockets, their registration in
 * the database (so every replica sees every agent), keepalive, and the release of takeovers
 * when a connection goes away, including connections of a replica that died without closing.
 */
import { randomUUID } from 'node:crypto';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';
import type { WebSocket } from 'ws';
import { appendEvent } from '../../infra/event-log';
import type { Logger } from '../../infra/log';
import { callStateQuery } from '../../workflows/call-session/messages';
import { callSessionWorkflowId } from '../../common/ids';
import * as control from '../session-control';
import { AgentSocket, PING_INTERVAL_MS, SILENCE_LIMIT_MS, type SocketKind } from './agent-socket';
import type { ApiMetrics } from '../../infra/metrics';
import { ApiError } from '../errors';
import { parseJsonBody } from '../plugins/json-body';
import { AGENT_COMMANDS, answerTurnRequest, EVENTS_COMMANDS, refusedAck, type Ack, type CommandContext } from './commands';
import { EventHub } from './hub';
import type { SendBufferLimits } from '../paced-socket';

type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

export class AgentPlane {
  readonly instanceId = randomUUID().replace(/-/g, '').slice(0, 12);
  readonly hub: EventHub;
  private readonly sockets = new Set<AgentSocket>();
  private timers: NodeJS.Timeout[] = [];
  private seq = 0;

  constructor(
    private readonly deps: control.ControlDeps & { runtimeSettings: RuntimeSettingsService; metrics?: ApiMetrics },
    private readonly log: Log,
    /** Per-socket send buffer; default DEFAULT_SEND_BUFFER (tests shorten the stall). */
    private readonly sendBuffer?: SendBufferLimits,
  ) {
    this.hub = new EventHub(deps.db, deps.config, log);
  }

  async start(): Promise<void> {
    await this.hub.start();
    const every = (ms: number, fn: () => Promise<void> | void) => {
      const t = setInterval(() => void Promise.resolve(fn()).catch((err) => this.log.warn({ err }, 'agent plane: periodic task failed')), ms);
      t.unref();
      this.timers.push(t);
    };
    every(PING_INTERVAL_MS, () => this.keepalive());
    every(PING_INTERVAL_MS, () => this.sweepDeadConnections());
  }

  uiSubscriberCount(): number {
    return [...this.sockets].filter((s) => s.kind === 'events').length;
  }

  /** Opens a socket: listeners first (no message may be missed), then registration. */
  open(ws: WebSocket, kind: SocketKind, name: string): void {
    this.seq += 1;
    const agentId = `${kind === 'agent' ? 'agent' : 'ui'}-${this.instanceId}-${this.seq}`;
    const socket = new AgentSocket(ws, kind, agentId, name, this.hub, this.deps.db, this.sendBuffer, () => this.deps.metrics?.eventsDelivered.inc());
    const ctx: CommandContext = { deps: this.deps, socket, kick: () => void this.hub.kick(), metrics: this.deps.metrics };
    const commands = kind === 'agent' ? AGENT_COMMANDS : EVENTS_COMMANDS;
    // Messages run concurrently (a reply never waits behind an inject's TTS); acks of one
    // type still leave in request order.
    const ackTails = new Map<string, Promise<void>>();
    ws.on('message', (raw) => {
      socket.heard();
      let message: unknown;
      try {
        message = parseJsonBody(String(raw));
      } catch (err) {
        socket.error('invalid_json', `invalid JSON: ${(err as Error).message}`);
        return;
      }
      if (!message || typeof message !== 'object' || Array.isArray(message)) {
        socket.error('missing_type', 'a message is a JSON object with a "type"');
        return;
      }
      const m = message as Record<string, unknown>;
      let work: Promise<Ack>;
      let type: string;
      if (m.type === undefined || m.type === null || m.type === '') {
        if (kind === 'agent' && 'request_id' in m && 'reply' in m) {
          type = '(reply)';
          work = answerTurnRequest(ctx, m);
        } else {
          socket.error('missing_type', 'message has no "type"');
          return;
        }
      } else {
        type = String(m.type);
        const handler = Object.prototype.hasOwnProperty.call(commands, type) ? commands[type] : undefined;
        if (!handler) {
          socket.error('unknown_type', kind === 'agent' ? `unknown message type ${JSON.stringify(type)}` : `/ws/events is read-only: ping and subscribe only (got ${JSON.stringify(type)})`);
          return;
        }
        work = handler(ctx, m);
      }
      const settled = work.catch((err): Ack => {
        // A refused command (bad field, unknown session) is the agent's mistake: its ack says why.
        if (err instanceof ApiError) return type === '(reply)' ? { type: 'error', error: { code: err.code, message: err.message } } : refusedAck(type, err);
        this.log.error({ err, type }, 'agent message failed');
        return type === '(reply)' ? { type: 'error', error: { code: 'internal', message: 'reply failed' } } : { type: `${type}.ack`, ok: false, error: 'internal error' };
      });
      const previous = ackTails.get(type) ?? Promise.resolve();
      const tail = Promise.all([previous, settled]).then(([, ack]) => {
        if (ack) socket.send(ack);
      });
      ackTails.set(type, tail);
      void tail.finally(() => ackTails.get(type) === tail && ackTails.delete(type));
    });
    ws.on('close', () => void this.closed(socket));
    ws.on('error', () => undefined);
    this.sockets.add(socket);
    this.hub.add(socket);
    if (kind === 'agent') void this.connected(socket);
  }

  private async connected(socket: AgentSocket): Promise<void> {
    try {
      await this.deps.db.agentConnection.create({ data: { agentId: socket.agentId, name: socket.name, instanceId: this.instanceId } });
      const agentCount = await this.deps.db.agentConnection.count();
      await appendEvent(this.deps.db, { type: 'agent.connected', data: { agent_count: agentCount, agent_id: socket.agentId, name: socket.name } });
      void this.hub.kick();
      this.log.info({ agent_id: socket.agentId, name: socket.name }, 'agent connected');
    } catch (err) {
      this.log.error({ err }, 'registering an agent connection failed');
    }
  }

  /** A closed agent releases only its own takeovers (a pending turn.request falls back at once). */
  private async closed(socket: AgentSocket): Promise<void> {
    if (!this.sockets.delete(socket)) return;
    this.hub.remove(socket);
    if (socket.kind !== 'agent') return;
    try {
      await this.releaseAll(socket.agentId, [...socket.takeovers]);
      await this.deps.db.agentConnection.deleteMany({ where: { agentId: socket.agentId } });
      await this.announceDisconnect(socket.agentId, socket.name);
      this.log.info({ agent_id: socket.agentId }, 'agent disconnected');
    } catch (err) {
      this.log.error({ err, agent_id: socket.agentId }, 'releasing a closed agent failed');
    }
  }

  private async releaseAll(agentId: string, sessionIds: string[]): Promise<void> {
    await Promise.all(sessionIds.map((sid) => control.release(this.deps, sid, agentId, 'disconnect')));
  }

  private async announceDisconnect(agentId: string, name: string): Promise<void> {
    const agentCount = await this.deps.db.agentConnection.count();
    await appendEvent(this.deps.db, { type: 'agent.disconnected', data: { agent_count: agentCount, agent_id: agentId, name } });
    void this.hub.kick();
  }

  private async keepalive(): Promise<void> {
    const now = Date.now();
    for (const socket of this.sockets) socket.keepalive(now);
    const ids = [...this.sockets].filter((s) => s.kind === 'agent').map((s) => s.agentId);
    if (ids.length) await this.deps.db.agentConnection.updateMany({ where: { agentId: { in: ids } }, data: { seenAt: new Date() } });
  }

  /**
   * Connections whose process stopped refreshing them (it crashed) are released here, by any
   * replica: deleting the row first makes exactly one replica do it.
   */
  async sweepDeadConnections(): Promise<void> {
    const cutoff = new Date(Date.now() - SILENCE_LIMIT_MS);
    const dead = await this.deps.db.agentConnection.findMany({ where: { seenAt: { lt: cutoff }, NOT: { instanceId: this.instanceId } } });
    for (const row of dead) {
      const claimed = await this.deps.db.agentConnection.deleteMany({ where: { agentId: row.agentId, seenAt: { lt: cutoff } } });
      if (claimed.count === 0) continue;
      const active = await this.deps.db.callSession.findMany({ where: { status: 'active' }, select: { id: true } });
      const held = await Promise.all(
        active.map(async ({ id }) => {
          const state = await this.deps.temporal.workflow.getHandle(callSessionWorkflowId(id)).query(callStateQuery).catch(() => null);
          return state?.takeoverAgentId === row.agentId ? id : null;
        }),
      );
      await this.releaseAll(row.agentId, held.filter((id): id is string => id !== null));
      await this.announceDisconnect(row.agentId, row.name);
      this.log.warn({ agent_id: row.agentId }, 'released the takeovers of an agent whose API process went away');
    }
  }

  /** Graceful stop: every socket closes as a disconnect (takeovers released, with events). */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const sockets = [...this.sockets];
    await Promise.all(sockets.map((s) => this.closed(s)));
    for (const s of sockets) s.ws.close(1001, 'server shutting down');
    await this.hub.stop();
  }
}
