/** Dashboard reads: the session log search, one turn's stored audio, the Temporal Web UI link base. */
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import { getBlob } from '../../infra/blobs';

export interface CallLogQuery {
  q?: string;
  status?: 'active' | 'ended';
  limit?: number;
}

export interface CallLogRow {
  session_id: string;
  workflow_id: string;
  status: string;
  caller_number: string;
  call_direction: string;
  end_reason: string | null;
  turn_count: number;
  created_at: number;
  ended_at: number | null;
  last_active_at: number;
}

const epoch = (d: Date) => d.getTime() / 1000;

/**
 * Sessions, newest first, filtered by a substring of the number or session id, or of any turn's
 * transcript or reply (the log's search box).
 */
export async function searchCalls(db: Db, query: CallLogQuery): Promise<CallLogRow[]> {
  const q = query.q?.trim();
  const rows = await db.callSession.findMany({
    where: {
      ...(query.status ? { status: query.status } : {}),
      ...(q
        ? {
            OR: [
              { id: { contains: q } },
              { callerNumber: { contains: q } },
              { turns: { some: { OR: [{ transcript: { contains: q } }, { reply: { contains: q } }] } } },
            ],
          }
        : {}),
    },
    orderBy: { createdAt: 'desc' },
    take: query.limit ?? 100,
  });
  return rows.map((r) => ({
    session_id: r.id,
    workflow_id: r.workflowId,
    status: r.status,
    caller_number: r.callerNumber,
    call_direction: r.callDirection,
    end_reason: r.endReason,
    turn_count: r.turnCount,
    created_at: epoch(r.createdAt),
    ended_at: r.endedAt ? epoch(r.endedAt) : null,
    last_active_at: epoch(r.lastActiveAt),
  }));
}

/** A turn's reply or caller audio (WAV), or null when the turn is unknown, had none, or it was pruned. */
export async function turnAudio(db: Db, turnId: string, which: 'reply' | 'caller'): Promise<Buffer | null> {
  const turn = await db.turn.findUnique({ where: { id: turnId }, select: { audioBlobId: true, callerAudioBlobId: true } });
  const blobId = which === 'caller' ? turn?.callerAudioBlobId : turn?.audioBlobId;
  return blobId ? getBlob(db, blobId) : null;
}

/**
 * Where the Temporal Web UI is: PARLEY_TEMPORAL_UI_PORT on the host the browser reached Parley
 * at (the embedded dev server's UI; the API process itself always sees TEMPORAL_ADDRESS set by
 * the supervisor, so it cannot tell an embedded server from a cluster).
 */
export function temporalUi(config: Config): { ui_port: number; namespace: string } {
  return { ui_port: config.temporalUiPort, namespace: config.temporalNamespace };
}
