/** Temporal helpers for the /v1 routes: rejected updates become W3 409s. */
import { classifyTemporalError } from '../../infra/temporal-errors';
import { V1Error } from './common';

/**
 * Runs an update; a validator's rejection becomes its 409, and a workflow that is gone (closed,
 * or past retention) answers `closed` (the caller then reads the final projection).
 */
export async function tryUpdate<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; closed: true }> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    const { kind, type, message } = classifyTemporalError(err);
    // Only a refusal with a machine code (the ApplicationFailure type) is the client's 409.
    if (kind === 'rejected' && type) throw new V1Error(409, type, message);
    if (kind === 'not_found' || kind === 'closed') return { ok: false, closed: true };
    throw err;
  }
}
