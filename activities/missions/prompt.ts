/**
 * The greeting and system prompt of a call Parley placed for the missions plane: the assistant's
 * instructions and greeting (snapshotted on the call record at dial time) and an ad-hoc call's
 * purpose. The call's session workflow keeps the prompt as its session instruction.
 */
import type { Db } from '../../infra/db';

/** The call record behind a voice session, if the missions plane placed that call. */
export async function missionCallRecord(db: Db, sessionId: string) {
  const rec = await db.callRecord.findFirst({ where: { sessionId } });
  if (rec) return rec;
  // The first turns of a call can come before placeCall has noted the session: match the
  // callee's number against a call that is still live.
  const session = await db.callSession.findUnique({ where: { id: sessionId } });
  if (!session?.callerNumber) return null;
  return db.callRecord.findFirst({ where: { to: session.callerNumber, status: { in: ['initiating', 'ringing', 'in-progress'] } }, orderBy: { dialedAt: 'desc' } });
}

/**
 * What a mission call's conversation starts from: its greeting (for the greeting turn) and its
 * system prompt (kept by the session workflow as the session instruction). Looked up once, when
 * a conversation begins, not on every turn. Empty for calls the missions plane did not place.
 */
export async function missionCallSetup(db: Db, sessionId: string, basePrompt: string): Promise<{ greeting?: string; prompt?: string }> {
  const rec = await missionCallRecord(db, sessionId);
  if (!rec) return {};
  const setup: { greeting?: string; prompt?: string } = {};
  if (rec.greeting?.trim()) setup.greeting = rec.greeting;
  if (rec.instructions || rec.purpose) {
    const prompt = rec.instructions || basePrompt;
    setup.prompt = rec.purpose ? `${prompt}\n\nThe purpose of this call: ${rec.purpose}` : prompt;
  }
  return setup;
}
