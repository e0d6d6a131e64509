/**
 * The system prompt of a call Parley placed for the missions plane: the assistant's instructions
 * (snapshotted on the call record at dial time) and an ad-hoc call's purpose. The voice turn
 * uses it instead of the global prompt; calls the missions plane did not place get null.
 */
import type { Db } from '../../infra/db';

/** The call record behind a voice session, if the missions plane placed that call. */
async function missionCallRecord(db: Db, sessionId: string) {
  const rec = await db.callRecord.findFirst({ where: { sessionId } });
  if (rec) return rec;
  // The first turns of a call can come before placeCall has noted the session: match the
  // callee's number against a call that is still live.
  const session = await db.callSession.findUnique({ where: { id: sessionId } });
  if (!session?.callerNumber) return null;
  return db.callRecord.findFirst({ where: { to: session.callerNumber, status: { in: ['initiating', 'ringing', 'in-progress'] } }, orderBy: { dialedAt: 'desc' } });
}

/** The assistant's (or ad-hoc call's) greeting for the greeting turn of a mission call, or null. */
export async function missionCallGreeting(db: Db, sessionId: string): Promise<string | null> {
  const rec = await missionCallRecord(db, sessionId);
  return rec?.greeting?.trim() ? rec.greeting : null;
}

export async function missionCallPrompt(db: Db, sessionId: string, basePrompt: string): Promise<string | null> {
  const rec = await missionCallRecord(db, sessionId);
  if (!rec || (!rec.instructions && !rec.purpose)) return null;
  const prompt = rec.instructions || basePrompt;
  return rec.purpose ? `${prompt}\n\nThe purpose of this call: ${rec.purpose}` : prompt;
}
