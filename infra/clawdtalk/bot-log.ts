/**
 * The voice plane's durable log (table BotEvent): every event for an account's ClawdTalk client
 * (docs/clawdtalk-voice.md) is written here first, by whichever process makes it (the
 * worker's activities, mostly), and the API process holding that account's `WS /ws` delivers it.
 * An event stays deliverable until it is sent once or stops being actionable (`expiresAt`).
 */
import type { Db } from '../db';

/** Server → client event names, exactly as ws-client.js reads them. */
export type BotEventName = 'context_request' | 'call.started' | 'call.ended' | 'deep_tool_request' | 'sms.received' | 'approval.responded';

/**
 * How long each event stays worth delivering to a client that was away: a call's start only
 * while a call may still be live, a deep tool request while its late answer can still be spoken,
 * outcomes and messages for a day (the bot reports or answers them whenever it comes back).
 */
export const BOT_EVENT_TTL_MS: Record<BotEventName, number> = {
  context_request: 2 * 60_000,
  'call.started': 2 * 60_000,
  deep_tool_request: 3 * 60_000,
  'approval.responded': 60 * 60_000,
  'call.ended': 24 * 3600_000,
  'sms.received': 24 * 3600_000,
};

export interface NewBotEvent {
  accountId: string;
  event: BotEventName;
  /** The wire fields besides `type` and `event`. */
  fields: Record<string, unknown>;
  callId?: string;
  sessionId?: string;
  requestId?: string;
  /** Makes the append idempotent: a retried activity finds its first write. */
  dedupeKey: string;
}

/** Appends one event for the account's client; a repeat of the same dedupe key is a no-op. */
export async function appendBotEvent(db: Db, e: NewBotEvent): Promise<void> {
  try {
    await db.botEvent.create({
      data: {
        accountId: e.accountId,
        event: e.event,
        payloadJson: JSON.stringify(e.fields),
        callId: e.callId ?? null,
        sessionId: e.sessionId ?? null,
        requestId: e.requestId ?? null,
        dedupeKey: e.dedupeKey,
        expiresAt: new Date(Date.now() + BOT_EVENT_TTL_MS[e.event]),
      },
    });
  } catch (err) {
    // Written first, read never: a duplicate key means an earlier try already wrote it.
    if ((err as { code?: string }).code !== 'P2002') throw err;
  }
}

/** A connection refreshes its row every 15 s; one silent for this long is gone (agent plane's 45 s). */
export const BOT_CONNECTION_STALE_MS = 45_000;

/** True when a ClawdTalk client of the account is connected to some API process right now. */
export async function botConnected(db: Db, accountId: string): Promise<boolean> {
  const row = await db.botConnection.findUnique({ where: { accountId } });
  return row !== null && Date.now() - row.seenAt.getTime() < BOT_CONNECTION_STALE_MS;
}

/** The wire message of a logged event: `{type:"event", event, …fields}`. */
export function botWireMessage(row: { event: string; payloadJson: string }): Record<string, unknown> {
  return { ...(JSON.parse(row.payloadJson) as Record<string, unknown>), type: 'event', event: row.event };
}
