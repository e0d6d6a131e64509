/** Temporal helpers for the /v1 routes: rejected updates become W3 409s. */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { V1Error } from './common';

/** The 409 a workflow's validator asked for (its ApplicationFailure type is the code), or null. */
export function rejection(err: unknown): V1Error | null {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : null;
  if (cause instanceof ApplicationFailure && cause.type) return new V1Error(409, cause.type, cause.message);
  return null;
}

/**
 * Runs an update; a validator's rejection becomes its 409, and a workflow that has already
 * closed answers `closed` (the caller then reads the final projection).
 */
export async function tryUpdate<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; closed: true }> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    const rejected = rejection(err);
    if (rejected) throw rejected;
    if (err instanceof WorkflowUpdateFailedError) throw err;
    if (/not ?found|already completed|workflow execution.*(completed|closed)/i.test(String((err as Error)?.message ?? err))) return { ok: false, closed: true };
    throw err;
  }
}
