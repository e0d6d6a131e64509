/**
 * The system prompt of a call Parley placed for the missions plane: the assistant's instructions
 * (snapshotted on the call record at dial time) and an ad-hoc call's purpose. The voice turn
 * uses it instead of the global prompt; calls the missions plane did not place get null.
 */
import type { Db } from '../../infra/db';

export async function missionCallPrompt(db: Db, sessionId: string, basePrompt: string): Promise<string | null> {
  let rec = await db.callRecord.findFirst({ where: { sessionId } });
  if (!rec) {
    // The first turns of a call can come before placeCall has noted the session: match the
    // callee's number against a call that is still live.
    const session = await db.callSession.findUnique({ where: { id: sessionId } });
    if (!session?.callerNumber) return null;
    rec = await db.callRecord.findFirst({ where: { to: session.callerNumber, status: { in: ['initiating', 'ringing', 'in-progress'] } }, orderBy: { dialedAt: 'desc' } });
  }
  if (!rec || (!rec.instructions && !rec.purpose)) return null;
  const prompt = rec.instructions || basePrompt;
  return rec.purpose ? `${prompt}\n\nThe purpose of this call: ${rec.purpose}` : prompt;
}
