/** Builds every activity from real clients: the one place activity factories are wired. */
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import { createStoreActivities } from '../activities/store';
import { createTurnActivities, TurnDeps } from '../activities/turn';
import { createRetentionActivities } from '../activities/retention';

export function buildActivities(deps: { db: Db; config: Pick<Config, 'lookup'>; engines?: TurnDeps['engines'] }) {
  return {
    ...createStoreActivities(deps.db, deps.config),
    ...createTurnActivities(deps),
    ...createRetentionActivities(deps.db),
  };
}
