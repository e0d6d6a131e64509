/**
 * The /v1/stream log (missions contract §5d): every change of a mission run is appended with a
 * global `seq` (strictly rising per account) in the transaction that makes the change, so a
 * subscriber that replays `since_seq` and then follows sees each change once, in order.
 */
import { type Db, isPostgresClient } from './db';

export type StreamKind = 'run_status' | 'step_status' | 'run_event' | 'event_status' | 'insight' | 'approval_requested' | 'approval_decided' | 'memory_updated';

/** A transaction client (or the client itself). */
type Tx = Pick<Db, 'missionRun' | 'missionEvent' | '$queryRawUnsafe'>;

/** Serialises appends on PostgreSQL so seqs commit in order (as the agent event log does). */
const STREAM_APPEND_LOCK = 7_225_002;

/** Where a run's changes are logged: the run and the account and mission it belongs to. */
export interface RunScope {
  id: string;
  accountId: string;
  missionId: string;
}

/**
 * Appends one change of a run inside the caller's transaction: given the run's id, it looks the
 * run up (no-op for an unknown run); given a run row the caller already read, it does not.
 */
export async function appendStreamEvent(tx: Tx, runOrId: string | RunScope, kind: StreamKind, data: Record<string, unknown>): Promise<void> {
  const run = typeof runOrId === 'string' ? await tx.missionRun.findUnique({ where: { id: runOrId }, select: { id: true, accountId: true, missionId: true } }) : runOrId;
  if (!run) return;
  const runId = run.id;
  if (isPostgresClient(tx)) await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${STREAM_APPEND_LOCK})::text`);
  await tx.missionEvent.create({ data: { accountId: run.accountId, missionId: run.missionId, runId, kind, dataJson: JSON.stringify(data) } });
}

/** The wire message of a logged change. */
export interface StreamMessage {
  type: 'event';
  seq: number;
  run_id: string;
  mission_id: string;
  event: { kind: string; data: Record<string, unknown> };
}

/** The account's last logged seq (0 before its first change): where a subscriber without since_seq starts. */
export async function latestSeq(db: Db, accountId: string): Promise<number> {
  return (await db.missionEvent.findFirst({ where: { accountId }, orderBy: { seq: 'desc' } }))?.seq ?? 0;
}

/** An account's changes after `sinceSeq`, oldest first, optionally of one mission or run. */
export async function readStream(db: Db, filter: { accountId: string; sinceSeq: number; missionId?: string; runId?: string; limit?: number }): Promise<StreamMessage[]> {
  const rows = await db.missionEvent.findMany({
    where: { accountId: filter.accountId, seq: { gt: filter.sinceSeq }, ...(filter.missionId ? { missionId: filter.missionId } : {}), ...(filter.runId ? { runId: filter.runId } : {}) },
    orderBy: { seq: 'asc' },
    take: filter.limit ?? 500,
  });
  return rows.map((r) => ({ type: 'event', seq: r.seq, run_id: r.runId, mission_id: r.missionId, event: { kind: r.kind, data: JSON.parse(r.dataJson) as Record<string, unknown> } }));
}
