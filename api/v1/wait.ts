/** `?wait=<seconds>` long-polls (missions contract §3, P4): a GET answers once its resource changes. */
import type { FastifyRequest } from 'fastify';
import { invalid, queryOf } from './common';

/** The contract's ceiling (50 s), under the CLI's and proxies' usual read timeouts. */
const MAX_WAIT_S = 50;
/** How often the projection is re-read while waiting (the projection is the only source). */
const RECHECK_MS = 250;

/** `?wait` in ms (0 when absent); anything but 0–50 seconds is a 422. */
export function waitOf(req: FastifyRequest): number {
  const raw = queryOf(req).wait;
  if (raw === undefined || raw === '') return 0;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_S) throw invalid('/wait', `wait must be 0 to ${MAX_WAIT_S} seconds`);
  return seconds * 1000;
}

/**
 * Reads a row until it is `settled`, its `updatedAt` moves past the first read, or `waitMs`
 * runs out; answers the last read (so a client that waits always gets the current state).
 */
export async function readWhenChanged<T extends { updatedAt: Date }>(read: () => Promise<T>, settled: (row: T) => boolean, waitMs: number): Promise<T> {
  const first = await read();
  if (waitMs === 0 || settled(first)) return first;
  const deadline = Date.now() + waitMs;
  let row = first;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(RECHECK_MS, deadline - Date.now())));
    row = await read();
    if (settled(row) || row.updatedAt.getTime() !== first.updatedAt.getTime()) break;
  }
  return row;
}
