/**
 * A run's event log (`RunEvent`, spec §4 "Run event") as Parley writes it (`agent_id: "parley"`),
 * each entry also appended to the /v1/stream log in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import { appendStreamEvent, type RunScope } from './mission-stream';

/** A transaction client. */
type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface RunEventEntry {
  type: string;
  summary: string;
  stepId?: string | null;
  payload?: object | null;
}

/**
 * Appends `entries` in order with the run's next seqs (read once). Two writers racing for a seq
 * fail the unique index; the whole transaction rolls back and the activity's retry reads the
 * new last seq. `run` is the run's id, or its scope when the caller knows it (one read fewer).
 */
export async function appendRunEvents(tx: Tx, run: string | RunScope, entries: RunEventEntry[]): Promise<void> {
  const runId = typeof run === 'string' ? run : run.id;
  const last = await tx.runEvent.findFirst({ where: { runId }, orderBy: { seq: 'desc' }, select: { seq: true } });
  let seq = last?.seq ?? 0;
  for (const e of entries) {
    seq += 1;
    const stepId = e.stepId ?? null;
    const payload = e.payload ?? null;
    await tx.runEvent.create({ data: { id: randomUUID(), runId, seq, type: e.type, summary: e.summary, agentId: 'parley', stepId, payloadJson: payload ? JSON.stringify(payload) : null } });
    await appendStreamEvent(tx, run, 'run_event', { seq, type: e.type, summary: e.summary, agent_id: 'parley', step_id: stepId, payload });
  }
}
