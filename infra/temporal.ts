/** Temporal connections for the API (client) and the worker, and search-attribute registration. */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, IllegalStateError, NativeConnection, Runtime } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../common/search-attributes';
import type { Config } from './config';
import { classifyTemporalError } from './temporal-errors';

/**
 * A connection for a Temporal `Client` in a process that runs no worker (the API, the
 * benchmark's load side): the SDK's native client, the one the worker uses, instead of
 * `@grpc/grpc-js`'s `Connection`. The Client API is the same and its errors keep their types and
 * gRPC status codes (one server message is lost: infra/temporal-errors.ts); each call costs the
 * process less JavaScript, about 0.9 ms of CPU per turn in the API (docs/capacity.md). It fails
 * at once when nothing listens at `address`, and reconnects by itself when the server comes back.
 *
 * The native runtime is installed here if this process has none yet: warnings only, and no
 * signal handlers of its own, so the caller's shutdown stays the only one.
 */
export async function connectNative(address: string): Promise<NativeConnection> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  } catch (err) {
    // Installed already (a worker in the same process, or an earlier connection).
    if (!(err instanceof IllegalStateError)) throw err;
  }
  return NativeConnection.connect({ address });
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers Parley's search attributes on the namespace if they are missing. Idempotent, so
 * every API and worker replica may call it at boot.
 */
export async function ensureSearchAttributes(connection: Pick<NativeConnection, 'operatorService'>, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
    });
  } catch (err) {
    // Another replica may have registered them between our list and add.
    if (classifyTemporalError(err).kind !== 'already_exists') throw err;
  }
}

export const RETENTION_SCHEDULE_ID = 'parley-retention';

/**
 * The hourly retention Schedule (visible under Schedules in the Web UI). Created once; a
 * replica that finds it already there leaves it (and its policy) alone.
 */
export async function ensureRetentionSchedule(client: Client, config: Pick<Config, 'taskQueue' | 'audioRetentionDays' | 'eventRetentionDays'>): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 hour' }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: {
        type: 'startWorkflow',
        workflowType: 'retentionWorkflow',
        taskQueue: config.taskQueue,
        args: [{ audioRetentionDays: config.audioRetentionDays, eventRetentionDays: config.eventRetentionDays }],
      },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
