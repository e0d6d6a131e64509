/** Temporal connections for the API (client) and the worker, and search-attribute registration. */
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../common/search-attributes';
import type { Config } from './config';
import { classifyTemporalError } from './temporal-errors';

export async function connectClient(config: Pick<Config, 'temporalAddress' | 'temporalNamespace'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporalAddress });
  return new Client({ connection, namespace: config.temporalNamespace });
}

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers Parley's search attributes on the namespace if they are missing. Idempotent, so
 * every API and worker replica may call it at boot.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
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
