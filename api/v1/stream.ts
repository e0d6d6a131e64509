/** /v1/stream (missions contract §5d): an account's mission changes over a WebSocket, replayable by `seq`. */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { latestSeq, readStream } from '../../infra/mission-stream';
import { createCallService } from './call-service';
import { V1Error, type Caller } from './common';
import { V1 } from './schemas';

/** How often a subscriber's position is compared with the log (the log is the only source). */
const FOLLOW_MS = 250;
/** §5d: the first-message auth must arrive this fast, else 4401. */
const AUTH_WINDOW_MS = 10_000;
const PING_MS = 30_000;

/** The stream socket; `resolve` turns an API key into its caller (the /v1 guards' lookup). */
export async function streamRoutes(app: FastifyInstance, deps: { resolve(key: string): Promise<Caller | null> }): Promise<void> {
  const { db } = app;
  const calls = createCallService(app);

  app.get('/stream', { websocket: true, schema: { ...V1.stream, tags: ['v1'] } }, (socket: WebSocket, req) => {
    const query = req.query as Record<string, string | undefined>;
    const since = Number(query.since_seq ?? NaN);
    let caller: Caller | null = null;
    let lastSeq = Number.isInteger(since) && since >= 0 ? since : -1;
    const timers: NodeJS.Timeout[] = [];
    let reading = false;
    const send = (msg: object) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(msg));
    const stop = () => timers.forEach((t) => clearInterval(t));

    async function follow() {
      if (!caller || reading) return;
      reading = true;
      try {
        for (;;) {
          const batch = await readStream(db, { accountId: caller.accountId, sinceSeq: lastSeq, missionId: query.mission_id, runId: query.run_id });
          for (const msg of batch) send(msg);
          if (batch.length > 0) lastSeq = batch[batch.length - 1].seq;
          if (batch.length < 500) break;
        }
      } catch (err) {
        req.log.warn({ err }, 'v1 stream: reading the log failed');
      } finally {
        reading = false;
      }
    }

    async function start(found: Caller | null) {
      if (!found) return socket.close(4401, 'Missing or invalid API key');
      caller = found;
      // Without since_seq a subscriber starts at the head: only what happens from now on.
      if (lastSeq < 0) lastSeq = await latestSeq(db, found.accountId);
      send({ type: 'ready', latest_seq: lastSeq });
      await follow();
      timers.push(setInterval(() => void follow(), FOLLOW_MS));
      timers.push(setInterval(() => socket.ping(), PING_MS));
    }

    async function decide(msg: Record<string, unknown>) {
      const decision = msg.decision === 'approve' || msg.decision === 'approved' ? 'approved' : msg.decision === 'deny' || msg.decision === 'denied' ? 'denied' : null;
      const approval = typeof msg.request_id === 'string' ? await calls.approvalOf(caller!.accountId, msg.request_id).catch(() => null) : null;
      if (!approval || !decision) return send({ type: 'error', message: 'approval.decide needs a known request_id and decision approve|deny' });
      try {
        await calls.decide(caller!, approval, decision, typeof msg.note === 'string' ? msg.note : null);
        send({ type: 'approval.decide.ack', request_id: approval.id, ok: true, status: decision });
      } catch (err) {
        // The ack's codes: a biometric request needs an admin key; anything else lost the race (the first decision wins).
        send({ type: 'approval.decide.ack', request_id: approval.id, ok: false, code: err instanceof V1Error && err.code === 'forbidden' ? 'forbidden' : 'already_decided' });
      }
    }

    // Listeners first, before any await (a message sent right after the upgrade is not lost).
    socket.on('message', (raw) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(raw)) as Record<string, unknown>;
        if (!msg || typeof msg !== 'object') throw new Error('not an object');
      } catch {
        return send({ type: 'error', message: 'messages are JSON objects' });
      }
      if (!caller) {
        if (msg.type === 'auth' && typeof msg.api_key === 'string') return void deps.resolve(msg.api_key).then(start);
        return socket.close(4401, 'authenticate first: {"type":"auth","api_key":"…"}');
      }
      if (msg.type === 'approval.decide') return void decide(msg);
      send({ type: 'error', message: `unknown message type ${JSON.stringify(msg.type)}` });
    });
    socket.on('close', stop);

    const header = req.headers.authorization ?? '';
    if (header.startsWith('Bearer ')) void deps.resolve(header.slice(7).trim()).then(start);
    else timers.push(setTimeout(() => !caller && socket.close(4401, 'no auth within 10 s'), AUTH_WINDOW_MS));
  });
}
