/** Session operations shared by routes: reading persisted sessions, ending them through their workflows. */
import { isWorkflowGone } from '../infra/temporal-errors';
import { callSessionWorkflowId } from '../common/ids';
import { endSessionUpdate, type EndReason } from '../workflows/call-session/messages';
import type { AppDeps } from './deps';

/**
 * Bumps the session's fencing token before the workflow is asked to reset or end it: a turn
 * that is already running sees the change when it commits and answers "stale" (contract §2.4).
 */
export async function fenceSession(db: AppDeps['db'], sessionId: string): Promise<void> {
  await db.callSession.updateMany({ where: { id: sessionId, status: 'active' }, data: { generation: { increment: 1 } } });
}

/** Ends one session; false when it is unknown, ended or already ending. */
export async function endSession({ temporal, db }: Pick<AppDeps, 'temporal' | 'db'>, sessionId: string, reason: EndReason): Promise<boolean> {
  await fenceSession(db, sessionId);
  try {
    await temporal.workflow.getHandle(callSessionWorkflowId(sessionId)).executeUpdate(endSessionUpdate, { args: [{ reason }] });
    return true;
  } catch (err) {
    if (isWorkflowGone(err)) return false;
    throw err;
  }
}

/** Ends every active session (of the default phone) but `except`; returns the ids ended. */
export async function endSessions(deps: Pick<AppDeps, 'temporal' | 'db'>, opts: { except?: string; reason: EndReason }): Promise<string[]> {
  const rows = await deps.db.callSession.findMany({ where: { status: 'active', NOT: opts.except ? { id: opts.except } : undefined }, select: { id: true } });
  const ended = await Promise.all(rows.map(async (r) => ((await endSession(deps, r.id, opts.reason)) ? r.id : null)));
  return ended.filter((id): id is string => id !== null);
}

/** Live session ids, most recently active first. */
export async function activeSessionIds(db: AppDeps['db']): Promise<string[]> {
  const rows = await db.callSession.findMany({ where: { status: 'active' }, orderBy: [{ lastActiveAt: 'desc' }, { createdAt: 'desc' }], select: { id: true } });
  return rows.map((r) => r.id);
}

/** The 500 newest sessions. */
export function recentSessions(db: AppDeps['db']) {
  return db.callSession.findMany({ orderBy: { createdAt: 'desc' }, take: 500 });
}

/** A session with its turns in order, or null when it was never seen. */
export function sessionWithTurns(db: AppDeps['db'], sessionId: string) {
  return db.callSession.findUnique({ where: { id: sessionId }, include: { turns: { orderBy: { seq: 'asc' } } } });
}

export async function sessionExists(db: AppDeps['db'], sessionId: string): Promise<boolean> {
  return (await db.callSession.findUnique({ where: { id: sessionId }, select: { id: true } })) !== null;
}
